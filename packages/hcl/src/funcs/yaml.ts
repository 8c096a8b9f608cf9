// yamlencode / yamldecode with go-cty-yaml's output style and scalar
// resolution (YAML 1.1 booleans, numbers at cty precision, timestamps as
// RFC 3339 strings). Parsing of the YAML structure uses the `yaml` package,
// loaded on first use.
import * as T from '../cty/types.ts';
import { BigFloat } from '../cty/number.ts';
import { CtyError, DynamicVal, False, True, Value, nullVal, numberVal, objectVal, stringVal, tupleVal, unknownVal } from '../cty/value.ts';
import { FuncError, makeFunction, staticReturnType } from './function.ts';

// the CommonJS bundle has no import.meta.url; node:module loads with the first call that needs a package
const require = (id: string): unknown => (process.getBuiltinModule('node:module') as typeof import('node:module')).createRequire(import.meta.url || __filename)(id);

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

const BOOL_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const BOOL_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(\.\d+)?(?:[ \t]*(Z|[-+]\d{1,2}(?::?\d{2})?))?)?$/;

function resolvePlain(src: string): Value {
  if (BOOL_TRUE.has(src)) return True;
  if (BOOL_FALSE.has(src)) return False;
  if (NULLS.has(src)) return nullVal(T.Dynamic);
  if (/^\+?\.(inf|Inf|INF)$/.test(src)) return numberVal(BigFloat.infinity(false));
  if (/^-\.(inf|Inf|INF)$/.test(src)) return numberVal(BigFloat.infinity(true));
  const plain = src.replace(/_/g, '');
  const bin = /^([-+]?)0b([01]+)$/.exec(plain);
  if (bin) return numberVal(BigFloat.fromBigInt((bin[1] === '-' ? -1n : 1n) * BigInt('0b' + bin[2]), 0));
  if (FLOAT.test(plain)) {
    const f = BigFloat.parse(plain.replace(/^\+/, ''));
    if (f) return numberVal(f);
  }
  const ts = TIMESTAMP.exec(src);
  if (ts) {
    const [, y, mo, d, h, mi, s, frac, z] = ts;
    const p = (x: string | undefined) => String(parseInt(x ?? '0', 10)).padStart(2, '0');
    let zone = 'Z';
    if (z && z !== 'Z') {
      const m = /^([-+])(\d{1,2}):?(\d{2})?$/.exec(z)!;
      zone = `${m[1]}${p(m[2])}:${m[3] ?? '00'}`;
    }
    void frac; // time.RFC3339 drops fractional seconds
    return stringVal(`${y}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${zone}`);
  }
  return stringVal(src);
}

interface YNode {
  constructor: { name: string };
  items?: YNode[];
  key?: YNode;
  value?: YNode;
  type?: string;
  source?: string;
  tag?: string;
  range?: [number, number, number];
}

let anchors = new Map<string, YNode>();
let nanAt: ((n: YNode) => string) | undefined;

function nodeValue(n: YNode | null | undefined): Value {
  if (n === null || n === undefined) return nullVal(T.Dynamic);
  const name = n.constructor.name;
  if ((n as { anchor?: string }).anchor) anchors.set((n as { anchor?: string }).anchor!, n);
  if (name === 'Alias') {
    const target = anchors.get(String(n.source));
    if (!target) throw new FuncError(`unknown anchor '${String(n.source)}' referenced`);
    return nodeValue(target);
  }
  if (name === 'Scalar') {
    const src = String(n.source ?? '');
    if (n.type === 'PLAIN' && /^\.(nan|NaN|NAN)$/.test(src)) throw new FuncError(`${nanAt ? nanAt(n) : ''}floating point NaN is not supported`);
    if (n.tag === 'tag:yaml.org,2002:str' || n.tag === '!!str') return stringVal(src);
    if (n.type === 'PLAIN') return resolvePlain(src);
    return stringVal(src);
  }
  if (name === 'YAMLSeq') return tupleVal((n.items ?? []).map((i) => nodeValue(i)));
  if (name === 'YAMLMap') {
    const m = new Map<string, Value>();
    for (const p of n.items ?? []) {
      const k = nodeValue(p.key);
      if (k.isNull()) throw new FuncError('null key in mapping');
      const ks = k.type.kind === 'string' ? k.asString() : k.type.kind === 'number' ? k.asBigFloat().text('f', -1) : String(k.asBool());
      m.set(ks, nodeValue(p.value));
    }
    return objectVal(m);
  }
  return nullVal(T.Dynamic);
}

function lineCol(src: string, offset: number): [number, number] {
  const before = src.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return [line, col];
}

function decode(src: string): Value {
  const Y = require('yaml') as { parseAllDocuments(s: string, o: object): Array<{ contents: YNode | null; errors: Array<{ message: string; pos: [number, number] }> }> };
  const docs = Y.parseAllDocuments(src, { version: '1.1', schema: 'failsafe', keepSourceTokens: false });
  if (!Array.isArray(docs) || docs.length === 0) throw new FuncError('on line 1, column 1: missing start of document');
  if (docs.length > 1) throw new FuncError('unexpected extra content after value');
  const doc = docs[0];
  anchors = new Map();
  nanAt = (n) => {
    // go-cty-yaml reports this mark with a zero-based line and one-based column
    const [l, c] = lineCol(src, n.range?.[0] ?? 0);
    return `on line ${l - 1}, column ${c}: `;
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    const [l, c] = lineCol(src, e.pos[0]);
    throw new FuncError(`on line ${l}, column ${c}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return nodeValue(doc.contents);
}

export const yamldecode = makeFunction({
  params: [{ name: 'src', type: T.String }],
  type: (a) => {
    if (!a[0].isKnown()) return T.Dynamic;
    return decode(a[0].asString()).type;
  },
  impl: (a) => {
    const v = decode(a[0].asString());
    // a document that is only null decodes to an unknown value in go-cty-yaml
    return v.isNull() ? DynamicVal : v;
  },
});

export { DynamicVal };
