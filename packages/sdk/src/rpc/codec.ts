/**
 * msgpack as Packer's plugin RPC speaks it (ugorji `codec.MsgpackHandle{RawToString: true, WriteExt: true}`).
 *
 * Public API
 *   encode(value): Buffer              one msgpack value
 *   decode(buf): unknown               exactly one value (throws on trailing bytes / truncation)
 *   new Decoder(); d.push(chunk); d.next(): { value } | undefined   values from a byte stream
 *   float64(n): Float64                forces a float64 encoding (Go's float64 / JSON numbers)
 *   new Ext(type, data)                a msgpack extension value (either way)
 *
 * Encoding (what a Go peer decodes):
 *   null, undefined -> nil         boolean -> true/false
 *   safe integer    -> the smallest int form, non-negative ones as uint (as ugorji does)
 *   other number    -> float64     bigint -> int64 / uint64        Float64 -> float64
 *   string          -> str (fixstr, str8, str16, str32)   Buffer / Uint8Array -> bin
 *   Array           -> array       Map -> map              Ext -> ext
 *   plain object    -> map with string keys, in insertion order; keys whose value is undefined are
 *                      left out (a Go struct decodes them as zero values). Go structs are encoded by
 *                      Packer 1.6.6 as maps keyed by field name, in declaration order.
 * Decoding: nil -> null; ints -> number (bigint beyond 2^53); float32/64 -> number; str -> string;
 *   bin -> Buffer (a view, not a copy); map -> plain object when every key is a string, else Map;
 *   ext -> Ext.
 */

/** A number that must travel as a float64 (Go float64; Packer sends every JSON number this way). */
export class Float64 {
  constructor(readonly value: number) {}
  valueOf(): number { return this.value; }
}
export function float64(n: number): Float64 { return new Float64(n); }

/** A msgpack extension value. */
export class Ext {
  constructor(readonly type: number, readonly data: Buffer) {}
}

export class MsgpackError extends Error {
  constructor(message: string) { super(message); this.name = 'MsgpackError'; }
}

// ---------------------------------------------------------------- encoding

class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 256) { this.buf = Buffer.allocUnsafe(size); }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v; }
  u8u8(a: number, b: number): void { this.ensure(2); this.buf[this.pos++] = a; this.buf[this.pos++] = b; }
  u16(tag: number, v: number): void { this.ensure(3); this.buf[this.pos] = tag; this.buf.writeUInt16BE(v, this.pos + 1); this.pos += 3; }
  u32(tag: number, v: number): void { this.ensure(5); this.buf[this.pos] = tag; this.buf.writeUInt32BE(v >>> 0, this.pos + 1); this.pos += 5; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
}

function writeUint(w: Writer, n: number): void {
  if (n <= 0x7f) w.u8(n);
  else if (n <= 0xff) w.u8u8(0xcc, n);
  else if (n <= 0xffff) w.u16(0xcd, n);
  else if (n <= 0xffffffff) w.u32(0xce, n);
  else { w.ensure(9); w.buf[w.pos] = 0xcf; w.buf.writeBigUInt64BE(BigInt(n), w.pos + 1); w.pos += 9; }
}

function writeInt(w: Writer, n: number): void {
  if (n >= 0) return writeUint(w, n);
  if (n >= -32) w.u8(n & 0xff);
  else if (n >= -128) w.u8u8(0xd0, n & 0xff);
  else if (n >= -32768) { w.ensure(3); w.buf[w.pos] = 0xd1; w.buf.writeInt16BE(n, w.pos + 1); w.pos += 3; }
  else if (n >= -2147483648) { w.ensure(5); w.buf[w.pos] = 0xd2; w.buf.writeInt32BE(n, w.pos + 1); w.pos += 5; }
  else { w.ensure(9); w.buf[w.pos] = 0xd3; w.buf.writeBigInt64BE(BigInt(n), w.pos + 1); w.pos += 9; }
}

function writeFloat64(w: Writer, n: number): void {
  w.ensure(9);
  w.buf[w.pos] = 0xcb;
  w.buf.writeDoubleBE(n, w.pos + 1);
  w.pos += 9;
}

function writeLen(w: Writer, fix: number, fixMax: number, t8: number, t16: number, t32: number, n: number): void {
  if (fix >= 0 && n < fixMax) w.u8(fix | n);
  else if (t8 >= 0 && n < 256) w.u8u8(t8, n);
  else if (n < 65536) w.u16(t16, n);
  else w.u32(t32, n);
}

function writeString(w: Writer, s: string): void {
  if (s.length < 32) {
    // Short strings: encode in place after a one-byte header (fixstr) when the UTF-8 length allows.
    const max = s.length * 3;
    w.ensure(max + 5);
    const start = w.pos;
    const n = w.buf.write(s, start + 1, 'utf8');
    if (n < 32) { w.buf[start] = 0xa0 | n; w.pos = start + 1 + n; return; }
    w.buf.copyWithin(start + 2, start + 1, start + 1 + n);
    w.buf[start] = 0xd9; w.buf[start + 1] = n; w.pos = start + 2 + n;
    return;
  }
  const len = Buffer.byteLength(s, 'utf8');
  writeLen(w, 0xa0, 32, 0xd9, 0xda, 0xdb, len);
  w.ensure(len);
  w.buf.write(s, w.pos, 'utf8');
  w.pos += len;
}

function writeExt(w: Writer, type: number, data: Uint8Array): void {
  const l = data.length;
  const t = type & 0xff;
  if (l === 1) w.u8u8(0xd4, t);
  else if (l === 2) w.u8u8(0xd5, t);
  else if (l === 4) w.u8u8(0xd6, t);
  else if (l === 8) w.u8u8(0xd7, t);
  else if (l === 16) w.u8u8(0xd8, t);
  else if (l < 256) { w.u8u8(0xc7, l); w.u8(t); }
  else if (l < 65536) { w.u16(0xc8, l); w.u8(t); }
  else { w.u32(0xc9, l); w.u8(t); }
  w.bytes(data);
}

function writeValue(w: Writer, v: unknown, depth: number): void {
  if (depth > 512) throw new MsgpackError('msgpack: value nested too deeply (cycle?)');
  switch (typeof v) {
    case 'undefined': w.u8(0xc0); return;
    case 'boolean': w.u8(v ? 0xc3 : 0xc2); return;
    case 'number':
      if (Number.isSafeInteger(v)) writeInt(w, v); else writeFloat64(w, v);
      return;
    case 'bigint':
      w.ensure(9);
      if (v >= 0n) {
        if (v <= 0xffffffffffffffffn) {
          if (v <= BigInt(Number.MAX_SAFE_INTEGER)) { writeUint(w, Number(v)); return; }
          w.buf[w.pos] = 0xcf; w.buf.writeBigUInt64BE(v, w.pos + 1); w.pos += 9; return;
        }
      } else if (v >= -0x8000000000000000n) {
        if (v >= BigInt(Number.MIN_SAFE_INTEGER)) { writeInt(w, Number(v)); return; }
        w.buf[w.pos] = 0xd3; w.buf.writeBigInt64BE(v, w.pos + 1); w.pos += 9; return;
      }
      throw new MsgpackError(`msgpack: integer ${v} out of 64-bit range`);
    case 'string': writeString(w, v); return;
    case 'object': {
      if (v === null) { w.u8(0xc0); return; }
      if (Array.isArray(v)) {
        writeLen(w, 0x90, 16, -1, 0xdc, 0xdd, v.length);
        for (const x of v) writeValue(w, x, depth + 1);
        return;
      }
      if (v instanceof Uint8Array) {
        writeLen(w, -1, 0, 0xc4, 0xc5, 0xc6, v.length);
        w.bytes(v);
        return;
      }
      if (v instanceof Float64) { writeFloat64(w, v.value); return; }
      if (v instanceof Ext) { writeExt(w, v.type, v.data); return; }
      if (v instanceof Map) {
        writeLen(w, 0x80, 16, -1, 0xde, 0xdf, v.size);
        for (const [k, x] of v) { writeValue(w, k, depth + 1); writeValue(w, x, depth + 1); }
        return;
      }
      if (v instanceof Date) throw new MsgpackError('msgpack: Date values are not supported; send a string');
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined);
      writeLen(w, 0x80, 16, -1, 0xde, 0xdf, keys.length);
      for (const k of keys) { writeString(w, k); writeValue(w, o[k], depth + 1); }
      return;
    }
    default:
      throw new MsgpackError(`msgpack: cannot encode a ${typeof v}`);
  }
}

/** Encodes one value. */
export function encode(value: unknown): Buffer {
  const w = new Writer();
  writeValue(w, value, 0);
  return w.buf.subarray(0, w.pos);
}

/** Encodes several values back to back into one buffer (a net/rpc header and its body). */
export function encodeAll(...values: unknown[]): Buffer {
  const w = new Writer();
  for (const v of values) writeValue(w, v, 0);
  return w.buf.subarray(0, w.pos);
}

// ---------------------------------------------------------------- decoding

/** Thrown inside the decoder when the buffer ends early; `need` is the minimum total length. */
class Incomplete {
  constructor(readonly need: number) {}
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void { if (this.pos + n > this.buf.length) throw new Incomplete(this.pos + n); }

  value(depth: number): unknown {
    if (depth > 512) throw new MsgpackError('msgpack: value nested too deeply');
    this.need(1);
    const b = this.buf;
    const t = b[this.pos++]!;
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return this.str(t & 0x1f);
    if (t >= 0x90 && t <= 0x9f) return this.array(t & 0x0f, depth);
    if (t >= 0x80 && t <= 0x8f) return this.map(t & 0x0f, depth);
    let v: unknown;
    const p = this.pos;
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: this.need(1); return this.bin(b[this.pos++]!);
      case 0xc5: this.need(2); this.pos += 2; return this.bin(b.readUInt16BE(p));
      case 0xc6: this.need(4); this.pos += 4; return this.bin(b.readUInt32BE(p));
      case 0xc7: this.need(2); this.pos += 2; return this.ext(b.readInt8(p + 1), b[p]!);
      case 0xc8: this.need(3); this.pos += 3; return this.ext(b.readInt8(p + 2), b.readUInt16BE(p));
      case 0xc9: this.need(5); this.pos += 5; return this.ext(b.readInt8(p + 4), b.readUInt32BE(p));
      case 0xca: this.need(4); this.pos += 4; return b.readFloatBE(p);
      case 0xcb: this.need(8); this.pos += 8; return b.readDoubleBE(p);
      case 0xcc: this.need(1); this.pos += 1; return b[p]!;
      case 0xcd: this.need(2); this.pos += 2; return b.readUInt16BE(p);
      case 0xce: this.need(4); this.pos += 4; return b.readUInt32BE(p);
      case 0xcf: this.need(8); this.pos += 8; v = b.readBigUInt64BE(p); return (v as bigint) <= MAX_SAFE ? Number(v) : v;
      case 0xd0: this.need(1); this.pos += 1; return b.readInt8(p);
      case 0xd1: this.need(2); this.pos += 2; return b.readInt16BE(p);
      case 0xd2: this.need(4); this.pos += 4; return b.readInt32BE(p);
      case 0xd3: this.need(8); this.pos += 8; v = b.readBigInt64BE(p); return (v as bigint) >= MIN_SAFE && (v as bigint) <= MAX_SAFE ? Number(v) : v;
      case 0xd4: this.need(1); this.pos += 1; return this.ext(b.readInt8(p), 1);
      case 0xd5: this.need(1); this.pos += 1; return this.ext(b.readInt8(p), 2);
      case 0xd6: this.need(1); this.pos += 1; return this.ext(b.readInt8(p), 4);
      case 0xd7: this.need(1); this.pos += 1; return this.ext(b.readInt8(p), 8);
      case 0xd8: this.need(1); this.pos += 1; return this.ext(b.readInt8(p), 16);
      case 0xd9: this.need(1); this.pos += 1; return this.str(b[p]!);
      case 0xda: this.need(2); this.pos += 2; return this.str(b.readUInt16BE(p));
      case 0xdb: this.need(4); this.pos += 4; return this.str(b.readUInt32BE(p));
      case 0xdc: this.need(2); this.pos += 2; return this.array(b.readUInt16BE(p), depth);
      case 0xdd: this.need(4); this.pos += 4; return this.array(b.readUInt32BE(p), depth);
      case 0xde: this.need(2); this.pos += 2; return this.map(b.readUInt16BE(p), depth);
      case 0xdf: this.need(4); this.pos += 4; return this.map(b.readUInt32BE(p), depth);
      default: throw new MsgpackError(`msgpack: invalid type byte 0x${t.toString(16)}`);
    }
  }
  str(n: number): string {
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  bin(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  ext(type: number, n: number): Ext {
    this.need(n);
    const v = new Ext(type, this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return v;
  }
  array(n: number, depth: number): unknown[] {
    // Each element takes at least one byte: refuse absurd lengths before allocating.
    this.need(n);
    const a = new Array<unknown>(n);
    for (let i = 0; i < n; i++) a[i] = this.value(depth + 1);
    return a;
  }
  map(n: number, depth: number): unknown {
    this.need(n * 2);
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = this.value(depth + 1);
      const v = this.value(depth + 1);
      if (typeof k !== 'string') return this.mapRest(o, i, n, k, v, depth);
      if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      else o[k] = v;
    }
    return o;
  }
  private mapRest(o: Record<string, unknown>, i: number, n: number, k: unknown, v: unknown, depth: number): Map<unknown, unknown> {
    const m = new Map<unknown, unknown>(Object.entries(o));
    m.set(k, v);
    for (let j = i + 1; j < n; j++) m.set(this.value(depth + 1), this.value(depth + 1));
    return m;
  }
}

/** Decodes exactly one value from `buf`. */
export function decode(buf: Uint8Array): unknown {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = new Reader(b);
  let v: unknown;
  try {
    v = r.value(0);
  } catch (e) {
    if (e instanceof Incomplete) throw new MsgpackError('msgpack: unexpected end of data');
    throw e;
  }
  if (r.pos !== b.length) throw new MsgpackError(`msgpack: ${b.length - r.pos} trailing bytes`);
  return v;
}

/** Decodes consecutive values from chunks of a byte stream. */
export class Decoder {
  private chunks: Buffer[] = [];
  private size = 0;
  private need = 1;

  /** Bytes received and not yet decoded. */
  get buffered(): number { return this.size; }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next complete value, or undefined when more bytes are needed. Throws MsgpackError on garbage. */
  next(): { value: unknown } | undefined {
    if (this.size < this.need || this.size === 0) return undefined;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    const buf = this.chunks[0]!;
    const r = new Reader(buf);
    let value: unknown;
    try {
      value = r.value(0);
    } catch (e) {
      if (e instanceof Incomplete) { this.need = Math.max(e.need, this.size + 1); return undefined; }
      throw e;
    }
    this.need = 1;
    if (r.pos === buf.length) { this.chunks = []; this.size = 0; }
    else { this.chunks = [buf.subarray(r.pos)]; this.size = buf.length - r.pos; }
    return { value };
  }
}
