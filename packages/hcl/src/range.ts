// Source positions and ranges, as HCL reports them: a byte offset (0-based,
// in UTF-8), a line (1-based) and a column (1-based, counted in grapheme
// clusters).

export interface Pos {
  readonly byte: number;
  readonly line: number;
  readonly column: number;
}

export interface Range {
  readonly filename: string;
  readonly start: Pos;
  readonly end: Pos;
}

export const initialPos: Pos = { byte: 0, line: 1, column: 1 };

/** Go's zero hcl.Range: a diagnostic naming no place prints `on  line 0`. */
export const zeroRange: Range = { filename: '', start: { byte: 0, line: 0, column: 0 }, end: { byte: 0, line: 0, column: 0 } };

export function rangeBetween(a: Range, b: Range): Range {
  if (a instanceof SpanRange && b instanceof SpanRange && a.lines === b.lines) {
    return new SpanRange(a.lines, a.s <= b.s ? a.s : b.s, a.e >= b.e ? a.e : b.e);
  }
  const start = a.start.byte <= b.start.byte ? a.start : b.start;
  const end = a.end.byte >= b.end.byte ? a.end : b.end;
  return { filename: a.filename, start, end };
}

/** The smallest range covering both (HCL's RangeOver). */
export function rangeOver(a: Range, b: Range): Range {
  return rangeBetween(a, b);
}

export function rangeEmpty(r: Range): boolean {
  return r.start.byte === r.end.byte;
}

export function rangeContainsOffset(r: Range, offset: number): boolean {
  return offset >= r.start.byte && offset < r.end.byte;
}

/**
 * Whether two ranges share a character, with the semantics of the HCL
 * version Packer 1.6.6 is built with (v2.6): empty ranges never overlap,
 * and an end offset counts as inside.
 */
export function rangeOverlaps(a: Range, b: Range): boolean {
  if (a.filename !== b.filename) return false;
  if (rangeEmpty(a) || rangeEmpty(b)) return false;
  return (
    rangeContainsOffset(a, b.start.byte) ||
    rangeContainsOffset(a, b.end.byte) ||
    rangeContainsOffset(b, a.start.byte) ||
    rangeContainsOffset(b, a.end.byte)
  );
}

/** An empty range at the start of `r`. */
export function rangeStart(r: Range): Range {
  if (r instanceof SpanRange) return new SpanRange(r.lines, r.s, r.s);
  return { filename: r.filename, start: r.start, end: r.start };
}

/** An empty range at the end of `r`. */
export function rangeEndOf(r: Range): Range {
  if (r instanceof SpanRange) return new SpanRange(r.lines, r.e, r.e);
  return { filename: r.filename, start: r.end, end: r.end };
}

/** "FILE:LINE,COL-COL" / "FILE:LINE,COL-LINE,COL", as hcl.Range.String(). */
export function rangeString(r: Range): string {
  if (r.start.line === r.end.line) {
    return `${r.filename}:${r.start.line},${r.start.column}-${r.end.column}`;
  }
  return `${r.filename}:${r.start.line},${r.start.column}-${r.end.line},${r.end.column}`;
}

/** Go's unicode.IsSpace, for a UTF-16 code unit (all its spaces are in the BMP). */
export function isUnicodeSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

let segmenter: Intl.Segmenter | undefined;

/** Number of grapheme clusters in `s` (HCL counts columns in these). */
export function graphemeCount(s: string): number {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

/** Split `s` into grapheme clusters. */
export function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const out: string[] = [];
  for (const seg of segmenter.segment(s)) out.push(seg.segment);
  return out;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Maps string indices of a source text to positions. Queries are fastest in
 * increasing order (the lexer asks in order); a backwards query restarts
 * from the nearest line start.
 */
export class PosTracker {
  private idx = 0;
  private byte: number;
  private line: number;
  private col: number;
  /** No character beyond ASCII: a byte and a column per character, lines found by indexOf. */
  private readonly ascii: boolean;
  /** ASCII: the first newline at or after idx (the length when none), or -1 before the first query. */
  private nextNl = -1;
  constructor(
    readonly src: string,
    readonly origin: Pos = initialPos,
  ) {
    this.byte = origin.byte;
    this.line = origin.line;
    this.col = origin.column;
    this.ascii = !/[^\x00-\x7f]/.test(src);
  }

  at(index: number): Pos {
    if (index < this.idx) {
      this.idx = 0;
      this.nextNl = -1;
      this.byte = this.origin.byte;
      this.line = this.origin.line;
      this.col = this.origin.column;
    }
    const s = this.src;
    let i = this.idx;
    let byte = this.byte;
    let line = this.line;
    let col = this.col;
    if (this.ascii && index > i) {
      // the loop below, for ASCII: "\r\n" ends a line as "\n" alone does (col 1 after it)
      byte += index - i;
      let nl = this.nextNl >= i ? this.nextNl : s.indexOf('\n', i);
      if (nl < 0) nl = s.length;
      if (nl >= index) col += index - i;
      else {
        let last = nl;
        while (nl < index) {
          line++;
          last = nl;
          nl = s.indexOf('\n', nl + 1);
          if (nl < 0) nl = s.length;
        }
        col = index - last;
      }
      this.nextNl = nl;
      i = index;
    }
    while (i < index) {
      const c = s.charCodeAt(i);
      if (c === 0x0a) {
        byte++;
        line++;
        col = 1;
        i++;
      } else if (c === 0x0d && s.charCodeAt(i + 1) === 0x0a && i + 1 < index) {
        byte += 2;
        line++;
        col = 1;
        i += 2;
      } else if (c < 0x80) {
        byte++;
        col++;
        i++;
      } else {
        // a run of non-ASCII: count graphemes over the run
        let j = i;
        while (j < index && s.charCodeAt(j) >= 0x80) j++;
        // a grapheme may continue with ASCII only in rare cases (ZWJ
        // sequences are all non-ASCII), so the run is a good unit
        const run = s.slice(i, j);
        byte += utf8Length(run);
        col += graphemeCount(run);
        i = j;
      }
    }
    this.idx = i;
    this.byte = byte;
    this.line = line;
    this.col = col;
    return { byte, line, column: col };
  }
}

/**
 * Positions in an ASCII text, computed on demand from a table of line
 * starts: the same answers as PosTracker gives for ASCII (a byte and a
 * column per character; "\n" ends a line, so "\r\n" does too), in any order
 * of queries. `base` is the index of the text's first character in `src`
 * (past a byte order mark), which sits at `origin`.
 */
export class AsciiLines {
  declare readonly filename: string;
  declare private readonly starts: number[];
  declare private readonly base: number;
  declare private readonly origin: Pos;
  // the line of the last answer, tried first (queries come mostly in order)
  declare private hint: number;
  constructor(src: string, base: number, origin: Pos, filename: string) {
    this.filename = filename;
    this.base = base;
    this.origin = origin;
    this.hint = 0;
    const starts: number[] = [base];
    for (let nl = src.indexOf('\n', base); nl >= 0; nl = src.indexOf('\n', nl + 1)) starts.push(nl + 1);
    this.starts = starts;
  }

  /** The position of index `idx` of the text. */
  at(idx: number): Pos {
    const starts = this.starts;
    let k = this.hint;
    if (!(starts[k]! <= idx && (k + 1 >= starts.length || idx < starts[k + 1]!))) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= idx) lo = mid;
        else hi = mid - 1;
      }
      k = lo;
      this.hint = k;
    }
    const o = this.origin;
    return { byte: o.byte + idx - this.base, line: o.line + k, column: (k === 0 ? o.column : 1) + idx - starts[k]! };
  }
}

/**
 * The range of indices [s, e) of an ASCII text: its positions are computed
 * when first read (most ranges of a parse are never printed). Ranges of the
 * same text combine without computing them.
 */
export class SpanRange implements Range {
  declare readonly lines: AsciiLines;
  declare readonly s: number;
  declare readonly e: number;
  // set when first asked (a parse makes tens of thousands of ranges and reads few: in cold code
  // each store in the constructor is an inline-cache call)
  declare private ps: Pos | undefined;
  declare private pe: Pos | undefined;
  constructor(lines: AsciiLines, s: number, e: number) {
    this.lines = lines;
    this.s = s;
    this.e = e;
  }

  get filename(): string {
    return this.lines.filename;
  }

  get start(): Pos {
    return (this.ps ??= this.lines.at(this.s));
  }

  get end(): Pos {
    if (this.pe === undefined) this.pe = this.e === this.s ? this.start : this.lines.at(this.e);
    return this.pe;
  }
}
