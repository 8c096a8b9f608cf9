// cty's JSON encoding (go-cty cty/json): values with a given type, implied
// types of JSON text, and the JSON form of types. Errors read like Go's
// encoding/json Decoder.Token, which cty uses.
import * as T from './types.ts';
import type { Type } from './types.ts';
import { BigFloat } from './number.ts';
import { CtyError, Value, DynamicVal, listVal, listValEmpty, mapVal, mapValEmpty, nullVal, objectVal, setVal, setValEmpty, stringVal, tupleVal, boolVal, parseNumberVal } from './value.ts';
import { convert } from './convert.ts';

/** Go's json.Marshal of a string (HTML-safe escaping, \u2028/\u2029). */
// printable ASCII but for the characters Go's encoder escapes
const JSON_PLAIN = /^[\x20-\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

export function goJsonString(s: string): string {
  // nothing to escape (the usual case): no loop over the characters
  if (JSON_PLAIN.test(s)) return '"' + s + '"';
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
      case '<':
      case '>':
      case '&':
        out += '\\u00' + c.toString(16);
        continue;
    }
    if (c < 0x20 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** ctyjson.Marshal(val, t). */
export function marshalJson(v: Value, t: Type = v.type): string {
  const parts: string[] = [];
  marshal(v, t, parts);
  return parts.join('');
}

function marshal(v: Value, t: Type, out: string[]): void {
  if (v.isMarked()) throw new CtyError('value has marks, so it cannot be seralized');
  if (t.kind === 'dynamic' && v.type.kind !== 'dynamic') {
    out.push('{"value":');
    marshal(v, v.type, out);
    out.push(',"type":', marshalType(v.type), '}');
    return;
  }
  if (v.isNull()) {
    out.push('null');
    return;
  }
  if (!v.isKnown()) throw new CtyError('value is not known');
  switch (t.kind) {
    case 'string':
      out.push(goJsonString(v.asString()));
      return;
    case 'number': {
      const f = v.asBigFloat();
      if (f.isInf()) throw new CtyError('cannot serialize infinity as JSON');
      out.push(f.text('f', -1));
      return;
    }
    case 'bool':
      out.push(v.asBool() ? 'true' : 'false');
      return;
    case 'list':
    case 'set':
    case 'tuple': {
      out.push('[');
      v.values().forEach((e, i) => {
        if (i > 0) out.push(',');
        marshal(e, t.kind === 'tuple' ? t.elems[i] : t.elem, out);
      });
      out.push(']');
      return;
    }
    case 'map':
    case 'object': {
      out.push('{');
      let i = 0;
      for (const [k, e] of v.entries()) {
        if (i++ > 0) out.push(',');
        out.push(goJsonString(k), ':');
        marshal(e, t.kind === 'map' ? t.elem : t.attrs[k], out);
      }
      out.push('}');
      return;
    }
    default:
      throw new CtyError('unsupported type');
  }
}

/** The JSON form of a type ("string", ["list","string"], ["object",{...}], "dynamic"). */
export function marshalType(t: Type): string {
  return JSON.stringify(typeToJsonValue(t));
}
function typeToJsonValue(t: Type): unknown {
  switch (t.kind) {
    case 'string':
    case 'number':
    case 'bool':
    case 'dynamic':
      return t.kind;
    case 'list':
    case 'set':
    case 'map':
      return [t.kind, typeToJsonValue(t.elem)];
    case 'tuple':
      return ['tuple', t.elems.map(typeToJsonValue)];
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const k of T.attrNames(t)) o[k] = typeToJsonValue(t.attrs[k]);
      const opt = t.optional ? [...t.optional].sort() : [];
      return opt.length ? ['object', o, opt] : ['object', o];
    }
  }
}
/** A type from its JSON text. */
export function unmarshalType(text: string): Type {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new CtyError('invalid type specification');
  }
  return typeFromJsonValue(j);
}
function typeFromJsonValue(j: unknown): Type {
  const unmarshalType = typeFromJsonValue;
  const bad = () => new CtyError(`invalid type specification`);
  if (typeof j === 'string') {
    switch (j) {
      case 'string':
        return T.String;
      case 'number':
        return T.Number;
      case 'bool':
        return T.Bool;
      case 'dynamic':
        return T.Dynamic;
    }
    throw bad();
  }
  if (!Array.isArray(j) || j.length < 2) throw bad();
  switch (j[0]) {
    case 'list':
      return T.List(unmarshalType(j[1]));
    case 'set':
      return T.Set(unmarshalType(j[1]));
    case 'map':
      return T.Map(unmarshalType(j[1]));
    case 'tuple':
      return T.Tuple((j[1] as unknown[]).map((e) => unmarshalType(e)));
    case 'object': {
      const at: Record<string, Type> = {};
      for (const [k, e] of Object.entries(j[1] as Record<string, unknown>)) at[k] = unmarshalType(e);
      return T.Object_(at, j[2] as string[] | undefined);
    }
  }
  throw bad();
}

// ---------------------------------------------------------------------------
// decoding, token by token as Go's json.Decoder.Token

type Tok = { kind: 'delim'; c: string } | { kind: 'string'; s: string } | { kind: 'number'; s: string } | { kind: 'bool'; b: boolean } | { kind: 'null' };

const enum St {
  TopValue,
  ArrayStart,
  ArrayValue,
  ArrayComma,
  ObjectStart,
  ObjectKey,
  ObjectColon,
  ObjectValue,
  ObjectComma,
}

function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

/**
 * The deepest nesting cty's jsondecode reads (Go's encoding/json scanner
 * stops one level past it): deeper text fails as Packer's does.
 */
export const JSONDECODE_MAX_DEPTH = 10_001;

class Decoder {
  private i = 0;
  private state: St = St.TopValue;
  private stack: St[] = [];
  /** The outermost value's opening delimiter. */
  private outer = 0;
  /** `maxDepth`: nesting past it fails with Go's "exceeded max depth" (jsondecode). */
  constructor(private readonly buf: Buffer, private readonly maxDepth = Infinity) {}

  private peek(): number | undefined {
    while (this.i < this.buf.length) {
      const c = this.buf[this.i];
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else return c;
    }
    return undefined;
  }
  more(): boolean {
    const c = this.peek();
    return c !== undefined && c !== 0x5d && c !== 0x7d;
  }
  private tokenError(c: number): never {
    let ctx = '';
    switch (this.state) {
      case St.TopValue:
      case St.ArrayStart:
      case St.ArrayValue:
      case St.ObjectValue:
        ctx = ' looking for beginning of value';
        break;
      case St.ArrayComma:
        ctx = ' after array element';
        break;
      case St.ObjectKey:
        ctx = ' looking for beginning of object key string';
        break;
      case St.ObjectColon:
        ctx = ' after object key';
        break;
      case St.ObjectComma:
        ctx = ' after object key:value pair';
        break;
    }
    throw new CtyError(`invalid character ${quoteChar(c)}${ctx}`);
  }
  private valueAllowed(): boolean {
    return this.state === St.TopValue || this.state === St.ArrayStart || this.state === St.ArrayValue || this.state === St.ObjectValue;
  }
  private valueEnd(): void {
    if (this.state === St.ArrayStart || this.state === St.ArrayValue) this.state = St.ArrayComma;
    else if (this.state === St.ObjectValue) this.state = St.ObjectComma;
  }
  token(): Tok {
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new CtyError('EOF');
      switch (c) {
        case 0x5b: // [
        case 0x7b: // {
          if (!this.valueAllowed()) this.tokenError(c);
          if (this.stack.length >= this.maxDepth) {
            // Go reports the outermost value and the character past its depth limit
            throw new CtyError(`failed to read ${this.outer === 0x5b ? 'tuple' : 'object'} value: invalid character ${quoteChar(c)} exceeded max depth`);
          }
          if (this.stack.length === 0) this.outer = c;
          this.i++;
          this.stack.push(this.state);
          this.state = c === 0x5b ? St.ArrayStart : St.ObjectStart;
          return { kind: 'delim', c: String.fromCharCode(c) };
        case 0x5d: // ]
          if (this.state !== St.ArrayStart && this.state !== St.ArrayComma) this.tokenError(c);
          this.i++;
          this.state = this.stack.pop()!;
          this.valueEnd();
          return { kind: 'delim', c: ']' };
        case 0x7d: // }
          if (this.state !== St.ObjectStart && this.state !== St.ObjectComma) this.tokenError(c);
          this.i++;
          this.state = this.stack.pop()!;
          this.valueEnd();
          return { kind: 'delim', c: '}' };
        case 0x3a: // :
          if (this.state !== St.ObjectColon) this.tokenError(c);
          this.i++;
          this.state = St.ObjectValue;
          continue;
        case 0x2c: // ,
          if (this.state === St.ArrayComma) {
            this.i++;
            this.state = St.ArrayValue;
            continue;
          }
          if (this.state === St.ObjectComma) {
            this.i++;
            this.state = St.ObjectKey;
            continue;
          }
          return this.tokenError(c);
        default: {
          if (c === 0x22 && (this.state === St.ObjectStart || this.state === St.ObjectKey)) {
            const s = this.readString();
            this.state = St.ObjectColon;
            return { kind: 'string', s };
          }
          if (!this.valueAllowed()) this.tokenError(c);
          const t = this.readPrimitive();
          this.valueEnd();
          return t;
        }
      }
    }
  }
  private unexpectedEof(): never {
    throw new CtyError('unexpected EOF');
  }
  private readPrimitive(): Tok {
    const c = this.buf[this.i];
    if (c === 0x22) return { kind: 'string', s: this.readString() };
    if (c === 0x74) return this.literal('true', { kind: 'bool', b: true });
    if (c === 0x66) return this.literal('false', { kind: 'bool', b: false });
    if (c === 0x6e) return this.literal('null', { kind: 'null' });
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return { kind: 'number', s: this.readNumber() };
    throw new CtyError(`invalid character ${quoteChar(c)} looking for beginning of value`);
  }
  private literal(word: string, t: Tok): Tok {
    for (let k = 0; k < word.length; k++) {
      if (this.i >= this.buf.length) this.unexpectedEof();
      if (this.buf[this.i] !== word.charCodeAt(k)) throw new CtyError(`invalid character ${quoteChar(this.buf[this.i])} in literal ${word} (expecting '${word[k]}')`);
      this.i++;
    }
    return t;
  }
  private readNumber(): string {
    const start = this.i;
    const b = this.buf;
    const digit = (x: number | undefined) => x !== undefined && x >= 0x30 && x <= 0x39;
    if (b[this.i] === 0x2d) {
      this.i++;
      if (this.i >= b.length) this.unexpectedEof();
      if (!digit(b[this.i])) throw new CtyError(`invalid character ${quoteChar(b[this.i])} in numeric literal`);
    }
    if (b[this.i] === 0x30) this.i++;
    else while (digit(b[this.i])) this.i++;
    if (b[this.i] === 0x2e) {
      this.i++;
      if (this.i >= b.length) this.unexpectedEof();
      if (!digit(b[this.i])) throw new CtyError(`invalid character ${quoteChar(b[this.i])} after decimal point in numeric literal`);
      while (digit(b[this.i])) this.i++;
    }
    if (b[this.i] === 0x65 || b[this.i] === 0x45) {
      this.i++;
      if (b[this.i] === 0x2b || b[this.i] === 0x2d) this.i++;
      if (this.i >= b.length) this.unexpectedEof();
      if (!digit(b[this.i])) throw new CtyError(`invalid character ${quoteChar(b[this.i])} in exponent of numeric literal`);
      while (digit(b[this.i])) this.i++;
    }
    return b.subarray(start, this.i).toString('latin1');
  }
  private readString(): string {
    const b = this.buf;
    this.i++; // opening quote
    let out = '';
    let segStart = this.i;
    for (;;) {
      if (this.i >= b.length) this.unexpectedEof();
      const c = b[this.i];
      if (c === 0x22) {
        out += b.subarray(segStart, this.i).toString('utf8');
        this.i++;
        return out;
      }
      if (c < 0x20) throw new CtyError(`invalid character ${quoteChar(c)} in string literal`);
      if (c === 0x5c) {
        out += b.subarray(segStart, this.i).toString('utf8');
        this.i++;
        if (this.i >= b.length) this.unexpectedEof();
        const e = b[this.i];
        const simple: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
        if (e in simple) {
          out += simple[e];
          this.i++;
        } else if (e === 0x75) {
          this.i++;
          const readHex = (): number => {
            let v = 0;
            for (let k = 0; k < 4; k++) {
              if (this.i >= b.length) this.unexpectedEof();
              const h = b[this.i];
              const d = h >= 0x30 && h <= 0x39 ? h - 0x30 : h >= 0x61 && h <= 0x66 ? h - 0x57 : h >= 0x41 && h <= 0x46 ? h - 0x37 : -1;
              if (d < 0) throw new CtyError(`invalid character ${quoteChar(h)} in \\u hexadecimal character escape`);
              v = v * 16 + d;
              this.i++;
            }
            return v;
          };
          const u = readHex();
          if (u >= 0xd800 && u < 0xdc00 && b[this.i] === 0x5c && b[this.i + 1] === 0x75) {
            const save = this.i;
            this.i += 2;
            const u2 = readHex();
            if (u2 >= 0xdc00 && u2 < 0xe000) out += String.fromCharCode(u, u2);
            else {
              out += '\ufffd';
              this.i = save;
            }
          } else if (u >= 0xd800 && u < 0xe000) out += '\ufffd';
          else out += String.fromCharCode(u);
        } else throw new CtyError(`invalid character ${quoteChar(e)} in string escape code`);
        segStart = this.i;
        continue;
      }
      this.i++;
    }
  }
}

type Node = { t: 'prim'; v: Value } | { t: 'arr'; items: Node[] } | { t: 'obj'; items: Map<string, Node> };

function readNode(dec: Decoder, tok: Tok): Node {
  switch (tok.kind) {
    case 'string':
      return { t: 'prim', v: stringVal(tok.s) };
    case 'number':
      return { t: 'prim', v: parseNumberVal(tok.s) };
    case 'bool':
      return { t: 'prim', v: boolVal(tok.b) };
    case 'null':
      return { t: 'prim', v: nullVal(T.Dynamic) };
    case 'delim':
      if (tok.c === '[') {
        const items: Node[] = [];
        for (;;) {
          const t = dec.token();
          if (t.kind === 'delim' && t.c === ']') return { t: 'arr', items };
          items.push(readNode(dec, t));
        }
      }
      if (tok.c === '{') {
        const items = new Map<string, Node>();
        for (;;) {
          const k = dec.token();
          if (k.kind === 'delim' && k.c === '}') return { t: 'obj', items };
          if (k.kind !== 'string') throw new CtyError(`expected string but found ${k.kind}`);
          const v = dec.token();
          items.set(k.s, readNode(dec, v));
        }
      }
      throw new CtyError(`unexpected token ${JSON.stringify(tok.c)}`);
  }
}

function nodeValue(n: Node): Value {
  if (n.t === 'prim') return n.v;
  if (n.t === 'arr') return tupleVal(n.items.map(nodeValue));
  const m = new Map<string, Value>();
  for (const [k, v] of n.items) m.set(k, nodeValue(v));
  return objectVal(m);
}

/** ctyjson.ImpliedType + Unmarshal: the value of JSON text with its implied type
 * (objects, tuples, numbers at 512 bits, null as a dynamic null). */
export function decodeJsonImplied(text: string): Value {
  const dec = new Decoder(Buffer.from(text, 'utf8'), JSONDECODE_MAX_DEPTH);
  const n = readNode(dec, dec.token());
  if (dec.more()) throw new CtyError('extraneous data after JSON object');
  return nodeValue(n);
}

/** ctyjson.Unmarshal(buf, t): JSON text decoded as the given type. */
export function unmarshalJson(text: string, t: Type): Value {
  const dec = new Decoder(Buffer.from(text, 'utf8'));
  const n = readNode(dec, dec.token());
  if (dec.more()) throw new CtyError('extraneous data after JSON object');
  return fromNode(n, t);
}

function fromNode(n: Node, t: Type): Value {
  if (n.t === 'prim' && n.v.isNull()) return nullVal(t);
  switch (t.kind) {
    case 'dynamic': {
      if (n.t !== 'obj') throw new CtyError('missing type in dynamically-typed value');
      const tn = n.items.get('type');
      const vn = n.items.get('value');
      if (!tn) throw new CtyError('missing type in dynamically-typed value');
      if (!vn) throw new CtyError('missing value in dynamically-typed value');
      const ty = typeFromJsonValue(nodeToPlain(tn));
      return fromNode(vn, ty);
    }
    case 'string':
    case 'number':
    case 'bool': {
      if (n.t !== 'prim') throw new CtyError(`${t.kind} is required`);
      if (t.kind === 'number' && n.v.type.kind === 'number') return n.v;
      if (t.kind === 'bool' && n.v.type.kind === 'bool') return n.v;
      if (t.kind === 'string' && n.v.type.kind === 'string') return n.v;
      if (t.kind === 'number' && n.v.type.kind === 'string') {
        const f = BigFloat.parse(n.v.asString());
        if (f) return new Value(T.Number, f);
      }
      throw new CtyError(`${t.kind} is required`);
    }
    case 'list':
    case 'set': {
      if (n.t !== 'arr') throw new CtyError(`failed to read ${t.kind} value: missing expected [`);
      const vals = n.items.map((e) => fromNode(e, t.elem));
      if (t.kind === 'list') return vals.length ? listVal(vals) : listValEmpty(t.elem);
      return vals.length ? setVal(vals) : setValEmpty(t.elem);
    }
    case 'tuple': {
      if (n.t !== 'arr') throw new CtyError('failed to read tuple value: missing expected [');
      if (n.items.length > t.elems.length) throw new CtyError(`too many tuple elements (need ${t.elems.length})`);
      if (n.items.length < t.elems.length) throw new CtyError(`not enough tuple elements (need ${t.elems.length})`);
      return tupleVal(n.items.map((e, i) => fromNode(e, t.elems[i])));
    }
    case 'map': {
      if (n.t !== 'obj') throw new CtyError('failed to read map value: missing expected {');
      const m = new Map<string, Value>();
      for (const [k, e] of n.items) m.set(k, fromNode(e, t.elem));
      return m.size ? mapVal(m) : mapValEmpty(t.elem);
    }
    case 'object': {
      if (n.t !== 'obj') throw new CtyError('failed to read object value: missing expected {');
      const m = new Map<string, Value>();
      for (const [k, e] of n.items) {
        if (!(k in t.attrs)) throw new CtyError(`unsupported attribute ${JSON.stringify(k)}`);
        m.set(k, fromNode(e, t.attrs[k]));
      }
      for (const k of Object.keys(t.attrs)) if (!m.has(k)) m.set(k, nullVal(t.attrs[k]));
      return objectVal(m);
    }
  }
}

function nodeToPlain(n: Node): unknown {
  if (n.t === 'prim') return n.v.isNull() ? null : n.v.type.kind === 'string' ? n.v.asString() : n.v.type.kind === 'bool' ? n.v.asBool() : n.v.asNumber();
  if (n.t === 'arr') return n.items.map(nodeToPlain);
  const o: Record<string, unknown> = {};
  for (const [k, v] of n.items) o[k] = nodeToPlain(v);
  return o;
}

export { DynamicVal, convert };
