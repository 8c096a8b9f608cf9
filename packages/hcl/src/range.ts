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
  return { filename: r.filename, start: r.start, end: r.start };
}

/** An empty range at the end of `r`. */
export function rangeEndOf(r: Range): Range {
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
