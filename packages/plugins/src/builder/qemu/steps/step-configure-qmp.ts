import { rm } from 'node:fs/promises';
import { halt, pathError, redact, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { QmpMonitor } from '../qmp.ts';
import { cfg, drv, ui } from './state.ts';

/**
 * With qmp_enable (or vnc_use_password, which turns it on), connects to QEMU's QMP socket once
 * QEMU runs, sets the VNC password there, and keeps the monitor in state `qmp_monitor`.
 */
export class StepConfigureQMP implements Step {
  readonly name = 'stepConfigureQMP';
  private monitor?: QmpMonitor;
  private socketPath?: string;
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (!c.qmpEnable) return 'continue';
    const path = c.qmpSocketPath!;
    const log = drv(state).log;
    u.say(`QMP socket at: ${path}`);
    this.socketPath = path;
    try {
      this.monitor = await QmpMonitor.open(path, undefined, signal);
    } catch (e) {
      if (signal.aborted) return 'halt';
      return halt(state, new Error(`Error opening QMP socket: ${(e as Error).message}`), u);
    }
    try {
      await this.monitor.connect(signal);
    } catch (e) {
      if (signal.aborted) return 'halt';
      return halt(state, new Error(`Error connecting to QMP socket: ${(e as Error).message}`), u);
    }
    log('QMP socket open SUCCESS');
    const password = state.get('vnc_password') as string | undefined;
    if (password) {
      // Packer's command text (the password's alphabet needs no JSON escaping)
      const cmd = `{ "execute": "change-vnc-password", "arguments": { "password": ${JSON.stringify(password)} } }`;
      let result: string;
      try {
        result = await this.monitor.run(cmd, signal);
      } catch (e) {
        if (signal.aborted) return 'halt';
        return halt(state, new Error(`Error connecting to QMP socket: ${(e as Error).message}`), u);
      }
      log(redact(`QMP Command: ${cmd}\nResult: ${result}`));
    }
    state.set('qmp_monitor', this.monitor);
    return 'continue';
  }
  async cleanup(state: StateBag): Promise<void> {
    if (!this.monitor) return;
    this.monitor.disconnect();
    this.monitor = undefined;
    try {
      await rm(this.socketPath!);
    } catch (e) {
      drv(state).log(`Failed to delete the qmp socket file: ${pathError('remove', this.socketPath!, e).message}`);
    }
  }
}
