import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { listenRange, type PortLease } from '../../../common/http-server.ts';
import { cfg, ui } from './state.ts';

export class StepPortForward implements Step {
  readonly name = 'stepPortForward';
  private lease?: PortLease;
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.type === 'none') { u.message('No communicator is set; skipping port forwarding setup.'); return 'continue'; }
    if (c.skipNatMapping) { state.set('commHostPort', c.sshPort ?? 22); return 'continue'; }
    try {
      this.lease = await listenRange(c.vncBindAddress, c.hostPortMin, c.hostPortMax, undefined, signal);
    } catch (e) {
      return halt(state, new Error(`Error finding port: ${(e as Error).message}`), u);
    }
    u.say(`Found port for communicator (SSH, WinRM, etc): ${this.lease.port}.`);
    state.set('commHostPort', this.lease.port);
    state.set('commGuestPort', c.sshPort ?? 22);
    return 'continue';
  }
  async cleanup(): Promise<void> { this.lease?.release(); }
}
