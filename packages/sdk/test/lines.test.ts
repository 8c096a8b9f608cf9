import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanOutputLine, LineSplitter, UiLineWriter } from '../src/lines.ts';

test('LineSplitter: a UTF-8 character split across chunks stays whole; last line at end', () => {
  const got: string[][] = [];
  const s = new LineSplitter((ls) => got.push(ls));
  const bytes = Buffer.from('héllo wörld\n€ two\nthree', 'utf8');
  // Feed one byte at a time: every multi-byte character is split.
  for (const b of bytes) s.push(Buffer.from([b]));
  s.end();
  assert.deepEqual(got.flat(), ['héllo wörld', '€ two', 'three']);
});

test('LineSplitter: the complete lines of one push come in one call', () => {
  const got: string[][] = [];
  const s = new LineSplitter((ls) => got.push(ls));
  s.push('a\nb\nc');
  s.push('d\n');
  s.end();
  assert.deepEqual(got, [['a', 'b'], ['cd']]);
});

test('UiLineWriter: cleans lines like Packer and flushes the rest on end', async () => {
  const out: string[] = [];
  const w = new UiLineWriter((t) => out.push(t));
  w.write(Buffer.from('progress 10%\rprogress 100%  \nnext\t\n€'.slice(0, -1)));
  w.write(Buffer.from([0xe2, 0x82]));
  w.end(Buffer.from([0xac]));
  await new Promise((r) => w.on('finish', r));
  assert.deepEqual(out, ['progress 100%\nnext', '€']);
  assert.equal(cleanOutputLine('abc\r def  \t'), ' def');
});
