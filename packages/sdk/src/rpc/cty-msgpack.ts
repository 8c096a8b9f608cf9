/**
 * The few cty (github.com/zclconf/go-cty) forms a plugin exchanges with the core: type JSON, value
 * JSON (how configurations arrive), msgpack with cty.DynamicPseudoType (a datasource's Execute
 * result in protobuf mode) and gob (the same in gob mode). Plugins must not load the HCL language
 * layer, so this is a small, self-contained subset; the core's cty module owns the full model.
 *
 * Types are written as cty's JSON type form: 'string' | 'number' | 'bool' | 'dynamic' |
 * ['list', T] | ['set', T] | ['map', T] | ['object', { name: T }] | ['tuple', [T...]].
 * Values are plain JS values: string, number, boolean, null, arrays, objects; `UNKNOWN` stands for
 * an unknown value.
 *
 * Public API
 *   type CtyType; UNKNOWN; CtyValue { type, value }
 *   ctyTypeJSON(t): string                 cty's MarshalType (object attributes sorted)
 *   parseCtyType(json): CtyType
 *   impliedType(v): CtyType                the type cty would infer from a JSON-like value (objects
 *                                           -> object, arrays -> tuple) as gocty/json would
 *   objectValue(spec-types, values): CtyValue   convert values to the attribute types of an output spec
 *   ctyMsgpackDynamic(v): Buffer           msgpack.Marshal(v, cty.DynamicPseudoType)
 *   decodeCtyMsgpackDynamic(buf): CtyValue
 *   ctyGob(v): Buffer                      gob of a cty.Value (go-cty's GobEncode)
 *   decodeCtyGob(buf): CtyValue
 *   ctyTypeGob(t): () => Buffer            the lazy GobEncode of a cty.Type (hcldec spec encoding)
 *   ctyJsonConfig(buf): unknown            a Prepare/Configure argument sent as cty JSON
 *                                           ({"value":..., "type":...}) -> its plain value
 *   ctyJsonDynamic(v): Buffer              the cty JSON of v with cty.DynamicPseudoType (core side)
 */
import { Decoder, encode as msgpackEncode, Ext, float64 } from './codec.ts';
import {
  GobInterface, gobDecode, gobEncode, goBool, goGobEncoder, goInt, goInterface, goMap, goSlice, goString, goStruct, goUint, Iface,
} from './gob-codec.ts';

export type CtyType =
  | 'string' | 'number' | 'bool' | 'dynamic'
  | ['list', CtyType] | ['set', CtyType] | ['map', CtyType]
  | ['object', { [name: string]: CtyType }]
  | ['tuple', CtyType[]];

/** An unknown value (a value not known until apply time). */
export const UNKNOWN: unique symbol = Symbol('cty.unknown');

export interface CtyValue { type: CtyType; value: unknown }

function sortedObject<T>(o: Record<string, T>, f: (x: T) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = f(o[k]!);
  return out;
}

function typeForm(t: CtyType): unknown {
  if (typeof t === 'string') return t;
  switch (t[0]) {
    case 'object': return ['object', sortedObject(t[1], typeForm)];
    case 'tuple': return ['tuple', t[1].map(typeForm)];
    default: return [t[0], typeForm(t[1])];
  }
}

export function ctyTypeJSON(t: CtyType): string {
  return JSON.stringify(typeForm(t));
}

export function parseCtyType(json: unknown): CtyType {
  const j = typeof json === 'string' && (json.startsWith('[') || json.startsWith('"')) ? JSON.parse(json) : json;
  if (j === 'string' || j === 'number' || j === 'bool' || j === 'dynamic') return j;
  if (Array.isArray(j) && j.length === 2) {
    const [k, e] = j as [string, unknown];
    if (k === 'list' || k === 'set' || k === 'map') return [k, parseCtyType(e)];
    if (k === 'object' && e && typeof e === 'object' && !Array.isArray(e)) {
      const o: Record<string, CtyType> = {};
      for (const [n, x] of Object.entries(e)) o[n] = parseCtyType(x);
      return ['object', o];
    }
    if (k === 'tuple' && Array.isArray(e)) return ['tuple', e.map(parseCtyType)];
  }
  throw new Error(`invalid cty type: ${JSON.stringify(j)}`);
}

export function impliedType(v: unknown): CtyType {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number' || typeof v === 'bigint') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (v === null || v === undefined || v === UNKNOWN) return 'dynamic';
  if (Array.isArray(v)) return ['tuple', v.map(impliedType)];
  if (typeof v === 'object') {
    const o: Record<string, CtyType> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = impliedType(x);
    return ['object', o];
  }
  throw new Error(`no cty type for a ${typeof v}`);
}

/** Converts `v` to type `t` as gocty does for a Go value (strings from numbers/bools, nulls kept). */
export function convertTo(t: CtyType, v: unknown, path = ''): unknown {
  if (v === null || v === undefined) return null;
  if (v === UNKNOWN) return UNKNOWN;
  const fail = (): never => { throw new Error(`${path || 'value'}: cannot convert ${JSON.stringify(v)} to cty ${ctyTypeJSON(t)}`); };
  if (t === 'dynamic') return v;
  if (t === 'string') {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return fail();
  }
  if (t === 'number') {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return fail();
  }
  if (t === 'bool') {
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    return fail();
  }
  switch (t[0]) {
    case 'list': case 'set':
      if (!Array.isArray(v)) return fail();
      return v.map((x, i) => convertTo(t[1], x, `${path}[${i}]`));
    case 'tuple':
      if (!Array.isArray(v) || v.length !== t[1].length) return fail();
      return v.map((x, i) => convertTo(t[1][i]!, x, `${path}[${i}]`));
    case 'map': {
      if (typeof v !== 'object' || Array.isArray(v)) return fail();
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as object)) o[k] = convertTo(t[1], x, `${path}.${k}`);
      return o;
    }
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) return fail();
      const o: Record<string, unknown> = {};
      const src = v as Record<string, unknown>;
      for (const [k, at] of Object.entries(t[1])) o[k] = convertTo(at, src[k], path ? `${path}.${k}` : k);
      return o;
    }
  }
}

// ---- msgpack (cty/msgpack) ----

function packValue(t: CtyType, v: unknown): unknown {
  if (v === UNKNOWN) return new Ext(0, Buffer.from([0]));
  if (v === null || v === undefined) return null;
  if (t === 'dynamic') {
    const it = impliedType(v);
    return new RawMsgpack(Buffer.concat([Buffer.from([0x92]), msgpackEncode(Buffer.from(ctyTypeJSON(it))), msgpackEncode(packValue(it, v))]));
  }
  if (t === 'string') return String(v);
  if (t === 'bool') return v === true;
  if (t === 'number') {
    const n = Number(v);
    if (Number.isInteger(n) && Number.isSafeInteger(n)) return n;
    return float64(n);
  }
  switch (t[0]) {
    case 'list': case 'set': return (v as unknown[]).map((x) => packValue(t[1], x));
    case 'tuple': return (v as unknown[]).map((x, i) => packValue(t[1][i]!, x));
    case 'map': {
      const m = new Map<string, unknown>();
      for (const k of Object.keys(v as object).sort()) m.set(k, packValue(t[1], (v as Record<string, unknown>)[k]));
      return m;
    }
    case 'object': {
      const m = new Map<string, unknown>();
      for (const k of Object.keys(t[1]).sort()) m.set(k, packValue(t[1][k]!, (v as Record<string, unknown>)[k]));
      return m;
    }
  }
}

/** Bytes spliced verbatim into a msgpack stream. */
class RawMsgpack { constructor(readonly bytes: Buffer) {} }

function encodeWithRaw(v: unknown): Buffer {
  // The codec does not know RawMsgpack; encode containers here and splice raw parts in.
  if (v instanceof RawMsgpack) return v.bytes;
  if (Array.isArray(v)) {
    const head = v.length < 16 ? Buffer.from([0x90 | v.length]) : v.length < 0x10000 ? Buffer.from([0xdc, v.length >> 8, v.length & 0xff]) : Buffer.from([0xdd, ...u32(v.length)]);
    return Buffer.concat([head, ...v.map(encodeWithRaw)]);
  }
  if (v instanceof Map) {
    const n = v.size;
    const head = n < 16 ? Buffer.from([0x80 | n]) : n < 0x10000 ? Buffer.from([0xde, n >> 8, n & 0xff]) : Buffer.from([0xdf, ...u32(n)]);
    const parts: Buffer[] = [head];
    for (const [k, x] of v) parts.push(msgpackEncode(k), encodeWithRaw(x));
    return Buffer.concat(parts);
  }
  return msgpackEncode(v);
}

function u32(n: number): number[] { return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]; }

/** msgpack.Marshal(value, cty.DynamicPseudoType): [type JSON as bin, value]. */
export function ctyMsgpackDynamic(v: CtyValue): Buffer {
  return Buffer.concat([Buffer.from([0x92]), msgpackEncode(Buffer.from(ctyTypeJSON(v.type))), encodeWithRaw(packValue(v.type, v.value))]);
}

function unpackValue(t: CtyType, v: unknown): unknown {
  if (v instanceof Ext) return UNKNOWN;
  if (v === null || v === undefined) return null;
  if (t === 'dynamic') {
    const [tj, inner] = v as [Uint8Array, unknown];
    const it = parseCtyType(Buffer.from(tj).toString('utf8'));
    return unpackValue(it, inner);
  }
  if (t === 'string') return String(v);
  if (t === 'bool') return v === true;
  if (t === 'number') return typeof v === 'string' ? Number(v) : Number(v);
  const entries = (m: unknown): [string, unknown][] => (m instanceof Map ? [...m.entries()] : Object.entries(m as object)) as [string, unknown][];
  switch (t[0]) {
    case 'list': case 'set': return (v as unknown[]).map((x) => unpackValue(t[1], x));
    case 'tuple': return (v as unknown[]).map((x, i) => unpackValue(t[1][i]!, x));
    case 'map': { const o: Record<string, unknown> = {}; for (const [k, x] of entries(v)) o[k] = unpackValue(t[1], x); return o; }
    case 'object': { const o: Record<string, unknown> = {}; for (const [k, x] of entries(v)) o[k] = unpackValue(t[1][k] ?? 'dynamic', x); return o; }
  }
}

export function decodeCtyMsgpackDynamic(buf: Uint8Array): CtyValue {
  const d = new Decoder();
  d.push(Buffer.from(buf));
  const r = d.next();
  if (!r || !Array.isArray(r.value) || r.value.length !== 2) throw new Error('cty msgpack: not a dynamic value');
  const [tj, inner] = r.value as [Uint8Array, unknown];
  const type = parseCtyType(Buffer.from(tj).toString('utf8'));
  return { type, value: unpackValue(type, inner) };
}

// ---- gob (go-cty's GobEncode) ----

const gType = goGobEncoder('Type');
const gValue = goGobEncoder('Value');
const gFloat = goGobEncoder('Float');
const gGobType = goStruct('gobType', [{ name: 'Version', type: goInt }, { name: 'Impl', type: goInterface }]);
const gGobValue = goStruct('gobValue', [{ name: 'Version', type: goInt }, { name: 'Ty', type: gType }, { name: 'V', type: goInterface }]);
const gPrimitive = goStruct('primitiveType', [{ name: 'Kind', type: goUint }]);
const gList = goStruct('typeList', [{ name: 'ElementTypeT', type: gType }]);
const gMap = goStruct('typeMap', [{ name: 'ElementTypeT', type: gType }]);
const gSet = goStruct('typeSet', [{ name: 'ElementTypeT', type: gType }]);
const gEmpty = goStruct('', []);
const gObject = goStruct('typeObject', [
  { name: 'AttrTypes', type: goMap('map[string]cty.Type', goString, gType) },
  { name: 'AttrOptional', type: goMap('map[string]struct {}', goString, gEmpty) },
]);
const gTuple = goStruct('typeTuple', [{ name: 'ElemTypes', type: goSlice('[]cty.Type', gType) }]);
const gAnyMap = goMap('', goString, goInterface);
const gAnySlice = goSlice('', goInterface);
const CTY = 'github.com/zclconf/go-cty/cty.';

export { gType as ctyTypeGoType };

function typeImpl(t: CtyType): Iface {
  if (t === 'dynamic') throw new Error('gob: type not registered for interface: cty.pseudoTypeDynamic');
  if (typeof t === 'string') return new Iface(CTY + 'primitiveType', gPrimitive, { Kind: { string: 0x53, number: 0x4e, bool: 0x42 }[t] });
  switch (t[0]) {
    case 'list': return new Iface(CTY + 'typeList', gList, { ElementTypeT: ctyTypeGob(t[1]) });
    case 'map': return new Iface(CTY + 'typeMap', gMap, { ElementTypeT: ctyTypeGob(t[1]) });
    case 'set': return new Iface(CTY + 'typeSet', gSet, { ElementTypeT: ctyTypeGob(t[1]) });
    case 'object': return new Iface(CTY + 'typeObject', gObject, { AttrTypes: Object.keys(t[1]).sort().map((k) => [k, ctyTypeGob(t[1][k]!)]) });
    case 'tuple': return new Iface(CTY + 'typeTuple', gTuple, { ElemTypes: t[1].map(ctyTypeGob) });
  }
}

/** cty.Type's GobEncode, run when the enclosing value is encoded. */
export function ctyTypeGob(t: CtyType): () => Buffer {
  return () => gobEncode(gGobType, { Impl: typeImpl(t) });
}

/** big.Float's GobEncode for a float64 (SetFloat64) or a safe integer (SetInt64). */
function bigFloatGob(n: number): Buffer {
  if (!Number.isFinite(n)) {
    const b = Buffer.alloc(6);
    b[0] = 1; b[1] = (1 << 3) | (2 << 1) | (n < 0 ? 1 : 0); b.writeUInt32BE(53, 2);
    return b;
  }
  const isInt = Number.isSafeInteger(n);
  const prec = isInt ? 64 : 53;
  if (n === 0) {
    const b = Buffer.alloc(6);
    b[0] = 1; b[1] = (1 << 3) | (Object.is(n, -0) ? 1 : 0); b.writeUInt32BE(prec, 2);
    return b;
  }
  const neg = n < 0;
  const a = Math.abs(n);
  let mant: bigint;
  let exp: number;
  if (isInt) {
    const bi = BigInt(a);
    exp = bi.toString(2).length;
    mant = bi << BigInt(64 - exp);
  } else {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, a);
    const bits = dv.getBigUint64(0);
    let e = Number((bits >> 52n) & 0x7ffn);
    let frac = bits & ((1n << 52n) - 1n);
    if (e === 0) { // subnormal: normalise
      const shift = 52 - frac.toString(2).length + 1;
      frac = (frac << BigInt(shift)) & ((1n << 52n) - 1n);
      e = 1 - shift;
    }
    exp = e - 1022;
    mant = (1n << 63n) | (frac << 11n);
  }
  // Trailing zero words are not stored; with one 64-bit word there are none unless mant is 0.
  const b = Buffer.alloc(18);
  b[0] = 1;
  b[1] = (1 << 3) | (1 << 1) | (neg ? 1 : 0);
  b.writeUInt32BE(prec, 2);
  b.writeInt32BE(exp, 6);
  b.writeBigUInt64BE(mant, 10);
  return b;
}

function gobInner(t: CtyType, v: unknown): Iface | null {
  if (v === null || v === undefined) return null;
  if (v === UNKNOWN) throw new Error('gob: type not registered for interface: cty.unknownType');
  if (t === 'dynamic') return gobInner(impliedType(v), v);
  if (t === 'string') return new Iface('string', goString, String(v));
  if (t === 'bool') return new Iface('bool', goBool, v === true);
  if (t === 'number') return new Iface('math/big.Float', gFloat, bigFloatGob(Number(v)));
  switch (t[0]) {
    case 'list': case 'tuple':
      return new Iface('[]interface {}', gAnySlice, (v as unknown[]).map((x, i) => gobInner(t[0] === 'list' ? t[1] : t[1][i]!, x)));
    case 'set': throw new Error('gob: cty set values are not supported');
    case 'map':
      return new Iface('map[string]interface {}', gAnyMap, Object.keys(v as object).sort().map((k) => [k, gobInner(t[1], (v as Record<string, unknown>)[k])]));
    case 'object':
      return new Iface('map[string]interface {}', gAnyMap, Object.keys(t[1]).sort().map((k) => [k, gobInner(t[1][k]!, (v as Record<string, unknown>)[k])]));
  }
}

/** gob.NewEncoder(w).Encode(value) of a cty.Value. */
export function ctyGob(v: CtyValue): Buffer {
  return gobEncode(gValue, () => gobEncode(gGobValue, { Ty: ctyTypeGob(v.type), V: gobInner(v.type, v.value) }));
}

function typeFromGob(b: Buffer): CtyType {
  const gt = gobDecode(b) as { Impl?: GobInterface };
  const impl = gt.Impl;
  if (!impl) throw new Error('gob: cty.Type without implementation');
  const f = impl.value as Record<string, unknown>;
  switch (impl.name) {
    case CTY + 'primitiveType': return ({ 0x53: 'string', 0x4e: 'number', 0x42: 'bool' } as const)[f.Kind as 0x53] ?? (() => { throw new Error(`gob: cty primitive kind ${String(f.Kind)}`); })();
    case CTY + 'typeList': return ['list', typeFromGob(f.ElementTypeT as Buffer)];
    case CTY + 'typeMap': return ['map', typeFromGob(f.ElementTypeT as Buffer)];
    case CTY + 'typeSet': return ['set', typeFromGob(f.ElementTypeT as Buffer)];
    case CTY + 'typeObject': {
      const o: Record<string, CtyType> = {};
      for (const [k, x] of (f.AttrTypes as Map<string, Buffer> | undefined) ?? new Map()) o[k] = typeFromGob(x);
      return ['object', o];
    }
    case CTY + 'typeTuple': return ['tuple', ((f.ElemTypes as Buffer[] | undefined) ?? []).map(typeFromGob)];
  }
  throw new Error(`gob: unknown cty type ${impl.name}`);
}

export function decodeCtyTypeGob(b: Buffer): CtyType { return typeFromGob(b); }

function bigFloatFromGob(b: Buffer): number {
  const form = (b[1]! >> 1) & 3;
  const neg = (b[1]! & 1) === 1;
  if (form === 0) return neg ? -0 : 0;
  if (form === 2) return neg ? -Infinity : Infinity;
  const exp = b.readInt32BE(6);
  let mant = 0n;
  for (let i = 10; i < b.length; i++) mant = (mant << 8n) | BigInt(b[i]!);
  const bits = (b.length - 10) * 8;
  // value = 0.mant * 2^exp
  const x = Number(mant) * 2 ** (exp - bits);
  return neg ? -x : x;
}

function valueFromGob(t: CtyType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const inner = v instanceof GobInterface ? v.value : v;
  if (t === 'string') return String(inner);
  if (t === 'bool') return inner === true;
  if (t === 'number') return bigFloatFromGob(inner as Buffer);
  if (t === 'dynamic') return inner;
  switch (t[0]) {
    case 'list': case 'set': return (inner as unknown[]).map((x) => valueFromGob(t[1], x));
    case 'tuple': return (inner as unknown[]).map((x, i) => valueFromGob(t[1][i]!, x));
    case 'map': { const o: Record<string, unknown> = {}; for (const [k, x] of inner as Map<string, unknown>) o[k] = valueFromGob(t[1], x); return o; }
    case 'object': { const o: Record<string, unknown> = {}; for (const [k, x] of inner as Map<string, unknown>) o[k] = valueFromGob(t[1][k] ?? 'dynamic', x); return o; }
  }
}

export function decodeCtyGob(buf: Uint8Array): CtyValue {
  const outer = gobDecode(buf) as Buffer;
  const gv = gobDecode(outer) as { Ty?: Buffer; V?: unknown };
  if (!gv.Ty) throw new Error('gob: cty.Value without type');
  const type = typeFromGob(gv.Ty);
  return { type, value: valueFromGob(type, gv.V ?? null) };
}

// ---- cty JSON ----

/** A Prepare/Configure argument that arrived as cty JSON bytes (`{"value":..., "type":...}`): its value. */
export function ctyJsonConfig(buf: Uint8Array): unknown {
  const j = JSON.parse(Buffer.from(buf).toString('utf8')) as { value?: unknown; type?: unknown };
  if (j === null || typeof j !== 'object' || !('value' in j)) throw new Error('cty json: expected {"value":..., "type":...}');
  return j.value;
}

/** ctyjson.Marshal(v, cty.DynamicPseudoType). */
export function ctyJsonDynamic(v: CtyValue): Buffer {
  const strip = (t: CtyType, x: unknown): unknown => {
    if (x === UNKNOWN) throw new Error('value is not known');
    if (x === null || x === undefined) return null;
    if (t === 'dynamic') return JSON.parse(ctyJsonDynamic({ type: impliedType(x), value: x }).toString());
    if (typeof t === 'string') return x;
    switch (t[0]) {
      case 'list': case 'set': return (x as unknown[]).map((e) => strip(t[1], e));
      case 'tuple': return (x as unknown[]).map((e, i) => strip(t[1][i]!, e));
      case 'map': return sortedObject(x as Record<string, unknown>, (e) => strip(t[1], e));
      case 'object': { const o: Record<string, unknown> = {}; for (const k of Object.keys(t[1]).sort()) o[k] = strip(t[1][k]!, (x as Record<string, unknown>)[k]); return o; }
    }
  };
  return Buffer.from(JSON.stringify({ value: strip(v.type, v.value), type: typeForm(v.type) }));
}
