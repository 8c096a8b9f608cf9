// yamldecode's YAML reading as go-cty-yaml (the YAML of Packer's HCL functions) does it: the
// libyaml reader, scanner and event parser of its Go port, on the UTF-8 bytes of the source,
// with libyaml's problems and marks for the errors. yaml.ts turns the events into cty values and
// requires this module with the first yamldecode.
export interface Mark {
  index: number;
  line: number;
  column: number;
}
const ZERO_MARK: Mark = { index: 0, line: 0, column: 0 };

const enum Tok {
  None,
  StreamStart,
  StreamEnd,
  VersionDirective,
  TagDirective,
  DocumentStart,
  DocumentEnd,
  BlockSequenceStart,
  BlockMappingStart,
  BlockEnd,
  FlowSequenceStart,
  FlowSequenceEnd,
  FlowMappingStart,
  FlowMappingEnd,
  BlockEntry,
  FlowEntry,
  Key,
  Value,
  Alias,
  Anchor,
  Tag,
  Scalar,
}

const enum Style {
  Any,
  Plain,
  SingleQuoted,
  DoubleQuoted,
  Literal,
  Folded,
}

interface Token {
  typ: Tok;
  start: Mark;
  end: Mark;
  value?: number[];
  suffix?: number[];
  prefix?: number[];
  style?: Style;
  major?: number;
  minor?: number;
}

/** An event's type, named as go-cty-yaml names it in messages. */
export type EventType = 'none' | 'stream start' | 'stream end' | 'document start' | 'document end' | 'alias' | 'scalar' | 'sequence start' | 'sequence end' | 'mapping start' | 'mapping end';

export interface Event {
  typ: EventType;
  start: Mark;
  end: Mark;
  anchor: string;
  tag: string;
  value: string;
  implicit: boolean;
  /** a scalar written in single or double quotes */
  quoted: boolean;
}

const enum St {
  StreamStart,
  ImplicitDocumentStart,
  DocumentStart,
  DocumentContent,
  DocumentEnd,
  BlockNode,
  BlockNodeOrIndentlessSequence,
  FlowNode,
  BlockSequenceFirstEntry,
  BlockSequenceEntry,
  IndentlessSequenceEntry,
  BlockMappingFirstKey,
  BlockMappingKey,
  BlockMappingValue,
  FlowSequenceFirstEntry,
  FlowSequenceEntry,
  FlowSequenceEntryMappingKey,
  FlowSequenceEntryMappingValue,
  FlowSequenceEntryMappingEnd,
  FlowMappingFirstKey,
  FlowMappingKey,
  FlowMappingValue,
  FlowMappingEmptyValue,
  End,
}

const enum Err {
  None,
  Reader,
  Scanner,
  Parser,
}

interface SimpleKey {
  possible: boolean;
  required: boolean;
  tokenNumber: number;
  mark: Mark;
}

const RAW_SIZE = 512;

function width(b: number): number {
  if ((b & 0x80) === 0) return 1;
  if ((b & 0xe0) === 0xc0) return 2;
  if ((b & 0xf0) === 0xe0) return 3;
  if ((b & 0xf8) === 0xf0) return 4;
  return 0;
}
const isAlpha = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const asHex = (c: number) => (c >= 0x41 && c <= 0x46 ? c - 0x41 + 10 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : c - 0x30);
const isBlank = (c: number) => c === 0x20 || c === 0x09;

/** A libyaml parser over one input (reader, scanner and parser state). */
export class Parser {
  // reader: buf holds the input (without a UTF-8 BOM; the source is a JavaScript string, so never
  // UTF-16) and zeros after it; raw* model libyaml's 512-byte raw chunks, which decide when a
  // character that is not allowed is reported.
  private inp: Uint8Array;
  private buf: Uint8Array;
  private pos = 0;
  private unread = 0;
  private base = 0; // where libyaml's compacted buffer starts (is_bom reads there)
  private encodingKnown = false;
  private rawStart = 0;
  private rawPos = 0;
  private rawEnd = 0;
  private eof = false;

  private mIndex = 0;
  private mLine = 0;
  private mColumn = 0;

  private error = Err.None;
  private problem = '';
  private problemMark: Mark = ZERO_MARK;
  private context = '';
  private contextMark: Mark = ZERO_MARK;

  private tokens: Token[] = [];
  private head = 0;
  private tokensParsed = 0;
  private tokenAvailable = false;
  private streamStartProduced = false;
  private streamEndProduced = false;
  private indent = 0;
  private indents: number[] = [];
  private simpleKeyAllowed = false;
  private simpleKeys: SimpleKey[] = [];
  private flowLevel = 0;

  private state = St.StreamStart;
  private states: St[] = [];
  private marks: Mark[] = [];
  private tagDirectives: Array<{ handle: string; prefix: string }> = [];

  constructor(input: Uint8Array) {
    this.inp = input;
    this.buf = new Uint8Array(input.length + 16);
  }

  private mark(): Mark {
    return { index: this.mIndex, line: this.mLine, column: this.mColumn };
  }

  // ---- reader (readerc.go)

  private readerError(problem: string): false {
    this.error = Err.Reader;
    this.problem = problem;
    return false;
  }

  private updateRaw(): boolean {
    if (this.rawPos === this.rawStart && this.rawEnd - this.rawStart === RAW_SIZE) return true;
    if (this.eof) return true;
    this.rawStart = this.rawPos;
    if (this.rawEnd === this.inp.length) {
      this.eof = true;
      return true;
    }
    const n = Math.min(RAW_SIZE - (this.rawEnd - this.rawStart), this.inp.length - this.rawEnd);
    this.rawEnd += n;
    return true;
  }

  private updateBuffer(length: number): boolean {
    if (this.unread >= length) return true;
    if (!this.encodingKnown) {
      while (!this.eof && this.rawEnd - this.rawPos < 3) this.updateRaw();
      const b = this.inp;
      const p = this.rawPos;
      if (this.rawEnd - p >= 3 && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf) {
        this.rawPos += 3;
        this.buf.set(this.inp.subarray(3));
        this.buf.fill(0, this.inp.length - 3);
      } else this.buf.set(this.inp);
      this.encodingKnown = true;
    }
    this.base = this.pos;
    let first = true;
    while (this.unread < length) {
      if (!first || this.rawPos === this.rawEnd) this.updateRaw();
      first = false;
      const raw = this.inp;
      while (this.rawPos !== this.rawEnd) {
        const octet = raw[this.rawPos];
        const w = width(octet);
        if (w === 0) return this.readerError('invalid leading UTF-8 octet');
        if (w > this.rawEnd - this.rawPos) {
          if (this.eof) return this.readerError('incomplete UTF-8 octet sequence');
          break;
        }
        let value = w === 1 ? octet & 0x7f : w === 2 ? octet & 0x1f : w === 3 ? octet & 0x0f : octet & 0x07;
        for (let k = 1; k < w; k++) {
          const o = raw[this.rawPos + k];
          if ((o & 0xc0) !== 0x80) return this.readerError('invalid trailing UTF-8 octet');
          value = (value << 6) + (o & 0x3f);
        }
        if (!(w === 1 || (w === 2 && value >= 0x80) || (w === 3 && value >= 0x800) || (w === 4 && value >= 0x10000))) return this.readerError('invalid length of a UTF-8 sequence');
        if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) return this.readerError('invalid Unicode character');
        if (
          !(
            value === 0x09 ||
            value === 0x0a ||
            value === 0x0d ||
            (value >= 0x20 && value <= 0x7e) ||
            value === 0x85 ||
            (value >= 0xa0 && value <= 0xd7ff) ||
            (value >= 0xe000 && value <= 0xfffd) ||
            (value >= 0x10000 && value <= 0x10ffff)
          )
        )
          return this.readerError('control characters are not allowed');
        this.rawPos += w;
        this.unread++;
      }
      if (this.eof) {
        this.unread++;
        break;
      }
    }
    return true;
  }

  private cache(n: number): boolean {
    return this.unread >= n || this.updateBuffer(n);
  }

  // ---- scanner (scannerc.go)

  private at(k = 0): number {
    return this.buf[this.pos + k] ?? 0;
  }
  private isBreakAt(k = 0): boolean {
    const b = this.buf;
    const i = this.pos + k;
    return b[i] === 0x0d || b[i] === 0x0a || (b[i] === 0xc2 && b[i + 1] === 0x85) || (b[i] === 0xe2 && b[i + 1] === 0x80 && (b[i + 2] === 0xa8 || b[i + 2] === 0xa9));
  }
  private isBreakzAt(k = 0): boolean {
    return this.isBreakAt(k) || this.at(k) === 0;
  }
  private isBlankzAt(k = 0): boolean {
    return isBlank(this.at(k)) || this.isBreakzAt(k);
  }

  private skip(): void {
    this.mIndex++;
    this.mColumn++;
    this.unread--;
    this.pos += width(this.buf[this.pos]);
  }
  private skipLine(): void {
    if (this.at() === 0x0d && this.at(1) === 0x0a) {
      this.mIndex += 2;
      this.mColumn = 0;
      this.mLine++;
      this.unread -= 2;
      this.pos += 2;
    } else if (this.isBreakAt()) {
      this.mIndex++;
      this.mColumn = 0;
      this.mLine++;
      this.unread--;
      this.pos += width(this.buf[this.pos]);
    }
  }
  private read(s: number[]): void {
    const w = width(this.buf[this.pos]);
    for (let k = 0; k < w; k++) s.push(this.buf[this.pos + k]);
    this.pos += w;
    this.mIndex++;
    this.mColumn++;
    this.unread--;
  }
  private readLine(s: number[]): void {
    const b = this.buf;
    const p = this.pos;
    if (b[p] === 0x0d && b[p + 1] === 0x0a) {
      s.push(0x0a);
      this.pos += 2;
      this.mIndex++;
      this.unread--;
    } else if (b[p] === 0x0d || b[p] === 0x0a) {
      s.push(0x0a);
      this.pos += 1;
    } else if (b[p] === 0xc2 && b[p + 1] === 0x85) {
      s.push(0x0a);
      this.pos += 2;
    } else if (b[p] === 0xe2 && b[p + 1] === 0x80 && (b[p + 2] === 0xa8 || b[p + 2] === 0xa9)) {
      s.push(b[p], b[p + 1], b[p + 2]);
      this.pos += 3;
    } else return;
    this.mIndex++;
    this.mColumn = 0;
    this.mLine++;
    this.unread--;
  }

  private scannerError(context: string, contextMark: Mark, problem: string): false {
    this.error = Err.Scanner;
    this.context = context;
    this.contextMark = contextMark;
    this.problem = problem;
    this.problemMark = this.mark();
    return false;
  }
  private tagError(directive: boolean, contextMark: Mark, problem: string): false {
    return this.scannerError(directive ? 'while parsing a %TAG directive' : 'while parsing a tag', contextMark, problem);
  }

  private insertToken(pos: number, token: Token): void {
    if (pos < 0) this.tokens.push(token);
    else this.tokens.splice(this.head + pos, 0, token);
  }

  private fetchMoreTokens(): boolean {
    for (;;) {
      let need = false;
      if (this.head === this.tokens.length) need = true;
      else {
        if (!this.staleSimpleKeys()) return false;
        for (const k of this.simpleKeys) {
          if (k.possible && k.tokenNumber === this.tokensParsed) {
            need = true;
            break;
          }
        }
      }
      if (!need) break;
      if (!this.fetchNextToken()) return false;
    }
    this.tokenAvailable = true;
    return true;
  }

  private fetchNextToken(): boolean {
    if (!this.cache(1)) return false;
    if (!this.streamStartProduced) return this.fetchStreamStart();
    if (!this.scanToNextToken()) return false;
    if (!this.staleSimpleKeys()) return false;
    this.unrollIndent(this.mColumn);
    if (!this.cache(4)) return false;
    const c = this.at();
    if (c === 0) return this.fetchStreamEnd();
    if (this.mColumn === 0 && c === 0x25) return this.fetchDirective();
    if (this.mColumn === 0 && c === 0x2d && this.at(1) === 0x2d && this.at(2) === 0x2d && this.isBlankzAt(3)) return this.fetchDocumentIndicator(Tok.DocumentStart);
    if (this.mColumn === 0 && c === 0x2e && this.at(1) === 0x2e && this.at(2) === 0x2e && this.isBlankzAt(3)) return this.fetchDocumentIndicator(Tok.DocumentEnd);
    if (c === 0x5b) return this.fetchFlowCollectionStart(Tok.FlowSequenceStart);
    if (c === 0x7b) return this.fetchFlowCollectionStart(Tok.FlowMappingStart);
    if (c === 0x5d) return this.fetchFlowCollectionEnd(Tok.FlowSequenceEnd);
    if (c === 0x7d) return this.fetchFlowCollectionEnd(Tok.FlowMappingEnd);
    if (c === 0x2c) return this.fetchFlowEntry();
    if (c === 0x2d && this.isBlankzAt(1)) return this.fetchBlockEntry();
    if (c === 0x3f && (this.flowLevel > 0 || this.isBlankzAt(1))) return this.fetchKey();
    if (c === 0x3a && (this.flowLevel > 0 || this.isBlankzAt(1))) return this.fetchValue();
    if (c === 0x2a) return this.fetchAnchor(Tok.Alias);
    if (c === 0x26) return this.fetchAnchor(Tok.Anchor);
    if (c === 0x21) return this.fetchTag();
    if (c === 0x7c && this.flowLevel === 0) return this.fetchBlockScalar(true);
    if (c === 0x3e && this.flowLevel === 0) return this.fetchBlockScalar(false);
    if (c === 0x27) return this.fetchFlowScalar(true);
    if (c === 0x22) return this.fetchFlowScalar(false);
    if (
      !(this.isBlankzAt() || '-?:,[]{}#&*!|>\'"%@`'.includes(String.fromCharCode(c))) ||
      (c === 0x2d && !isBlank(this.at(1))) ||
      (this.flowLevel === 0 && (c === 0x3f || c === 0x3a) && !this.isBlankzAt(1))
    )
      return this.fetchPlainScalar();
    return this.scannerError('while scanning for the next token', this.mark(), 'found character that cannot start any token');
  }

  private staleSimpleKeys(): boolean {
    for (const k of this.simpleKeys) {
      if (k.possible && (k.mark.line < this.mLine || k.mark.index + 1024 < this.mIndex)) {
        if (k.required) return this.scannerError('while scanning a simple key', k.mark, "could not find expected ':'");
        k.possible = false;
      }
    }
    return true;
  }

  private saveSimpleKey(): boolean {
    const required = this.flowLevel === 0 && this.indent === this.mColumn;
    if (this.simpleKeyAllowed) {
      const key: SimpleKey = { possible: true, required, tokenNumber: this.tokensParsed + (this.tokens.length - this.head), mark: this.mark() };
      if (!this.removeSimpleKey()) return false;
      this.simpleKeys[this.simpleKeys.length - 1] = key;
    }
    return true;
  }

  private removeSimpleKey(): boolean {
    const k = this.simpleKeys[this.simpleKeys.length - 1];
    if (k.possible && k.required) return this.scannerError('while scanning a simple key', k.mark, "could not find expected ':'");
    k.possible = false;
    return true;
  }

  private newSimpleKey(): SimpleKey {
    return { possible: false, required: false, tokenNumber: 0, mark: ZERO_MARK };
  }

  private rollIndent(column: number, number: number, typ: Tok, mark: Mark): void {
    if (this.flowLevel > 0) return;
    if (this.indent < column) {
      this.indents.push(this.indent);
      this.indent = column;
      this.insertToken(number > -1 ? number - this.tokensParsed : number, { typ, start: mark, end: mark });
    }
  }

  private unrollIndent(column: number): void {
    if (this.flowLevel > 0) return;
    while (this.indent > column) {
      const m = this.mark();
      this.insertToken(-1, { typ: Tok.BlockEnd, start: m, end: m });
      this.indent = this.indents.pop()!;
    }
  }

  private fetchStreamStart(): boolean {
    this.indent = -1;
    this.simpleKeys.push(this.newSimpleKey());
    this.simpleKeyAllowed = true;
    this.streamStartProduced = true;
    const m = this.mark();
    this.insertToken(-1, { typ: Tok.StreamStart, start: m, end: m });
    return true;
  }

  private fetchStreamEnd(): boolean {
    if (this.mColumn !== 0) {
      this.mColumn = 0;
      this.mLine++;
    }
    this.unrollIndent(-1);
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const m = this.mark();
    this.insertToken(-1, { typ: Tok.StreamEnd, start: m, end: m });
    return true;
  }

  private fetchDirective(): boolean {
    this.unrollIndent(-1);
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const t = this.scanDirective();
    if (!t) return false;
    this.insertToken(-1, t);
    return true;
  }

  private fetchDocumentIndicator(typ: Tok): boolean {
    this.unrollIndent(-1);
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const start = this.mark();
    this.skip();
    this.skip();
    this.skip();
    this.insertToken(-1, { typ, start, end: this.mark() });
    return true;
  }

  private fetchFlowCollectionStart(typ: Tok): boolean {
    if (!this.saveSimpleKey()) return false;
    this.simpleKeys.push(this.newSimpleKey());
    this.flowLevel++;
    this.simpleKeyAllowed = true;
    const start = this.mark();
    this.skip();
    this.insertToken(-1, { typ, start, end: this.mark() });
    return true;
  }

  private fetchFlowCollectionEnd(typ: Tok): boolean {
    if (!this.removeSimpleKey()) return false;
    if (this.flowLevel > 0) {
      this.flowLevel--;
      this.simpleKeys.pop();
    }
    this.simpleKeyAllowed = false;
    const start = this.mark();
    this.skip();
    this.insertToken(-1, { typ, start, end: this.mark() });
    return true;
  }

  private fetchFlowEntry(): boolean {
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = true;
    const start = this.mark();
    this.skip();
    this.insertToken(-1, { typ: Tok.FlowEntry, start, end: this.mark() });
    return true;
  }

  private fetchBlockEntry(): boolean {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) return this.scannerError('', this.mark(), 'block sequence entries are not allowed in this context');
      this.rollIndent(this.mColumn, -1, Tok.BlockSequenceStart, this.mark());
    }
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = true;
    const start = this.mark();
    this.skip();
    this.insertToken(-1, { typ: Tok.BlockEntry, start, end: this.mark() });
    return true;
  }

  private fetchKey(): boolean {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) return this.scannerError('', this.mark(), 'mapping keys are not allowed in this context');
      this.rollIndent(this.mColumn, -1, Tok.BlockMappingStart, this.mark());
    }
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = this.flowLevel === 0;
    const start = this.mark();
    this.skip();
    this.insertToken(-1, { typ: Tok.Key, start, end: this.mark() });
    return true;
  }

  private fetchValue(): boolean {
    const k = this.simpleKeys[this.simpleKeys.length - 1];
    if (k.possible) {
      this.insertToken(k.tokenNumber - this.tokensParsed, { typ: Tok.Key, start: k.mark, end: k.mark });
      this.rollIndent(k.mark.column, k.tokenNumber, Tok.BlockMappingStart, k.mark);
      k.possible = false;
      this.simpleKeyAllowed = false;
    } else {
      if (this.flowLevel === 0) {
        if (!this.simpleKeyAllowed) return this.scannerError('', this.mark(), 'mapping values are not allowed in this context');
        this.rollIndent(this.mColumn, -1, Tok.BlockMappingStart, this.mark());
      }
      this.simpleKeyAllowed = this.flowLevel === 0;
    }
    const start = this.mark();
    this.skip();
    this.insertToken(-1, { typ: Tok.Value, start, end: this.mark() });
    return true;
  }

  private fetchAnchor(typ: Tok): boolean {
    if (!this.saveSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const t = this.scanAnchor(typ);
    if (!t) return false;
    this.insertToken(-1, t);
    return true;
  }

  private fetchTag(): boolean {
    if (!this.saveSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const t = this.scanTag();
    if (!t) return false;
    this.insertToken(-1, t);
    return true;
  }

  private fetchBlockScalar(literal: boolean): boolean {
    if (!this.removeSimpleKey()) return false;
    this.simpleKeyAllowed = true;
    const t = this.scanBlockScalar(literal);
    if (!t) return false;
    this.insertToken(-1, t);
    return true;
  }

  private fetchFlowScalar(single: boolean): boolean {
    if (!this.saveSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const t = this.scanFlowScalar(single);
    if (!t) return false;
    this.insertToken(-1, t);
    return true;
  }

  private fetchPlainScalar(): boolean {
    if (!this.saveSimpleKey()) return false;
    this.simpleKeyAllowed = false;
    const t = this.scanPlainScalar();
    if (!t) return false;
    this.insertToken(-1, t);
    return true;
  }

  private scanToNextToken(): boolean {
    for (;;) {
      if (!this.cache(1)) return false;
      const b = this.buf;
      if (this.mColumn === 0 && b[this.base] === 0xef && b[this.base + 1] === 0xbb && b[this.base + 2] === 0xbf) this.skip();
      if (!this.cache(1)) return false;
      while (this.at() === 0x20 || ((this.flowLevel > 0 || !this.simpleKeyAllowed) && this.at() === 0x09)) {
        this.skip();
        if (!this.cache(1)) return false;
      }
      if (!this.skipComment()) return false;
      if (this.isBreakAt()) {
        if (!this.cache(2)) return false;
        this.skipLine();
        if (this.flowLevel === 0) this.simpleKeyAllowed = true;
      } else break;
    }
    return true;
  }

  private skipBlanks(): boolean {
    while (isBlank(this.at())) {
      this.skip();
      if (!this.cache(1)) return false;
    }
    return true;
  }

  /** A comment from its '#' to the line's end. */
  private skipComment(): boolean {
    if (this.at() === 0x23) {
      while (!this.isBreakzAt()) {
        this.skip();
        if (!this.cache(1)) return false;
      }
    }
    return true;
  }

  /** '---' or '...' at the start of a line, then a blank or a break. */
  private atDocumentIndicator(): boolean {
    const c = this.at();
    return this.mColumn === 0 && (c === 0x2d || c === 0x2e) && this.at(1) === c && this.at(2) === c && this.isBlankzAt(3);
  }

  /** Blanks, an optional comment and the line break after a directive or block scalar header. */
  private skipToLineEnd(context: string, start: Mark, problem: string): boolean {
    if (!this.cache(1)) return false;
    if (!this.skipBlanks()) return false;
    if (!this.skipComment()) return false;
    if (!this.isBreakzAt()) return this.scannerError(context, start, problem);
    if (this.isBreakAt()) {
      if (!this.cache(2)) return false;
      this.skipLine();
    }
    return true;
  }

  private scanDirective(): Token | undefined {
    const start = this.mark();
    this.skip();
    const name = this.scanDirectiveName(start);
    if (name === undefined) return undefined;
    let token: Token;
    if (name === 'YAML') {
      const major = this.scanVersionNumber(start);
      if (major === undefined) return undefined;
      if (this.at() !== 0x2e) {
        this.scannerError('while scanning a %YAML directive', start, "did not find expected digit or '.' character");
        return undefined;
      }
      this.skip();
      const minor = this.scanVersionNumber(start);
      if (minor === undefined) return undefined;
      token = { typ: Tok.VersionDirective, start, end: this.mark(), major, minor };
    } else if (name === 'TAG') {
      const r = this.scanTagDirectiveValue(start);
      if (!r) return undefined;
      token = { typ: Tok.TagDirective, start, end: this.mark(), value: r[0], prefix: r[1] };
    } else {
      this.scannerError('while scanning a directive', start, 'found unknown directive name');
      return undefined;
    }
    if (!this.skipToLineEnd('while scanning a directive', start, 'did not find expected comment or line break')) return undefined;
    return token;
  }

  private scanDirectiveName(start: Mark): string | undefined {
    if (!this.cache(1)) return undefined;
    const s: number[] = [];
    while (isAlpha(this.at())) {
      this.read(s);
      if (!this.cache(1)) return undefined;
    }
    if (s.length === 0) {
      this.scannerError('while scanning a directive', start, 'could not find expected directive name');
      return undefined;
    }
    if (!this.isBlankzAt()) {
      this.scannerError('while scanning a directive', start, 'found unexpected non-alphabetical character');
      return undefined;
    }
    return String.fromCharCode(...s);
  }

  /** The blanks before a %YAML number (only the major's), then the number. */
  private scanVersionNumber(start: Mark): number | undefined {
    if (!this.cache(1)) return undefined;
    if (!this.skipBlanks()) return undefined;
    let value = 0;
    let length = 0;
    while (isDigit(this.at())) {
      length++;
      if (length > 2) {
        this.scannerError('while scanning a %YAML directive', start, 'found extremely long version number');
        return undefined;
      }
      value = value * 10 + (this.at() - 0x30);
      this.skip();
      if (!this.cache(1)) return undefined;
    }
    if (length === 0) {
      this.scannerError('while scanning a %YAML directive', start, 'did not find expected version number');
      return undefined;
    }
    return value;
  }

  private scanTagDirectiveValue(start: Mark): [number[], number[]] | undefined {
    if (!this.cache(1)) return undefined;
    if (!this.skipBlanks()) return undefined;
    const handle = this.scanTagHandle(true, start);
    if (!handle) return undefined;
    if (!this.cache(1)) return undefined;
    if (!isBlank(this.at())) {
      this.scannerError('while scanning a %TAG directive', start, 'did not find expected whitespace');
      return undefined;
    }
    if (!this.skipBlanks()) return undefined;
    const prefix = this.scanTagUri(true, undefined, start);
    if (!prefix) return undefined;
    if (!this.cache(1)) return undefined;
    if (!this.isBlankzAt()) {
      this.scannerError('while scanning a %TAG directive', start, 'did not find expected whitespace or line break');
      return undefined;
    }
    return [handle, prefix];
  }

  private scanAnchor(typ: Tok): Token | undefined {
    const s: number[] = [];
    const start = this.mark();
    this.skip();
    if (!this.cache(1)) return undefined;
    while (isAlpha(this.at())) {
      this.read(s);
      if (!this.cache(1)) return undefined;
    }
    const end = this.mark();
    const c = this.at();
    if (s.length === 0 || !(this.isBlankzAt() || c === 0x3f || c === 0x3a || c === 0x2c || c === 0x5d || c === 0x7d || c === 0x25 || c === 0x40 || c === 0x60)) {
      this.scannerError(typ === Tok.Anchor ? 'while scanning an anchor' : 'while scanning an alias', start, 'did not find expected alphabetic or numeric character');
      return undefined;
    }
    return { typ, start, end, value: s };
  }

  private scanTag(): Token | undefined {
    let handle: number[];
    let suffix: number[];
    const start = this.mark();
    if (!this.cache(2)) return undefined;
    if (this.at(1) === 0x3c) {
      handle = [];
      this.skip();
      this.skip();
      const u = this.scanTagUri(false, undefined, start);
      if (!u) return undefined;
      suffix = u;
      if (this.at() !== 0x3e) {
        this.scannerError('while scanning a tag', start, "did not find the expected '>'");
        return undefined;
      }
      this.skip();
    } else {
      const h = this.scanTagHandle(false, start);
      if (!h) return undefined;
      handle = h;
      if (handle[0] === 0x21 && handle.length > 1 && handle[handle.length - 1] === 0x21) {
        const u = this.scanTagUri(false, undefined, start);
        if (!u) return undefined;
        suffix = u;
      } else {
        const u = this.scanTagUri(false, handle, start);
        if (!u) return undefined;
        suffix = u;
        handle = [0x21];
        if (suffix.length === 0) [handle, suffix] = [suffix, handle];
      }
    }
    if (!this.cache(1)) return undefined;
    if (!this.isBlankzAt()) {
      this.scannerError('while scanning a tag', start, 'did not find expected whitespace or line break');
      return undefined;
    }
    return { typ: Tok.Tag, start, end: this.mark(), value: handle, suffix };
  }

  private scanTagHandle(directive: boolean, start: Mark): number[] | undefined {
    if (!this.cache(1)) return undefined;
    if (this.at() !== 0x21) {
      this.tagError(directive, start, "did not find expected '!'");
      return undefined;
    }
    const s: number[] = [];
    this.read(s);
    if (!this.cache(1)) return undefined;
    while (isAlpha(this.at())) {
      this.read(s);
      if (!this.cache(1)) return undefined;
    }
    if (this.at() === 0x21) this.read(s);
    else if (directive && !(s.length === 1 && s[0] === 0x21)) {
      this.tagError(directive, start, "did not find expected '!'");
      return undefined;
    }
    return s;
  }

  private scanTagUri(directive: boolean, head: number[] | undefined, start: Mark): number[] | undefined {
    const s: number[] = [];
    let hasTag = head !== undefined && head.length > 0;
    if (head && head.length > 1) append(s, head.slice(1));
    if (!this.cache(1)) return undefined;
    for (;;) {
      const c = this.at();
      if (!(isAlpha(c) || ";/?:@&=+$,.!~*'()[]%".includes(String.fromCharCode(c)))) break;
      if (c === 0x25) {
        if (!this.scanUriEscapes(directive, start, s)) return undefined;
      } else this.read(s);
      if (!this.cache(1)) return undefined;
      hasTag = true;
    }
    if (!hasTag) {
      this.tagError(directive, start, 'did not find expected tag URI');
      return undefined;
    }
    return s;
  }

  private scanUriEscapes(directive: boolean, start: Mark, s: number[]): boolean {
    let w = 1024;
    while (w > 0) {
      if (!this.cache(3)) return false;
      if (!(this.at() === 0x25 && isHex(this.at(1)) && isHex(this.at(2)))) return this.tagError(directive, start, 'did not find URI escaped octet');
      const octet = (asHex(this.at(1)) << 4) + asHex(this.at(2));
      if (w === 1024) {
        w = width(octet);
        if (w === 0) return this.tagError(directive, start, 'found an incorrect leading UTF-8 octet');
      } else if ((octet & 0xc0) !== 0x80) return this.tagError(directive, start, 'found an incorrect trailing UTF-8 octet');
      s.push(octet);
      this.skip();
      this.skip();
      this.skip();
      w--;
    }
    return true;
  }

  private scanBlockScalar(literal: boolean): Token | undefined {
    const start = this.mark();
    this.skip();
    if (!this.cache(1)) return undefined;
    let chomping = 0;
    let increment = 0;
    const zeroIndent = () => {
      this.scannerError('while scanning a block scalar', start, 'found an indentation indicator equal to 0');
      return undefined;
    };
    if (this.at() === 0x2b || this.at() === 0x2d) {
      chomping = this.at() === 0x2b ? 1 : -1;
      this.skip();
      if (!this.cache(1)) return undefined;
      if (isDigit(this.at())) {
        if (this.at() === 0x30) return zeroIndent();
        increment = this.at() - 0x30;
        this.skip();
      }
    } else if (isDigit(this.at())) {
      if (this.at() === 0x30) return zeroIndent();
      increment = this.at() - 0x30;
      this.skip();
      if (!this.cache(1)) return undefined;
      if (this.at() === 0x2b || this.at() === 0x2d) {
        chomping = this.at() === 0x2b ? 1 : -1;
        this.skip();
      }
    }
    if (!this.skipToLineEnd('while scanning a block scalar', start, 'did not find expected comment or line break')) return undefined;
    const st = { end: this.mark(), indent: 0 };
    if (increment > 0) st.indent = this.indent >= 0 ? this.indent + increment : increment;
    const s: number[] = [];
    let leadingBreak: number[] = [];
    let trailingBreaks: number[] = [];
    if (!this.scanBlockScalarBreaks(st, trailingBreaks, start)) return undefined;
    if (!this.cache(1)) return undefined;
    let leadingBlank = false;
    let trailingBlank = false;
    while (this.mColumn === st.indent && this.at() !== 0) {
      trailingBlank = isBlank(this.at());
      if (!literal && !leadingBlank && !trailingBlank && leadingBreak.length > 0 && leadingBreak[0] === 0x0a) {
        if (trailingBreaks.length === 0) s.push(0x20);
      } else append(s, leadingBreak);
      leadingBreak = [];
      append(s, trailingBreaks);
      trailingBreaks = [];
      leadingBlank = isBlank(this.at());
      while (!this.isBreakzAt()) {
        this.read(s);
        if (!this.cache(1)) return undefined;
      }
      if (!this.cache(2)) return undefined;
      this.readLine(leadingBreak);
      if (!this.scanBlockScalarBreaks(st, trailingBreaks, start)) return undefined;
    }
    if (chomping !== -1) append(s, leadingBreak);
    if (chomping === 1) append(s, trailingBreaks);
    return { typ: Tok.Scalar, start, end: st.end, value: s, style: literal ? Style.Literal : Style.Folded };
  }

  private scanBlockScalarBreaks(st: { end: Mark; indent: number }, breaks: number[], start: Mark): boolean {
    st.end = this.mark();
    let maxIndent = 0;
    for (;;) {
      if (!this.cache(1)) return false;
      while ((st.indent === 0 || this.mColumn < st.indent) && this.at() === 0x20) {
        this.skip();
        if (!this.cache(1)) return false;
      }
      if (this.mColumn > maxIndent) maxIndent = this.mColumn;
      if ((st.indent === 0 || this.mColumn < st.indent) && this.at() === 0x09) return this.scannerError('while scanning a block scalar', start, 'found a tab character where an indentation space is expected');
      if (!this.isBreakAt()) break;
      if (!this.cache(2)) return false;
      this.readLine(breaks);
      st.end = this.mark();
    }
    if (st.indent === 0) {
      st.indent = maxIndent;
      if (st.indent < this.indent + 1) st.indent = this.indent + 1;
      if (st.indent < 1) st.indent = 1;
    }
    return true;
  }

  private scanFlowScalar(single: boolean): Token | undefined {
    const start = this.mark();
    this.skip();
    const s: number[] = [];
    let leadingBreak: number[] = [];
    let trailingBreaks: number[] = [];
    let whitespaces: number[] = [];
    for (;;) {
      if (!this.cache(4)) return undefined;
      if (this.atDocumentIndicator()) {
        this.scannerError('while scanning a quoted scalar', start, 'found unexpected document indicator');
        return undefined;
      }
      if (this.at() === 0) {
        this.scannerError('while scanning a quoted scalar', start, 'found unexpected end of stream');
        return undefined;
      }
      let leadingBlanks = false;
      while (!this.isBlankzAt()) {
        const c = this.at();
        if (single && c === 0x27 && this.at(1) === 0x27) {
          s.push(0x27);
          this.skip();
          this.skip();
        } else if (single && c === 0x27) break;
        else if (!single && c === 0x22) break;
        else if (!single && c === 0x5c && this.isBreakAt(1)) {
          if (!this.cache(3)) return undefined;
          this.skip();
          this.skipLine();
          leadingBlanks = true;
          break;
        } else if (!single && c === 0x5c) {
          let codeLength = 0;
          switch (this.at(1)) {
            case 0x30: s.push(0); break; // 0
            case 0x61: s.push(0x07); break; // a
            case 0x62: s.push(0x08); break; // b
            case 0x74: case 0x09: s.push(0x09); break; // t, tab
            case 0x6e: s.push(0x0a); break; // n
            case 0x76: s.push(0x0b); break; // v
            case 0x66: s.push(0x0c); break; // f
            case 0x72: s.push(0x0d); break; // r
            case 0x65: s.push(0x1b); break; // e
            case 0x20: s.push(0x20); break;
            case 0x22: s.push(0x22); break;
            case 0x27: s.push(0x27); break;
            case 0x5c: s.push(0x5c); break;
            case 0x4e: s.push(0xc2, 0x85); break; // N
            case 0x5f: s.push(0xc2, 0xa0); break; // _
            case 0x4c: s.push(0xe2, 0x80, 0xa8); break; // L
            case 0x50: s.push(0xe2, 0x80, 0xa9); break; // P
            case 0x78: codeLength = 2; break; // x
            case 0x75: codeLength = 4; break; // u
            case 0x55: codeLength = 8; break; // U
            default:
              this.scannerError('while parsing a quoted scalar', start, 'found unknown escape character');
              return undefined;
          }
          this.skip();
          this.skip();
          if (codeLength > 0) {
            let value = 0;
            if (!this.cache(codeLength)) return undefined;
            for (let k = 0; k < codeLength; k++) {
              if (!isHex(this.at(k))) {
                this.scannerError('while parsing a quoted scalar', start, 'did not find expected hexdecimal number');
                return undefined;
              }
              value = value * 16 + asHex(this.at(k));
            }
            if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) {
              this.scannerError('while parsing a quoted scalar', start, 'found invalid Unicode character escape code');
              return undefined;
            }
            if (value <= 0x7f) s.push(value);
            else if (value <= 0x7ff) s.push(0xc0 + (value >> 6), 0x80 + (value & 0x3f));
            else if (value <= 0xffff) s.push(0xe0 + (value >> 12), 0x80 + ((value >> 6) & 0x3f), 0x80 + (value & 0x3f));
            else s.push(0xf0 + (value >> 18), 0x80 + ((value >> 12) & 0x3f), 0x80 + ((value >> 6) & 0x3f), 0x80 + (value & 0x3f));
            for (let k = 0; k < codeLength; k++) this.skip();
          }
        } else this.read(s);
        if (!this.cache(2)) return undefined;
      }
      if (!this.cache(1)) return undefined;
      if (this.at() === (single ? 0x27 : 0x22)) break;
      while (isBlank(this.at()) || this.isBreakAt()) {
        if (isBlank(this.at())) {
          if (!leadingBlanks) this.read(whitespaces);
          else this.skip();
        } else {
          if (!this.cache(2)) return undefined;
          if (!leadingBlanks) {
            whitespaces = [];
            this.readLine(leadingBreak);
            leadingBlanks = true;
          } else this.readLine(trailingBreaks);
        }
        if (!this.cache(1)) return undefined;
      }
      if (leadingBlanks) {
        foldBreaks(s, leadingBreak, trailingBreaks);
        trailingBreaks = [];
        leadingBreak = [];
      } else {
        append(s, whitespaces);
        whitespaces = [];
      }
    }
    this.skip();
    return { typ: Tok.Scalar, start, end: this.mark(), value: s, style: single ? Style.SingleQuoted : Style.DoubleQuoted };
  }

  private scanPlainScalar(): Token | undefined {
    const s: number[] = [];
    let leadingBreak: number[] = [];
    let trailingBreaks: number[] = [];
    let whitespaces: number[] = [];
    let leadingBlanks = false;
    const indent = this.indent + 1;
    const start = this.mark();
    let end = this.mark();
    for (;;) {
      if (!this.cache(4)) return undefined;
      if (this.atDocumentIndicator()) break;
      if (this.at() === 0x23) break;
      while (!this.isBlankzAt()) {
        const c = this.at();
        if ((c === 0x3a && this.isBlankzAt(1)) || (this.flowLevel > 0 && (c === 0x2c || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d))) break;
        if (leadingBlanks || whitespaces.length > 0) {
          if (leadingBlanks) {
            foldBreaks(s, leadingBreak, trailingBreaks);
            trailingBreaks = [];
            leadingBreak = [];
            leadingBlanks = false;
          } else {
            append(s, whitespaces);
            whitespaces = [];
          }
        }
        this.read(s);
        end = this.mark();
        if (!this.cache(2)) return undefined;
      }
      if (!(isBlank(this.at()) || this.isBreakAt())) break;
      if (!this.cache(1)) return undefined;
      while (isBlank(this.at()) || this.isBreakAt()) {
        if (isBlank(this.at())) {
          if (leadingBlanks && this.mColumn < indent && this.at() === 0x09) {
            this.scannerError('while scanning a plain scalar', start, 'found a tab character that violates indentation');
            return undefined;
          }
          if (!leadingBlanks) this.read(whitespaces);
          else this.skip();
        } else {
          if (!this.cache(2)) return undefined;
          if (!leadingBlanks) {
            whitespaces = [];
            this.readLine(leadingBreak);
            leadingBlanks = true;
          } else this.readLine(trailingBreaks);
        }
        if (!this.cache(1)) return undefined;
      }
      if (this.flowLevel === 0 && this.mColumn < indent) break;
    }
    if (leadingBlanks) this.simpleKeyAllowed = true;
    return { typ: Tok.Scalar, start, end, value: s, style: Style.Plain };
  }

  // ---- parser (parserc.go)

  private peek(): Token | undefined {
    if (this.tokenAvailable || this.fetchMoreTokens()) return this.tokens[this.head];
    return undefined;
  }
  private skipToken(): void {
    this.tokenAvailable = false;
    this.tokensParsed++;
    this.streamEndProduced = this.tokens[this.head].typ === Tok.StreamEnd;
    this.head++;
  }

  private parserError(problem: string, problemMark: Mark): false {
    this.error = Err.Parser;
    this.problem = problem;
    this.problemMark = problemMark;
    return false;
  }
  private parserErrorContext(context: string, contextMark: Mark, problem: string, problemMark: Mark): false {
    this.error = Err.Parser;
    this.context = context;
    this.contextMark = contextMark;
    this.problem = problem;
    this.problemMark = problemMark;
    return false;
  }

  private ev(typ: EventType, start: Mark, end: Mark, rest?: Partial<Event>): Event {
    return { typ, start, end, anchor: '', tag: '', value: '', implicit: false, quoted: false, ...rest };
  }

  /** The next event; undefined on an error. An event of type None after the stream's end. */
  parse(): Event | undefined {
    if (this.streamEndProduced || this.error !== Err.None || this.state === St.End) return this.ev('none', ZERO_MARK, ZERO_MARK);
    return this.stateMachine();
  }

  private popState(): void {
    this.state = this.states.pop()!;
  }

  private stateMachine(): Event | undefined {
    switch (this.state) {
      case St.StreamStart:
        return this.parseStreamStart();
      case St.ImplicitDocumentStart:
        return this.parseDocumentStart(true);
      case St.DocumentStart:
        return this.parseDocumentStart(false);
      case St.DocumentContent:
        return this.parseDocumentContent();
      case St.DocumentEnd:
        return this.parseDocumentEnd();
      case St.BlockNode:
        return this.parseNode(true, false);
      case St.BlockNodeOrIndentlessSequence:
        return this.parseNode(true, true);
      case St.FlowNode:
        return this.parseNode(false, false);
      case St.BlockSequenceFirstEntry:
        return this.parseBlockSequenceEntry(true);
      case St.BlockSequenceEntry:
        return this.parseBlockSequenceEntry(false);
      case St.IndentlessSequenceEntry:
        return this.parseIndentlessSequenceEntry();
      case St.BlockMappingFirstKey:
        return this.parseBlockMappingKey(true);
      case St.BlockMappingKey:
        return this.parseBlockMappingKey(false);
      case St.BlockMappingValue:
        return this.parseBlockMappingValue();
      case St.FlowSequenceFirstEntry:
        return this.parseFlowSequenceEntry(true);
      case St.FlowSequenceEntry:
        return this.parseFlowSequenceEntry(false);
      case St.FlowSequenceEntryMappingKey:
        return this.parseFlowSequenceEntryMappingKey();
      case St.FlowSequenceEntryMappingValue:
        return this.parseFlowSequenceEntryMappingValue();
      case St.FlowSequenceEntryMappingEnd:
        return this.parseFlowSequenceEntryMappingEnd();
      case St.FlowMappingFirstKey:
        return this.parseFlowMappingKey(true);
      case St.FlowMappingKey:
        return this.parseFlowMappingKey(false);
      case St.FlowMappingValue:
        return this.parseFlowMappingValue(false);
      case St.FlowMappingEmptyValue:
        return this.parseFlowMappingValue(true);
      default:
        throw new Error('invalid parser state');
    }
  }

  private parseStreamStart(): Event | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.typ !== Tok.StreamStart) {
      this.parserError('did not find expected <stream-start>', t.start);
      return undefined;
    }
    this.state = St.ImplicitDocumentStart;
    this.skipToken();
    return this.ev('stream start', t.start, t.end);
  }

  private parseDocumentStart(implicit: boolean): Event | undefined {
    let t = this.peek();
    if (!t) return undefined;
    if (!implicit) {
      while (t.typ === Tok.DocumentEnd) {
        this.skipToken();
        t = this.peek();
        if (!t) return undefined;
      }
    }
    if (implicit && t.typ !== Tok.VersionDirective && t.typ !== Tok.TagDirective && t.typ !== Tok.DocumentStart && t.typ !== Tok.StreamEnd) {
      if (!this.processDirectives()) return undefined;
      this.states.push(St.DocumentEnd);
      this.state = St.BlockNode;
      return this.ev('document start', t.start, t.end);
    }
    if (t.typ !== Tok.StreamEnd) {
      const start = t.start;
      if (!this.processDirectives()) return undefined;
      t = this.peek();
      if (!t) return undefined;
      if (t.typ !== Tok.DocumentStart) {
        this.parserError('did not find expected <document start>', t.start);
        return undefined;
      }
      this.states.push(St.DocumentEnd);
      this.state = St.DocumentContent;
      this.skipToken();
      return this.ev('document start', start, t.end);
    }
    this.state = St.End;
    this.skipToken();
    return this.ev('stream end', t.start, t.end);
  }

  private parseDocumentContent(): Event | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.VersionDirective || t.typ === Tok.TagDirective || t.typ === Tok.DocumentStart || t.typ === Tok.DocumentEnd || t.typ === Tok.StreamEnd) {
      this.popState();
      return this.emptyScalar(t.start);
    }
    return this.parseNode(true, false);
  }

  private parseDocumentEnd(): Event | undefined {
    const t = this.peek();
    if (!t) return undefined;
    const start = t.start;
    let end = t.start;
    if (t.typ === Tok.DocumentEnd) {
      end = t.end;
      this.skipToken();
    }
    this.tagDirectives = [];
    this.state = St.DocumentStart;
    return this.ev('document end', start, end);
  }

  private parseNode(block: boolean, indentlessSequence: boolean): Event | undefined {
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.Alias) {
      this.popState();
      this.skipToken();
      return this.ev('alias', t.start, t.end, { anchor: bytesText(t.value!) });
    }
    let start = t.start;
    let end = t.start;
    let tagToken = false;
    let tagHandle: number[] = [];
    let tagSuffix: number[] = [];
    let anchor: number[] = [];
    let tagMark = ZERO_MARK;
    if (t.typ === Tok.Anchor) {
      anchor = t.value!;
      start = t.start;
      end = t.end;
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ === Tok.Tag) {
        tagToken = true;
        tagHandle = t.value!;
        tagSuffix = t.suffix!;
        tagMark = t.start;
        end = t.end;
        this.skipToken();
        t = this.peek();
        if (!t) return undefined;
      }
    } else if (t.typ === Tok.Tag) {
      tagToken = true;
      tagHandle = t.value!;
      tagSuffix = t.suffix!;
      start = t.start;
      tagMark = t.start;
      end = t.end;
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ === Tok.Anchor) {
        anchor = t.value!;
        end = t.end;
        this.skipToken();
        t = this.peek();
        if (!t) return undefined;
      }
    }
    let tag = '';
    if (tagToken) {
      if (tagHandle.length === 0) tag = bytesText(tagSuffix);
      else {
        const h = bytesText(tagHandle);
        const d = this.tagDirectives.find((x) => x.handle === h);
        if (d) tag = d.prefix + bytesText(tagSuffix);
        if (tag.length === 0) {
          this.parserErrorContext('while parsing a node', start, 'found undefined tag handle', tagMark);
          return undefined;
        }
      }
    }
    const anchorText = bytesText(anchor);
    const implicit = tag.length === 0;
    if (indentlessSequence && t.typ === Tok.BlockEntry) {
      this.state = St.IndentlessSequenceEntry;
      return this.ev('sequence start', start, t.end, { anchor: anchorText, tag, implicit });
    }
    if (t.typ === Tok.Scalar) {
      const plainImplicit = (tag.length === 0 && t.style === Style.Plain) || tag === '!';
      this.popState();
      this.skipToken();
      return this.ev('scalar', start, t.end, { anchor: anchorText, tag, value: bytesText(t.value!), implicit: plainImplicit, quoted: t.style === Style.SingleQuoted || t.style === Style.DoubleQuoted });
    }
    if (t.typ === Tok.FlowSequenceStart) {
      this.state = St.FlowSequenceFirstEntry;
      return this.ev('sequence start', start, t.end, { anchor: anchorText, tag, implicit });
    }
    if (t.typ === Tok.FlowMappingStart) {
      this.state = St.FlowMappingFirstKey;
      return this.ev('mapping start', start, t.end, { anchor: anchorText, tag, implicit });
    }
    if (block && t.typ === Tok.BlockSequenceStart) {
      this.state = St.BlockSequenceFirstEntry;
      return this.ev('sequence start', start, t.end, { anchor: anchorText, tag, implicit });
    }
    if (block && t.typ === Tok.BlockMappingStart) {
      this.state = St.BlockMappingFirstKey;
      return this.ev('mapping start', start, t.end, { anchor: anchorText, tag, implicit });
    }
    if (anchor.length > 0 || tag.length > 0) {
      this.popState();
      return this.ev('scalar', start, end, { anchor: anchorText, tag, implicit });
    }
    this.parserErrorContext(block ? 'while parsing a block node' : 'while parsing a flow node', start, 'did not find expected node content', t.start);
    return undefined;
  }

  private parseBlockSequenceEntry(first: boolean): Event | undefined {
    if (first) {
      this.marks.push(this.peek()!.start);
      this.skipToken();
    }
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.BlockEntry) {
      const mark = t.end;
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ !== Tok.BlockEntry && t.typ !== Tok.BlockEnd) {
        this.states.push(St.BlockSequenceEntry);
        return this.parseNode(true, false);
      }
      this.state = St.BlockSequenceEntry;
      return this.emptyScalar(mark);
    }
    if (t.typ === Tok.BlockEnd) {
      this.popState();
      this.marks.pop();
      this.skipToken();
      return this.ev('sequence end', t.start, t.end);
    }
    const contextMark = this.marks.pop()!;
    this.parserErrorContext('while parsing a block collection', contextMark, "did not find expected '-' indicator", t.start);
    return undefined;
  }

  private parseIndentlessSequenceEntry(): Event | undefined {
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.BlockEntry) {
      const mark = t.end;
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ !== Tok.BlockEntry && t.typ !== Tok.Key && t.typ !== Tok.Value && t.typ !== Tok.BlockEnd) {
        this.states.push(St.IndentlessSequenceEntry);
        return this.parseNode(true, false);
      }
      this.state = St.IndentlessSequenceEntry;
      return this.emptyScalar(mark);
    }
    this.popState();
    return this.ev('sequence end', t.start, t.start);
  }

  private parseBlockMappingKey(first: boolean): Event | undefined {
    if (first) {
      this.marks.push(this.peek()!.start);
      this.skipToken();
    }
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.Key) {
      const mark = t.end;
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ !== Tok.Key && t.typ !== Tok.Value && t.typ !== Tok.BlockEnd) {
        this.states.push(St.BlockMappingValue);
        return this.parseNode(true, true);
      }
      this.state = St.BlockMappingValue;
      return this.emptyScalar(mark);
    }
    if (t.typ === Tok.BlockEnd) {
      this.popState();
      this.marks.pop();
      this.skipToken();
      return this.ev('mapping end', t.start, t.end);
    }
    const contextMark = this.marks.pop()!;
    this.parserErrorContext('while parsing a block mapping', contextMark, 'did not find expected key', t.start);
    return undefined;
  }

  private parseBlockMappingValue(): Event | undefined {
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.Value) {
      const mark = t.end;
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ !== Tok.Key && t.typ !== Tok.Value && t.typ !== Tok.BlockEnd) {
        this.states.push(St.BlockMappingKey);
        return this.parseNode(true, true);
      }
      this.state = St.BlockMappingKey;
      return this.emptyScalar(mark);
    }
    this.state = St.BlockMappingKey;
    return this.emptyScalar(t.start);
  }

  private parseFlowSequenceEntry(first: boolean): Event | undefined {
    if (first) {
      this.marks.push(this.peek()!.start);
      this.skipToken();
    }
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ !== Tok.FlowSequenceEnd) {
      if (!first) {
        if (t.typ === Tok.FlowEntry) {
          this.skipToken();
          t = this.peek();
          if (!t) return undefined;
        } else {
          const contextMark = this.marks.pop()!;
          this.parserErrorContext('while parsing a flow sequence', contextMark, "did not find expected ',' or ']'", t.start);
          return undefined;
        }
      }
      if (t.typ === Tok.Key) {
        this.state = St.FlowSequenceEntryMappingKey;
        this.skipToken();
        return this.ev('mapping start', t.start, t.end, { implicit: true });
      }
      if (t.typ !== Tok.FlowSequenceEnd) {
        this.states.push(St.FlowSequenceEntry);
        return this.parseNode(false, false);
      }
    }
    this.popState();
    this.marks.pop();
    this.skipToken();
    return this.ev('sequence end', t.start, t.end);
  }

  private parseFlowSequenceEntryMappingKey(): Event | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.typ !== Tok.Value && t.typ !== Tok.FlowEntry && t.typ !== Tok.FlowSequenceEnd) {
      this.states.push(St.FlowSequenceEntryMappingValue);
      return this.parseNode(false, false);
    }
    const mark = t.end;
    this.skipToken();
    this.state = St.FlowSequenceEntryMappingValue;
    return this.emptyScalar(mark);
  }

  private parseFlowSequenceEntryMappingValue(): Event | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.typ === Tok.Value) {
      this.skipToken();
      const t2 = this.peek();
      if (!t2) return undefined;
      if (t2.typ !== Tok.FlowEntry && t2.typ !== Tok.FlowSequenceEnd) {
        this.states.push(St.FlowSequenceEntryMappingEnd);
        return this.parseNode(false, false);
      }
    }
    this.state = St.FlowSequenceEntryMappingEnd;
    return this.emptyScalar(t.start);
  }

  private parseFlowSequenceEntryMappingEnd(): Event | undefined {
    const t = this.peek();
    if (!t) return undefined;
    this.state = St.FlowSequenceEntry;
    return this.ev('mapping end', t.start, t.start);
  }

  private parseFlowMappingKey(first: boolean): Event | undefined {
    if (first) {
      this.marks.push(this.peek()!.start);
      this.skipToken();
    }
    let t = this.peek();
    if (!t) return undefined;
    if (t.typ !== Tok.FlowMappingEnd) {
      if (!first) {
        if (t.typ === Tok.FlowEntry) {
          this.skipToken();
          t = this.peek();
          if (!t) return undefined;
        } else {
          const contextMark = this.marks.pop()!;
          this.parserErrorContext('while parsing a flow mapping', contextMark, "did not find expected ',' or '}'", t.start);
          return undefined;
        }
      }
      if (t.typ === Tok.Key) {
        this.skipToken();
        t = this.peek();
        if (!t) return undefined;
        if (t.typ !== Tok.Value && t.typ !== Tok.FlowEntry && t.typ !== Tok.FlowMappingEnd) {
          this.states.push(St.FlowMappingValue);
          return this.parseNode(false, false);
        }
        this.state = St.FlowMappingValue;
        return this.emptyScalar(t.start);
      }
      if (t.typ !== Tok.FlowMappingEnd) {
        this.states.push(St.FlowMappingEmptyValue);
        return this.parseNode(false, false);
      }
    }
    this.popState();
    this.marks.pop();
    this.skipToken();
    return this.ev('mapping end', t.start, t.end);
  }

  private parseFlowMappingValue(empty: boolean): Event | undefined {
    let t = this.peek();
    if (!t) return undefined;
    if (empty) {
      this.state = St.FlowMappingKey;
      return this.emptyScalar(t.start);
    }
    if (t.typ === Tok.Value) {
      this.skipToken();
      t = this.peek();
      if (!t) return undefined;
      if (t.typ !== Tok.FlowEntry && t.typ !== Tok.FlowMappingEnd) {
        this.states.push(St.FlowMappingKey);
        return this.parseNode(false, false);
      }
    }
    this.state = St.FlowMappingKey;
    return this.emptyScalar(t.start);
  }

  private emptyScalar(mark: Mark): Event {
    return this.ev('scalar', mark, mark, { implicit: true });
  }

  private processDirectives(): boolean {
    let version = false;
    let t = this.peek();
    if (!t) return false;
    while (t.typ === Tok.VersionDirective || t.typ === Tok.TagDirective) {
      if (t.typ === Tok.VersionDirective) {
        if (version) return this.parserError('found duplicate %YAML directive', t.start);
        if (t.major !== 1 || t.minor !== 1) return this.parserError('found incompatible YAML document', t.start);
        version = true;
      } else if (!this.appendTagDirective(bytesText(t.value!), bytesText(t.prefix!), false, t.start)) return false;
      this.skipToken();
      t = this.peek();
      if (!t) return false;
    }
    this.appendTagDirective('!', '!', true, t.start);
    this.appendTagDirective('!!', 'tag:yaml.org,2002:', true, t.start);
    return true;
  }

  private appendTagDirective(handle: string, prefix: string, allowDuplicates: boolean, mark: Mark): boolean {
    if (this.tagDirectives.some((d) => d.handle === handle)) {
      if (allowDuplicates) return true;
      return this.parserError('found duplicate %TAG directive', mark);
    }
    this.tagDirectives.push({ handle, prefix });
    return true;
  }

  /**
   * The message of the error that stopped the parse, as go-cty-yaml's parserError words it: a
   * position from the problem's mark when its (zero-based) line is not 0, else from the
   * context's; a scanner problem is placed at the start of the line after its mark.
   */
  failure(): string {
    const cause = this.problem.length > 0 ? this.problem : 'invalid YAML syntax';
    if (this.problemMark.line !== 0) {
      if (this.error === Err.Scanner) return `on line ${this.problemMark.line + 1}, column 1: ${cause}`;
      return `on line ${this.problemMark.line}, column ${this.problemMark.column + 1}: ${cause}`;
    }
    if (this.contextMark.line !== 0) return `on line ${this.contextMark.line}, column ${this.contextMark.column + 1}: ${cause}`;
    return cause;
  }
}

/** A quoted or plain scalar's line folding: a single line feed becomes a space, more are kept. */
function foldBreaks(s: number[], leadingBreak: number[], trailingBreaks: number[]): void {
  if (leadingBreak[0] !== 0x0a) append(s, leadingBreak);
  else if (trailingBreaks.length === 0) s.push(0x20);
  append(s, trailingBreaks);
}

function append(s: number[], more: number[]): void {
  for (const b of more) s.push(b);
}

function bytesText(b: number[]): string {
  return Buffer.from(b).toString('utf8');
}
