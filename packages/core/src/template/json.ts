/**
 * A JSON reader that reports errors as Packer (Go's encoding/json) does:
 * same messages, same byte offsets, and the `At line L, column C` excerpt
 * with a caret. It also rejects duplicate keys ("template has duplicate field").
 */
import { decodeGoText, decodeRawText } from '@packer-ts/sdk';

export class JsonSyntaxError extends Error {
  /** Bytes read when the error was found (Go's SyntaxError.Offset). */
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export class JsonDuplicateKeyError extends Error {
  constructor(readonly key: string) {
    super(`template has duplicate field: ${key}`);
  }
}

/** strconv.Quote's one-letter escapes (\a \b \t \n \v \f \r). */
const GO_SHORT_ESCAPES: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };

/** Go's quoting of the offending byte in scanner errors. */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const short = GO_SHORT_ESCAPES[c];
  if (short) return `'\\${short}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if (c >= 0x80 && c < 0xa0) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** The JSON kind Go's json.UnmarshalTypeError names: "bool", "number", "string", "array", "object" ("null"). */
export function jsonKind(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'number' ? 'number' : 'string';
}

/** Replaces unpaired surrogates by U+FFFD, as Go's decoder does. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Go's encoding/json nesting limit (scanner.go maxNestingDepth). */
export const MAX_NESTING_DEPTH = 10_000;

export interface ScanOptions {
  /**
   * Read like Go's streaming json.Decoder (`packer fix`, var files): empty input
   * is "EOF", input ending inside a value "unexpected EOF", and what follows the
   * first value is not read. Otherwise like json.Unmarshal (templates).
   */
  stream?: boolean;
}

export interface Scanned {
  value: unknown;
  /** The first key that appeared twice in one object (the later value is kept). */
  duplicateKey?: string;
  /** Go's error for a number that does not fit a float64, if any. */
  numberError?: string;
}

/** Reads one JSON value (from the file's bytes, or text) with Go's error messages and offsets. Throws JsonSyntaxError. */
export function scanJson(text: string | Buffer, opts: ScanOptions = {}): Scanned {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let i = 0;
  const n = buf.length;
  const stream = opts.stream ?? false;
  const fail = (ctx: string): never => {
    if (i >= n) throw new JsonSyntaxError(stream ? 'unexpected EOF' : 'unexpected end of JSON input', n);
    throw new JsonSyntaxError(`invalid character ${quoteChar(buf[i]!)} ${ctx}`, i + 1);
  };
  const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
  const ws = () => {
    while (i < n && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  };
  const literal = (word: string, value: unknown): unknown => {
    for (let k = 0; k < word.length; k++) {
      if (i >= n) fail('');
      if (buf[i] !== word.charCodeAt(k)) fail(`in literal ${word} (expecting '${word[k]}')`);
      i++;
    }
    return value;
  };
  const str = (): string => {
    const start = ++i; // after opening quote
    let simple = true;
    while (true) {
      if (i >= n) fail('');
      const c = buf[i]!;
      if (c === 0x22) break;
      if (c < 0x20) fail('in string literal');
      if (c === 0x5c) {
        simple = false;
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
    const raw = decodeGoText(buf, start, i);
    i++;
    return simple ? raw : wellFormed(JSON.parse(`"${raw}"`) as string);
  };
  let numberError: string | undefined;
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
      numberError ??= `json: cannot unmarshal number ${lit} into Go value of type float64`;
      return 0;
    }
    return v;
  };
  let duplicateKey: string | undefined;
  const scalar = (c: number): unknown => {
    if (c === 0x22) return str();
    if (c === 0x2d || isDigit(c)) return num();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    return fail('looking for beginning of value');
  };
  const objectKey = (): string => {
    ws();
    if (buf[i] !== 0x22) fail('looking for beginning of object key string');
    const key = str();
    ws();
    if (buf[i] !== 0x3a) fail('after object key');
    i++;
    return key;
  };
  type Frame = { obj: Record<string, unknown>; key: string; arr?: undefined } | { arr: unknown[]; obj?: undefined };
  /** Reads one value without recursion: the open objects and arrays are on `stack`. */
  const value = (): unknown => {
    const stack: Frame[] = [];
    for (;;) {
      ws();
      if (i >= n) fail('');
      const c = buf[i]!;
      let v: unknown;
      if (c === 0x7b || c === 0x5b) {
        if (stack.length >= MAX_NESTING_DEPTH) fail('exceeded max depth');
        i++;
        ws();
        if (c === 0x7b) {
          if (buf[i] !== 0x7d) { stack.push({ obj: {}, key: objectKey() }); continue; }
          i++;
          v = {};
        } else {
          if (buf[i] !== 0x5d) { stack.push({ arr: [] }); continue; }
          i++;
          v = [];
        }
      } else v = scalar(c);
      // hand the value to the enclosing containers, closing those that end here
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return v;
        ws();
        if (top.arr) {
          top.arr.push(v);
          if (buf[i] === 0x2c) { i++; break; }
          if (buf[i] !== 0x5d) fail('after array element');
          i++;
          stack.pop();
          v = top.arr;
        } else {
          if (Object.prototype.hasOwnProperty.call(top.obj, top.key)) duplicateKey ??= top.key;
          Object.defineProperty(top.obj, top.key, { value: v, enumerable: true, writable: true, configurable: true });
          if (buf[i] === 0x2c) { i++; top.key = objectKey(); break; }
          if (buf[i] !== 0x7d) fail('after object key:value pair');
          i++;
          stack.pop();
          v = top.obj;
        }
      }
    }
  };
  ws();
  if (stream && i >= n) throw new JsonSyntaxError('EOF', n);
  const result = value();
  if (!stream) {
    ws();
    if (i < n) fail('after top-level value');
  }
  return { value: result, duplicateKey, numberError };
}

/** Parses a template the way json.Unmarshal does, then rejects duplicate keys like Packer. */
export function parseJson(text: string | Buffer): unknown {
  const { value, duplicateKey, numberError } = scanJson(text);
  if (numberError !== undefined) throw new Error(numberError);
  if (duplicateKey !== undefined) throw new JsonDuplicateKeyError(duplicateKey);
  return value;
}

/**
 * Packer's error excerpt: previous line, the line, and a caret under the offset. Go prints the
 * bytes as they are (a character the offset cuts, bytes that are not UTF-8): the excerpt carries
 * them as raw bytes (decodeRawText), which the Ui writes back unchanged.
 */
export function highlightPosition(text: string | Buffer, offset: number): { line: number; col: number; highlight: string } {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let line = 1;
  let col = 0;
  let lastLine = '';
  let lineStart = 0;
  let k = 0;
  for (; k < offset && k < buf.length; k++) {
    if (buf[k] === 0x0a) {
      lastLine = decodeRawText(buf, lineStart, k);
      lineStart = k + 1;
      line++;
      col = 1;
    } else col++;
  }
  const thisLine = decodeRawText(buf, lineStart, k);
  const pad = (x: number) => String(x).padStart(5, ' ');
  let highlight = '';
  if (line > 1) highlight += `${pad(line - 1)}: ${lastLine}\n`;
  highlight += `${pad(line)}: ${thisLine}\n`;
  highlight += `${' '.repeat(col + 5)}^\n`;
  return { line, col, highlight };
}
