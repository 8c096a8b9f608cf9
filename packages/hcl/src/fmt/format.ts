// The canonical layout of native-syntax files, byte for byte as
// hclwrite.Format (what `packer fmt` writes): token-based, so it keeps
// comments and never changes the meaning. Lines are split into a lead, an
// assignment (from the first "=" at bracket depth zero) and a trailing
// comment; indentation follows bracket nesting, spacing follows hclwrite's
// rules between token pairs, and "=" and comments are aligned across runs
// of consecutive lines.

import { graphemeCount } from '../range.ts';
import { scan } from '../syntax/lexer.ts';
import { T } from '../syntax/token.ts';

interface WTok {
  type: T;
  text: string;
  spacesBefore: number;
}

interface Line {
  lead: WTok[];
  assign: WTok[] | undefined;
  comment: WTok[] | undefined;
}

const nilTok: WTok = { type: T.Nil, text: '', spacesBefore: 0 };

/** Formats native-syntax source as hclwrite.Format does. */
export function formatHCL(src: string | Uint8Array): string {
  const lexed = scan(src, '');
  const toks: WTok[] = [];
  let last = 0;
  for (const t of lexed.tokens) {
    toks.push({ type: t.type, text: lexed.src.slice(t.start, t.end), spacesBefore: t.range.start.byte - last });
    last = t.range.end.byte;
  }
  const lines = linesForFormat(toks);
  formatIndent(lines);
  formatSpaces(lines);
  formatCells(lines);
  let out = '';
  for (const t of toks) out += ' '.repeat(Math.max(0, t.spacesBefore)) + t.text;
  return out;
}

function isNewline(t: WTok): boolean {
  return t.type === T.Newline || (t.type === T.Comment && t.text.endsWith('\n'));
}

function bracketChange(t: WTok): number {
  switch (t.type) {
    case T.OBrace:
    case T.OBrack:
    case T.OParen:
    case T.TemplateControl:
    case T.TemplateInterp:
      return 1;
    case T.CBrace:
    case T.CBrack:
    case T.CParen:
    case T.TemplateSeqEnd:
      return -1;
    default:
      return 0;
  }
}

function columns(ts: readonly WTok[] | undefined): number {
  let n = 0;
  if (!ts) return 0;
  for (const t of ts) n += t.spacesBefore + graphemeCount(t.text);
  return n;
}

function linesForFormat(toks: WTok[]): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let ended = false;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.type === T.EOF) {
      lines.push({ lead: toks.slice(start, i), assign: undefined, comment: undefined });
      ended = true;
      break;
    }
    if (isNewline(t)) {
      lines.push({ lead: toks.slice(start, i + 1), assign: undefined, comment: undefined });
      start = i + 1;
    }
  }
  if (!ended && start < toks.length) lines.push({ lead: toks.slice(start), assign: undefined, comment: undefined });
  for (const line of lines) {
    if (line.lead.length === 0) continue;
    if (line.lead.length > 1 && line.lead[line.lead.length - 1]!.type === T.Comment) {
      line.comment = line.lead.slice(-1);
      line.lead = line.lead.slice(0, -1);
    }
    for (let i = 1; i < line.lead.length; i++) {
      if (line.lead[i]!.type !== T.Equal) continue;
      let net = 0;
      for (let k = i; k < line.lead.length; k++) net += bracketChange(line.lead[k]!);
      if (net === 0) {
        line.assign = line.lead.slice(i);
        line.lead = line.lead.slice(0, i);
      }
      break;
    }
  }
  return lines;
}

function formatIndent(lines: Line[]): void {
  const indents: number[] = [];
  for (const line of lines) {
    if (line.lead.length === 0) continue;
    const first = line.lead[0]!;
    if (first.type === T.Newline) {
      first.spacesBefore = 0;
      continue;
    }
    let net = 0;
    for (const t of line.lead) {
      net += bracketChange(t);
      if (t.type === T.OHeredoc) break;
    }
    if (line.assign) for (const t of line.assign) net += bracketChange(t);
    if (net > 0) {
      first.spacesBefore = 2 * indents.length;
      indents.push(net);
    } else if (net < 0) {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1]!;
        if (closed > top) {
          closed -= top;
          indents.pop();
        } else if (closed < top) {
          indents[indents.length - 1] = top - closed;
          closed = 0;
        } else {
          indents.pop();
          closed = 0;
        }
      }
      first.spacesBefore = 2 * indents.length;
    } else first.spacesBefore = 2 * indents.length;
  }
}

function formatSpaces(lines: Line[]): void {
  const run = (ts: WTok[], isAssign: boolean): void => {
    for (let i = 0; i < ts.length; i++) {
      const tok = ts[i]!;
      if (isAssign && i === 0) tok.spacesBefore = 1;
      const before = i > 0 ? ts[i - 1]! : nilTok;
      const after = i < ts.length - 1 ? ts[i + 1]! : nilTok;
      if (after === nilTok) continue;
      after.spacesBefore = spaceAfterToken(tok, before, after) ? 1 : 0;
    }
  };
  for (const line of lines) {
    run(line.lead, false);
    if (line.assign) run(line.assign, true);
  }
}

function formatCells(lines: Line[]): void {
  let chainStart = -1;
  let maxCols = 0;
  const closeAssign = (end: number): void => {
    for (const l of lines.slice(chainStart, end)) l.assign![0]!.spacesBefore = maxCols - columns(l.lead) + 1;
    chainStart = -1;
    maxCols = 0;
  };
  lines.forEach((line, i) => {
    if (!line.assign) {
      if (chainStart !== -1) closeAssign(i);
    } else {
      if (chainStart === -1) chainStart = i;
      maxCols = Math.max(maxCols, columns(line.lead));
    }
  });
  if (chainStart !== -1) closeAssign(lines.length);
  const closeComment = (end: number): void => {
    for (const l of lines.slice(chainStart, end)) l.comment![0]!.spacesBefore = maxCols - (columns(l.lead) + columns(l.assign)) + 1;
    chainStart = -1;
    maxCols = 0;
  };
  lines.forEach((line, i) => {
    if (!line.comment) {
      if (chainStart !== -1) closeComment(i);
    } else {
      if (chainStart === -1) chainStart = i;
      maxCols = Math.max(maxCols, columns(line.lead) + columns(line.assign));
    }
  });
  if (chainStart !== -1) closeComment(lines.length);
}

function spaceAfterToken(subject: WTok, before: WTok, after: WTok): boolean {
  const s = subject.type;
  const a = after.type;
  if (a === T.Newline || a === T.Nil) return false;
  if (s === T.Ident && a === T.OParen) return false;
  if (s === T.Dot || a === T.Dot) return false;
  if (a === T.Comma || a === T.Ellipsis) return false;
  if (s === T.Comma) return true;
  if (s === T.QuotedLit || s === T.StringLit || s === T.OQuote || s === T.OHeredoc || a === T.QuotedLit || a === T.StringLit || a === T.CQuote || a === T.CHeredoc) return false;
  if (s === T.Ident && subject.text === 'in' && before.type === T.Ident) return true;
  if (a === T.OBrack && (s === T.Ident || s === T.NumberLit || bracketChange(subject) < 0)) return false;
  if (s === T.Minus) {
    switch (before.type) {
      case T.Nil:
      case T.OParen:
      case T.OBrace:
      case T.OBrack:
      case T.Equal:
      case T.Colon:
      case T.Comma:
      case T.Question:
      case T.Plus:
      case T.Star:
      case T.Slash:
      case T.Percent:
      case T.Minus:
      case T.EqualOp:
      case T.NotEqual:
      case T.GreaterThan:
      case T.GreaterThanEq:
      case T.LessThan:
      case T.LessThanEq:
      case T.And:
      case T.Or:
      case T.Bang:
        return false;
      default:
        return true;
    }
  }
  if (s === T.OBrace || a === T.CBrace) return !(s === T.OBrace && a === T.CBrace);
  if ((s === T.TemplateInterp || s === T.TemplateControl) && a === T.OBrace) return true;
  if (s === T.CBrace && a === T.TemplateSeqEnd) return true;
  if (s === T.TemplateSeqEnd && (a === T.TemplateInterp || a === T.TemplateControl)) return false;
  if (bracketChange(subject) > 0) return false;
  if (bracketChange(after) < 0) return false;
  return true;
}
