import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSecret, clearSecrets } from '@packer-ts/sdk';
import { decodeRawText, formatDuration, formatGoDurationMs as goDuration } from '@packer-ts/sdk';
import { BasicUi, ColoredUi, MachineReadableUi, TargetedUi } from '../src/index.ts';

const sink = () => { const s = { text: '', write(c: string) { s.text += c; return true; } }; return s; };

test('targeted and colored lines look like Packer', () => {
  const out = sink();
  const err = sink();
  const ui = new TargetedUi('null', new ColoredUi(36, new BasicUi(out, err)));
  ui.say('Running\ntwo lines');
  ui.message('detail  ');
  ui.error('bad');
  assert.equal(out.text, '\x1b[1;36m==> null: Running\n==> null: two lines\x1b[0m\n\x1b[0;36m    null: detail\x1b[0m\n');
  assert.equal(err.text, '\x1b[1;31m==> null: bad\x1b[0m\n');
});

test('machine-readable records escape commas and newlines, and mask secrets', () => {
  const out = sink();
  const ui = new TargetedUi('b', new MachineReadableUi(out));
  addSecret('hunter2');
  try {
    ui.say('a,b\nc hunter2');
    ui.machine('artifact', '0', 'id', 'x,y');
  } finally { clearSecrets(); }
  const lines = out.text.trim().split('\n').map((l) => l.replace(/^\d+,/, ''));
  assert.deepEqual(lines, [',ui,say,==> b: a%!(PACKER_COMMA)b\\n==> b: c <sensitive>', 'b,artifact,0,id,x%!(PACKER_COMMA)y']);
});

test('durations print like durafmt and Go', () => {
  assert.equal(formatDuration(8903), '8 milliseconds 903 microseconds');
  assert.equal(formatDuration(63_000_000), '1 minute 3 seconds');
  assert.equal(formatDuration(33), '33 microseconds');
  assert.equal(goDuration(90_000), '1m30s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});

test('text carrying raw bytes (decodeRawText) is written as those bytes, plain text as text', () => {
  const chunks: (string | Buffer)[] = [];
  const out = { write(c: string | Buffer) { chunks.push(c); return true; } };
  const excerpt = decodeRawText(Buffer.from([0x31, 0x3a, 0x20, 0xef]));
  new BasicUi(out, out).error(`bad\n${excerpt}`);
  new MachineReadableUi(out).error(`bad\n${excerpt}`);
  new BasicUi(out, out).say('€ plain');
  assert.deepEqual(chunks[0], Buffer.from([...Buffer.from('bad\n1: '), 0xef, 0x0a]));
  assert.match((chunks[1] as Buffer).toString('latin1'), /^\d+,,ui,error,bad\\n1: \xef\n$/);
  assert.equal(chunks[2], '€ plain\n');
});
