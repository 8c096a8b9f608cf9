import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, MAX_TIMER_MS, parseGoDurationNs, setLongTimeout, sleep } from '../src/time.ts';

test('Go durations: exact int64 nanoseconds and Go 1.19 overflow rules', () => {
  assert.equal(parseGoDurationNs('-2562047h47m16.854775808s'), -(2n ** 63n));
  assert.throws(() => parseGoDurationNs('5µx'), /^Error: time: unknown unit "\\xc2\\xb5x" in duration "5\\xc2\\xb5x"$/);
  assert.equal(parseGoDurationNs('2562047h47m16.854775807s'), 2n ** 63n - 1n);
  assert.throws(() => parseGoDurationNs('2562047h47m16.854775808s'), /^Error: time: invalid duration "2562047h47m16.854775808s"$/);
  assert.throws(() => parseGoDurationNs('3000000h'), /^Error: time: invalid duration "3000000h"$/);
  assert.throws(() => parseGoDurationNs('99999999999999999999ns'), /invalid duration/);
  assert.equal(parseGoDurationNs('1.000000000000000000000001s'), 1_000_000_000n);
  assert.equal(parseGoDurationNs('.5m'), 30_000_000_000n);
  assert.equal(parseGoDurationNs('-1h1.5m'), -3_690_000_000_000n);
  assert.equal(parseGoDurationNs('+0'), 0n);
  assert.throws(() => parseGoDurationNs('.s'), /invalid duration/);
  assert.throws(() => parseGoDurationNs('1'), /missing unit/);
  assert.throws(() => parseGoDurationNs('1h-1m'), /unknown unit "h-"/);
  assert.equal(formatGoDuration(2n ** 63n - 1n), '2562047h47m16.854775807s');
  assert.equal(formatGoDuration(-(2n ** 63n)), '-2562047h47m16.854775808s');
  assert.equal(formatGoDuration(1500), '1.5µs');
  assert.equal(formatGoDuration(600 * 3600e9), '600h0m0s');
});

test('setLongTimeout arms at most 2^31-1 ms at a time and keeps the full delay', () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  let fired = false;
  const t = setLongTimeout(() => { fired = true; }, 600 * 3600_000);
  try {
    assert.equal(t.armedMs, MAX_TIMER_MS);
    assert.ok(t.remaining() > 599 * 3600_000, `remaining ${t.remaining()}`);
  } finally {
    t.clear();
    process.off('warning', onWarning);
  }
  assert.equal(t.remaining(), 0);
  assert.equal(fired, false);
  assert.deepEqual(warnings, []);
});

test('sleep: short delays fire, aborts reject with an AbortError carrying the reason', async () => {
  await sleep(5);
  await sleep(-1);
  const ac = new AbortController();
  const p = sleep(1e12, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, (e: Error) => e.name === 'AbortError' && (e.cause as Error).message === 'stop');
});
