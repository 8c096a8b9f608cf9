/**
 * Spans of a build for its timeline (`packer-ts build -timeline=FILE`):
 * the core installs a recorder around each build; the step runner, the
 * provision hook and the post-processor chain report what they run. Without
 * a recorder (a plugin process, a unit test) every call is a no-op.
 *
 * The recorder travels with the async context (AsyncLocalStorage), so the
 * parallel builds of one process each see their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type SpanKind = 'step' | 'provisioner' | 'post-processor';
export type SpanStatus = 'ok' | 'failed' | 'cancelled';

/** Receives the spans of one build. */
export interface SpanRecorder {
  /** A span begins now; the returned function ends it. */
  begin(kind: SpanKind, name: string): (status: SpanStatus) => void;
}

const current = new AsyncLocalStorage<SpanRecorder>();

/** Runs `fn` with `recorder` receiving the spans reported inside it. */
export function withSpanRecorder<T>(recorder: SpanRecorder | undefined, fn: () => T): T {
  return recorder ? current.run(recorder, fn) : fn();
}

/** The recorder of the surrounding build, if any. */
export function spanRecorder(): SpanRecorder | undefined {
  return current.getStore();
}

/**
 * Runs `fn` as a span. `ok` decides the status of a result (default: every
 * result is ok); a throw is `failed`, or `cancelled` once `signal` aborted.
 */
export async function traced<T>(kind: SpanKind, name: string, fn: () => Promise<T>, opts: { signal?: AbortSignal; ok?: (r: T) => boolean } = {}): Promise<T> {
  const rec = current.getStore();
  if (!rec) return fn();
  const end = rec.begin(kind, name);
  try {
    const r = await fn();
    end(opts.signal?.aborted ? 'cancelled' : !opts.ok || opts.ok(r) ? 'ok' : 'failed');
    return r;
  } catch (e) {
    end(opts.signal?.aborted ? 'cancelled' : 'failed');
    throw e;
  }
}
