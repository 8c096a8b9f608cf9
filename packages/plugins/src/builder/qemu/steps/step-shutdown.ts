import { halt, UiLineWriter, waitFor, type Communicator, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { cfg, drv, ui } from './state.ts';

export class StepShutdown implements Step {
  readonly name = 'stepShutdown';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    const d = drv(state);
    if (c.type === 'none') {
      u.say('Waiting for shutdown...');
      if (await d.waitForShutdown(c.shutdownTimeout, signal)) return 'continue';
      return halt(state, new Error('Failed to shutdown'), u);
    }
    if (c.shutdownCommand) {
      const comm = state.need<Communicator>('communicator');
      u.say('Gracefully halting virtual machine...');
      const exited = d.exited();
      try {
        // The guest may drop the connection while it powers off: that is success.
        await Promise.race([
          comm.start({ command: c.shutdownCommand, stdout: new UiLineWriter((t) => u.message(t)), stderr: new UiLineWriter((t) => u.error(t)) }, signal),
          exited,
        ]);
      } catch (e) {
        if (signal.aborted) return 'halt';
        if (!(await Promise.race([exited.then(() => true), waitFor(2000).then(() => false)]))) {
          return halt(state, new Error(`Failed to send shutdown command: ${(e as Error).message}`), u);
        }
      }
      if (!(await d.waitForShutdown(c.shutdownTimeout, signal))) {
        if (signal.aborted) return 'halt';
        return halt(state, new Error('Timeout while waiting for machine to shut down.'), u);
      }
    } else {
      u.say('Halting the virtual machine...');
      try { await d.stop(); } catch (e) { return halt(state, new Error(`Error stopping VM: ${(e as Error).message}`), u); }
    }
    return 'continue';
  }
}
