// Scanner and parser of HCL's JSON syntax (json/spec.md), with the
// positions and diagnostics of hashicorp/hcl's json package.

import { handOffDeepNesting, isStackOverflow, nestingLimit, NestingLimitReached, tooDeepDiag } from '../deep.ts';
import { errorDiag, type Diagnostic } from '../diag.ts';
import { graphemes, rangeBetween, type Pos, type Range } from '../range.ts';
import type { JsonAttr, JsonNode } from './ast.ts';
import { jsonStartRange } from './ast.ts';
import { nameSuggestion } from '../syntax/parser.ts';

type Tok = '{' | '}' | '[' | ']' | ',' | ':' | '=' | 'K' | 'S' | 'N' | 'EOF' | 'INVALID';

interface Token {
  type: Tok;
  text: string;
  range: Range;
}

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function utf8Len(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

function scan(src: string, filename: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let byte = 0;
  let line = 1;
  let col = 1;
  const pos = (): Pos => ({ byte, line, column: col });
  const n = src.length;
  for (;;) {
    // whitespace
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 0x20) {
        byte++;
        col++;
      } else if (c === 0x0a) {
        byte++;
        col = 1;
        line++;
      } else if (c === 0x0d) byte++;
      else if (c === 0x09) {
        byte++;
        col += 2;
      } else break;
      i++;
    }
    const start = pos();
    if (i >= n) {
      tokens.push({ type: 'EOF', text: '', range: { filename, start, end: start } });
      return tokens;
    }
    const c = src.charCodeAt(i);
    const ch = src[i]!;
    if ('{}[],:='.includes(ch)) {
      i++;
      byte++;
      col++;
      tokens.push({ type: ch as Tok, text: ch, range: { filename, start, end: pos() } });
      continue;
    }
    if (c === 0x22) {
      const s0 = i;
      i++;
      byte++;
      col++;
      let escaping = false;
      while (i < n) {
        const b = src.charCodeAt(i);
        if (b === 0x5c) {
          escaping = !escaping;
          i++;
          byte++;
          col++;
        } else if (b === 0x22) {
          i++;
          byte++;
          col++;
          if (!escaping) break;
          escaping = false;
        } else if (b < 32) break;
        else {
          // one grapheme cluster
          let j = i;
          const cp = src.codePointAt(j)!;
          if (cp < 0x80 && (j + 1 >= n || src.charCodeAt(j + 1) < 0x80)) {
            j++;
            byte++;
          } else {
            // take the cluster starting here
            const seg = graphemes(src.slice(i, Math.min(n, i + 32)))[0]!;
            j = i + seg.length;
            for (const x of seg) byte += utf8Len(x.codePointAt(0)!);
          }
          col++;
          i = j;
          escaping = false;
        }
      }
      tokens.push({ type: 'S', text: src.slice(s0, i), range: { filename, start, end: pos() } });
      continue;
    }
    if ('-+.0123456789'.includes(ch)) {
      const s0 = i;
      while (i < n && '-+.eE0123456789'.includes(src[i]!)) {
        i++;
        byte++;
        col++;
      }
      tokens.push({ type: 'N', text: src.slice(s0, i), range: { filename, start, end: pos() } });
      continue;
    }
    if (isAlpha(c)) {
      const s0 = i;
      while (i < n && (isAlpha(src.charCodeAt(i)) || src[i] === '_')) {
        i++;
        byte++;
        col++;
      }
      tokens.push({ type: 'K', text: src.slice(s0, i), range: { filename, start, end: pos() } });
      continue;
    }
    const cp = src.codePointAt(i)!;
    tokens.push({ type: 'INVALID', text: String.fromCodePoint(cp), range: { filename, start, end: { byte: byte + 1, line, column: col + 1 } } });
    byte++;
    col++;
    const p = pos();
    tokens.push({ type: 'EOF', text: '', range: { filename, start: p, end: p } });
    return tokens;
  }
}

/** Decodes a JSON string token; on error, the byte offset Go's decoder reports. */
function decodeString(text: string): { value: string } | { errOffset: number } {
  // validate like Go's scanner, tracking the byte count at the failing byte
  let bytes = 0;
  let i = 1;
  bytes = 1;
  if (text.length < 2 || text[text.length - 1] !== '"') {
    // unterminated: Go reports end of input
  }
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const cp = text.codePointAt(i)!;
    bytes += utf8Len(cp);
    if (c === 0x22) {
      if (i !== text.length - 1) return { errOffset: bytes + 1 };
      try {
        return { value: JSON.parse(text) as string };
      } catch {
        return { errOffset: bytes };
      }
    }
    if (c < 0x20) return { errOffset: bytes };
    if (c === 0x5c) {
      i++;
      if (i >= text.length) break;
      const e = text[i]!;
      bytes++;
      if ('"\\/bfnrt'.includes(e)) {
        i++;
        continue;
      }
      if (e === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) {
          bytes++;
          if (i >= text.length || !/[0-9a-fA-F]/.test(text[i]!)) return { errOffset: i >= text.length ? bytes - 1 : bytes };
        }
        continue;
      }
      return { errOffset: bytes };
    }
    i += cp > 0xffff ? 2 : 1;
  }
  return { errOffset: bytes };
}

class Peeker {
  i = 0;
  // nesting depth of objects and arrays, and where to stop (deep.ts)
  depth = 0;
  readonly limit = nestingLimit();
  constructor(readonly tokens: Token[]) {}
  peek(): Token {
    return this.tokens[this.i]!;
  }
  read(): Token {
    const t = this.tokens[this.i]!;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
}

const keywordSuggestions = ['false', 'true', 'null'];

function parseValue(p: Peeker, diags: Diagnostic[]): JsonNode | undefined {
  const tok = p.peek();
  let n: JsonNode | undefined;
  switch (tok.type) {
    case '{':
      if (++p.depth > p.limit) throw new NestingLimitReached();
      n = parseObject(p, diags);
      p.depth--;
      break;
    case '[':
      if (++p.depth > p.limit) throw new NestingLimitReached();
      n = parseArray(p, diags);
      p.depth--;
      break;
    case 'N':
      n = parseNumber(p, diags);
      break;
    case 'S':
      n = parseStringTok(p, diags);
      break;
    case 'K':
      n = parseKeyword(p, diags);
      break;
    case '}':
      diags.push(errorDiag('Missing JSON value', 'A JSON value must start with a brace, a bracket, a number, a string, or a keyword.', tok.range));
      break;
    case ']':
      diags.push(errorDiag('Missing array element value', 'A JSON value must start with a brace, a bracket, a number, a string, or a keyword.', tok.range));
      break;
    case 'EOF':
      diags.push(errorDiag('Missing value', 'The JSON data ends prematurely.', tok.range));
      break;
    default:
      diags.push(errorDiag('Invalid start of value', 'A JSON value must start with a brace, a bracket, a number, a string, or a keyword.', tok.range));
  }
  return n;
}

// parseValue as hcl does it: an invalid node stands in for a failed value
function parseValueOrInvalid(p: Peeker, diags: Diagnostic[]): JsonNode {
  const tok = p.peek();
  return parseValue(p, diags) ?? { t: 'invalid', range: tok.range };
}

function recoverTo(p: Peeker, tok: Token, openT: Tok, closeT: Tok): void {
  let open = 1;
  for (;;) {
    if (tok.type === openT) open++;
    else if (tok.type === closeT) {
      open--;
      if (open <= 1) return;
    } else if (tok.type === 'EOF') return;
    tok = p.read();
  }
}

function parseObject(p: Peeker, diags: Diagnostic[]): JsonNode | undefined {
  const open = p.read();
  const attrs: JsonAttr[] = [];
  for (;;) {
    if (p.peek().type === '}') break;
    const key = parseValueOrInvalid(p, diags);
    if (key.t !== 'string') {
      diags.push(errorDiag('Invalid object property name', 'A JSON object property name must be a string', jsonStartRange(key)));
      return undefined;
    }
    const colon = p.read();
    if (colon.type !== ':') {
      recoverTo(p, colon, '{', '}');
      if (colon.type === '}' || colon.type === ',') diags.push(errorDiag('Missing object value', 'A JSON object attribute must have a value, introduced by a colon.', colon.range));
      else if (colon.type === '=') diags.push(errorDiag('Missing property value colon', 'JSON uses a colon as its name/value delimiter, not an equals sign.', colon.range));
      else diags.push(errorDiag('Missing property value colon', "A colon must appear between an object property's name and its value.", colon.range));
      return undefined;
    }
    const val = parseValueOrInvalid(p, diags);
    attrs.push({ name: key.value, value: val, nameRange: key.range });
    const next = p.peek();
    if (next.type === ',') {
      const comma = p.read();
      if (p.peek().type === '}') {
        diags.push(errorDiag('Trailing comma in object', 'JSON does not permit a trailing comma after the final property in an object.', comma.range));
        return undefined;
      }
      continue;
    }
    if (next.type === 'EOF') {
      diags.push(errorDiag('Unclosed object', 'No closing brace was found for this JSON object.', open.range));
      return undefined;
    }
    if (next.type === ']') {
      p.read();
      diags.push(errorDiag('Mismatched braces', 'A JSON object must be closed with a brace, not a bracket.', p.peek().range));
      return undefined;
    }
    if (next.type === '}') break;
    recoverTo(p, p.read(), '{', '}');
    diags.push(errorDiag('Missing attribute seperator comma', 'A comma must appear between each property definition in an object.', p.peek().range));
    return undefined;
  }
  const close = p.read();
  return { t: 'object', attrs, range: rangeBetween(open.range, close.range), openRange: open.range, closeRange: close.range };
}

function parseArray(p: Peeker, diags: Diagnostic[]): JsonNode | undefined {
  const open = p.read();
  const values: JsonNode[] = [];
  for (;;) {
    if (p.peek().type === ']') break;
    values.push(parseValueOrInvalid(p, diags));
    const next = p.peek();
    if (next.type === ',') {
      const comma = p.read();
      if (p.peek().type === ']') {
        diags.push(errorDiag('Trailing comma in array', 'JSON does not permit a trailing comma after the final value in an array.', comma.range));
        return undefined;
      }
      continue;
    }
    if (next.type === ':') {
      recoverTo(p, p.read(), '[', ']');
      diags.push(errorDiag('Invalid array value', 'A colon is not used to introduce values in a JSON array.', p.peek().range));
      return undefined;
    }
    if (next.type === 'EOF') {
      recoverTo(p, p.read(), '[', ']');
      diags.push(errorDiag('Unclosed object', 'No closing bracket was found for this JSON array.', open.range));
      return undefined;
    }
    if (next.type === '}') {
      recoverTo(p, p.read(), '[', ']');
      diags.push(errorDiag('Mismatched brackets', 'A JSON array must be closed with a bracket, not a brace.', p.peek().range));
      return undefined;
    }
    if (next.type === ']') break;
    recoverTo(p, p.read(), '[', ']');
    diags.push(errorDiag('Missing attribute seperator comma', 'A comma must appear between each value in an array.', p.peek().range));
    return undefined;
  }
  const close = p.read();
  return { t: 'array', values, range: rangeBetween(open.range, close.range), openRange: open.range };
}

function parseNumber(p: Peeker, diags: Diagnostic[]): JsonNode | undefined {
  const tok = p.read();
  if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(tok.text)) {
    diags.push(errorDiag('Invalid JSON number', 'There is a syntax error in the given JSON number.', tok.range));
    return undefined;
  }
  return { t: 'number', text: tok.text, range: tok.range };
}

function parseStringTok(p: Peeker, diags: Diagnostic[]): JsonNode | undefined {
  const tok = p.read();
  const r = decodeString(tok.text);
  if ('value' in r) return { t: 'string', value: r.value, range: tok.range };
  const st = tok.range.start;
  const errStart: Pos = { byte: st.byte + r.errOffset, line: st.line, column: st.column + r.errOffset };
  const errRange: Range = { filename: tok.range.filename, start: errStart, end: { byte: errStart.byte + 1, line: errStart.line, column: errStart.column + 1 } };
  const same = errRange.start.byte === tok.range.start.byte && errRange.end.byte === tok.range.end.byte && errRange.start.line === tok.range.start.line && errRange.end.column === tok.range.end.column;
  diags.push(errorDiag('Invalid JSON string', 'There is a syntax error in the given JSON string.', errRange, same ? undefined : tok.range));
  return undefined;
}

function parseKeyword(p: Peeker, diags: Diagnostic[]): JsonNode | undefined {
  const tok = p.read();
  const s = tok.text;
  if (s === 'true' || s === 'false') return { t: 'bool', value: s === 'true', range: tok.range };
  if (s === 'null') return { t: 'null', range: tok.range };
  if (s === 'undefined' || s === 'NaN' || s === 'Infinity') {
    diags.push(errorDiag('Invalid JSON keyword', `The JavaScript identifier ${JSON.stringify(s)} cannot be used in JSON.`, tok.range));
    return undefined;
  }
  const sugg = nameSuggestion(s, keywordSuggestions);
  diags.push(errorDiag('Invalid JSON keyword', `${JSON.stringify(s)} is not a valid JSON keyword.${sugg ? ` Did you mean ${JSON.stringify(sugg)}?` : ''}`, tok.range));
  return undefined;
}

export interface ParsedJsonFile {
  readonly filename: string;
  readonly source: string;
  readonly root: JsonNode;
  contextString(byteOffset: number): string;
}

/** Parses a JSON configuration file: its root must be an object or an array of objects. */
export function parseJson(input: string | Uint8Array, filename: string): { file: ParsedJsonFile; diags: Diagnostic[] } {
  const src = typeof input === 'string' ? input : new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
  const tokens = scan(src, filename);
  const p = new Peeker(tokens);
  const diags: Diagnostic[] = [];
  let root: JsonNode = parseGuarded(p, diags);
  if (diags.length === 0 && p.peek().type !== 'EOF') {
    diags.push(errorDiag('Extraneous data after value', 'Extra characters appear after the JSON value.', p.peek().range));
  }
  if (root.t !== 'object' && root.t !== 'array') {
    diags.push(errorDiag('Root value must be object', 'The root value in a JSON-based configuration must be either a JSON object or a JSON array of objects.', jsonStartRange(root)));
    const fake: Range = { filename, start: { byte: 0, line: 1, column: 1 }, end: { byte: 0, line: 1, column: 1 } };
    root = { t: 'object', attrs: [], range: fake, openRange: fake, closeRange: fake };
  }
  const r = root;
  return { file: { filename, source: src, root, contextString: (off) => contextString(r, off) }, diags };
}

/** Parses a JSON value on its own (as an expression). */
export function parseJsonValue(input: string, filename: string): { node: JsonNode; diags: Diagnostic[] } {
  const p = new Peeker(scan(input, filename));
  const diags: Diagnostic[] = [];
  const node = parseGuarded(p, diags);
  if (diags.length === 0 && p.peek().type !== 'EOF') diags.push(errorDiag('Extraneous data after value', 'Extra characters appear after the JSON value.', p.peek().range));
  return { node, diags };
}

// parseValueOrInvalid, with input nested beyond the stack reported at the
// token where parsing stopped (an invalid root, so no configuration is read).
function parseGuarded(p: Peeker, diags: Diagnostic[]): JsonNode {
  const before = diags.length;
  try {
    return parseValueOrInvalid(p, diags);
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    const at = p.peek().range;
    handOffDeepNesting(at);
    diags.length = before;
    diags.push(tooDeepDiag('parse', at));
    return { t: 'object', attrs: [], range: at, openRange: at, closeRange: at };
  }
}

function contextString(root: JsonNode, offset: number): string {
  const steps: string[] = [];
  let v: JsonNode | undefined = root;
  outer: while (v) {
    if (v.t === 'object') {
      for (const a of v.attrs as JsonAttr[]) {
        const av: JsonNode = a.value;
        if (av.t !== 'object' && av.t !== 'array') continue;
        if (offset >= av.range.start.byte && offset < av.range.end.byte) {
          steps.push('.' + a.name);
          v = av;
          continue outer;
        }
      }
    } else if (v.t === 'array') {
      for (let i = 0; i < v.values.length; i++) {
        const el: JsonNode = v.values[i]!;
        if (el.t !== 'object' && el.t !== 'array') continue;
        if (offset >= el.range.start.byte && offset < el.range.end.byte) {
          steps.push(`[${i}]`);
          v = el;
          continue outer;
        }
      }
    }
    break;
  }
  const s = steps.join('');
  return s.startsWith('.') ? s.slice(1) : s;
}
