import { randomInt } from 'node:crypto';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { listenRange, type PortLease } from '../../../common/http-server.ts';
import { cfg, ui } from './state.ts';

/** Packer's VNC password alphabet (without a 7, as Packer has it) and length. */
const VNC_PASSWORD_CHARS = '012345689abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const VNC_PASSWORD_LENGTH = 8;

/** A random VNC password as Packer makes one (VNCPassword in step_configure_vnc.go). */
export function vncPassword(): string {
  let p = '';
  for (let i = 0; i < VNC_PASSWORD_LENGTH; i++) p += VNC_PASSWORD_CHARS[randomInt(VNC_PASSWORD_CHARS.length)];
  return p;
}

export class StepConfigureVNC implements Step {
  readonly name = 'stepConfigureVNC';
  private lease?: PortLease;
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    u.say(`Looking for available port between ${c.vncPortMin} and ${c.vncPortMax} on ${c.vncBindAddress}`);
    try {
      this.lease = await listenRange(c.vncBindAddress, c.vncPortMin, c.vncPortMax, undefined, signal);
    } catch (e) {
      return halt(state, new Error(`Error finding VNC port: ${(e as Error).message}`), u);
    }
    state.set('vnc_port', this.lease.port);
    state.set('vnc_password', c.vncUsePassword ? vncPassword() : '');
    return 'continue';
  }
  async cleanup(): Promise<void> { this.lease?.release(); }
}
