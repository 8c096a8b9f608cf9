// cty's msgpack encoding (go-cty cty/msgpack, on vmihailenco/msgpack with
// compact ints): values of a known type, unknowns as extension 0, dynamic
// values as [type JSON, value]. Plugins exchange datasource outputs and
// HCL2 config values this way in the protobuf form of the plugin protocol.
import * as T from './types.ts';
import type { Type } from './types.ts';
import { BigFloat } from './number.ts';
import { convert } from './convert.ts';
import { marshalType, unmarshalType } from './json.ts';
import { CtyError, Value, listVal, listValEmpty, mapVal, mapValEmpty, nullVal, objectVal, setVal, setValEmpty, stringVal, tupleVal, unknownVal, boolVal } from './value.ts';
import { testConformanceMessage } from './conformance.ts';

class W {
  parts: Buffer[] = [];
  byte(...b: number[]) {
    this.parts.push(Buffer.from(b));
  }
  raw(b: Buffer) {
    this.parts.push(b);
  }
  uint(n: bigint) {
    if (n <= 0x7fn) this.byte(Number(n));
    else if (n <= 0xffn) this.byte(0xcc, Number(n));
    else if (n <= 0xffffn) this.byte(0xcd, Number(n >> 8n), Number(n & 0xffn));
    else if (n <= 0xffffffffn) {
      const b = Buffer.alloc(5);
      b[0] = 0xce;
      b.writeUInt32BE(Number(n), 1);
      this.raw(b);
    } else {
      const b = Buffer.alloc(9);
      b[0] = 0xcf;
      b.writeBigUInt64BE(n, 1);
      this.raw(b);
    }
  }
  int(n: bigint) {
    if (n >= 0n) return this.uint(n);
    if (n >= -32n) return this.byte(Number(n) & 0xff);
    if (n >= -128n) return this.byte(0xd0, Number(n) & 0xff);
    const b = Buffer.alloc(9);
    if (n >= -32768n) {
      b[0] = 0xd1;
      b.writeInt16BE(Number(n), 1);
      return this.raw(b.subarray(0, 3));
    }
    if (n >= -2147483648n) {
      b[0] = 0xd2;
      b.writeInt32BE(Number(n), 1);
      return this.raw(b.subarray(0, 5));
    }
    b[0] = 0xd3;
    b.writeBigInt64BE(n, 1);
    this.raw(b);
  }
  float64(f: number) {
    const b = Buffer.alloc(9);
    b[0] = 0xcb;
    b.writeDoubleBE(f, 1);
    this.raw(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    const n = b.length;
    if (n < 32) this.byte(0xa0 | n);
    else if (n < 256) this.byte(0xd9, n);
    else if (n < 65536) this.byte(0xda, n >> 8, n & 0xff);
    else {
      const h = Buffer.alloc(5);
      h[0] = 0xdb;
      h.writeUInt32BE(n, 1);
      this.raw(h);
    }
    this.raw(b);
  }
  bin(b: Buffer) {
    const n = b.length;
    if (n < 256) this.byte(0xc4, n);
    else if (n < 65536) this.byte(0xc5, n >> 8, n & 0xff);
    else {
      const h = Buffer.alloc(5);
      h[0] = 0xc6;
      h.writeUInt32BE(n, 1);
      this.raw(h);
    }
    this.raw(b);
  }
  len(n: number, fix: number, t16: number, t32: number, fixMax: number) {
    if (n < fixMax) this.byte(fix | n);
    else if (n < 65536) this.byte(t16, n >> 8, n & 0xff);
    else {
      const h = Buffer.alloc(5);
      h[0] = t32;
      h.writeUInt32BE(n, 1);
      this.raw(h);
    }
  }
  array(n: number) {
    this.len(n, 0x90, 0xdc, 0xdd, 16);
  }
  map(n: number) {
    this.len(n, 0x80, 0xde, 0xdf, 16);
  }
}

/** msgpack.Marshal(val, ty) */
export function marshalMsgpack(v: Value, t: Type): Buffer {
  if (testConformanceMessage(v.type, t)) v = convert(v, t);
  const w = new W();
  marshal(v, t, w);
  return Buffer.concat(w.parts);
}

function marshal(v: Value, t: Type, w: W): void {
  if (v.isMarked()) throw new CtyError('value has marks, so it cannot be serialized');
  if (t.kind === 'dynamic' && v.type.kind !== 'dynamic') {
    w.array(2);
    w.bin(Buffer.from(marshalType(v.type), 'utf8'));
    marshal(v, v.type, w);
    return;
  }
  if (!v.isKnown()) {
    w.byte(0xd4, 0, 0);
    return;
  }
  if (v.isNull()) {
    w.byte(0xc0);
    return;
  }
  switch (t.kind) {
    case 'string':
      return w.str(v.asString());
    case 'bool':
      return w.byte(v.asBool() ? 0xc3 : 0xc2);
    case 'number': {
      const f = v.asBigFloat();
      if (f.isInf()) return w.float64(f.neg ? -Infinity : Infinity);
      const i = f.int64();
      if (i.exact) return w.int(i.value);
      const fl = f.toNumber();
      if (!f.isInt() && BigFloat.fromFloat64(fl).cmp(f) === 0) return w.float64(fl);
      return w.str(f.text('f', -1));
    }
    case 'list':
    case 'set': {
      const vals = v.values();
      w.array(vals.length);
      for (const e of vals) marshal(e, t.elem, w);
      return;
    }
    case 'tuple': {
      w.array(t.elems.length);
      v.values().forEach((e, i) => marshal(e, t.elems[i], w));
      return;
    }
    case 'map': {
      const m = v.entries();
      w.map(m.size);
      for (const [k, e] of m) {
        w.str(k);
        marshal(e, t.elem, w);
      }
      return;
    }
    case 'object': {
      const names = T.attrNames(t);
      w.map(names.length);
      for (const k of names) {
        w.str(k);
        marshal(v.getAttr(k), t.attrs[k], w);
      }
      return;
    }
    default:
      throw new CtyError(`cannot msgpack-serialize ${T.friendlyName(t)}`);
  }
}

class R {
  pos = 0;
  constructor(readonly b: Buffer) {}
  need(n: number) {
    if (this.pos + n > this.b.length) throw new CtyError('msgpack: unexpected EOF');
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++];
  }
  peek(): number {
    this.need(1);
    return this.b[this.pos];
  }
  take(n: number): Buffer {
    this.need(n);
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  isExt(c: number): boolean {
    return (c >= 0xd4 && c <= 0xd8) || c === 0xc7 || c === 0xc8 || c === 0xc9;
  }
  skipExt(): void {
    const c = this.u8();
    const fixed: Record<number, number> = { 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 };
    let n: number;
    if (c in fixed) n = fixed[c];
    else if (c === 0xc7) n = this.u8();
    else if (c === 0xc8) n = this.take(2).readUInt16BE(0);
    else n = this.take(4).readUInt32BE(0);
    this.u8(); // type
    this.take(n);
  }
  /** a number: int, uint, float or string form */
  number(): BigFloat {
    const c = this.u8();
    if (c <= 0x7f) return BigFloat.fromBigInt(BigInt(c));
    if (c >= 0xe0) return BigFloat.fromBigInt(BigInt(c - 256));
    switch (c) {
      case 0xcc:
        return BigFloat.fromBigInt(BigInt(this.u8()));
      case 0xcd:
        return BigFloat.fromBigInt(BigInt(this.take(2).readUInt16BE(0)));
      case 0xce:
        return BigFloat.fromBigInt(BigInt(this.take(4).readUInt32BE(0)));
      case 0xcf:
        return BigFloat.fromBigInt(this.take(8).readBigUInt64BE(0), 0);
      case 0xd0:
        return BigFloat.fromBigInt(BigInt(this.take(1).readInt8(0)));
      case 0xd1:
        return BigFloat.fromBigInt(BigInt(this.take(2).readInt16BE(0)));
      case 0xd2:
        return BigFloat.fromBigInt(BigInt(this.take(4).readInt32BE(0)));
      case 0xd3:
        return BigFloat.fromBigInt(this.take(8).readBigInt64BE(0));
      case 0xca:
        return BigFloat.fromFloat64(this.take(4).readFloatBE(0));
      case 0xcb:
        return BigFloat.fromFloat64(this.take(8).readDoubleBE(0));
    }
    this.pos--;
    const s = this.string();
    const f = BigFloat.parse(s);
    if (!f) throw new CtyError('number is required');
    return f;
  }
  string(): string {
    const c = this.u8();
    let n: number;
    if ((c & 0xe0) === 0xa0) n = c & 0x1f;
    else if (c === 0xd9 || c === 0xc4) n = this.u8();
    else if (c === 0xda || c === 0xc5) n = this.take(2).readUInt16BE(0);
    else if (c === 0xdb || c === 0xc6) n = this.take(4).readUInt32BE(0);
    else throw new CtyError('string is required');
    return this.take(n).toString('utf8');
  }
  arrayLen(): number {
    const c = this.u8();
    if ((c & 0xf0) === 0x90) return c & 0x0f;
    if (c === 0xdc) return this.take(2).readUInt16BE(0);
    if (c === 0xdd) return this.take(4).readUInt32BE(0);
    throw new CtyError('array is required');
  }
  mapLen(): number {
    const c = this.u8();
    if ((c & 0xf0) === 0x80) return c & 0x0f;
    if (c === 0xde) return this.take(2).readUInt16BE(0);
    if (c === 0xdf) return this.take(4).readUInt32BE(0);
    throw new CtyError('map is required');
  }
}

/** msgpack.Unmarshal(buf, ty) */
export function unmarshalMsgpack(buf: Uint8Array, t: Type): Value {
  const r = new R(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
  const v = unmarshal(r, t);
  if (r.pos !== r.b.length) throw new CtyError('msgpack: extra data after value');
  return v;
}

function unmarshal(r: R, t: Type): Value {
  const c = r.peek();
  if (r.isExt(c)) {
    r.skipExt();
    return unknownVal(t);
  }
  if (c === 0xc0) {
    r.u8();
    return nullVal(t);
  }
  switch (t.kind) {
    case 'dynamic': {
      if (r.arrayLen() !== 2) throw new CtyError('dynamic value array must have exactly two elements');
      const ty = unmarshalType(r.string());
      return unmarshal(r, ty);
    }
    case 'string':
      return stringVal(r.string());
    case 'number':
      return new Value(T.Number, r.number());
    case 'bool': {
      const b = r.u8();
      if (b === 0xc3) return boolVal(true);
      if (b === 0xc2) return boolVal(false);
      throw new CtyError('bool is required');
    }
    case 'list':
    case 'set': {
      const n = r.arrayLen();
      const vals: Value[] = [];
      for (let i = 0; i < n; i++) vals.push(unmarshal(r, t.elem));
      if (t.kind === 'list') return vals.length ? listVal(vals) : listValEmpty(t.elem);
      return vals.length ? setVal(vals) : setValEmpty(t.elem);
    }
    case 'tuple': {
      const n = r.arrayLen();
      if (n !== t.elems.length) throw new CtyError(`a tuple of length ${t.elems.length} is required`);
      return tupleVal(t.elems.map((et) => unmarshal(r, et)));
    }
    case 'map': {
      const n = r.mapLen();
      const m = new Map<string, Value>();
      for (let i = 0; i < n; i++) m.set(r.string(), unmarshal(r, t.elem));
      return m.size ? mapVal(m) : mapValEmpty(t.elem);
    }
    case 'object': {
      const n = r.mapLen();
      const m = new Map<string, Value>();
      for (let i = 0; i < n; i++) {
        const k = r.string();
        const at = t.attrs[k];
        if (at === undefined) throw new CtyError(`unsupported attribute ${JSON.stringify(k)}`);
        m.set(k, unmarshal(r, at));
      }
      for (const k of Object.keys(t.attrs)) if (!m.has(k)) throw new CtyError(`missing attribute ${JSON.stringify(k)}`);
      return objectVal(m);
    }
  }
}
