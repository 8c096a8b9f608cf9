/**
 * A JSON reader that reports errors as Packer (Go's encoding/json) does:
 * same messages, same byte offsets, and the `At line L, column C` excerpt
 * with a caret. It also rejects duplicate keys ("template has duplicate field").
 */

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

function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  if (c < 0x20) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

/** Parses `text`. Throws JsonSyntaxError or JsonDuplicateKeyError. */
export function parseJson(text: string): unknown {
  const buf = Buffer.from(text, 'utf8');
  let i = 0;
  const n = buf.length;
  const fail = (ctx: string): never => {
    if (i >= n) throw new JsonSyntaxError('unexpected end of JSON input', n);
    throw new JsonSyntaxError(`invalid character ${quoteChar(buf[i]!)} ${ctx}`, i + 1);
  };
  const ws = () => {
    while (i < n) {
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
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
          for (let k = 1; k <= 4; k++) {
            if (i + k >= n) { i += k; fail(''); }
            if (!/[0-9a-fA-F]/.test(String.fromCharCode(buf[i + k]!))) { i += k; fail('in \\u hexadecimal character escape'); }
          }
          i += 4;
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) fail('in string escape code');
      }
      i++;
    }
    const raw = buf.toString('utf8', start, i);
    i++;
    return simple ? raw : (JSON.parse(`"${raw}"`) as string);
  };
  const num = (): number => {
    const start = i;
    if (buf[i] === 0x2d) { i++; if (i >= n) fail(''); if (!(buf[i]! >= 0x30 && buf[i]! <= 0x39)) fail('in numeric literal'); }
    if (buf[i] === 0x30) i++;
    else while (i < n && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
    if (buf[i] === 0x2e) {
      i++;
      if (i >= n) fail('');
      if (!(buf[i]! >= 0x30 && buf[i]! <= 0x39)) fail('after decimal point in numeric literal');
      while (i < n && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
    }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      if (i >= n) fail('');
      if (!(buf[i]! >= 0x30 && buf[i]! <= 0x39)) fail('in exponent of numeric literal');
      while (i < n && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
    }
    return Number(buf.toString('latin1', start, i));
  };
  let duplicate: string | undefined;
  const value = (): unknown => {
    ws();
    if (i >= n) fail('');
    const c = buf[i]!;
    if (c === 0x7b) {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (buf[i] === 0x7d) { i++; return obj; }
      while (true) {
        ws();
        if (buf[i] !== 0x22) fail('looking for beginning of object key string');
        const key = str();
        ws();
        if (buf[i] !== 0x3a) fail('after object key');
        i++;
        const v = value();
        if (Object.prototype.hasOwnProperty.call(obj, key)) duplicate ??= key;
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (buf[i] === 0x2c) { i++; continue; }
        if (buf[i] === 0x7d) { i++; return obj; }
        fail('after object key:value pair');
      }
    }
    if (c === 0x5b) {
      i++;
      const arr: unknown[] = [];
      ws();
      if (buf[i] === 0x5d) { i++; return arr; }
      while (true) {
        arr.push(value());
        ws();
        if (buf[i] === 0x2c) { i++; continue; }
        if (buf[i] === 0x5d) { i++; return arr; }
        fail('after array element');
      }
    }
    if (c === 0x22) return str();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return num();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    return fail('looking for beginning of value');
  };
  // Go reads a UTF-8 BOM as an invalid character too.
  const result = value();
  ws();
  if (i < n) fail('after top-level value');
  if (duplicate !== undefined) throw new JsonDuplicateKeyError(duplicate);
  return result;
}

/** Packer's error excerpt: previous line, the line, and a caret under the offset. */
export function highlightPosition(text: string, offset: number): { line: number; col: number; highlight: string } {
  const buf = Buffer.from(text, 'utf8');
  let line = 1;
  let col = 0;
  let lastLine = '';
  let lineStart = 0;
  let k = 0;
  for (; k < offset && k < buf.length; k++) {
    if (buf[k] === 0x0a) {
      lastLine = buf.toString('utf8', lineStart, k);
      lineStart = k + 1;
      line++;
      col = 1;
    } else col++;
  }
  const thisLine = buf.toString('utf8', lineStart, k);
  const pad = (x: number) => String(x).padStart(5, ' ');
  let highlight = '';
  if (line > 1) highlight += `${pad(line - 1)}: ${lastLine}\n`;
  highlight += `${pad(line)}: ${thisLine}\n`;
  highlight += `${' '.repeat(col + 5)}^\n`;
  return { line, col, highlight };
}
