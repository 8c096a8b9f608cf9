/**
 * Runs a fuzz target in a worker thread with a watchdog per input: an input running longer than
 * `timeLimitMs` ends the worker and is saved as a crasher ("hang"), and the run goes on with the
 * next batch. Crashers are written to test/fuzz/crashers/TARGET/ID.json (replayed by test/fuzz.test.ts).
 */
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CRASHERS = join(import.meta.dirname, 'crashers');

export interface FuzzOptions {
  seed: number;
  runs: number;
  batchSize?: number;
  timeLimitMs?: number;
  /** Where crashers go; default CRASHERS (undefined: not written). */
  saveTo?: string | null;
  onProgress?: (done: number) => void;
}

export interface Crasher { kind: 'crash' | 'hang'; input: unknown; error: string; file?: string }

export interface FuzzResult { target: string; runs: number; crashers: Crasher[]; ms: number }

export async function fuzz(target: string, opts: FuzzOptions): Promise<FuzzResult> {
  const batchSize = opts.batchSize ?? 1000;
  const batches = Math.ceil(opts.runs / batchSize);
  const limit = opts.timeLimitMs ?? 5000;
  const crashers: Crasher[] = [];
  const seen = new Set<string>();
  const t0 = Date.now();
  let started = 0;
  let next = 0;
  const save = async (c: Crasher): Promise<void> => {
    const key = c.error.split('\n')[0] + JSON.stringify(c.input);
    if (seen.has(key)) return;
    seen.add(key);
    crashers.push(c);
    const dir = opts.saveTo === undefined ? join(CRASHERS, target) : opts.saveTo === null ? undefined : join(opts.saveTo, target);
    if (!dir) return;
    await mkdir(dir, { recursive: true });
    const id = createHash('sha256').update(JSON.stringify(c.input)).digest('hex').slice(0, 16);
    c.file = join(dir, `${id}.json`);
    await writeFile(c.file, JSON.stringify({ target, kind: c.kind, error: c.error.split('\n')[0], input: c.input }, null, 1) + '\n');
  };
  while (next < batches) {
    const shared = new SharedArrayBuffer(8);
    const input = new SharedArrayBuffer(1 << 20);
    const state = new Int32Array(shared);
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: { target, seed: opts.seed, fromBatch: next, batches: batches - next, batchSize, shared, input },
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    const pending: Promise<void>[] = [];
    let startError: unknown;
    const outcome = await new Promise<'done' | 'hang' | 'died'>((resolve) => {
      let last = -1;
      let since = Date.now();
      const dog = setInterval(() => {
        const n = Atomics.load(state, 0);
        if (n !== last) { last = n; since = Date.now(); return; }
        if (n > 0 && Date.now() - since > limit) { clearInterval(dog); resolve('hang'); }
      }, 50);
      worker.on('message', (m: { kind: string; batch?: number; input?: unknown; error?: string }) => {
        if (m.kind === 'batch') { next = m.batch! + 1; opts.onProgress?.(Math.min(next * batchSize, opts.runs)); }
        else if (m.kind === 'crash') pending.push(save({ kind: 'crash', input: m.input, error: m.error! }));
        else if (m.kind === 'done') { clearInterval(dog); resolve('done'); }
      });
      worker.on('error', (e) => {
        clearInterval(dog);
        if (Atomics.load(state, 0) === 0) { startError = e; resolve('died'); return; }
        pending.push(save({ kind: 'crash', input: currentInput(input, state), error: `worker died: ${e.message}` }));
        resolve('died');
      });
      worker.on('exit', () => { clearInterval(dog); resolve('died'); });
    });
    if (startError) { await worker.terminate(); throw new Error(`fuzz worker for ${target} did not start: ${(startError as Error).message}`); }
    started += Atomics.load(state, 0);
    if (outcome === 'hang') pending.push(save({ kind: 'hang', input: currentInput(input, state), error: `hang: no answer within ${limit} ms` }));
    await worker.terminate();
    await Promise.all(pending);
    if (outcome !== 'done') next++; // go on after the batch that hung or died
    else break;
  }
  return { target, runs: Math.min(started, opts.runs), crashers, ms: Date.now() - t0 };
}

function currentInput(input: SharedArrayBuffer, state: Int32Array): unknown {
  const n = Atomics.load(state, 1);
  const text = Buffer.from(new Uint8Array(input, 0, n)).toString('utf8');
  try { return JSON.parse(text); } catch { return text; }
}
