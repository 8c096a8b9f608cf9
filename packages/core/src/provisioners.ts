/**
 * The provision hook and the wrappers the core puts around provisioners for
 * `pause_before`, `timeout`, `max_retries` and `-debug` (packer/provisioner.go).
 */
import { errorMessage, formatGoDurationMs, setLongTimeout, sleep, type Communicator, type Hook, type Provisioner, type Ui } from '@packer-ts/sdk';

abstract class WrappedProvisioner implements Provisioner {
  constructor(readonly inner: Provisioner) {}
  prepare(...raws: unknown[]): Promise<void> { return this.inner.prepare(...raws); }
  abstract provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void>;
}

export class PausedProvisioner extends WrappedProvisioner {
  constructor(readonly pauseMs: number, inner: Provisioner) { super(inner); }
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    ui.say(`Pausing ${formatGoDurationMs(this.pauseMs)} before the next provisioner...`);
    await sleep(this.pauseMs, signal);
    return this.inner.provision(ui, comm, data, signal);
  }
}

export class TimeoutProvisioner extends WrappedProvisioner {
  constructor(readonly timeoutMs: number, inner: Provisioner) { super(inner); }
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    ui.say(`Setting a ${formatGoDurationMs(this.timeoutMs)} timeout for the next provisioner...`);
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setLongTimeout(() => {
      ui.error('Cancelling provisioner after a timeout...');
      ac.abort(new Error('context deadline exceeded'));
    }, this.timeoutMs);
    try {
      await this.inner.provision(ui, comm, data, ac.signal);
      if (ac.signal.aborted && !signal.aborted) throw new Error('context deadline exceeded');
    } finally {
      timer.clear();
      signal.removeEventListener('abort', onAbort);
    }
  }
}

export class RetriedProvisioner extends WrappedProvisioner {
  constructor(readonly maxRetries: number, inner: Provisioner) { super(inner); }
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    let err: unknown;
    try { return await this.inner.provision(ui, comm, data, signal); } catch (e) { err = e; }
    for (let left = this.maxRetries; left > 0; left--) {
      signal.throwIfAborted();
      ui.say(`Provisioner failed with ${JSON.stringify(errorMessage(err))}, retrying with ${left} trie(s) left`);
      try { return await this.inner.provision(ui, comm, data, signal); } catch (e) { err = e; }
    }
    ui.say('retry limit reached.');
    throw err;
  }
}

/** -debug: waits for Enter before each provisioner. */
export class DebuggedProvisioner extends WrappedProvisioner {
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await Promise.race([
      ui.ask('Pausing before the next provisioner . Press enter to continue.'),
      new Promise((_r, reject) => { signal.addEventListener('abort', () => reject(signal.reason), { once: true }); }),
    ]);
    return this.inner.provision(ui, comm, data, signal);
  }
}

/** Runs the build's provisioners in order; the first failure stops the hook. */
export class ProvisionHook implements Hook {
  constructor(readonly provisioners: Provisioner[]) {}
  async run(_name: string, ui: Ui, comm: Communicator | undefined, data: unknown, signal?: AbortSignal): Promise<void> {
    const generated = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const sig = signal ?? new AbortController().signal;
    for (const p of this.provisioners) {
      sig.throwIfAborted();
      await p.provision(ui, comm, generated, sig);
    }
  }
}
