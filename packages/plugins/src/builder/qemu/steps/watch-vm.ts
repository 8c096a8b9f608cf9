import { waitFor, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import type { VmExit } from '../driver.ts';
import { drv, ui } from './state.ts';

/** The error for a VM that ended (or broke) before the build was done, with QEMU's stderr. */
export function vmDiedError(exit: VmExit | undefined, fatal: string | undefined): Error {
  if (fatal && (!exit || exit.code === null || exit.code === 0)) return new Error(`QEMU reported a fatal error, the guest cannot run:\n${fatal}`);
  const how = !exit ? 'stopped' : exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
  const err = exit?.stderr || fatal || '';
  return new Error(`Qemu failed to start: QEMU ${how} before the build was done${err ? `; its stderr:\n${err}` : ' (no output on its stderr)'}`);
}

/**
 * Runs `inner` while watching the VM: when QEMU exits or reports a fatal
 * error, the step is cancelled and fails with QEMU's stderr.
 */
export class WatchVm implements Step {
  readonly name: string;
  constructor(private inner: Step) { this.name = inner.name; }
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const d = drv(state);
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let died: Error | undefined;
    const die = (e: Error) => { if (!died) { died = e; ac.abort(e); } };
    const stopFatal = d.onFatal((msg) => die(vmDiedError(undefined, msg)));
    if (d.fatal) die(vmDiedError(undefined, d.fatal));
    let done = false;
    if (d.running) void d.exited().then((x) => { if (!done) die(vmDiedError(x, d.fatal)); });
    else die(vmDiedError(await d.exited(), d.fatal));
    try {
      let action = died ? 'halt' as StepAction : await this.inner.run(state, ac.signal);
      if (action === 'halt' && !died && !signal.aborted && d.running) {
        // a failure may be the VM going away: give QEMU a moment to tell
        const x = await Promise.race([d.exited(), waitFor(300).then(() => undefined)]);
        if (x) died = vmDiedError(x, d.fatal);
      }
      if (died && !signal.aborted) {
        state.set('error', died);
        ui(state).error(died.message);
        action = 'halt';
      }
      return action;
    } finally {
      done = true;
      stopFatal();
      signal.removeEventListener('abort', onAbort);
    }
  }
  cleanup(state: StateBag): Promise<void> { return this.inner.cleanup?.(state) ?? Promise.resolve(); }
}
