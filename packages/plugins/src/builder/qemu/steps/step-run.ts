import { addSecret, halt, type InterpolateContext, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { cfg, drv, ui } from './state.ts';
import { qemuCommandArgs } from './command-line.ts';

export class StepRun implements Step {
  readonly name = 'stepRun';
  constructor(private ctx: InterpolateContext) {}
  async run(state: StateBag): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    let args: string[];
    try {
      args = qemuCommandArgs(c, state, u, this.ctx);
    } catch (e) {
      return halt(state, new Error(`Error processing QemuArgs: ${(e as Error).message}`), u);
    }
    // The VNC password is shown once, in the headless message above, as Packer shows it; from
    // here on it is masked in all output and logs.
    const vncPassword = state.get('vnc_password') as string | undefined;
    if (vncPassword) addSecret(vncPassword);
    try {
      await drv(state).start(args);
    } catch (e) {
      return halt(state, new Error(`Error launching VM: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
  async cleanup(state: StateBag): Promise<void> {
    try { await drv(state).stop(); } catch (e) { ui(state).error(`Error shutting down VM: ${(e as Error).message}`); }
  }
}
