/**
 * The fuzz worker: runs a target over seeded batches of inputs, writing each input (as JSON) into
 * shared memory before running it, so that the parent's watchdog can save an input that hangs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { TARGETS } from './targets.ts';

export interface Job { target: string; seed: number; fromBatch: number; batches: number; batchSize: number; shared: SharedArrayBuffer; input: SharedArrayBuffer }

const job = workerData as Job;
const target = TARGETS[job.target]!;
const state = new Int32Array(job.shared); // [0] inputs started, [1] bytes of the current input
const inputBytes = new Uint8Array(job.input);
let current: unknown;

const report = (kind: 'crash', e: unknown) => parentPort!.postMessage({
  kind, input: target.save(current as never), error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e),
});
process.on('uncaughtException', (e) => report('crash', e));
process.on('unhandledRejection', (e) => report('crash', e));

for (let b = job.fromBatch; b < job.fromBatch + job.batches; b++) {
  const inputs = fc.sample(target.input, { seed: job.seed * 1_000_003 + b, numRuns: job.batchSize });
  for (const input of inputs) {
    current = input;
    const text = Buffer.from(JSON.stringify(target.save(input as never)));
    const n = Math.min(text.length, inputBytes.length);
    inputBytes.set(text.subarray(0, n));
    Atomics.store(state, 1, n);
    Atomics.add(state, 0, 1);
    try {
      await target.run(input as never);
    } catch (e) {
      if (!target.expected(e)) report('crash', e);
    }
  }
  parentPort!.postMessage({ kind: 'batch', batch: b });
}
parentPort!.postMessage({ kind: 'done' });
