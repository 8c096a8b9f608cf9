// The scanner of HCL's native syntax: turns source text into tokens, with
// the same token boundaries as hclsyntax's scanner (so that diagnostics and
// the formatter agree with HashiCorp's tools byte for byte).

import { decodeGoText } from '@packer-ts/sdk';
import { errorDiag, type Diagnostic } from '../diag.ts';
import { AsciiLines, initialPos, isUnicodeSpace, PosTracker, rangeBetween, SpanRange, type Pos, type Range } from '../range.ts';
import { T, type Token } from './token.ts';

export type ScanMode = 'normal' | 'template' | 'identOnly';

/**
 * The tokens of one source text, in three parallel arrays (type, start and end index into `src`)
 * rather than an object each: a parse reads every token but asks the range of few, and in cold
 * code (a command's one parse runs mostly in V8's interpreter) the objects were half the scan's
 * cost. `range(i)` makes a token's range when asked.
 */
export class Lexed {
  declare readonly src: string;
  declare readonly filename: string;
  /** Number of tokens; the last is EOF. */
  declare readonly count: number;
  declare readonly types: Uint8Array;
  declare readonly starts: Int32Array;
  declare readonly ends: Int32Array;
  /** Diagnostics about invalid characters (hclsyntax's checkInvalidTokens). */
  declare readonly diags: Diagnostic[];
  /** Whether a line comment (one that ends its line) is among the tokens. */
  declare readonly lineComments: boolean;
  /** ASCII text: its lines, to make ranges from offsets (else undefined, and each token's range is made during the scan). */
  declare readonly lines: AsciiLines | undefined;
  declare private readonly ranges: Range[] | undefined;
  declare private list: Token[] | undefined;
  constructor(src: string, filename: string, count: number, types: Uint8Array, starts: Int32Array, ends: Int32Array, lineComments: boolean, lines: AsciiLines | undefined, ranges: Range[] | undefined) {
    this.src = src;
    this.filename = filename;
    this.count = count;
    this.types = types;
    this.starts = starts;
    this.ends = ends;
    this.lineComments = lineComments;
    this.lines = lines;
    this.ranges = ranges;
    this.list = undefined;
    this.diags = [];
  }

  /** The range of token `i`. */
  range(i: number): Range {
    return this.lines !== undefined ? new SpanRange(this.lines, this.starts[i]!, this.ends[i]!) : this.ranges![i]!;
  }

  /** The range from the start of token `a` to the end of token `b` (b >= a). */
  span(a: number, b: number): Range {
    return this.lines !== undefined ? new SpanRange(this.lines, this.starts[a]!, this.ends[b]!) : rangeBetween(this.ranges![a]!, this.ranges![b]!);
  }

  /** The tokens as objects (the formatter and tests walk them). */
  get tokens(): Token[] {
    if (this.list === undefined) {
      const list: Token[] = [];
      for (let i = 0; i < this.count; i++) list.push({ type: this.types[i]!, start: this.starts[i]!, end: this.ends[i]!, range: this.range(i) });
      this.list = list;
    }
    return this.list;
  }
}

const identStart = /[\p{ID_Start}_]/uy;
const identRest = /[\p{ID_Continue}-]*/uy;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAsciiIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

/** End index of an identifier starting at i, or -1 if none starts there. */
export function scanIdent(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if (isAsciiIdentStart(c)) {
    let j = i + 1;
    for (;;) {
      // a letter, digit, '_' or '-': this loop runs for every character of every name
      const d = src.charCodeAt(j);
      if ((d >= 0x61 && d <= 0x7a) || (d >= 0x41 && d <= 0x5a) || (d >= 0x30 && d <= 0x39) || d === 0x5f || d === 0x2d) j++;
      else if (d >= 0x80) break;
      else return j;
    }
    identRest.lastIndex = j;
    identRest.exec(src);
    return identRest.lastIndex;
  }
  if (c < 0x80 || Number.isNaN(c)) return -1;
  identStart.lastIndex = i;
  if (!identStart.test(src)) return -1;
  identRest.lastIndex = identStart.lastIndex;
  identRest.exec(src);
  return identRest.lastIndex;
}

// the rest of an ASCII identifier: one call into the regular expression engine's native code
// rather than a loop of comparisons per character in baseline code
const asciiIdentTail = /[A-Za-z0-9_-]*/y;

/** End index of the identifier starting with the ASCII letter or '_' at i. */
function asciiIdentEnd(src: string, i: number): number {
  asciiIdentTail.lastIndex = i + 1;
  asciiIdentTail.test(src);
  const e = asciiIdentTail.lastIndex;
  // a character past ASCII may continue it (ID_Continue): the Unicode rules decide
  return src.charCodeAt(e) >= 0x80 ? scanIdent(src, i) : e;
}

// Runs of literal characters in templates, matched by the regular expression engine's native
// code rather than a loop per character. In a quoted string: up to "$", "%", '"', a line break
// or a backslash that escapes nothing (one at the end of a line or of the input); a backslash
// takes the character after it (an astral character's second half then matches on its own).
// With the bytes that were not UTF-8 (U+FFFD, see scan's badUtf8) also ending a run.
const quotedRun = /(?:[^$%"\r\n\\]|\\[^\r\n])*/y;
const quotedRunBad = /(?:[^$%"\r\n\\\ufffd]|\\[^\r\n])*/y;
// in a heredoc or a bare template: up to "$", "%" or a line break
const templateRun = /[^$%\r\n]*/y;
const templateRunBad = /[^$%\r\n\ufffd]*/y;

/** End of the run of template literal characters (heredoc, bare template) starting at i. */
function templateRunEnd(src: string, i: number, badUtf8: boolean): number {
  const run = badUtf8 ? templateRunBad : templateRun;
  run.lastIndex = i;
  run.test(src);
  return run.lastIndex;
}

/** End of a number literal starting with a digit at i. */
function scanNumber(src: string, i: number): number {
  let j = i + 1;
  let good = j;
  for (;;) {
    const c = src.charCodeAt(j);
    if (isDigit(c)) {
      j++;
      good = j;
    } else if (c === 0x2e) {
      j++;
    } else if (c === 0x65 || c === 0x45) {
      let k = j + 1;
      const s = src.charCodeAt(k);
      if (s === 0x2b || s === 0x2d) k++;
      if (isDigit(src.charCodeAt(k))) {
        j = k + 1;
        good = j;
      } else break;
    } else break;
  }
  return good;
}

interface Frame {
  kind: 'main' | 'string' | 'heredoc' | 'bare';
  // heredoc
  marker?: string;
  startOfLine?: boolean;
}

// frames without state of their own are shared
const MAIN_FRAME: Frame = { kind: 'main' };
const STRING_FRAME: Frame = { kind: 'string' };

export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isUnicodeSpace(s.charCodeAt(a))) a++;
  while (b > a && isUnicodeSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/**
 * Scans `src` (a string, or UTF-8 bytes) into tokens. Positions start at
 * `start` (for expressions embedded in other files, such as JSON).
 */
export function scan(input: string | Uint8Array, filename: string, start: Pos = initialPos, mode: ScanMode = 'normal'): Lexed {
  let src: string;
  let badUtf8 = false;
  if (typeof input === 'string') src = input;
  else {
    try {
      src = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      // one U+FFFD per byte that is not UTF-8, as Go reads it (a column each)
      src = decodeGoText(input);
      badUtf8 = true;
    }
  }
  let origin = start;
  let i = 0;
  if (src.charCodeAt(0) === 0xfeff) {
    // a UTF-8 byte order mark is skipped, but counted in byte offsets
    origin = { byte: start.byte + 3, line: start.line, column: start.column };
    i = 1;
  }
  const base = i;
  // at most one token per character, and EOF; most texts need far fewer
  let cap = (src.length >> 2) + 16;
  let types = new Uint8Array(cap);
  let starts = new Int32Array(cap);
  let ends = new Int32Array(cap);
  let count = 0;
  // whether a token that checkInvalidTokens reports was seen (T.BitwiseAnd through T.QuotedNewline)
  let suspect = false;
  let lineComments = false;
  const emit = (type: T, s: number, e: number): void => {
    if (type >= T.BitwiseAnd) suspect = true;
    if (count === cap) {
      cap *= 2;
      const t2 = new Uint8Array(cap);
      t2.set(types);
      types = t2;
      const s2 = new Int32Array(cap);
      s2.set(starts);
      starts = s2;
      const e2 = new Int32Array(cap);
      e2.set(ends);
      ends = e2;
    }
    types[count] = type;
    starts[count] = s;
    ends[count] = e;
    count++;
  };
  const finish = (): Lexed => {
    let lines: AsciiLines | undefined;
    let ranges: Range[] | undefined;
    if (!/[^\x00-\x7f]/.test(src)) {
      // ASCII: a range's line and column are computed from its offsets when first read
      lines = new AsciiLines(src, base, origin, filename);
    } else {
      // columns count grapheme clusters token by token, as hclsyntax's scanner does
      const tracker = new PosTracker(src.slice(base), origin);
      // the end of one token is usually the start of the next: share the Pos
      let lastEnd = -1;
      let lastEndPos: Pos = origin;
      ranges = [];
      for (let k = 0; k < count; k++) {
        const s = starts[k]!;
        const e = ends[k]!;
        const st = s === lastEnd ? lastEndPos : tracker.at(s - base);
        const en = e === s ? st : tracker.at(e - base);
        lastEnd = e;
        lastEndPos = en;
        ranges.push({ filename, start: st, end: en });
      }
    }
    const lexed = new Lexed(src, filename, count, types, starts, ends, lineComments, lines, ranges);
    if (suspect) checkInvalidTokens(lexed);
    return lexed;
  };

  const stack: Frame[] = [];
  let braces = 0;
  const retBraces: number[] = [];
  let frame: Frame = mode === 'template' ? { kind: 'bare' } : MAIN_FRAME;
  const n = src.length;

  const push = (f: Frame): void => {
    stack.push(frame);
    frame = f;
  };
  const pop = (): void => {
    frame = stack.pop() ?? MAIN_FRAME;
  };

  // Opens a ${ or %{ sequence at i; returns the new index.
  const templateSeq = (type: T): void => {
    let e = i + 2;
    if (src.charCodeAt(e) === 0x7e) e++; // ~
    emit(type, i, e);
    i = e;
    braces++;
    retBraces.push(braces);
    if (frame.kind === 'heredoc') frame.startOfLine = false;
    else {
      // a heredoc further out also stops being at the start of a line
      for (let k = stack.length - 1; k >= 0; k--) {
        if (stack[k]!.kind === 'heredoc') {
          stack[k]!.startOfLine = false;
          break;
        }
      }
    }
    push(MAIN_FRAME);
  };

  // a # or // comment, through the end of the line; returns the index after it
  const lineComment = (at: number): number => {
    let e = src.indexOf('\n', at);
    if (e < 0) e = n;
    else {
      e++;
      lineComments = true;
    }
    emit(T.Comment, at, e);
    return e;
  };
  // the two-character operator `two` at `at` if `isTwo`, else the one-character `one`; returns the index after it
  const oneOrTwo = (at: number, isTwo: boolean, two: T, one: T): number => {
    const e = isTwo ? at + 2 : at + 1;
    emit(isTwo ? two : one, at, e);
    return e;
  };
  // } (w = 1) or ~} (w = 2): the end of a ${ or %{ sequence, or a closing brace
  const closeBrace = (w: number): void => {
    if (retBraces.length > 0 && retBraces[retBraces.length - 1] === braces) {
      emit(T.TemplateSeqEnd, i, i + w);
      i += w;
      braces--;
      retBraces.pop();
      pop();
    } else {
      emit(w === 1 ? T.CBrace : T.TemplateSeqEnd, i, i + w);
      i += w;
      braces--;
    }
  };

  if (mode === 'identOnly') {
    while (i < n) {
      const e = scanIdent(src, i);
      if (e > i) {
        emit(T.Ident, i, e);
        i = e;
      } else {
        const cp = src.codePointAt(i)!;
        const w = cp > 0xffff ? 2 : 1;
        emit(T.Invalid, i, i + w);
        i += w;
      }
    }
    emit(T.EOF, n, n);
    return finish();
  }

  while (i < n) {
    const c = src.charCodeAt(i);
    if (frame === MAIN_FRAME) {
      // One switch on the character: V8 makes a jump table of it, where a chain of comparisons
      // would cost a call each in the baseline code that a command's one scan runs in.
      switch (c) {
        case 0x20: // space
        case 0x09: // tab
          i++;
          continue;
        case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37: case 0x38: case 0x39: {
          const e = scanNumber(src, i);
          emit(T.NumberLit, i, e);
          i = e;
          continue;
        }
        case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47: case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d:
        case 0x4e: case 0x4f: case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: case 0x58: case 0x59: case 0x5a:
        case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d:
        case 0x6e: case 0x6f: case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77: case 0x78: case 0x79: case 0x7a:
        case 0x5f: { // A-Z a-z _
          const e = asciiIdentEnd(src, i);
          emit(T.Ident, i, e);
          i = e;
          continue;
        }
        case 0x23: // # comment
          i = lineComment(i);
          continue;
        case 0x2f: { // / (// and /* comments)
          const c2 = src.charCodeAt(i + 1);
          if (c2 === 0x2f) {
            i = lineComment(i);
            continue;
          }
          if (c2 === 0x2a) {
            const close = src.indexOf('*/', i + 2);
            if (close >= 0) {
              emit(T.Comment, i, close + 2);
              i = close + 2;
              continue;
            }
          }
          emit(T.Slash, i, i + 1);
          i++;
          continue;
        }
        case 0x0a:
          emit(T.Newline, i, i + 1);
          i++;
          continue;
        case 0x0d:
          if (src.charCodeAt(i + 1) === 0x0a) {
            emit(T.Newline, i, i + 2);
            i += 2;
          } else {
            emit(T.Invalid, i, i + 1);
            i++;
          }
          continue;
        case 0x2e: // . or ...
          if (src.charCodeAt(i + 1) === 0x2e && src.charCodeAt(i + 2) === 0x2e) {
            emit(T.Ellipsis, i, i + 3);
            i += 3;
          } else {
            emit(T.Dot, i, i + 1);
            i++;
          }
          continue;
        case 0x3c: { // <, <=, or a heredoc introducer: <<EOT or <<-EOT, then a newline
          const c2 = src.charCodeAt(i + 1);
          if (c2 === 0x3c) {
            let j = i + 2;
            if (src.charCodeAt(j) === 0x2d) j++;
            const me = scanIdent(src, j);
            if (me > j) {
              let nl = -1;
              if (src.charCodeAt(me) === 0x0a) nl = me + 1;
              else if (src.charCodeAt(me) === 0x0d && src.charCodeAt(me + 1) === 0x0a) nl = me + 2;
              if (nl > 0) {
                emit(T.OHeredoc, i, nl);
                const marker = src.slice(j, me);
                i = nl;
                push({ kind: 'heredoc', marker, startOfLine: true });
                continue;
              }
            }
          }
          i = oneOrTwo(i, c2 === 0x3d, T.LessThanEq, T.LessThan);
          continue;
        }
        case 0x3d: { // =, ==, =>
          const c2 = src.charCodeAt(i + 1);
          i = c2 === 0x3e ? oneOrTwo(i, true, T.FatArrow, T.Equal) : oneOrTwo(i, c2 === 0x3d, T.EqualOp, T.Equal);
          continue;
        }
        case 0x21: // ! !=
          i = oneOrTwo(i, src.charCodeAt(i + 1) === 0x3d, T.NotEqual, T.Bang);
          continue;
        case 0x3e: // > >=
          i = oneOrTwo(i, src.charCodeAt(i + 1) === 0x3d, T.GreaterThanEq, T.GreaterThan);
          continue;
        case 0x26: // & &&
          i = oneOrTwo(i, src.charCodeAt(i + 1) === 0x26, T.And, T.BitwiseAnd);
          continue;
        case 0x7c: // | ||
          i = oneOrTwo(i, src.charCodeAt(i + 1) === 0x7c, T.Or, T.BitwiseOr);
          continue;
        case 0x7b:
          emit(T.OBrace, i, i + 1);
          i++;
          braces++;
          continue;
        case 0x7d:
          closeBrace(1);
          continue;
        case 0x7e: // ~ or ~}
          if (src.charCodeAt(i + 1) === 0x7d) closeBrace(2);
          else {
            emit(T.BitwiseNot, i, i + 1);
            i++;
          }
          continue;
        case 0x22:
          emit(T.OQuote, i, i + 1);
          i++;
          push(STRING_FRAME);
          continue;
        case 0x5b: emit(T.OBrack, i, i + 1); i++; continue;
        case 0x5d: emit(T.CBrack, i, i + 1); i++; continue;
        case 0x28: emit(T.OParen, i, i + 1); i++; continue;
        case 0x29: emit(T.CParen, i, i + 1); i++; continue;
        case 0x2c: emit(T.Comma, i, i + 1); i++; continue;
        case 0x2a: emit(T.Star, i, i + 1); i++; continue;
        case 0x25: emit(T.Percent, i, i + 1); i++; continue;
        case 0x2b: emit(T.Plus, i, i + 1); i++; continue;
        case 0x2d: emit(T.Minus, i, i + 1); i++; continue;
        case 0x3f: emit(T.Question, i, i + 1); i++; continue;
        case 0x3a: emit(T.Colon, i, i + 1); i++; continue;
        case 0x5e: emit(T.BitwiseXor, i, i + 1); i++; continue;
        case 0x3b: emit(T.Semicolon, i, i + 1); i++; continue;
        case 0x60: emit(T.Backtick, i, i + 1); i++; continue;
        case 0x27: emit(T.Apostrophe, i, i + 1); i++; continue;
        default: {
          if (c >= 0x80) {
            const ie = scanIdent(src, i);
            if (ie > i) {
              emit(T.Ident, i, ie);
              i = ie;
              continue;
            }
          }
          const cp = src.codePointAt(i)!;
          const w = cp > 0xffff ? 2 : 1;
          emit(cp === 0xfffd && badUtf8 ? T.BadUTF8 : T.Invalid, i, i + w);
          i += w;
          continue;
        }
      }
    }

    // template modes
    if (c === 0xfffd && badUtf8) {
      emit(T.BadUTF8, i, i + 1);
      i++;
      continue;
    }
    const c2 = src.charCodeAt(i + 1);
    if ((c === 0x24 || c === 0x25) && c2 === 0x7b) {
      templateSeq(c === 0x24 ? T.TemplateInterp : T.TemplateControl);
      continue;
    }
    if (frame === STRING_FRAME) {
      if (c === 0x22) {
        emit(T.CQuote, i, i + 1);
        i++;
        pop();
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        let e = i + 1;
        while (e < n && (src.charCodeAt(e) === 0x0a || src.charCodeAt(e) === 0x0d)) e++;
        emit(T.QuotedNewline, i, e);
        i = e;
        continue;
      }
      if (c === 0x24 || c === 0x25) {
        // "$${" / "%%{" escapes, or a lone "$"/"%"
        const e = c2 === c && src.charCodeAt(i + 2) === 0x7b ? i + 3 : i + 1;
        emit(T.QuotedLit, i, e);
        i = e;
        continue;
      }
      // a run of literal characters, with backslash escapes
      const run = badUtf8 ? quotedRunBad : quotedRun;
      run.lastIndex = i;
      run.test(src);
      const e = run.lastIndex;
      if (e > i) {
        emit(T.QuotedLit, i, e);
        i = e;
      } else {
        // a backslash at the end of a line or of the input
        emit(T.Invalid, i, i + 1);
        i++;
      }
      continue;
    }
    if (frame.kind === 'heredoc') {
      if (c === 0x24 || c === 0x25) {
        const e = c2 === c && src.charCodeAt(i + 2) === 0x7b ? i + 3 : i + 1;
        frame.startOfLine = false;
        emit(T.StringLit, i, e);
        i = e;
        continue;
      }
      const e = templateRunEnd(src, i, badUtf8);
      let eol = -1;
      if (src.charCodeAt(e) === 0x0a) eol = e + 1;
      else if (src.charCodeAt(e) === 0x0d && src.charCodeAt(e + 1) === 0x0a) eol = e + 2;
      if (eol < 0) {
        if (e > i) {
          frame.startOfLine = false;
          emit(T.StringLit, i, e);
          i = e;
        } else {
          // a lone carriage return
          emit(T.Invalid, i, i + 1);
          i++;
        }
        continue;
      }
      if (frame.startOfLine && trimSpace(src.slice(i, e)) === frame.marker) {
        emit(T.CHeredoc, i, e);
        emit(T.Newline, e, eol);
        i = eol;
        pop();
        continue;
      }
      frame.startOfLine = true;
      emit(T.StringLit, i, eol);
      i = eol;
      continue;
    }
    // bare template
    if (c === 0x24 || c === 0x25) {
      const e = c2 === c && src.charCodeAt(i + 2) === 0x7b ? i + 3 : i + 1;
      emit(T.StringLit, i, e);
      i = e;
      continue;
    }
    let e = templateRunEnd(src, i, badUtf8);
    if (src.charCodeAt(e) === 0x0a) e++;
    else if (src.charCodeAt(e) === 0x0d && src.charCodeAt(e + 1) === 0x0a) e += 2;
    else if (e === i) e++; // a lone carriage return
    emit(T.StringLit, i, e);
    i = e;
  }
  emit(T.EOF, n, n);
  return finish();
}

/** Diagnostics for tokens that are not part of the language, into `lexed.diags`. */
function checkInvalidTokens(lexed: Lexed): void {
  const diags = lexed.diags;
  let toldBitwise = 0;
  let toldBacktick = 0;
  let toldApostrophe = 0;
  let toldSemicolon = 0;
  let toldBadUTF8 = 0;
  for (let i = 0; i < lexed.count; i++) {
    const type = lexed.types[i]! as T;
    switch (type) {
      case T.BitwiseAnd:
      case T.BitwiseOr:
      case T.BitwiseXor:
      case T.BitwiseNot:
        if (toldBitwise < 4) {
          let suggestion = '';
          if (type === T.BitwiseAnd) suggestion = ' Did you mean boolean AND ("&&")?';
          else if (type === T.BitwiseOr) suggestion = ' Did you mean boolean OR ("&&")?';
          else if (type === T.BitwiseNot) suggestion = ' Did you mean boolean NOT ("!")?';
          diags.push(errorDiag('Unsupported operator', `Bitwise operators are not supported.${suggestion}`, lexed.range(i)));
          toldBitwise++;
        }
        break;
      case T.Backtick:
        if (toldBacktick % 2 === 0) {
          diags.push(errorDiag('Invalid character', 'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".', lexed.range(i)));
        }
        if (toldBacktick <= 2) toldBacktick++;
        break;
      case T.Apostrophe:
        if (toldApostrophe % 2 === 0) {
          diags.push(errorDiag('Invalid character', 'Single quotes are not valid. Use double quotes (") to enclose strings.', lexed.range(i)));
        }
        if (toldApostrophe <= 2) toldApostrophe++;
        break;
      case T.Semicolon:
        if (toldSemicolon < 1) {
          diags.push(errorDiag('Invalid character', 'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items in collection values.', lexed.range(i)));
          toldSemicolon++;
        }
        break;
      case T.BadUTF8:
        if (toldBadUTF8 < 1) {
          diags.push(errorDiag('Invalid character encoding', 'All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.', lexed.range(i)));
          toldBadUTF8++;
        }
        break;
      case T.QuotedNewline:
        diags.push(errorDiag('Invalid multi-line string', 'Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the "heredoc" multi-line template syntax.', lexed.range(i)));
        break;
      case T.Invalid:
        diags.push(errorDiag('Invalid character', 'This character is not used within the language.', lexed.range(i)));
        break;
    }
  }
}

/** Whether `s` is a valid HCL identifier. */
export function validIdentifier(s: string): boolean {
  return s.length > 0 && scanIdent(s, 0) === s.length;
}
