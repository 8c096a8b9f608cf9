// Diagnostics, as HCL has them, and their text rendering as Packer prints
// them (hcl's diagnostic text writer, no colour, 80 columns).

import { graphemeCount, isUnicodeSpace, rangeOver, rangeOverlaps, utf8Length, type Range } from './range.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  summary: string;
  detail?: string;
  /** The range the diagnostic is about (hcl's Subject). */
  subject?: Range;
  /** A wider range, shown as source context around the subject. */
  context?: Range;
  /**
   * For evaluation errors: the variables the failing expression refers to,
   * each already rendered ("var.x as \"a\"", "local.y set to null"); printed
   * as a "with ..." paragraph like hcl does.
   */
  valueNotes?: string[];
}

export type Diagnostics = Diagnostic[];

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  for (let i = 0; i < diags.length; i++) if (diags[i]!.severity === 'error') return true;
  return false;
}

export function errorDiag(summary: string, detail: string, subject?: Range, context?: Range): Diagnostic {
  const d: Diagnostic = { severity: 'error', summary, detail };
  if (subject) d.subject = subject;
  if (context) d.context = context;
  return d;
}

/** An Error carrying diagnostics, for callers that want to throw. */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => (d.subject ? `${d.subject.filename}:${d.subject.start.line},${d.subject.start.column}: ` : '') + d.summary + (d.detail ? `; ${d.detail}` : '')).join('\n'));
    this.name = 'DiagnosticsError';
  }
}

/** What the printer knows of a file: its source, and the block around an offset. */
export interface SourceFile {
  /** Source text; undefined prints "(source code not available)". */
  readonly source: string | undefined;
  /**
   * The source as its excerpts are printed, when the file holds bytes that are not UTF-8: the
   * same lines, each such byte kept as itself (an escape the Ui writes back as the byte), where
   * `source` has U+FFFD. hcl prints a file's lines as bytes.
   */
  readonly printedSource?: string;
  /** `TYPE "LABEL"...` of the top-level block containing a byte offset, or "". */
  contextString?(byteOffset: number): string;
}

export interface PrintOptions {
  /** Word-wrap width of the detail text; 0 disables. Packer uses 80. */
  width?: number;
}

/**
 * Renders diagnostics exactly like hcl.NewDiagnosticTextWriter(w, files,
 * width, false). Packer 1.6.6 then prints the whole text through its UI,
 * which adds one more newline.
 */
export function formatDiagnostics(diags: readonly Diagnostic[], files: ReadonlyMap<string, SourceFile> | Record<string, SourceFile>, opts: PrintOptions = {}): string {
  let out = '';
  for (const d of diags) out += formatDiagnostic(d, files, opts);
  return out;
}

export function formatDiagnostic(d: Diagnostic, files: ReadonlyMap<string, SourceFile> | Record<string, SourceFile>, opts: PrintOptions = {}): string {
  const width = opts.width ?? 80;
  let out = `${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.summary}\n\n`;
  if (d.subject) {
    let snip = d.subject;
    if (d.context) snip = rangeOver(snip, d.context);
    if (snip.start.byte === snip.end.byte) {
      snip = { filename: snip.filename, start: snip.start, end: { byte: snip.end.byte + 1, line: snip.end.line, column: snip.end.column + 1 } };
    }
    const file = files instanceof Map ? files.get(d.subject.filename) : (files as Record<string, SourceFile>)[d.subject.filename];
    if (!file || file.source === undefined) {
      out += `  on ${d.subject.filename} line ${d.subject.start.line}:\n  (source code not available)\n\n`;
    } else {
      let ctx = file.contextString ? file.contextString(d.subject.start.byte) : '';
      if (ctx !== '') ctx = ', in ' + ctx;
      out += `  on ${d.subject.filename} line ${d.subject.start.line}${ctx}:\n`;
      const printed = file.printedSource === undefined ? undefined : printedLines(file.printedSource);
      for (const line of sourceLines(file.source, d.subject.filename)) {
        if (!rangeOverlaps(line.range, snip)) continue;
        const text = printed?.[line.range.start.line - 1] ?? line.text;
        out += `${String(line.range.start.line).padStart(4, ' ')}: ${text}\n`;
      }
      out += '\n';
    }
    if (d.valueNotes && d.valueNotes.length > 0) {
      const notes = [...d.valueNotes].sort();
      notes.forEach((n, i) => {
        out += (i === 0 ? 'with ' : '     ') + n + (i === notes.length - 1 ? '.\n\n' : ',\n');
      });
    }
  }
  if (d.detail) {
    out += (width > 0 ? wordWrap(d.detail, width) : d.detail) + '\n\n';
  }
  return out;
}

interface SourceLine {
  text: string;
  range: Range;
}

let lastLinesSrc: string | undefined;
let lastLinesName: string | undefined;
let lastLines: SourceLine[] = [];

/** Lines as bufio.ScanLines gives them: without "\n" and a final "\r". */
function sourceLines(src: string, filename: string): SourceLine[] {
  if (src === lastLinesSrc && filename === lastLinesName) return lastLines;
  const lines: SourceLine[] = [];
  let byte = 0;
  let i = 0;
  let line = 1;
  while (i < src.length) {
    let j = src.indexOf('\n', i);
    const hasNl = j >= 0;
    if (!hasNl) j = src.length;
    let text = src.slice(i, j);
    if (hasNl && text.endsWith('\r')) text = text.slice(0, -1);
    const len = utf8Length(text);
    lines.push({
      text,
      range: {
        filename,
        start: { byte, line, column: 1 },
        end: { byte: byte + len, line, column: 1 + graphemeCount(text) },
      },
    });
    byte += utf8Length(src.slice(i, hasNl ? j + 1 : j));
    i = hasNl ? j + 1 : j;
    line++;
  }
  lastLinesSrc = src;
  lastLinesName = filename;
  lastLines = lines;
  return lines;
}

let lastPrintedSrc: string | undefined;
let lastPrinted: string[] = [];

/** The lines of a file's printedSource, cut as sourceLines cuts its source. */
function printedLines(src: string): string[] {
  if (src === lastPrintedSrc) return lastPrinted;
  const lines = src.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
  lastPrintedSrc = src;
  lastPrinted = lines;
  return lines;
}

/**
 * mitchellh/go-wordwrap's WrapString: breaks at unicode spaces so that lines
 * do not exceed `lim` bytes where possible; existing newlines are kept.
 */
export function wordWrap(s: string, lim: number): string {
  let buf = '';
  let current = 0;
  let wordBuf = '';
  let wordLen = 0;
  let spaceBuf = '';
  let spaceLen = 0;
  for (const ch of s) {
    if (ch === '\n') {
      if (wordLen === 0) {
        if (current + spaceLen > lim) current = 0;
        else {
          current += spaceLen;
          buf += spaceBuf;
        }
        spaceBuf = '';
        spaceLen = 0;
      } else {
        current += spaceLen + wordLen;
        buf += spaceBuf + wordBuf;
        spaceBuf = '';
        spaceLen = 0;
        wordBuf = '';
        wordLen = 0;
      }
      buf += ch;
      current = 0;
    } else if (isUnicodeSpace(ch.charCodeAt(0))) {
      if (spaceLen === 0 || wordLen > 0) {
        current += spaceLen + wordLen;
        buf += spaceBuf + wordBuf;
        spaceBuf = '';
        spaceLen = 0;
        wordBuf = '';
        wordLen = 0;
      }
      spaceBuf += ch;
      spaceLen += utf8Length(ch);
    } else {
      wordBuf += ch;
      wordLen += utf8Length(ch);
      if (current + spaceLen + wordLen > lim && wordLen < lim) {
        buf += '\n';
        current = 0;
        spaceBuf = '';
        spaceLen = 0;
      }
    }
  }
  if (wordLen === 0) {
    if (current + spaceLen <= lim) buf += spaceBuf;
  } else {
    buf += spaceBuf + wordBuf;
  }
  return buf;
}
