/**
 * Text that carries raw bytes. Go prints byte slices as they are, so an excerpt of a file that
 * cuts a character in two, or holds bytes that are not UTF-8, reaches the terminal byte for
 * byte. A JavaScript string cannot hold such bytes; here each byte that is not part of a valid
 * UTF-8 sequence (Go's utf8.DecodeRune rules, one byte at a time) stands as the lone surrogate
 * U+DC00+byte (the "surrogateescape" of PEP 383), and `encodeRawText` turns those back into the
 * bytes when the text is written. Valid text decodes to itself.
 */
import { isUtf8 } from 'node:buffer';

const ESCAPED = /(?<![\ud800-\udbff])[\udc80-\udcff]/;
const ESCAPED_ALL = /(?<![\ud800-\udbff])[\udc80-\udcff]/g;

/** The length of the valid UTF-8 sequence at `i`, or 0 (utf8.DecodeRune's RuneError, size 1). */
function sequenceLength(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < end && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const ok1 = c === 0xe0 ? cont(1, 0xa0) : c === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok1 && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const ok1 = c === 0xf0 ? cont(1, 0x90) : c === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok1 && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** `bytes[start, end)` as text, each byte that is not UTF-8 given by `invalid`. */
function decodeWith(bytes: Uint8Array, start: number, end: number, invalid: (byte: number) => string): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const part = buf.subarray(start, end);
  if (isUtf8(part)) return part.toString('utf8');
  let out = '';
  let from = start;
  for (let i = start; i < end;) {
    const n = sequenceLength(buf, i, end);
    if (n > 0) { i += n; continue; }
    out += buf.toString('utf8', from, i) + invalid(buf[i]!);
    from = ++i;
  }
  return out + buf.toString('utf8', from, end);
}

/** `bytes[start, end)` as text, its bytes that are not UTF-8 kept as escapes. */
export function decodeRawText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return decodeWith(bytes, start, end, (b) => String.fromCharCode(0xdc00 + b));
}

/**
 * `bytes[start, end)` as Go reads them into a string of runes (encoding/json, `range`): each
 * byte that is not UTF-8 is one U+FFFD (where a WHATWG decoder, Buffer#toString, makes one
 * U+FFFD of a whole cut-off sequence).
 */
export function decodeGoText(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return decodeWith(bytes, start, end, () => '\ufffd');
}

/** Whether `text` carries escaped bytes. */
export function hasRawBytes(text: string): boolean {
  return ESCAPED.test(text);
}

/** The bytes of `text`: UTF-8, with the escaped bytes as themselves. */
export function encodeRawText(text: string): Buffer {
  if (!hasRawBytes(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (const m of text.matchAll(ESCAPED_ALL)) {
    parts.push(Buffer.from(text.slice(from, m.index), 'utf8'), Buffer.of(m[0].charCodeAt(0) - 0xdc00));
    from = m.index + 1;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** What a text sink is given for `text`: the text itself, or its bytes when it carries raw ones. */
export function rawTextChunk(text: string): string | Buffer {
  return hasRawBytes(text) ? encodeRawText(text) : text;
}
