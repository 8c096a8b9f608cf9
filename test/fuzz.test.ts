/**
 * The fuzz harness in `npm test`: a short seeded run of every target (deterministic: same seed,
 * same inputs), each input under the watchdog, and the replay of every saved crasher
 * (test/fuzz/crashers/TARGET/*.json) as a regression test. The full run is in test/fuzz/README.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRASHERS, fuzz } from './fuzz/runner.ts';
import { TARGETS } from './fuzz/targets.ts';

const SMOKE_RUNS = 2000;

for (const name of Object.keys(TARGETS)) {
  test(`fuzz smoke: ${name}, ${SMOKE_RUNS} seeded inputs, no crasher`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'packer-ts-fuzz-'));
    try {
      const r = await fuzz(name, { seed: 1, runs: SMOKE_RUNS, batchSize: 500, timeLimitMs: 10_000, saveTo: dir });
      assert.equal(r.runs, SMOKE_RUNS);
      assert.deepEqual(r.crashers.map((c) => `${c.kind}: ${c.error.split('\n')[0]}: ${JSON.stringify(c.input).slice(0, 300)}`), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('fuzz crashers replay: every saved input is handled', async () => {
  let n = 0;
  for (const name of await readdir(CRASHERS).catch(() => [] as string[])) {
    const target = TARGETS[name];
    assert.ok(target, `crashers for unknown target ${name}`);
    for (const f of await readdir(join(CRASHERS, name))) {
      const saved = JSON.parse(await readFile(join(CRASHERS, name, f), 'utf8')) as { input: unknown };
      try {
        await target.run(target.load(saved.input));
      } catch (e) {
        if (!target.expected(e)) throw new Error(`${name}/${f}: ${(e as Error).stack}`);
      }
      n++;
    }
  }
  assert.ok(n > 0, 'no crasher files found');
});
