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

/** Nesting limit of values, both ways (ugorji's default MaxDepth for decoding). */
export const MAX_DECODE_DEPTH = 1024;

/** The error for a value nested deeper than MAX_DECODE_DEPTH (or a cycle). */
export const TOO_DEEP = `msgpack: maximum depth exceeded (values nest at most ${MAX_DECODE_DEPTH} levels)`;

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
  if (depth > MAX_DECODE_DEPTH) throw new MsgpackError(TOO_DEEP);
  switch (typeof v) {
    case 'undefined': w.u8(0xc0); return;
    case 'boolean': w.u8(v ? 0xc3 : 0xc2); return;
    case 'number':
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) writeInt(w, v); else writeFloat64(w, v);
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

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);


/** An array or map being filled; `left` counts the elements (map: keys and values) still to come. */
class Frame {
  key: unknown = undefined;
  /** A map's key was read; its value comes next. */
  hasKey = false;
  map: Map<unknown, unknown> | undefined = undefined;
  constructor(public left: number, readonly arr: unknown[] | undefined, public obj: Record<string, unknown> | undefined) {}
}

/** Marker: the bytes of the next item are not all there yet. */
const MORE = Symbol('more');

function setProp(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * Decodes consecutive values from chunks of a byte stream, in time linear in
 * the bytes received: open arrays and maps wait on an explicit stack between
 * chunks, so no byte is parsed twice, and a long string or binary is copied
 * once, when its last byte arrives.
 */
export class Decoder {
  /** Unconsumed bytes start at buf[pos]; later chunks wait in `pending`. */
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private pending: Buffer[] = [];
  private size = 0;
  /** Bytes needed (from pos) before the next item can be read. */
  private need = 1;
  private stack: Frame[] = [];

  /** Bytes received and not yet decoded. */
  get buffered(): number { return this.size; }

  /** Whether a value has begun and is not complete (an array or map is open). */
  get partial(): boolean { return this.stack.length > 0; }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.size += chunk.length;
  }

  /** The next complete value, or undefined when more bytes are needed. Throws MsgpackError on garbage. */
  next(): { value: unknown } | undefined {
    for (;;) {
      if (this.size < this.need) return undefined;
      if (this.pending.length > 0) {
        this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.pending], this.size);
        this.pos = 0;
        this.pending = [];
      }
      const start = this.pos;
      const v = this.item();
      if (v === MORE) return undefined;
      this.size -= this.pos - start;
      this.need = 1;
      if (v === OPENED) continue;
      const done = this.deliver(v);
      if (done) return { value: done.value };
    }
  }

  /** Hands a finished value to the open containers; the top-level value when it completes. */
  private deliver(v: unknown): { value: unknown } | undefined {
    for (;;) {
      const f = this.stack[this.stack.length - 1];
      if (!f) return { value: v };
      if (f.arr !== undefined) f.arr.push(v);
      else if (!f.hasKey) { f.key = v; f.hasKey = true; f.left--; return undefined; }
      else {
        f.hasKey = false;
        if (f.obj && typeof f.key === 'string') setProp(f.obj, f.key, v);
        else {
          if (!f.map) { f.map = new Map<unknown, unknown>(Object.entries(f.obj!)); f.obj = undefined; }
          f.map.set(f.key, v);
        }
        f.key = undefined;
      }
      if (--f.left > 0) return undefined;
      this.stack.pop();
      v = f.arr ?? f.map ?? f.obj;
    }
  }

  private open(n: number, isMap: boolean): unknown {
    if (n === 0) return isMap ? {} : [];
    if (this.stack.length >= MAX_DECODE_DEPTH) throw new MsgpackError('msgpack: maximum decoding depth exceeded');
    this.stack.push(isMap ? new Frame(n * 2, undefined, {}) : new Frame(n, [], undefined));
    return OPENED;
  }

  /** Consumes `n` bytes of the item at pos, or records that `n` are needed. */
  private take(n: number): boolean {
    if (this.buf.length - this.pos < n) { this.need = n; return false; }
    this.pos += n;
    return true;
  }

  /** The length field of `w` bytes after the type byte, or -1 (need recorded). */
  private len(w: number): number {
    const b = this.buf;
    const p = this.pos;
    if (b.length - p < 1 + w) { this.need = 1 + w; return -1; }
    return w === 1 ? b[p + 1]! : w === 2 ? b.readUInt16BE(p + 1) : b.readUInt32BE(p + 1);
  }

  private sized(w: number, str: boolean): unknown {
    const p = this.pos;
    const n = this.len(w);
    if (n < 0 || !this.take(1 + w + n)) return MORE;
    return str ? this.buf.toString('utf8', p + 1 + w, this.pos) : this.buf.subarray(p + 1 + w, this.pos);
  }

  private ext(w: number, fixed: number): unknown {
    const p = this.pos;
    const n = w === 0 ? fixed : this.len(w);
    if (n < 0 || !this.take(1 + w + 1 + n)) return MORE;
    return new Ext(this.buf.readInt8(p + 1 + w), this.buf.subarray(p + 2 + w, this.pos));
  }

  private container(w: number, isMap: boolean): unknown {
    const n = this.len(w);
    if (n < 0) return MORE;
    this.pos += 1 + w;
    return this.open(n, isMap);
  }

  /** Reads one item at pos: a scalar, or a container header (OPENED); MORE when its bytes are not all there. */
  private item(): unknown {
    const b = this.buf;
    const p = this.pos;
    const t = b[p]!;
    if (t <= 0x7f) { this.pos++; return t; }
    if (t >= 0xe0) { this.pos++; return t - 0x100; }
    if (t >= 0xa0 && t <= 0xbf) {
      const n = t & 0x1f;
      return this.take(1 + n) ? b.toString('utf8', p + 1, p + 1 + n) : MORE;
    }
    if (t >= 0x90 && t <= 0x9f) { this.pos++; return this.open(t & 0x0f, false); }
    if (t >= 0x80 && t <= 0x8f) { this.pos++; return this.open(t & 0x0f, true); }
    let v: bigint;
    switch (t) {
      case 0xc0: this.pos++; return null;
      case 0xc2: this.pos++; return false;
      case 0xc3: this.pos++; return true;
      case 0xc4: return this.sized(1, false);
      case 0xc5: return this.sized(2, false);
      case 0xc6: return this.sized(4, false);
      case 0xc7: return this.ext(1, 0);
      case 0xc8: return this.ext(2, 0);
      case 0xc9: return this.ext(4, 0);
      case 0xca: return this.take(5) ? b.readFloatBE(p + 1) : MORE;
      case 0xcb: return this.take(9) ? b.readDoubleBE(p + 1) : MORE;
      case 0xcc: return this.take(2) ? b[p + 1]! : MORE;
      case 0xcd: return this.take(3) ? b.readUInt16BE(p + 1) : MORE;
      case 0xce: return this.take(5) ? b.readUInt32BE(p + 1) : MORE;
      case 0xcf: if (!this.take(9)) return MORE; v = b.readBigUInt64BE(p + 1); return v <= MAX_SAFE ? Number(v) : v;
      case 0xd0: return this.take(2) ? b.readInt8(p + 1) : MORE;
      case 0xd1: return this.take(3) ? b.readInt16BE(p + 1) : MORE;
      case 0xd2: return this.take(5) ? b.readInt32BE(p + 1) : MORE;
      case 0xd3: if (!this.take(9)) return MORE; v = b.readBigInt64BE(p + 1); return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
      case 0xd4: return this.ext(0, 1);
      case 0xd5: return this.ext(0, 2);
      case 0xd6: return this.ext(0, 4);
      case 0xd7: return this.ext(0, 8);
      case 0xd8: return this.ext(0, 16);
      case 0xd9: return this.sized(1, true);
      case 0xda: return this.sized(2, true);
      case 0xdb: return this.sized(4, true);
      case 0xdc: return this.container(2, false);
      case 0xdd: return this.container(4, false);
      case 0xde: return this.container(2, true);
      case 0xdf: return this.container(4, true);
      default: throw new MsgpackError(`msgpack: invalid type byte 0x${t.toString(16)}`);
    }
  }
}

/** Marker: a container header was read (its elements follow). */
const OPENED = Symbol('opened');

/** Decodes exactly one value from `buf`. */
export function decode(buf: Uint8Array): unknown {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const d = new Decoder();
  d.push(b);
  const r = d.next();
  if (!r) throw new MsgpackError('msgpack: unexpected end of data');
  if (d.buffered !== 0) throw new MsgpackError(`msgpack: ${d.buffered} trailing bytes`);
  return r.value;
}
