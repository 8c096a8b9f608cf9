import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGoText, decodeRawText, encodeRawText, hasRawBytes, MultiError, PackerMultiError, rawTextChunk } from '../src/index.ts';

test('decodeRawText / encodeRawText: any bytes come back as they were; valid UTF-8 is plain text', () => {
  const samples = [
    Buffer.from('plain ascii, héllo, €, 😀', 'utf8'),
    Buffer.from([0xef]), // a character cut after its first byte
    Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x82, 0x78, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0xc3]),
    Buffer.from([0xc0, 0x80, 0xf5, 0x80, 0x80, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe0, 0x80, 0x80]), // overlong, beyond U+10FFFF
  ];
  for (const b of samples) assert.deepEqual(encodeRawText(decodeRawText(b)), b, b.toString('hex'));
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(Array.from({ length: 1 + (i % 17) }, (_, k) => (i * 31 + k * 97) & 0xff));
    assert.deepEqual(encodeRawText(decodeRawText(b)), b, b.toString('hex'));
  }
  assert.equal(decodeRawText(samples[0]!), samples[0]!.toString('utf8'));
  assert.equal(hasRawBytes(decodeRawText(samples[0]!)), false);
  assert.equal(hasRawBytes(decodeRawText(samples[1]!)), true);
  // a slice: the bytes outside it play no part
  assert.deepEqual(encodeRawText(decodeRawText(Buffer.from('€x', 'utf8'), 0, 1)), Buffer.from([0xe2]));
});

test('text without escaped bytes is written as UTF-8 (a paired surrogate is a character, not an escape)', () => {
  assert.equal(rawTextChunk('😀 ok'), '😀 ok');
  assert.deepEqual(encodeRawText('😀'), Buffer.from('😀', 'utf8'));
  assert.deepEqual(rawTextChunk(`a${String.fromCharCode(0xdcef)}b`), Buffer.from([0x61, 0xef, 0x62]));
});

test("decodeGoText: one U+FFFD per byte that is not UTF-8, as Go's encoding/json", () => {
  const b = Buffer.from([0x61, 0xff, 0x62, 0x20, 0xe2, 0x82, 0x78, 0x20, 0xf0, 0x9f, 0x98]);
  assert.equal(decodeGoText(b), 'a\ufffdb \ufffd\ufffdx \ufffd\ufffd\ufffd');
  assert.equal(b.toString('utf8'), 'a\ufffdb \ufffdx \ufffd'); // where a WHATWG decoder differs
  assert.equal(decodeGoText(Buffer.from('héllo', 'utf8')), 'héllo');
});

test("go-multierror's list: the bullets are indented, the lines of a nested message are not", () => {
  const nested = new PackerMultiError(['one', 'two']);
  assert.equal(new MultiError([new Error(`provisioner 1: ${nested.message}`)]).message,
    '1 error occurred:\n\t* provisioner 1: 2 error(s) occurred:\n\n* one\n* two\n\n');
  assert.equal(new MultiError(['a\nb', 'c']).message, '2 errors occurred:\n\t* a\nb\n\t* c\n\n');
});
