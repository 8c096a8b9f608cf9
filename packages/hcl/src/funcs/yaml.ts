// yamlencode / yamldecode as go-cty-yaml (Packer's HCL functions) does them: yamlencode with its
// output style; yamldecode with its libyaml port's reading (yaml-parser.ts), go-yaml v2's scalar
// resolution (YAML 1.1 booleans, numbers at cty precision, timestamps as RFC 3339 strings) and
// its errors, positions included.
import * as T from '../cty/types.ts';
import { BigFloat } from '../cty/number.ts';
import { CtyError, DynamicVal, False, True, Value, goQuote, nullVal, numberVal, objectVal, stringVal, tupleVal, unknownVal } from '../cty/value.ts';
import { FuncError, makeFunction, staticReturnType } from './function.ts';
import type { Event, Parser } from './yaml-parser.ts';

function yamlQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c === 0xfeff) out += '\\ufeff';
    else out += ch;
  }
  return out + '"';
}

function literalBlock(s: string, indent: string): string {
  const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') ? '+' : '') : '-';
  const body = chomp === '' ? s.slice(0, -1) : chomp === '+' ? s.slice(0, -1) : s;
  const lines = body.split('\n');
  const ind = indent + '  ';
  return `|${/^[ \n]/.test(s) ? '2' : ''}${chomp}\n` + lines.map((l) => (l === '' ? '' : ind + l)).join('\n');
}

function scalar(v: Value, indent: string): string {
  if (v.isNull()) return 'null';
  switch (v.type.kind) {
    case 'string': {
      const s = v.asString();
      if (s.includes('\n') && !/[\r\t]/.test(s) && !/ \n| $/.test(s)) return literalBlock(s, indent);
      return yamlQuote(s);
    }
    case 'number': {
      const f = v.asBigFloat();
      if (f.isInf()) return f.neg ? '-.inf' : '+.inf';
      return f.text('f', -1);
    }
    case 'bool':
      return v.asBool() ? 'true' : 'false';
    default:
      throw new CtyError(`cannot encode ${T.friendlyName(v.type)}`);
  }
}

function isCollection(v: Value): boolean {
  const k = v.type.kind;
  return !v.isNull() && (k === 'list' || k === 'set' || k === 'tuple' || k === 'map' || k === 'object');
}
function isSeq(v: Value): boolean {
  const k = v.type.kind;
  return k === 'list' || k === 'set' || k === 'tuple';
}

function emit(v: Value, indent: string): string {
  if (!isCollection(v)) return scalar(v, indent);
  if (isSeq(v)) {
    const vals = v.values();
    if (vals.length === 0) return '[]';
    return vals
      .map((e, i) => {
        const body = isCollection(e) && e.lengthInt() > 0 ? emit(e, indent + '  ').replace(/^\s+/, '') : emit(e, indent);
        return (i === 0 ? '' : indent) + '- ' + body;
      })
      .join('\n');
  }
  const ents = [...v.entries()];
  if (ents.length === 0) return '{}';
  return ents
    .map(([k, e], i) => {
      const key = (i === 0 ? '' : indent) + yamlQuote(k) + ':';
      if (isCollection(e) && e.lengthInt() > 0) {
        if (isSeq(e)) return key + '\n' + indent + emit(e, indent);
        return key + '\n' + indent + '  ' + emit(e, indent + '  ');
      }
      return key + ' ' + emit(e, indent);
    })
    .join('\n');
}

export const yamlencode = makeFunction({
  params: [{ name: 'value', type: T.Dynamic, allowNull: true, allowDynamicType: true }],
  type: staticReturnType(T.String),
  impl: (a) => {
    if (!a[0].isWhollyKnown()) return unknownVal(T.String);
    try {
      const v = a[0];
      const plainScalar = v.isNull() || v.type.kind === 'number' || v.type.kind === 'bool';
      return stringVal(emit(v, '') + '\n' + (plainScalar ? '...\n' : ''));
    } catch (e) {
      throw new FuncError((e as Error).message);
    }
  },
});

// ---- yamldecode: go-cty-yaml's decoding. yaml-parser.ts reads the YAML into events; it is
// evaluated with the first yamldecode (the bundle initialises a module required here only when the
// call runs). It imports nothing: under tsx (the tests) the module required gets copies of its own
// of what it imports, which for the cty classes would be other classes.
let parserModule: typeof import('./yaml-parser.ts') | undefined;
function yamlParser(): typeof import('./yaml-parser.ts') {
  parserModule ??= (typeof require === 'function' ? require('./yaml-parser.ts') : (process.getBuiltinModule('node:module') as typeof import('node:module')).createRequire(import.meta.url)('./yaml-parser.ts')) as typeof import('./yaml-parser.ts');
  return parserModule;
}

// ---- scalar resolution (resolve.go)

const LONG_TAG = 'tag:yaml.org,2002:';
const STR_TAG = LONG_TAG + 'str';
const BINARY_TAG = LONG_TAG + 'binary';
const BOOL_TAG = LONG_TAG + 'bool';
const INT_TAG = LONG_TAG + 'int';
const FLOAT_TAG = LONG_TAG + 'float';
const NULL_TAG = LONG_TAG + 'null';
const TIMESTAMP_TAG = LONG_TAG + 'timestamp';
const MAP_TAG = LONG_TAG + 'map';
const SEQ_TAG = LONG_TAG + 'seq';

/** The merge key `<<`: a marker, not a value. */
const MERGE = Symbol('merge');
type Resolved = Value | typeof MERGE;

let resolveMap: Map<string, [Value, string]> | undefined;
function resolved(src: string): [Value, string] | undefined {
  if (!resolveMap) {
    resolveMap = new Map();
    const add = (v: Value, tag: string, names: string) => {
      for (const n of names.split(' ')) resolveMap!.set(n, [v, tag]);
    };
    add(True, BOOL_TAG, 'y Y yes Yes YES true True TRUE on On ON');
    add(False, BOOL_TAG, 'n N no No NO false False FALSE off Off OFF');
    add(nullVal(T.Dynamic), NULL_TAG, '~ null Null NULL');
    resolveMap.set('', [nullVal(T.Dynamic), NULL_TAG]);
    add(numberVal(BigFloat.infinity(false)), FLOAT_TAG, '.inf .Inf .INF +.inf +.Inf +.INF');
    add(numberVal(BigFloat.infinity(true)), FLOAT_TAG, '-.inf -.Inf -.INF');
  }
  return resolveMap.get(src);
}

function hintOf(c: string | undefined): string {
  if (c === undefined) return 'N';
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

/** cty.ParseNumberVal: big.ParseFloat(s, 10, 512): decimal mantissa, e or (binary) p exponent, Inf. */
function parseNumber(s: string): Value | undefined {
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+))(?:([eEpP])([+-]?\d+))?$/.exec(s);
  if (!m) {
    if (/^[+-]?[Ii]nf$/.test(s)) return numberVal(BigFloat.infinity(s.startsWith('-')));
    return undefined;
  }
  if (m[3] === 'p' || m[3] === 'P') {
    const f = BigFloat.parse(m[1] + m[2]);
    const e = BigInt(m[4]);
    if (!f || e > 100000n || e < -100000n) return undefined;
    const scale = BigFloat.fromBigInt(2n ** (e < 0n ? -e : e), 0);
    return numberVal(e < 0n ? f.quo(scale) : f.mul(scale));
  }
  const f = BigFloat.parse(s);
  return f ? numberVal(f) : undefined;
}

/** strconv.ParseInt/ParseUint(s, 0, 64): a sign, then 0x/0o/0b/0 prefixes. */
function parseGoInt(s: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m || (!signed && m[1] !== '')) return undefined;
  const body = m[2].toLowerCase();
  // a leading 0 alone makes the rest octal; BigInt reads 0x, 0o and 0b itself
  let n = BigInt(/^0[0-7]+$/.test(body) ? '0o' + body.slice(1) : body);
  if (m[1] === '-') n = -n;
  if (signed ? n < -(2n ** 63n) || n >= 2n ** 63n : n >= 2n ** 64n) return undefined;
  return n;
}

function parseBinary(s: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)([01]+)$/.exec(s);
  if (!m || (!signed && m[1] !== '')) return undefined;
  let n = BigInt('0b' + m[2]);
  if (m[1] === '-') n = -n;
  if (signed ? n < -(2n ** 63n) || n >= 2n ** 63n : n >= 2n ** 64n) return undefined;
  return n;
}

const intVal = (n: bigint) => numberVal(BigFloat.fromBigInt(n));

/** What base64.StdEncoding.DecodeString accepts: padded groups of four, CR and LF ignored. */
function isBase64(s: string): boolean {
  const t = s.replace(/[\r\n]/g, '');
  return t.length % 4 === 0 && /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(t);
}

function resolveScalar(tag: string, src: string, quoted: boolean): Resolved {
  if (!(tag === '' || tag === STR_TAG || tag === BOOL_TAG || tag === INT_TAG || tag === FLOAT_TAG || tag === NULL_TAG || tag === TIMESTAMP_TAG || tag === BINARY_TAG)) throw new FuncError(`unsupported tag ${goQuote(tag)}`);
  const hint = hintOf(src[0]);
  if (hint !== '' && tag !== STR_TAG && tag !== BINARY_TAG) {
    if (quoted) return stringVal(src);
    const item = resolved(src);
    if (item) return item[0];
    if (tag === '' && (src === '.nan' || src === '.NaN' || src === '.NAN')) throw new FuncError('floating point NaN is not supported');
    if (hint === '.') {
      const n = parseNumber(src);
      if (n) return n;
    } else if (hint === 'D' || hint === 'S') {
      if (tag === '' || tag === TIMESTAMP_TAG) {
        const t = parseTimestamp(src);
        if (t !== undefined) return stringVal(t);
      }
      const plain = src.replace(/_/g, '');
      const n = parseNumber(plain);
      if (n) return n;
      if (plain.startsWith('0b') || plain.startsWith('-0b')) tag = INT_TAG;
    }
  }
  if (tag === '' && src === '<<') return MERGE;
  switch (tag) {
    case STR_TAG:
    case BINARY_TAG:
      if (tag === BINARY_TAG && !isBase64(src)) throw new FuncError(`cannot parse ${goQuote(src)} as ${tag}: not valid base64`);
      return stringVal(src);
    case BOOL_TAG: {
      const item = resolved(src);
      if (!item || item[1] !== BOOL_TAG) throw new FuncError(`cannot parse ${goQuote(src)} as ${tag}`);
      return item[0];
    }
    case FLOAT_TAG:
    case INT_TAG: {
      const plain = src.replace(/_/g, '');
      const n = parseNumber(plain);
      if (n) return n;
      const i = parseGoInt(plain, true) ?? parseGoInt(plain, false);
      if (i !== undefined) return intVal(i);
      if (plain.startsWith('0b')) {
        const b = parseBinary(plain.slice(2), true) ?? parseBinary(plain.slice(2), false);
        if (b !== undefined) return intVal(b);
      } else if (plain.startsWith('-0b')) {
        const b = parseBinary('-' + plain.slice(3), true);
        if (b !== undefined) return intVal(b);
      }
      throw new FuncError(`cannot parse ${goQuote(src)} as ${tag}`);
    }
    case TIMESTAMP_TAG: {
      const t = parseTimestamp(src);
      if (t !== undefined) return stringVal(t);
      throw new FuncError(`cannot parse ${goQuote(src)} as ${tag}`);
    }
    case NULL_TAG:
      return nullVal(T.Dynamic);
    default:
      return stringVal(src);
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * go-yaml's parseTimestamp: time.Parse with "2006-1-2T15:4:5.999999999Z07:00" (or a lower-case
 * t), "2006-1-2 15:4:5.999999999" (its space matches a run of spaces) or "2006-1-2", formatted as
 * time.RFC3339 (no fraction).
 */
function parseTimestamp(s: string): string | undefined {
  if (!/^\d{4}-/.test(s)) return undefined;
  let zone = 'Z';
  let m = /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (m) {
    if (m[7] !== 'Z') {
      const zh = Number(m[7].slice(1, 3));
      const zm = Number(m[7].slice(4, 6));
      if (zh > 24 || zm > 60) return undefined;
      if (zh !== 0 || zm !== 0) zone = m[7];
    }
  } else m = /^(\d{4})-(\d\d?)-(\d\d?)(?: +(\d\d?):(\d\d?):(\d\d?)(?:\.\d{1,9})?)?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, da, h, mi, se] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || se > 59) return undefined;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (da < 1 || da > days) return undefined;
  return `${m[1]}-${pad2(mo)}-${pad2(da)}T${pad2(h)}:${pad2(mi)}:${pad2(se)}${zone}`;
}

// ---- conversion (decode.go, implied_type.go)

function eventFailure(e: Event, cause: string): FuncError {
  if (e.start.line === 0) return new FuncError(cause);
  return new FuncError(`on line ${e.start.line}, column ${e.start.column + 1}: ${cause}`);
}

function next(p: Parser): Event {
  const e = p.parse();
  if (!e) throw new FuncError(p.failure());
  return e;
}

interface Anchors<V> {
  pending: Map<string, number>;
  vals: Map<string, V>;
}
function beginAnchor<V>(an: Anchors<V>, name: string): void {
  an.pending.set(name, (an.pending.get(name) ?? 0) + 1);
}
function completeAnchor<V>(an: Anchors<V>, name: string, v: V): void {
  const n = (an.pending.get(name) ?? 0) - 1;
  if (n === 0) an.pending.delete(name);
  else an.pending.set(name, n);
  an.vals.set(name, v);
}
function anchorVal<V>(an: Anchors<V>, e: Event): V {
  const name = e.anchor;
  if (an.pending.has(name)) throw eventFailure(e, `cannot refer to anchor ${goQuote(name)} from inside its own definition`);
  const v = an.vals.get(name);
  if (v === undefined) throw eventFailure(e, `reference to undefined anchor ${goQuote(name)}`);
  return v;
}

/** What the implied-type pass and the value pass each make of the events. */
interface Builder<V> {
  scalar(e: Event): V;
  object(attrs: Map<string, V>): V;
  tuple(elems: V[]): V;
  /** The attributes of a value merged by `<<`, or a message when it is no mapping. */
  mergeable(v: V): Map<string, V> | string;
}

function document<V>(src: string, b: Builder<V>): V {
  const p = new (yamlParser().Parser)(Buffer.from(src === '' ? '\n' : src, 'utf8'));
  const an: Anchors<V> = { pending: new Map(), vals: new Map() };
  let e = next(p);
  if (e.typ !== 'stream start') throw eventFailure(e, 'missing stream start token');
  e = next(p);
  if (e.typ !== 'document start') throw eventFailure(e, 'missing start of document');
  const v = node(p, an, b, next(p));
  e = next(p);
  if (e.typ === 'document start') throw eventFailure(e, 'only a single document is allowed');
  if (e.typ !== 'document end') throw eventFailure(e, `unexpected extra content (${e.typ}) after value`);
  e = next(p);
  if (e.typ !== 'stream end') throw eventFailure(e, 'unexpected extra content after value');
  return v;
}

function node<V>(p: Parser, an: Anchors<V>, b: Builder<V>, e: Event): V {
  switch (e.typ) {
    case 'scalar': {
      if (e.anchor) beginAnchor(an, e.anchor);
      const v = b.scalar(e);
      if (e.anchor) completeAnchor(an, e.anchor, v);
      return v;
    }
    case 'alias':
      return anchorVal(an, e);
    case 'mapping start': {
      if (e.tag !== '' && e.tag !== MAP_TAG) throw eventFailure(e, `can't interpret mapping as ${e.tag}`);
      if (e.anchor) beginAnchor(an, e.anchor);
      const attrs = new Map<string, V>();
      for (;;) {
        const k = next(p);
        if (k.typ === 'mapping end') {
          const v = b.object(attrs);
          if (e.anchor) completeAnchor(an, e.anchor, v);
          return v;
        }
        if (k.typ !== 'scalar') throw eventFailure(k, 'only strings are allowed as mapping keys');
        const key = resolveScalar(k.tag, k.value, k.quoted);
        if (key === MERGE) {
          const m = b.mergeable(node(p, an, b, next(p)));
          if (typeof m === 'string') throw eventFailure(k, `cannot merge ${m} into mapping`);
          for (const [n, v] of m) attrs.set(n, v);
          continue;
        }
        // convert.Convert(key, cty.String): numbers and bools become strings
        let name: string;
        if (key.isNull()) throw eventFailure(k, 'mapping key cannot be null');
        if (key.type.kind === 'string') name = key.asString();
        else if (key.type.kind === 'number') name = key.asBigFloat().text('f', -1);
        else name = key.asBool() ? 'true' : 'false';
        attrs.set(name, node(p, an, b, next(p)));
      }
    }
    case 'sequence start': {
      if (e.tag !== '' && e.tag !== SEQ_TAG) throw eventFailure(e, `can't interpret sequence as ${e.tag}`);
      if (e.anchor) beginAnchor(an, e.anchor);
      const elems: V[] = [];
      for (;;) {
        const x = next(p);
        if (x.typ === 'sequence end') {
          const v = b.tuple(elems);
          if (e.anchor) completeAnchor(an, e.anchor, v);
          return v;
        }
        elems.push(node(p, an, b, x));
      }
    }
    case 'document start':
      throw eventFailure(e, 'only a single document is allowed');
    case 'stream end':
      throw eventFailure(e, 'expecting value but found end of stream');
    default:
      throw eventFailure(e, `unexpected parser event ${e.typ}`);
  }
}

function scalarValue(e: Event): Value {
  let v: Resolved;
  try {
    v = resolveScalar(e.tag, e.value, e.quoted);
  } catch (err) {
    if (err instanceof FuncError) throw eventFailure(e, err.message);
    throw err;
  }
  return v === MERGE ? stringVal('<<') : v;
}

const typeBuilder: Builder<T.Type> = {
  scalar: (e) => (e.tag === '' && !e.implicit ? T.String : scalarValue(e).type),
  object: (attrs) => T.Object_(Object.fromEntries(attrs)),
  tuple: (elems) => T.Tuple(elems),
  mergeable: (t) => (t.kind === 'object' ? new Map(Object.entries(t.attrs)) : T.friendlyName(t)),
};

const valueBuilder: Builder<Value> = {
  scalar: scalarValue,
  object: (attrs) => objectVal(attrs),
  tuple: (elems) => tupleVal(elems),
  mergeable: (v) => (v.type.kind === 'object' || v.type.kind === 'map' ? new Map(v.entries()) : T.friendlyName(v.type)),
};

export const yamldecode = makeFunction({
  params: [{ name: 'src', type: T.String }],
  // go-cty-yaml's ImpliedType, then its Unmarshal
  type: (a) => (a[0].isKnown() ? document(a[0].asString(), typeBuilder) : T.Dynamic),
  // a document whose type is only known at run time (a null) decodes to an unknown value
  impl: (a, ret) => (ret.kind === 'dynamic' ? DynamicVal : document(a[0].asString(), valueBuilder)),
});
