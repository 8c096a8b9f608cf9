/**
 * JSON as `packer fix` reads and writes it: one value read like a streaming
 * decoder into a generic map (later duplicate keys win, bytes after the first
 * value are ignored, numbers are float64), and written back with sorted keys,
 * two-space indentation and Packer's escaping.
 */

/** A decoding error, with the message Packer prints after "Error parsing template: ". */
export class GoJsonError extends Error {}

/** Replaces unpaired surrogates by U+FFFD. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

function goKind(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'number' ? 'number' : typeof v;
}

/**
 * Decodes the first JSON value of `text` into a map. Throws GoJsonError with
 * the decoder's messages ("EOF", "unexpected EOF", "invalid character ...",
 * "json: cannot unmarshal ...").
 */
export function decodeTemplateMap(text: string): Record<string, Json> {
  const buf = Buffer.from(text, 'utf8');
  const n = buf.length;
  let i = 0;
  let typeError: string | undefined;
  const ws = () => {
    while (i < n && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  };
  const fail = (ctx: string): never => {
    if (i >= n) throw new GoJsonError('unexpected EOF');
    throw new GoJsonError(`invalid character ${quoteChar(buf[i]!)} ${ctx}`);
  };
  const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
  const literal = (word: string, value: Json): Json => {
    for (let k = 0; k < word.length; k++) {
      if (i >= n) fail('');
      if (buf[i] !== word.charCodeAt(k)) fail(`in literal ${word} (expecting '${word[k]}')`);
      i++;
    }
    return value;
  };
  const str = (): string => {
    const start = ++i;
    while (true) {
      if (i >= n) fail('');
      const c = buf[i]!;
      if (c === 0x22) break;
      if (c < 0x20) fail('in string literal');
      if (c === 0x5c) {
        i++;
        if (i >= n) fail('');
        const e = buf[i]!;
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) fail('');
            if (!/[0-9a-fA-F]/.test(String.fromCharCode(buf[i]!))) fail('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) fail('in string escape code');
      }
      i++;
    }
    const raw = buf.toString('utf8', start, i);
    i++;
    // Unpaired surrogates decode to U+FFFD, as in Go.
    const s = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    return wellFormed(s);
  };
  const num = (): number => {
    const start = i;
    if (buf[i] === 0x2d) {
      i++;
      if (i >= n) fail('');
      if (!isDigit(buf[i])) fail('in numeric literal');
    }
    if (buf[i] === 0x30) i++;
    else while (isDigit(buf[i])) i++;
    if (buf[i] === 0x2e) {
      i++;
      if (i >= n) fail('');
      if (!isDigit(buf[i])) fail('after decimal point in numeric literal');
      while (isDigit(buf[i])) i++;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      if (i >= n) fail('');
      if (!isDigit(buf[i])) fail('in exponent of numeric literal');
      while (isDigit(buf[i])) i++;
    }
    const lit = buf.toString('latin1', start, i);
    const v = Number(lit);
    if (!Number.isFinite(v)) {
      typeError ??= `json: cannot unmarshal number ${lit} into Go value of type float64`;
      return 0;
    }
    return v;
  };
  const value = (): Json => {
    ws();
    if (i >= n) fail('');
    const c = buf[i]!;
    if (c === 0x7b) {
      i++;
      const obj: { [k: string]: Json } = {};
      ws();
      if (i >= n) fail('');
      if (buf[i] === 0x7d) { i++; return obj; }
      while (true) {
        ws();
        if (i >= n) fail('');
        if (buf[i] !== 0x22) fail('looking for beginning of object key string');
        const key = str();
        ws();
        if (i >= n) fail('');
        if (buf[i] !== 0x3a) fail('after object key');
        i++;
        const v = value();
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (i >= n) fail('');
        if (buf[i] === 0x2c) { i++; continue; }
        if (buf[i] === 0x7d) { i++; return obj; }
        fail('after object key:value pair');
      }
    }
    if (c === 0x5b) {
      i++;
      const arr: Json[] = [];
      ws();
      if (i >= n) fail('');
      if (buf[i] === 0x5d) { i++; return arr; }
      while (true) {
        arr.push(value());
        ws();
        if (i >= n) fail('');
        if (buf[i] === 0x2c) { i++; continue; }
        if (buf[i] === 0x5d) { i++; return arr; }
        fail('after array element');
      }
    }
    if (c === 0x22) return str();
    if (c === 0x2d || isDigit(c)) return num();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    return fail('looking for beginning of value');
  };

  ws();
  if (i >= n) throw new GoJsonError('EOF');
  // What follows the first value is not read.
  const v = value();
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new GoJsonError(`json: cannot unmarshal ${goKind(v)} into Go value of type map[string]interface {}`);
  }
  if (typeError !== undefined) throw new GoJsonError(typeError);
  return v;
}

/** Go's float64 encoding: shortest form, exponent outside [1e-6, 1e21). */
function formatNumber(v: number): string {
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

const HEX = '0123456789abcdef';

/** Go's string encoding with HTML escaping (<, >, & as \u00XX). */
function quote(s: string): string {
  let out = '"';
  for (const ch of wellFormed(s)) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += ch;
  }
  return out + '"';
}

/** Sorts keys by their UTF-8 bytes, as Go sorts map keys. */
function sortedKeys(o: object): string[] {
  return Object.keys(o).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

function encode(v: unknown, indent: string, out: string[]): void {
  if (v === null || v === undefined) { out.push('null'); return; }
  if (typeof v === 'boolean') { out.push(v ? 'true' : 'false'); return; }
  if (typeof v === 'number') { out.push(formatNumber(v)); return; }
  if (typeof v === 'string') { out.push(quote(v)); return; }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) { out.push('[]'); return; }
    out.push('[\n');
    v.forEach((e, k) => {
      out.push(inner);
      encode(e, inner, out);
      out.push(k + 1 < v.length ? ',\n' : '\n');
    });
    out.push(indent + ']');
    return;
  }
  const keys = sortedKeys(v as object);
  if (keys.length === 0) { out.push('{}'); return; }
  out.push('{\n');
  keys.forEach((k, idx) => {
    out.push(inner, quote(k), ': ');
    encode((v as Record<string, unknown>)[k], inner, out);
    out.push(idx + 1 < keys.length ? ',\n' : '\n');
  });
  out.push(indent + '}');
}

/**
 * The text `packer fix` prints: the value encoded with sorted keys and
 * two-space indentation, a trailing newline, and `\u003c`/`\u003e` turned
 * back into `<`/`>` (`&` stays escaped).
 */
export function encodeFixed(v: unknown): string {
  const out: string[] = [];
  encode(v, '', out);
  return (out.join('') + '\n').replaceAll('\\u003c', '<').replaceAll('\\u003e', '>');
}
