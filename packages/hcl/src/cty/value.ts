// cty values: a type plus a payload, possibly unknown or null, possibly
// carrying marks (such as 'sensitive').
import { BigFloat } from './number.ts';
import * as T from './types.ts';
import type { Type } from './types.ts';

export class CtyError extends Error {
  /** attribute/index path from the top value, for conversion errors */
  path: PathStep[];
  constructor(message: string, path: PathStep[] = []) {
    super(message);
    this.name = 'CtyError';
    this.path = path;
  }
}

export type PathStep = { attr: string } | { index: Value };

const UNKNOWN: unique symbol = Symbol('unknown');

export type Raw =
  | typeof UNKNOWN
  | null
  | string
  | BigFloat
  | boolean
  | readonly Value[] // list, tuple, set (sorted, deduplicated)
  | ReadonlyMap<string, Value>; // map, object (keys sorted)

const NO_MARKS: ReadonlySet<string> = new Set();

export class Value {
  // `declare`: assigned by the constructor only (a class field would also be defined, as
  // undefined, by an initializer run on every construction)
  declare readonly type: Type;
  declare readonly raw: Raw;
  declare readonly marks: ReadonlySet<string>;
  /** @internal use the constructor functions */
  constructor(type: Type, raw: Raw, marks: ReadonlySet<string> = NO_MARKS) {
    this.type = type;
    this.raw = raw;
    this.marks = marks;
  }

  isKnown(): boolean {
    return this.raw !== UNKNOWN;
  }
  isNull(): boolean {
    return this.raw === null;
  }
  /** Known, and every nested value known. */
  isWhollyKnown(): boolean {
    if (this.raw === UNKNOWN) return false;
    if (this.raw === null) return true;
    if (Array.isArray(this.raw)) {
      const elems = this.raw as Value[];
      for (let i = 0; i < elems.length; i++) if (!elems[i]!.isWhollyKnown()) return false;
      return true;
    }
    if (this.raw instanceof Map) {
      for (const v of this.raw.values()) if (!v.isWhollyKnown()) return false;
    }
    return true;
  }

  // ---- marks ----
  isMarked(): boolean {
    return this.marks.size > 0;
  }
  hasMark(m: string): boolean {
    return this.marks.has(m);
  }
  mark(...ms: string[]): Value {
    if (ms.length === 0) return this;
    const s = new Set(this.marks);
    for (const m of ms) s.add(m);
    return new Value(this.type, this.raw, s);
  }
  withMarks(...sets: Iterable<string>[]): Value {
    // nothing to add (the usual case): no new set
    let add = false;
    for (const ms of sets) {
      if (!(ms instanceof Set) || ms.size > 0) {
        add = true;
        break;
      }
    }
    if (!add) return this;
    const s = new Set(this.marks);
    for (const ms of sets) for (const m of ms) s.add(m);
    return s.size === this.marks.size ? this : new Value(this.type, this.raw, s);
  }
  /** Value without its own marks (nested values keep theirs) and those marks. */
  unmark(): [Value, ReadonlySet<string>] {
    if (this.marks.size === 0) return [this, NO_MARKS];
    return [new Value(this.type, this.raw), this.marks];
  }
  /** Value with all marks removed, deep, and the union of them. */
  unmarkDeep(): [Value, Set<string>] {
    const all = new Set<string>();
    const walk = (v: Value): Value => {
      for (const m of v.marks) all.add(m);
      if (Array.isArray(v.raw)) return new Value(v.type, (v.raw as Value[]).map(walk));
      if (v.raw instanceof Map) {
        const m = new Map<string, Value>();
        for (const [k, e] of v.raw) m.set(k, walk(e));
        return new Value(v.type, m);
      }
      return v.marks.size ? new Value(v.type, v.raw) : v;
    };
    const out = walk(this);
    return [out, all];
  }
  /** Whether this value or any nested value is marked. */
  containsMarked(): boolean {
    if (this.marks.size) return true;
    const raw = this.raw;
    if (raw === null || typeof raw !== 'object') return false;
    if (Array.isArray(this.raw)) return (this.raw as Value[]).some((v) => v.containsMarked());
    if (this.raw instanceof Map) for (const v of this.raw.values()) if (v.containsMarked()) return true;
    return false;
  }

  // ---- primitive accessors ----
  private need(kind: string): void {
    if (this.raw === UNKNOWN) throw new CtyError(`value is unknown`);
    if (this.raw === null) throw new CtyError(`value is null`);
    if (this.type.kind !== kind) throw new CtyError(`not a ${kind}: ${T.friendlyName(this.type)}`);
  }
  asString(): string {
    const raw = this.raw;
    // a string payload is a known, non-null value; its type says whether it is a string
    if (typeof raw === 'string' && this.type.kind === 'string') return raw;
    this.need('string');
    return raw as string;
  }
  asBigFloat(): BigFloat {
    this.need('number');
    return this.raw as BigFloat;
  }
  /** float64 approximation of a number. */
  asNumber(): number {
    return this.asBigFloat().toNumber();
  }
  asBool(): boolean {
    this.need('bool');
    return this.raw as boolean;
  }
  isTrue(): boolean {
    return this.asBool();
  }

  // ---- collections and structures ----
  canIterateElements(): boolean {
    const k = this.type.kind;
    return k === 'list' || k === 'set' || k === 'map' || k === 'tuple' || k === 'object';
  }
  private needColl(): void {
    if (this.raw === UNKNOWN) throw new CtyError('value is unknown');
    if (this.raw === null) throw new CtyError('value is null');
    if (!this.canIterateElements()) throw new CtyError(`${T.friendlyName(this.type)} has no elements`);
  }
  /** Number of elements (LengthInt); for strings use stringLength. */
  lengthInt(): number {
    this.needColl();
    if (Array.isArray(this.raw)) return this.raw.length;
    return (this.raw as ReadonlyMap<string, Value>).size;
  }
  /** cty's Length(): a number value (unknown when the collection is). */
  length(): Value {
    if (this.type.kind === 'tuple') return numberIntVal((this.type as T.TupleType).elems.length).withMarks(this.marks);
    if (this.type.kind === 'object' ) return numberIntVal(Object.keys((this.type as T.ObjectType).attrs).length).withMarks(this.marks);
    if (!this.isKnown()) return unknownVal(T.Number).withMarks(this.marks);
    if (this.type.kind === 'set' && !this.isWhollyKnown()) return unknownVal(T.Number).withMarks(this.marks);
    return numberIntVal(this.lengthInt()).withMarks(this.marks);
  }
  /** [key, element] pairs in cty's iteration order: index order for
   * lists/tuples, set order for sets, sorted keys for maps/objects. */
  elements(): Array<[Value, Value]> {
    this.needColl();
    if (Array.isArray(this.raw)) {
      const arr = this.raw as Value[];
      if (this.type.kind === 'set') return arr.map((v) => [v, v]);
      return arr.map((v, i) => [numberIntVal(i), v]);
    }
    // forEach: neither an iterator step nor an entry array per element
    const out: Array<[Value, Value]> = [];
    (this.raw as ReadonlyMap<string, Value>).forEach((v, k) => {
      out.push([stringVal(k), v]);
    });
    return out;
  }
  /** Element values only (list/tuple/set order, sorted map keys). */
  values(): Value[] {
    this.needColl();
    if (Array.isArray(this.raw)) return [...(this.raw as Value[])];
    return [...(this.raw as ReadonlyMap<string, Value>).values()];
  }
  /** Attribute/key map for objects and maps. */
  entries(): ReadonlyMap<string, Value> {
    this.needColl();
    if (!(this.raw instanceof Map)) throw new CtyError(`${T.friendlyName(this.type)} has no attributes`);
    return this.raw;
  }

  /** Object attribute (cty GetAttr). Unknown object gives an unknown of the attribute type. */
  getAttr(name: string): Value {
    if (this.type.kind === 'dynamic') return DynamicVal.withMarks(this.marks);
    if (this.type.kind !== 'object') throw new CtyError(`Unsupported attribute: ${T.friendlyName(this.type)} has no attributes`);
    const at = this.type.attrs[name];
    if (at === undefined) throw new CtyError(`Unsupported attribute "${name}"`);
    if (!this.isKnown()) return unknownVal(at).withMarks(this.marks);
    if (this.isNull()) throw new CtyError('Attempt to get attribute from null value');
    const v = (this.raw as ReadonlyMap<string, Value>).get(name)!;
    return this.marks.size ? v.withMarks(this.marks) : v;
  }

  /** Whether key identifies an element (cty HasIndex): bool value, maybe unknown. */
  hasIndex(key: Value): Value {
    const [k, km] = key.unmark();
    const marks = [this.marks, km];
    if (this.type.kind === 'dynamic' || k.type.kind === 'dynamic') return unknownVal(T.Bool).withMarks(...marks);
    switch (this.type.kind) {
      case 'list':
      case 'tuple': {
        if (k.type.kind !== 'number') return False;
        if (!k.isKnown()) return unknownVal(T.Bool).withMarks(...marks);
        if (k.isNull()) return False;
        const n = k.asBigFloat();
        if (!n.isInt()) return False;
        if (this.type.kind === 'list' && !this.isKnown()) return unknownVal(T.Bool).withMarks(...marks);
        if (this.isNull()) return False;
        const i = n.toNumber();
        const len = this.type.kind === 'tuple' ? this.type.elems.length : (this.raw as Value[]).length;
        return boolVal(i >= 0 && i < len).withMarks(...marks);
      }
      case 'map': {
        if (k.type.kind !== 'string') return False;
        if (!k.isKnown() || !this.isKnown()) return unknownVal(T.Bool).withMarks(...marks);
        if (k.isNull() || this.isNull()) return False;
        return boolVal((this.raw as ReadonlyMap<string, Value>).has(k.raw as string)).withMarks(...marks);
      }
      default:
        return False;
    }
  }

  /** Element at key (cty Index): list/tuple by number, map by string,
   * object by string attribute name. Throws CtyError when absent. */
  index(key: Value): Value {
    const [k, km] = key.unmark();
    const marks = [this.marks, km];
    switch (this.type.kind) {
      case 'dynamic':
        return DynamicVal.withMarks(...marks);
      case 'list':
      case 'tuple': {
        if (k.type.kind !== 'number') throw new CtyError('a number is required');
        if (this.type.kind === 'list' && !this.isKnown()) return unknownVal(this.type.elem).withMarks(...marks);
        if (!k.isKnown()) {
          if (this.type.kind === 'list') return unknownVal(this.type.elem).withMarks(...marks);
          return DynamicVal.withMarks(...marks);
        }
        if (k.isNull()) throw new CtyError('index must not be null');
        const n = k.asBigFloat();
        if (!n.isInt()) throw new CtyError('key must be a whole number');
        const i = n.toNumber();
        if (this.type.kind === 'tuple') {
          if (i < 0 || i >= this.type.elems.length) throw new CtyError('index out of range');
          if (!this.isKnown()) return unknownVal(this.type.elems[i]).withMarks(...marks);
        }
        if (this.isNull()) throw new CtyError('cannot index a null value');
        const arr = this.raw as Value[];
        if (i < 0 || i >= arr.length) throw new CtyError('index out of range');
        return arr[i].withMarks(...marks);
      }
      case 'map': {
        if (k.type.kind !== 'string') throw new CtyError('a string is required');
        if (!this.isKnown() || !k.isKnown()) return unknownVal(this.type.elem).withMarks(...marks);
        if (k.isNull()) throw new CtyError('index must not be null');
        if (this.isNull()) throw new CtyError('cannot index a null value');
        const v = (this.raw as ReadonlyMap<string, Value>).get(k.raw as string);
        if (!v) throw new CtyError('key does not exist in map');
        return v.withMarks(...marks);
      }
      case 'object': {
        if (k.type.kind !== 'string') throw new CtyError('a string is required');
        if (!k.isKnown()) return DynamicVal.withMarks(...marks);
        return this.getAttr(k.raw as string).withMarks(km);
      }
      default:
        throw new CtyError(`${T.friendlyName(this.type)} cannot be indexed`);
    }
  }

  /** cty Equals: a bool value, unknown when it cannot be decided yet. */
  equals(other: Value): Value {
    return valueEquals(this, other);
  }
  /** Exact structural identity including unknowns and marks (RawEquals). */
  rawEquals(other: Value): boolean {
    return rawEquals(this, other);
  }

  /** Debug form in cty's GoString style. */
  goString(): string {
    return goStringValue(this);
  }
  toString(): string {
    return goStringValue(this);
  }
}

// ---------------------------------------------------------------------------
// constructors

// Below U+0300 (the combining marks) no character or pair of characters changes under NFC:
// such strings are their own normal form, and the test costs less than normalize().
const NFC_STABLE = /^[\u0000-\u02ff]*$/;

export function stringVal(s: string): Value {
  return new Value(T.String, NFC_STABLE.test(s) ? s : s.normalize('NFC'));
}
/** stringVal of a string known to be in NFC already (such as ASCII text): no test. */
export function stringValNFC(s: string): Value {
  return new Value(T.String, s);
}
/** Whether v is known, not null and has no marks of its own (one call for three tests). */
export function isPlainKnown(v: Value): boolean {
  const raw = v.raw;
  return raw !== UNKNOWN && raw !== null && v.marks.size === 0;
}
export function numberVal(n: BigFloat): Value {
  return new Value(T.Number, n);
}
/** cty.NumberIntVal: 64-bit precision, like Go's SetInt64. */
export function numberIntVal(n: number | bigint): Value {
  return new Value(T.Number, BigFloat.fromBigInt(typeof n === 'bigint' ? n : BigInt(Math.trunc(n)), 64));
}
/** cty.NumberFloatVal: 53-bit precision, like Go's SetFloat64. */
export function numberFloatVal(f: number): Value {
  return new Value(T.Number, BigFloat.fromFloat64(f));
}
/** cty.ParseNumberVal: 512-bit precision decimal parse; throws "a number is required". */
export function parseNumberVal(s: string): Value {
  const f = BigFloat.parse(s);
  if (!f) throw new CtyError('a number is required');
  return new Value(T.Number, f);
}
export function boolVal(b: boolean): Value {
  return b ? True : False;
}
export const True: Value = new Value(T.Bool, true);
export const False: Value = new Value(T.Bool, false);
export const Zero: Value = numberIntVal(0);
export const EmptyObjectVal: Value = new Value(T.EmptyObject, new Map());
export const EmptyTupleVal: Value = new Value(T.EmptyTuple, []);
export const DynamicVal: Value = new Value(T.Dynamic, UNKNOWN);

export function nullVal(t: Type): Value {
  return new Value(t, null);
}
export function unknownVal(t: Type): Value {
  return new Value(t, UNKNOWN);
}

/** cty.ListVal: all elements must have the same type (use convert/unify first). */
export function listVal(vals: readonly Value[]): Value {
  if (vals.length === 0) throw new CtyError('must not call listVal with empty slice');
  const et = vals[0].type;
  for (let i = 1; i < vals.length; i++) {
    const v = vals[i]!;
    if (v.type !== et && !T.typeEquals(v.type, et)) {
      throw new CtyError(`inconsistent list element types (element ${i} is ${T.friendlyName(v.type)}; want ${T.friendlyName(et)})`);
    }
  }
  return new Value(T.List(et), vals.slice());
}
/** listVal of a non-empty array the value takes over, whose elements are all of type `elem`. */
export function listValOf(vals: Value[], elem: Type): Value {
  return new Value(T.List(elem), vals);
}
export function listValEmpty(elem: Type): Value {
  return new Value(T.List(elem), []);
}
export function tupleVal(vals: readonly Value[]): Value {
  return tupleValOf(vals.slice());
}
/** tupleVal of an array the value takes over (the caller does not change it afterwards). */
export function tupleValOf(vals: Value[]): Value {
  const n = vals.length;
  if (n === 0) return EmptyTupleVal;
  const types: Type[] = new Array(n);
  for (let i = 0; i < n; i++) types[i] = vals[i]!.type;
  return new Value(T.Tuple(types), vals);
}
export function mapVal(entries: ReadonlyMap<string, Value> | Record<string, Value>): Value {
  const m = sortedMap(entries);
  if (m.size === 0) throw new CtyError('must not call mapVal with empty map');
  let et: Type | undefined;
  for (const [k, v] of m) {
    if (et === undefined) et = v.type;
    else if (!T.typeEquals(v.type, et)) {
      throw new CtyError(`inconsistent map element types (${JSON.stringify(k)} is ${T.friendlyName(v.type)}, while others are ${T.friendlyName(et)})`);
    }
  }
  return new Value(T.Map(et!), m);
}
export function mapValEmpty(elem: Type): Value {
  return new Value(T.Map(elem), new Map());
}
export function objectVal(attrs: ReadonlyMap<string, Value> | Record<string, Value>): Value {
  return objectOfSortedMap(sortedMap(attrs));
}
/** objectVal of a map the value takes over (the caller does not change it afterwards). */
export function objectValOf(attrs: Map<string, Value>): Value {
  return objectOfSortedMap(inKeyOrder(attrs) ? attrs : sortedMap(attrs));
}
function objectOfSortedMap(m: Map<string, Value>): Value {
  if (m.size === 0) return EmptyObjectVal;
  const at: Record<string, Type> = {};
  m.forEach((v, k) => {
    at[k] = v.type;
  });
  return new Value(T.objectOfSorted(at), m);
}
/** cty.SetVal: deduplicates and orders elements by cty's set rules. */
export function setVal(vals: readonly Value[]): Value {
  if (vals.length === 0) throw new CtyError('must not call setVal with empty slice');
  const et = vals[0].type;
  const marks = new Set<string>();
  const clean: Value[] = [];
  for (const [i, v0] of vals.entries()) {
    const [v, vm] = v0.unmarkDeep();
    for (const m of vm) marks.add(m);
    if (!T.typeEquals(v.type, et)) {
      throw new CtyError(`inconsistent set element types (element ${i} is ${T.friendlyName(v.type)}; want ${T.friendlyName(et)})`);
    }
    clean.push(v);
  }
  return new Value(T.Set(et), setElements(clean)).withMarks(marks);
}
export function setValEmpty(elem: Type): Value {
  return new Value(T.Set(elem), []);
}

/** Whether a map's keys are in cty's order already. */
function inKeyOrder(e: ReadonlyMap<string, Value>): boolean {
  let prev: string | undefined;
  for (const k of e.keys()) {
    if (prev !== undefined && T.cmpStr(prev, k) > 0) return false;
    prev = k;
  }
  return true;
}

function sortedMap(e: ReadonlyMap<string, Value> | Record<string, Value>): Map<string, Value> {
  if (e instanceof Map) {
    // most maps are built in key order already: a copy is enough
    if (inKeyOrder(e)) return new Map(e);
  }
  const out = new Map<string, Value>();
  if (e instanceof Map) {
    const keys = T.sortNames([...e.keys()]);
    for (let i = 0; i < keys.length; i++) out.set(keys[i]!, e.get(keys[i]!)!);
  } else {
    const keys = T.sortNames(Object.keys(e));
    const rec = e as Record<string, Value>;
    for (let i = 0; i < keys.length; i++) out.set(keys[i]!, rec[keys[i]!]!);
  }
  return out;
}

/** Builds a value of a given collection/structural type from parts without
 * re-checking (internal to conversions). */
export function rawValue(t: Type, raw: Raw): Value {
  if (t.kind === 'object' || t.kind === 'map') {
    if (raw instanceof Map) return new Value(t, sortedMap(raw));
  }
  if (t.kind === 'set' && Array.isArray(raw)) return new Value(t, setElements(raw as Value[]));
  return new Value(t, raw);
}

// ---------------------------------------------------------------------------
// sets: ordering and hashing as cty's set_internals.go

/** Deduplicates (by equality) and sorts elements in cty's set order. */
export function setElements(vals: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const v of vals) {
    if (!out.some((o) => setEquivalent(o, v))) out.push(v);
  }
  // Go sorts buckets by hash id first, then stable-sorts by Less; Less is a
  // total order on known non-null values, so order by hash only matters for
  // null/unknown elements (which compare greater than everything).
  const withHash = out.map((v) => ({ v, h: crc32(setHashString(v)) | 0 }));
  withHash.sort((a, b) => a.h - b.h);
  const sorted = withHash.map((x) => x.v);
  stableSort(sorted, setLess);
  return sorted;
}

function setEquivalent(a: Value, b: Value): boolean {
  const e = valueEquals(a, b);
  return e.isKnown() && e.raw === true;
}

function stableSort<X>(arr: X[], less: (a: X, b: X) => boolean): void {
  // insertion-stable merge via index tiebreak
  const idx = arr.map((v, i) => ({ v, i }));
  idx.sort((a, b) => (less(a.v, b.v) ? -1 : less(b.v, a.v) ? 1 : a.i - b.i));
  for (let i = 0; i < arr.length; i++) arr[i] = idx[i].v;
}

export function setLess(a: Value, b: Value): boolean {
  if (rawEquals(a, b)) return false;
  if (b.isNull() && !a.isNull()) return true;
  if (a.isNull()) return false;
  if (a.isKnown() && !b.isKnown()) return true;
  if (!a.isKnown()) return false;
  switch (a.type.kind) {
    case 'string':
      return T.cmpStr(a.raw as string, b.raw as string) < 0;
    case 'bool':
      return b.raw === true || a.raw !== true;
    case 'number':
      return (a.raw as BigFloat).cmp(b.raw as BigFloat) < 0;
    default:
      return T.cmpStr(setHashString(a), setHashString(b)) < 0;
  }
}

/** cty's set hash bytes for a value (makeSetHashBytes). */
export function setHashString(v: Value): string {
  if (!v.isKnown()) return '?';
  if (v.isNull()) return '~';
  switch (v.type.kind) {
    case 'number':
      return (v.raw as BigFloat).toString();
    case 'bool':
      return v.raw ? 'T' : 'F';
    case 'string':
      return goQuote(v.raw as string);
    case 'map': {
      let s = '{';
      for (const [k, e] of v.raw as ReadonlyMap<string, Value>) s += goQuote(k) + ':' + setHashString(e) + ';';
      return s + '}';
    }
    case 'list':
    case 'set':
      return '[' + (v.raw as Value[]).map((e) => setHashString(e) + ';').join('') + ']';
    case 'object':
      return '<' + [...(v.raw as ReadonlyMap<string, Value>).values()].map((e) => setHashString(e) + ';').join('') + '>';
    case 'tuple':
      return '<' + (v.raw as Value[]).map((e) => setHashString(e) + ';').join('') + '>';
    default:
      return '?';
  }
}

/** cty's Hash(): crc32 (IEEE) of the set hash bytes. */
export function valueHash(v: Value): number {
  return crc32(setHashString(v));
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE) of a string's UTF-8 bytes, or of bytes. */
export function crc32(s: string | Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  const bytes = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Go's strconv.Quote / fmt %q for a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (c === 0xfffd && ch !== '\ufffd') {
      out += '\\ufffd';
    } else if (c < 0x20 || c === 0x7f) {
      out += '\\x' + c.toString(16).padStart(2, '0');
    } else if (c >= 0x80 && !isGoPrint(c)) {
      out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

function isGoPrint(c: number): boolean {
  // approximation of unicode.IsPrint: letters, marks, numbers, punctuation,
  // symbols and the ASCII space.
  if (c >= 0xd800 && c <= 0xdfff) return false;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(c));
}

// ---------------------------------------------------------------------------
// equality

function valueEquals(a0: Value, b0: Value): Value {
  if (a0.isMarked() || b0.isMarked()) {
    const [a, am] = a0.unmark();
    const [b, bm] = b0.unmark();
    return valueEquals(a, b).withMarks(am, bm);
  }
  const a = a0;
  const b = b0;
  const ak = a.isKnown();
  const bk = b.isKnown();
  if (!ak && !bk) return unknownVal(T.Bool);
  if (ak && !bk) {
    if (a.isNull() || T.hasDynamicTypes(b.type)) return unknownVal(T.Bool);
    if (!T.typeEquals(a.type, b.type)) return False;
    return unknownVal(T.Bool);
  }
  if (bk && !ak) {
    if (b.isNull() || T.hasDynamicTypes(a.type)) return unknownVal(T.Bool);
    if (!T.typeEquals(a.type, b.type)) return False;
    return unknownVal(T.Bool);
  }
  if (a.isNull() && b.isNull()) return True;
  if (a.isNull() || b.isNull()) return False;
  if (T.hasDynamicTypes(a.type) || T.hasDynamicTypes(b.type)) return unknownVal(T.Bool);
  if (!T.typeEquals(a.type, b.type)) return False;
  switch (a.type.kind) {
    case 'number':
      return boolVal((a.raw as BigFloat).cmp(b.raw as BigFloat) === 0);
    case 'bool':
    case 'string':
      return boolVal(a.raw === b.raw);
    case 'list':
    case 'tuple': {
      const x = a.raw as Value[];
      const y = b.raw as Value[];
      if (x.length !== y.length) return False;
      for (let i = 0; i < x.length; i++) {
        const e = valueEquals(x[i], y[i]);
        if (!e.isKnown()) return unknownVal(T.Bool);
        if (e.raw === false) return False;
      }
      return True;
    }
    case 'set': {
      const x = a.raw as Value[];
      const y = b.raw as Value[];
      const has = (s: Value[], v: Value) => s.some((o) => rawEquals(o, v) || setEquivalent(o, v));
      return boolVal(x.every((v) => has(y, v)) && y.every((v) => has(x, v)));
    }
    case 'map':
    case 'object': {
      const x = a.raw as ReadonlyMap<string, Value>;
      const y = b.raw as ReadonlyMap<string, Value>;
      if (x.size !== y.size) return False;
      for (const [k, v] of x) {
        const w = y.get(k);
        if (!w) return False;
        const e = valueEquals(v, w);
        if (!e.isKnown()) return unknownVal(T.Bool);
        if (e.raw === false) return False;
      }
      return True;
    }
    default:
      return False;
  }
}

function rawEquals(a: Value, b: Value): boolean {
  if (!T.typeEquals(a.type, b.type)) return false;
  if (a.marks.size !== b.marks.size || [...a.marks].some((m) => !b.marks.has(m))) return false;
  if (a.raw === UNKNOWN || b.raw === UNKNOWN) return a.raw === b.raw;
  if (a.raw === null || b.raw === null) return a.raw === b.raw;
  if (a.raw instanceof BigFloat) return a.raw.cmp(b.raw as BigFloat) === 0;
  if (Array.isArray(a.raw)) {
    const x = a.raw as Value[];
    const y = b.raw as Value[];
    return x.length === y.length && x.every((v, i) => rawEquals(v, y[i]));
  }
  if (a.raw instanceof Map) {
    const y = b.raw as ReadonlyMap<string, Value>;
    if (a.raw.size !== y.size) return false;
    for (const [k, v] of a.raw) {
      const w = y.get(k);
      if (!w || !rawEquals(v, w)) return false;
    }
    return true;
  }
  return a.raw === b.raw;
}

function goStringValue(v: Value): string {
  let s: string;
  if (!v.isKnown()) s = `cty.UnknownVal(${T.goString(v.type)})`;
  else if (v.isNull()) s = `cty.NullVal(${T.goString(v.type)})`;
  else
    switch (v.type.kind) {
      case 'string':
        s = `cty.StringVal(${goQuote(v.raw as string)})`;
        break;
      case 'number': {
        const f = v.raw as BigFloat;
        s = f.isInt() && f.int64().exact ? `cty.NumberIntVal(${f.toBigInt()})` : `cty.NumberFloatVal(${f.toNumber()})`;
        break;
      }
      case 'bool':
        s = v.raw ? 'cty.True' : 'cty.False';
        break;
      case 'list':
      case 'set':
      case 'tuple': {
        const arr = v.raw as Value[];
        const name = v.type.kind === 'list' ? 'List' : v.type.kind === 'set' ? 'Set' : 'Tuple';
        if (arr.length === 0) s = v.type.kind === 'tuple' ? 'cty.EmptyTupleVal' : `cty.${name}ValEmpty(${T.goString((v.type as T.ListType).elem)})`;
        else s = `cty.${name}Val([]cty.Value{${arr.map(goStringValue).join(', ')}})`;
        break;
      }
      case 'map':
      case 'object': {
        const m = v.raw as ReadonlyMap<string, Value>;
        const name = v.type.kind === 'map' ? 'Map' : 'Object';
        if (m.size === 0) s = v.type.kind === 'object' ? 'cty.EmptyObjectVal' : `cty.MapValEmpty(${T.goString((v.type as T.MapType).elem)})`;
        else s = `cty.${name}Val(map[string]cty.Value{${[...m].map(([k, e]) => `${goQuote(k)}:${goStringValue(e)}`).join(', ')}})`;
        break;
      }
      default:
        s = 'cty.DynamicVal';
    }
  if (v.marks.size) s += `.Mark(${[...v.marks].join(', ')})`;
  return s;
}

export { UNKNOWN as UNKNOWN_RAW };
