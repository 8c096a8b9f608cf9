/**
 * The provision hook and the wrappers the core puts around provisioners for
 * `pause_before`, `timeout`, `max_retries` and `-debug` (packer/provisioner.go).
 */
import { errorMessage, formatGoDurationMs, setLongTimeout, sleep, traced, withSpanRecorder, type Communicator, type Hook, type Provisioner, type SpanRecorder, type Ui } from '@packer-ts/sdk';

abstract class WrappedProvisioner implements Provisioner {
  constructor(readonly inner: Provisioner) {}
  prepare(...raws: unknown[]): Promise<void> { return this.inner.prepare(...raws); }
  abstract provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void>;
}

export class PausedProvisioner extends WrappedProvisioner {
  /** `type` names the pause in the build timeline. */
  constructor(readonly pauseMs: number, inner: Provisioner, readonly type = '') { super(inner); }
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    ui.say(`Pausing ${formatGoDurationMs(this.pauseMs)} before the next provisioner...`);
    await traced('provisioner', `pause before ${this.type}`.trim(), () => sleep(this.pauseMs, signal), { signal });
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
  /** `type` names each attempt in the build timeline. */
  constructor(readonly maxRetries: number, inner: Provisioner, readonly type = '') { super(inner); }
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    let attempt = 1;
    const once = () => traced('provisioner', `${this.type} attempt ${attempt++}`.trim(), () => this.inner.provision(ui, comm, data, signal), { signal });
    let err: unknown;
    try { return await once(); } catch (e) { err = e; }
    for (let left = this.maxRetries; left > 0; left--) {
      signal.throwIfAborted();
      ui.say(`Provisioner failed with ${JSON.stringify(errorMessage(err))}, retrying with ${left} trie(s) left`);
      try { return await once(); } catch (e) { err = e; }
    }
    ui.say('retry limit reached.');
    throw err;
  }
}

/** -debug: waits for Enter before each provisioner. */
export class DebuggedProvisioner extends WrappedProvisioner {
  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await Promise.race([
      // an ask that fails (no terminal) goes on, as Packer's DebuggedProvisioner
      ui.ask('Pausing before the next provisioner . Press enter to continue.').catch(() => ''),
      new Promise((_r, reject) => { signal.addEventListener('abort', () => reject(signal.reason), { once: true }); }),
    ]);
    return this.inner.provision(ui, comm, data, signal);
  }
}

/** A provisioner of the hook and its type (the timeline's name for it). */
export interface HookProvisioner {
  type: string;
  provisioner: Provisioner;
}

/**
 * Runs the build's provisioners in order; the first failure stops the hook.
 * `recorder` receives their spans: a builder plugin calls the hook back over
 * RPC, outside the build's async context, so the hook carries its own.
 */
export class ProvisionHook implements Hook {
  constructor(readonly provisioners: HookProvisioner[], readonly recorder?: SpanRecorder) {}
  async run(_name: string, ui: Ui, comm: Communicator | undefined, data: unknown, signal?: AbortSignal): Promise<void> {
    const generated = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
    const sig = signal ?? new AbortController().signal;
    for (const { type, provisioner } of this.provisioners) {
      sig.throwIfAborted();
      await withSpanRecorder(this.recorder, () => traced('provisioner', type, () => provisioner.provision(ui, comm, generated, sig), { signal: sig }));
    }
  }
}
