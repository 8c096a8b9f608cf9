import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { countBytes, formatBytes, progressFeed, ProgressBars, renderBar } from '../src/progress.ts';

test('renderBar: counters, bar, percent; unknown total shows the count only', () => {
  const now = Date.now();
  const line = renderBar({ src: 'disk.iso', current: 5 << 20, total: 10 << 20, started: now - 1000 }, 80, now);
  assert.match(line, /^disk\.iso 5\.00 MiB \/ 10\.00 MiB \[=+>-+\]  50\.00% 1s$/);
  assert.equal(renderBar({ src: 'x', current: 512, total: 0, started: now }, 80, now), 'x 512 B');
  assert.match(renderBar({ src: 'x', current: 10, total: 10, started: now }, 80, now), /\[=+\] 100\.00%$/);
  assert.equal(formatBytes(1536), '1.50 KiB');
});

test('ProgressBars.track: the bytes pass through unchanged; the last draw shows 100% and ends the line', async () => {
  let out = '';
  const bars = new ProgressBars({ write: (s) => { out += s; } }, 1);
  const data = Buffer.alloc(300_000, 7);
  const chunks = [data.subarray(0, 100_000), data.subarray(100_000, 200_000), data.subarray(200_000)];
  const got = await buffer(bars.track('up.bin', 0, data.length, Readable.from(chunks)) as Readable);
  assert.deepEqual(got, data);
  assert.match(out, /\rup\.bin 292\.97 KiB \/ 292\.97 KiB \[=+\] 100\.00%\x1b\[K\n$/);
});

test('ProgressBars: two bars at once share the line; the line ends when both closed', () => {
  let out = '';
  const bars = new ProgressBars({ write: (s) => { out += s; }, columns: 120 }, 1_000_000);
  const a = bars.begin('a', 0, 100);
  const b = bars.begin('b', 0, 100);
  a.add(100);
  a.close();
  assert.match(out, /\ra 100 B \/ 100 B \[=+\] 100\.00% \| b 0 B \/ 100 B \[-+\]   0\.00%\x1b\[K$/);
  assert.ok(!out.endsWith('\n'));
  b.add(100);
  b.close();
  assert.ok(out.endsWith('\n'));
});

test('progressFeed: byte counts from a plugin become a stream read by trackProgress; no trackProgress, no-op', async () => {
  let counted = 0;
  let closed = false;
  const ui = {
    trackProgress(_s: string, _c: number, _t: number, stream: NodeJS.ReadableStream) {
      return countBytes(stream, { add: (n) => { counted += n; }, close: () => { closed = true; } });
    },
  };
  const h = progressFeed(ui, 'x', 0, 200_000);
  h.add(150_000);
  h.add(50_000);
  h.close();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(counted, 200_000);
  assert.equal(closed, true);
  const none = progressFeed({}, 'x', 0, 1);
  none.add(1);
  none.close();
});
