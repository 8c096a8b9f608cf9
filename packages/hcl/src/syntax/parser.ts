// Parser of HCL's native syntax (hclsyntax/spec.md): a recursive descent
// over the scanner's tokens, producing the AST with ranges and collecting
// every error with the same summaries, details and ranges as hclsyntax,
// including its recovery behaviour (so that later errors are reported too).

import { handOffDeepNesting, isStackOverflow, nestingLimit, NestingLimitReached, tooDeepDiag } from '../deep.ts';
import { errorDiag, type Diagnostic } from '../diag.ts';
import { type AsciiLines, graphemeCount, initialPos, isUnicodeSpace, rangeBetween, rangeEndOf, rangeStart, rangeString, SpanRange, utf8Length, zeroRange, type Pos, type Range } from '../range.ts';
import type { AnonSymbolExpr, Attribute, BinaryOperator, Block, Body, Expr, ForExpr, Literal, ObjectConsItem, TemplateExpr, Traverser } from './ast.ts';
import { isStringLiteralTemplate } from './ast.ts';
import { scan, type Lexed } from './lexer.ts';
import { T } from './token.ts';

const binaryOps: ReadonlyArray<ReadonlyMap<T, BinaryOperator>> = [
  new Map([[T.Or, '||']]),
  new Map([[T.And, '&&']]),
  new Map<T, BinaryOperator>([
    [T.EqualOp, '=='],
    [T.NotEqual, '!='],
  ]),
  new Map<T, BinaryOperator>([
    [T.GreaterThan, '>'],
    [T.GreaterThanEq, '>='],
    [T.LessThan, '<'],
    [T.LessThanEq, '<='],
  ]),
  new Map<T, BinaryOperator>([
    [T.Plus, '+'],
    [T.Minus, '-'],
  ]),
  new Map<T, BinaryOperator>([
    [T.Star, '*'],
    [T.Slash, '/'],
    [T.Percent, '%'],
  ]),
];

/** Each token type's binary operator precedence level (binaryOps' index), -1 for the others. */
const OP_LEVEL = new Int8Array(T.Nil + 1).fill(-1);
binaryOps.forEach((ops, level) => { for (const t of ops.keys()) OP_LEVEL[t] = level; });

const dynamicLit: Literal = { t: 'dynamic' };

function placeholder(range: Range): Expr {
  return { kind: 'Literal', value: dynamicLit, range };
}

// characters stringLiteral must look at: escapes (in quoted strings only), and "$${" / "%%{"
const quotedSpecial = /[\\$%]/;
const templateSpecial = /[$%]/;

// template parts, before directive structure is built
type TplPart =
  | { k: 'lit'; val: string; range: Range }
  | { k: 'interp'; expr: Expr }
  | { k: 'if'; cond: Expr; range: Range }
  | { k: 'for'; keyVar: string; valVar: string; coll: Expr; range: Range }
  | { k: 'endctrl'; which: 'endif' | 'else' | 'endfor'; range: Range }
  // only where there are directives (for TemplateParser)
  | { k: 'end'; range: Range };


function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isUnicodeSpace(s.charCodeAt(i))) i++;
  return s.slice(i);
}

function trimRightSpace(s: string): string {
  let i = s.length;
  while (i > 0 && isUnicodeSpace(s.charCodeAt(i - 1))) i--;
  return s.slice(0, i);
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** A token: its index in the scanner's arrays (Lexed). */
type Tok = number;

class Parser {
  private next = 0;
  // whether newlines count (they do in bodies, not inside brackets), and the modes outside
  private inclNl = true;
  private readonly nlStack: boolean[] = [];
  recovery = false;
  /** The diagnostics of the parse, in the order hclsyntax reports them. */
  readonly diags: Diagnostic[] = [];
  // nesting depth of bodies, expressions and unary operators, and where to stop (deep.ts)
  private depth = 0;
  private readonly limit = nestingLimit();
  readonly src: string;
  readonly lexed: Lexed;
  /**
   * The token types as the parser sees them: a line comment ends its line, so it reads as a
   * newline (where newlines count; elsewhere it is skipped like one); other comments are skipped.
   */
  private readonly types: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly last: number;
  private readonly lines: AsciiLines | undefined;

  constructor(lexed: Lexed) {
    this.src = lexed.src;
    this.lexed = lexed;
    this.lines = lexed.lines;
    this.starts = lexed.starts;
    this.ends = lexed.ends;
    this.last = lexed.count - 1;
    let types = lexed.types;
    if (lexed.lineComments) {
      types = types.slice(0, lexed.count);
      for (let i = 0; i < types.length; i++) {
        if (types[i] === T.Comment && this.src.charCodeAt(this.ends[i]! - 1) === 0x0a) types[i] = T.Newline;
      }
    }
    this.types = types;
    // For each position (and one past the end), the token peek finds there in each mode: the
    // next one that is not a comment (newlines count) or neither a comment nor a newline; the
    // EOF token at and past the end. Made once, so that peek, asked several times for each
    // token, is one load.
    const last = this.last;
    const withNl = new Int32Array(last + 2);
    const flat = new Int32Array(last + 2);
    withNl[last + 1] = last;
    flat[last + 1] = last;
    let a = last;
    let b = last;
    for (let i = last; i >= 0; i--) {
      const ty = types[i];
      if (ty !== T.Comment || i === last) {
        a = i;
        if (ty !== T.Newline || i === last) b = i;
      }
      withNl[i] = a;
      flat[i] = b;
    }
    this.withNl = withNl;
    this.flat = flat;
    this.peekAt = withNl;
  }

  // ---- peeker ----

  private readonly withNl: Int32Array;
  private readonly flat: Int32Array;
  // withNl or flat, as newlines count or not (inclNl)
  private peekAt: Int32Array;

  // The parse functions on the common paths use these inline (`this.peekAt[this.next]`, and
  // `this.next = tok + 1` to read it): in cold code each call costs more than its body.

  /** The next token (skipping comments, and newlines where they do not count). */
  peek(): Tok {
    return this.peekAt[this.next]!;
  }

  read(): Tok {
    const t = this.peekAt[this.next]!;
    this.next = t + 1;
    return t;
  }

  /** The range of token `t` (Lexed.range, made here: a call less for each of a parse's ranges). */
  rng(t: Tok): Range {
    const lines = this.lines;
    return lines !== undefined ? new SpanRange(lines, this.starts[t]!, this.ends[t]!) : this.lexed.range(t);
  }

  /** From the start of token `a` to the end of token `b` (Lexed.span, made here). */
  span(a: Tok, b: Tok): Range {
    const lines = this.lines;
    return lines !== undefined ? new SpanRange(lines, this.starts[a]!, this.ends[b]!) : this.lexed.span(a, b);
  }

  /** The last token read (the next one before any). */
  private prevTok(): Tok {
    return this.next === 0 ? this.peek() : this.next - 1;
  }

  nextRange(): Range {
    return this.rng(this.peek());
  }

  pushNl(include: boolean): void {
    this.nlStack.push(this.inclNl);
    this.inclNl = include;
    this.peekAt = include ? this.withNl : this.flat;
  }

  popNl(): void {
    this.inclNl = this.nlStack.pop() ?? false;
    this.peekAt = this.inclNl ? this.withNl : this.flat;
  }

  text(tok: Tok): string {
    return this.src.slice(this.starts[tok], this.ends[tok]);
  }

  private isKeyword(tok: Tok, kw: string): boolean {
    const st = this.starts[tok]!;
    return this.types[tok] === T.Ident && this.ends[tok]! - st === kw.length && this.src.startsWith(kw, st);
  }

  // ---- recovery ----

  private opposite(t: T): T {
    switch (t) {
      case T.OBrace:
        return T.CBrace;
      case T.OBrack:
        return T.CBrack;
      case T.OParen:
        return T.CParen;
      case T.OQuote:
        return T.CQuote;
      case T.OHeredoc:
        return T.CHeredoc;
      case T.CBrace:
        return T.OBrace;
      case T.CBrack:
        return T.OBrack;
      case T.CParen:
        return T.OParen;
      case T.CQuote:
        return T.OQuote;
      case T.CHeredoc:
        return T.OHeredoc;
      case T.TemplateControl:
      case T.TemplateInterp:
        return T.TemplateSeqEnd;
      case T.TemplateSeqEnd:
        return T.TemplateInterp;
      default:
        return T.Nil;
    }
  }

  recover(end: T): Tok {
    const start = this.opposite(end);
    this.recovery = true;
    let nest = 0;
    for (;;) {
      const tok = this.read();
      let ty = this.types[tok];
      if (end === T.TemplateSeqEnd && ty === T.TemplateControl) ty = T.TemplateInterp;
      if (ty === start) nest++;
      else if (ty === end) {
        if (nest < 1) return tok;
        nest--;
      } else if (ty === T.EOF) return tok;
    }
  }

  recoverAfterBodyItem(): void {
    const types = this.types;
    this.recovery = true;
    const open: T[] = [];
    for (;;) {
      const tok = this.read();
      switch (types[tok]) {
        case T.Newline:
          if (open.length === 0) return;
          break;
        case T.EOF:
          return;
        case T.OBrace:
        case T.OBrack:
        case T.OParen:
        case T.OQuote:
        case T.OHeredoc:
        case T.TemplateInterp:
        case T.TemplateControl:
          open.push(types[tok]);
          break;
        case T.CBrace:
        case T.CBrack:
        case T.CParen:
        case T.CQuote:
        case T.CHeredoc: {
          const opener = this.opposite(types[tok]);
          while (open.length > 0 && open[open.length - 1] !== opener) open.pop();
          if (open.length > 0) open.pop();
          break;
        }
        case T.TemplateSeqEnd:
          while (open.length > 0 && open[open.length - 1] !== T.TemplateInterp && open[open.length - 1] !== T.TemplateControl) open.pop();
          if (open.length > 0) open.pop();
          break;
      }
    }
  }

  // ---- diagnostics ----

  /** Whether an error was reported since the list had `before` entries. */
  private errSince(before: number): boolean {
    const d = this.diags;
    for (let i = before; i < d.length; i++) if (d[i]!.severity === 'error') return true;
    return false;
  }

  // ---- bodies ----

  parseBody(end: T): Body {
    const types = this.types;
    if (++this.depth > this.limit) throw new NestingLimitReached();
    const attrs: Attribute[] = [];
    const byName = new Map<string, Attribute>();
    const blocks: Block[] = [];
    const startTok = this.prevTok();
    let endTok: Tok;
    for (;;) {
      const next = this.peekAt[this.next]!;
      if (types[next] === end) {
        endTok = next;
        this.next = this.peekAt[this.next]! + 1;
        break;
      }
      if (types[next] === T.Newline) {
        this.next = this.peekAt[this.next]! + 1;
        continue;
      }
      if (types[next] === T.Ident) {
        const item = this.parseBodyItem();
        if (item && 'labels' in item) blocks.push(item);
        else if (item) {
          const existing = byName.get(item.name);
          if (existing) {
            this.diags.push(errorDiag('Attribute redefined', `The argument ${goQuote(item.name)} was already set at ${rangeString(existing.nameRange)}. Each argument may be set only once.`, item.nameRange));
          } else {
            byName.set(item.name, item);
            attrs.push(item);
          }
        }
        continue;
      }
      const bad = this.peekAt[this.next]!;
      this.next = bad + 1;
      if (!this.recovery) {
        if (types[bad] === T.OQuote) this.diags.push(errorDiag('Invalid argument name', 'Argument names must not be quoted.', this.rng(bad)));
        else this.diags.push(errorDiag('Argument or block definition required', 'An argument or block definition is required here.', this.rng(bad)));
      }
      endTok = this.prevTok();
      this.recover(end);
      break;
    }
    this.depth--;
    const endRange = this.rng(endTok);
    return {
      attributes: attrs,
      blocks,
      range: rangeBetween(this.rng(startTok), endRange),
      endRange: rangeEndOf(endRange),
    };
  }

  parseBodyItem(): Attribute | Block | undefined {
    const types = this.types;
    const ident = this.read();
    if (types[ident] !== T.Ident) {
      this.recoverAfterBodyItem();
      this.diags.push(errorDiag('Argument or block definition required', 'An argument or block definition is required here.', this.rng(ident)));
      return undefined;
    }
    const next = this.peek();
    switch (types[next]) {
      case T.Equal:
        return this.finishAttribute(ident, false);
      case T.OQuote:
      case T.OBrace:
      case T.Ident:
        return this.finishBlock(ident);
      default:
        this.recoverAfterBodyItem();
        this.diags.push(errorDiag('Argument or block definition required', 'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.', this.rng(ident)));
        return undefined;
    }
  }

  parseSingleAttrBody(): Body | undefined {
    const types = this.types;
    const ident = this.read();
    if (types[ident] !== T.Ident) {
      this.recoverAfterBodyItem();
      this.diags.push(errorDiag('Argument or block definition required', 'An argument or block definition is required here.', this.rng(ident)));
      return undefined;
    }
    const next = this.peek();
    switch (types[next]) {
      case T.Equal: {
        const attr = this.finishAttribute(ident, true);
        return {
          attributes: [attr],
          blocks: [],
          range: attr.range,
          endRange: rangeEndOf(attr.range),
        };
      }
      case T.OQuote:
      case T.OBrace:
      case T.Ident:
        this.recoverAfterBodyItem();
        this.diags.push(
          errorDiag(
            'Argument definition required',
            `A single-line block definition can contain only a single argument. If you meant to define argument ${goQuote(this.text(ident))}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.`,
            this.span(ident, next),
          ),
        );
        return undefined;
      default:
        this.recoverAfterBodyItem();
        this.diags.push(errorDiag('Argument or block definition required', 'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.', this.rng(ident)));
        return undefined;
    }
  }

  finishAttribute(ident: Tok, singleLine: boolean): Attribute {
    const types = this.types;
    const eq = this.peekAt[this.next]!;
    this.next = eq + 1;
    let endTok: Tok;
    const before = this.diags.length;
    const expr = this.parseExpression();
    if (this.recovery && this.errSince(before)) {
      endTok = this.prevTok();
      this.recoverAfterBodyItem();
    } else {
      endTok = this.prevTok();
      if (!singleLine) {
        const end = this.peekAt[this.next]!;
        if (types[end] !== T.Newline && types[end] !== T.EOF) {
          if (!this.recovery) {
            let summary = 'Missing newline after argument';
            let detail = 'An argument definition must end with a newline.';
            if (types[end] === T.Comma) {
              summary = 'Unexpected comma after argument';
              detail = 'Argument definitions must be separated by newlines, not commas. ' + detail;
            }
            this.diags.push(errorDiag(summary, detail, this.rng(end), this.span(ident, end)));
          }
          endTok = this.prevTok();
          this.recoverAfterBodyItem();
        } else {
          endTok = this.prevTok();
          this.next = this.peekAt[this.next]! + 1;
        }
      }
    }
    return {
      name: this.text(ident),
      expr,
      range: this.span(ident, endTok),
      nameRange: this.rng(ident),
      equalsRange: this.rng(eq),
    };
  }

  finishBlock(ident: Tok): Block {
    const types = this.types;
    const type = this.text(ident);
    const labels: string[] = [];
    const labelRanges: Range[] = [];
    let oBrace: Tok;
    for (;;) {
      const tok = this.peek();
      if (types[tok] === T.OBrace) {
        oBrace = this.read();
        break;
      }
      if (types[tok] === T.OQuote) {
        labels.push(this.parseQuotedStringLiteral());
        labelRanges.push(this.litRange);
        continue;
      }
      if (types[tok] === T.Ident) {
        this.read();
        labels.push(this.text(tok));
        labelRanges.push(this.rng(tok));
        continue;
      }
      if (types[tok] === T.Equal) {
        this.diags.push(errorDiag('Invalid block definition', 'The equals sign "=" indicates an argument definition, and must not be used when defining a block.', this.rng(tok), this.span(ident, tok)));
      } else if (types[tok] === T.Newline) {
        this.diags.push(errorDiag('Invalid block definition', 'A block definition must have block content delimited by "{" and "}", starting on the same line as the block header.', this.rng(tok), this.span(ident, tok)));
      } else if (!this.recovery) {
        this.diags.push(errorDiag('Invalid block definition', 'Either a quoted string block label or an opening brace ("{") is expected here.', this.rng(tok), this.span(ident, tok)));
      }
      this.recoverAfterBodyItem();
      return {
        type,
        labels,
        body: { attributes: [], blocks: [], range: this.rng(ident), endRange: this.rng(ident) },
        typeRange: this.rng(ident),
        labelRanges,
        openBraceRange: this.rng(ident),
        closeBraceRange: this.rng(ident),
        range: this.rng(ident),
      };
    }

    let body: Body | undefined;
    const pt = types[this.peek()];
    if (pt === T.Newline || pt === T.EOF || pt === T.CBrace) {
      body = this.parseBody(T.CBrace);
    } else {
      // the block's own error about its end goes before the argument's diagnostics (as hclsyntax
      // orders them): it is inserted where the list ended before the argument
      const before = this.diags.length;
      body = this.parseSingleAttrBody();
      const after = this.peek();
      switch (types[after]) {
        case T.CBrace:
          this.read();
          break;
        case T.Comma:
          this.diags.splice(before, 0, errorDiag('Invalid single-argument block definition', 'Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.', this.rng(after)));
          this.recover(T.CBrace);
          break;
        case T.Newline:
          this.diags.splice(before, 0, errorDiag('Invalid single-argument block definition', "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition.", this.rng(after)));
          this.recover(T.CBrace);
          break;
        default:
          if (!this.recovery) {
            this.diags.splice(before, 0, errorDiag('Invalid single-argument block definition', 'A single-line block definition must end with a closing brace immediately after its single argument definition.', this.rng(after)));
          }
          this.recover(T.CBrace);
      }
    }
    const cBrace = this.prevTok();
    const cBraceRange = this.rng(cBrace);
    const eol = this.peek();
    if (types[eol] === T.Newline || types[eol] === T.EOF) this.read();
    else {
      if (!this.recovery) {
        this.diags.push(errorDiag('Missing newline after block definition', 'A block definition must end with a newline.', this.rng(eol), this.span(ident, eol)));
      }
      this.recoverAfterBodyItem();
    }
    if (!body) {
      body = { attributes: [], blocks: [], range: this.span(oBrace, cBrace), endRange: cBraceRange };
    }
    return {
      type,
      labels,
      body,
      typeRange: this.rng(ident),
      labelRanges,
      openBraceRange: this.rng(oBrace),
      closeBraceRange: cBraceRange,
      range: this.span(ident, cBrace),
    };
  }

  // ---- expressions ----

  // One frame per nesting level on the hot path (expression -> term ->
  // constructor -> expression): the conditional, binary operators and
  // traversals are handled here rather than in a chain of helper calls,
  // which keeps interpreted frames small so that deeply nested (valid)
  // input parses. Diagnostics go to this.diags; where a decision depends
  // on whether a sub-parse reported an error, the list's length before it
  // is noted and errSince asks.
  parseExpression(): Expr {
    const types = this.types;
    if (++this.depth > this.limit) throw new NestingLimitReached();
    const before = this.diags.length;
    const startTok = this.peekAt[this.next]!;
    const open = types[startTok];
    let cond = open === T.OBrack ? this.parseTupleCons() : open === T.OBrace ? this.parseObjectCons() : open === T.OParen ? this.parseParenExpr() : this.parseExpressionTerm();
    // traversals and operators only where the next token starts one (most terms end here)
    let next = types[this.peekAt[this.next]!]!;
    if (next === T.Dot || next === T.OBrack) {
      cond = this.parseExpressionTraversals(cond);
      next = types[this.peekAt[this.next]!]!;
    }
    if (OP_LEVEL[next]! >= 0 && !(this.recovery && this.diags.length > before)) {
      cond = this.climb(cond, 0);
      next = types[this.peekAt[this.next]!]!;
    }
    this.aborted = false;
    if (next !== T.Question || (this.recovery && this.errSince(before))) {
      this.depth--;
      return cond;
    }
    const ret = this.finishConditional(startTok, cond);
    this.depth--;
    return ret;
  }

  private finishConditional(startTok: Tok, cond: Expr): Expr {
    this.read();
    let before = this.diags.length;
    const t = this.parseExpression();
    if (this.recovery && this.errSince(before)) return cond;
    const colon = this.peek();
    if (this.types[colon] !== T.Colon) {
      this.diags.push(errorDiag('Missing false expression in conditional', 'The conditional operator (...?...:...) requires a false expression, delimited by a colon.', this.rng(colon), this.span(startTok, colon)));
      return cond;
    }
    this.read();
    before = this.diags.length;
    const f = this.parseExpression();
    if (this.recovery && this.errSince(before)) return cond;
    return { kind: 'Conditional', condition: cond, trueResult: t, falseResult: f, range: rangeBetween(this.rng(startTok), f.range) };
  }

  private aborted = false;

  private climb(lhs: Expr, minLevel: number): Expr {
    const types = this.types;
    for (;;) {
      const tok = this.peekAt[this.next]!;
      const lvl = OP_LEVEL[types[tok]!]!;
      if (lvl < minLevel) return lhs;
      const op = binaryOps[lvl]!.get(types[tok])!;
      this.read();
      const before = this.diags.length;
      let rhs = this.parseExpressionWithTraversals();
      if (this.recovery && this.diags.length > before) {
        this.aborted = true;
        return lhs;
      }
      for (;;) {
        const nl = OP_LEVEL[types[this.peekAt[this.next]!]!]!;
        if (nl <= lvl) break;
        rhs = this.climb(rhs, lvl + 1);
        if (this.aborted) return lhs;
      }
      lhs = { kind: 'BinaryOp', op, lhs, rhs, range: rangeBetween(lhs.range, rhs.range) };
    }
  }

  private parseExpressionWithTraversals(): Expr {
    const term = this.parseExpressionTerm();
    const next = this.types[this.peekAt[this.next]!];
    if (next !== T.Dot && next !== T.OBrack) return term;
    return this.parseExpressionTraversals(term);
  }

  private parseExpressionTraversals(from: Expr): Expr {
    const types = this.types;
    const diags = this.diags;
    let ret = from;
    for (;;) {
      const next = this.peekAt[this.next]!;
      if (types[next] === T.Dot) {
        const dot = next;
        this.next = dot + 1;
        let attrTok = this.peekAt[this.next]!;
        if (types[attrTok] === T.Ident) {
          this.next = attrTok + 1;
          const rng = this.span(dot, attrTok);
          ret = makeRelativeTraversal(ret, { kind: 'attr', name: this.text(attrTok), range: rng }, rng);
        } else if (types[attrTok] === T.NumberLit) {
          const numTok = this.read();
          const text = this.text(numTok);
          const dotIdx = text.indexOf('.');
          const rng = this.span(dot, numTok);
          if (dotIdx >= 0) {
            diags.push(errorDiag('Invalid legacy index syntax', `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [${text.slice(0, dotIdx)}][${text.slice(dotIdx + 1)}].`, this.rng(numTok)));
            ret = makeRelativeTraversal(ret, { kind: 'index', key: dynamicLit, range: rng }, rng);
          } else {
            const key = this.numberLit(numTok);
            ret = makeRelativeTraversal(ret, { kind: 'index', key, range: rng }, rng);
          }
        } else if (types[attrTok] === T.Star) {
          // attribute-only splat: foo.*.bar
          const marker = this.read();
          const trav: Traverser[] = [];
          const firstRange = this.nextRange();
          let lastRange = this.rng(marker);
          let broke = false;
          while (types[this.peek()] === T.Dot) {
            const d2 = this.read();
            if (types[this.peek()] === T.NumberLit) {
              const numTok = this.read();
              const text = this.text(numTok);
              const dotIdx = text.indexOf('.');
              if (dotIdx >= 0) {
                diags.push(errorDiag('Invalid legacy index syntax', `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead, like [${text.slice(0, dotIdx)}][${text.slice(dotIdx + 1)}].`, this.rng(attrTok)));
                trav.push({ kind: 'index', key: dynamicLit, range: this.span(d2, numTok) });
                lastRange = this.rng(numTok);
                continue;
              }
              const key = this.numberLit(numTok);
              trav.push({ kind: 'index', key, range: this.span(d2, numTok) });
              lastRange = this.rng(numTok);
              continue;
            }
            if (types[this.peek()] !== T.Ident) {
              if (!this.recovery) {
                if (types[this.peek()] === T.Star) {
                  diags.push(errorDiag('Nested splat expression not allowed', 'A splat expression (*) cannot be used inside another attribute-only splat expression.', this.nextRange()));
                } else {
                  diags.push(errorDiag('Invalid attribute name', 'An attribute name is required after a dot.', this.rng(attrTok)));
                }
              }
              this.recovery = true;
              broke = true;
              break;
            }
            const at = this.read();
            trav.push({ kind: 'attr', name: this.text(at), range: this.span(d2, at) });
            lastRange = this.rng(at);
          }
          if (broke) continue;
          const item: AnonSymbolExpr = { kind: 'AnonSymbol', range: this.span(dot, marker) };
          const each: Expr = trav.length === 0 ? item : { kind: 'RelativeTraversal', source: item, traversal: trav, range: rangeBetween(firstRange, lastRange) };
          ret = { kind: 'Splat', source: ret, each, item, range: rangeBetween(from.range, lastRange), markerRange: this.span(dot, marker) };
        } else {
          diags.push(errorDiag('Invalid attribute name', 'An attribute name is required after a dot.', this.rng(attrTok)));
          this.recovery = true;
        }
        continue;
      }
      if (types[next] === T.OBrack) {
        const open = this.read();
        if (types[this.peek()] === T.Star) {
          this.read();
          let close = this.read();
          if (types[close] !== T.CBrack && !this.recovery) {
            // hclsyntax reports the token recovery stops at (its diagnostic
            // points at the variable it then reassigns)
            close = this.recover(T.CBrack);
            diags.push(errorDiag('Missing close bracket on splat index', 'The star for a full splat operator must be immediately followed by a closing bracket ("]").', this.rng(close)));
          }
          const item: AnonSymbolExpr = { kind: 'AnonSymbol', range: this.span(open, close) };
          const each = this.parseExpressionTraversals(item);
          ret = { kind: 'Splat', source: ret, each, item, range: rangeBetween(from.range, each.range), markerRange: this.span(open, close) };
          continue;
        }
        let close: Tok;
        this.pushNl(false);
        const before = diags.length;
        const keyExpr = this.parseExpression();
        if (this.recovery && this.errSince(before)) close = this.recover(T.CBrack);
        else {
          close = this.read();
          if (types[close] !== T.CBrack && !this.recovery) {
            close = this.recover(T.CBrack);
            diags.push(errorDiag('Missing close bracket on index', 'The index operator must end with a closing bracket ("]").', this.rng(close)));
          }
        }
        this.popNl();
        const rng = this.span(open, close);
        if (keyExpr.kind === 'Literal') {
          ret = makeRelativeTraversal(ret, { kind: 'index', key: keyExpr.value, range: rng }, rng);
        } else if (keyExpr.kind === 'Template' && isStringLiteralTemplate(keyExpr)) {
          const lit = (keyExpr.parts[0] as { value: Literal }).value;
          ret = makeRelativeTraversal(ret, { kind: 'index', key: lit, range: rng }, rng);
        } else {
          ret = { kind: 'Index', collection: ret, key: keyExpr, range: rangeBetween(from.range, rng), openRange: this.rng(open), bracketRange: rng };
        }
        continue;
      }
      break;
    }
    return ret;
  }

  private numberLit(tok: Tok): Literal {
    const text = this.text(tok);
    if (!/^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(text)) {
      this.diags.push(errorDiag('Invalid number literal', 'Failed to recognize the value of this number literal.', this.rng(tok)));
      return { t: 'unknownNumber' };
    }
    return { t: 'number', text };
  }

  private parseParenExpr(): Expr {
    const start = this.read();
    this.pushNl(false);
    const before = this.diags.length;
    const expr = this.parseExpression();
    if (this.errSince(before)) {
      this.recover(T.CParen);
      this.popNl();
      return expr;
    }
    const close = this.peek();
    if (this.types[close] !== T.CParen) {
      this.diags.push(errorDiag('Unbalanced parentheses', 'Expected a closing parenthesis to terminate the expression.', this.rng(close), this.span(start, close)));
      this.recovery = true;
    }
    this.read();
    this.popNl();
    return expr;
  }

  private parseExpressionTerm(): Expr {
    const types = this.types;
    const start = this.peekAt[this.next]!;
    switch (types[start]) {
      case T.OParen:
        return this.parseParenExpr();
      case T.NumberLit: {
        const tok = this.peekAt[this.next]!;
        this.next = tok + 1;
        const v = this.numberLit(tok);
        return { kind: 'Literal', value: v, range: this.rng(tok) };
      }
      case T.Ident: {
        const tok = start;
        this.next = tok + 1;
        if (types[this.peekAt[this.next]!] === T.OParen) return this.finishFunctionCall(tok);
        const name = this.text(tok);
        if (name === 'true' || name === 'false') {
          const value: Literal = { t: 'bool', v: name === 'true' };
          return { kind: 'Literal', value, range: this.rng(tok) };
        }
        if (name === 'null') {
          const value: Literal = { t: 'null' };
          return { kind: 'Literal', value, range: this.rng(tok) };
        }
        const root: Traverser = { kind: 'root', name, range: this.rng(tok) };
        const traversal = [root];
        return { kind: 'ScopeTraversal', traversal, range: root.range };
      }
      case T.OQuote:
      case T.OHeredoc: {
        const open = this.peekAt[this.next]!;
        this.next = open + 1;
        if (types[open] === T.OQuote) {
          // a string of one literal (most strings): the template parseTemplateInner makes of it, without its parts
          const lit = this.peekAt[this.next]!;
          const close = this.peekAt[lit + 1]!;
          if (types[lit] === T.QuotedLit && types[close] === T.CQuote) {
            this.next = close + 1;
            const value: Literal = { t: 'string', v: this.stringLiteral(lit, true) };
            const part: Expr = { kind: 'Literal', value, range: this.rng(lit) };
            return { kind: 'Template', parts: [part], range: this.span(open, close) };
          }
        }
        const closer = this.opposite(types[open]);
        const flush = types[open] === T.OHeredoc && this.src.charCodeAt(this.starts[open]! + 2) === 0x2d;
        const exprs = this.parseTemplateInner(closer, flush);
        const range = this.span(open, this.next - 1);
        return this.passthru ? { kind: 'TemplateWrap', wrapped: exprs[0]!, range } : { kind: 'Template', parts: exprs, range };
      }
      case T.Minus:
      case T.Bang: {
        const tok = this.peekAt[this.next]!;
        this.next = tok + 1;
        if (++this.depth > this.limit) throw new NestingLimitReached();
        const operand = this.parseExpressionWithTraversals();
        this.depth--;
        return { kind: 'UnaryOp', op: types[start] === T.Minus ? '-' : '!', val: operand, range: rangeBetween(this.rng(tok), operand.range), symbolRange: this.rng(tok) };
      }
      case T.OBrack:
        return this.parseTupleCons();
      case T.OBrace:
        return this.parseObjectCons();
      default: {
        if (!this.recovery) this.diags.push(errorDiag('Invalid expression', 'Expected the start of an expression, but found an invalid expression token.', this.rng(start)));
        this.recovery = true;
        return placeholder(this.rng(start));
      }
    }
  }

  private finishFunctionCall(name: Tok): Expr {
    const types = this.types;
    const openTok = this.peekAt[this.next]!;
    this.next = openTok + 1;
    const args: Expr[] = [];
    let expandFinal = false;
    let closeTok: Tok;
    this.pushNl(false);
    for (;;) {
      const tok = this.peekAt[this.next]!;
      if (types[tok] === T.CParen) {
        closeTok = this.peekAt[this.next]!;
        this.next = closeTok + 1;
        break;
      }
      const before = this.diags.length;
      args.push(this.parseExpression());
      if (this.recovery && this.errSince(before)) {
        closeTok = this.recover(T.CParen);
        break;
      }
      const sep = this.peekAt[this.next]!;
      this.next = sep + 1;
      if (types[sep] === T.CParen) {
        closeTok = sep;
        break;
      }
      if (types[sep] === T.Ellipsis) {
        expandFinal = true;
        if (types[this.peekAt[this.next]!] !== T.CParen) {
          if (!this.recovery) this.diags.push(errorDiag('Missing closing parenthesis', 'An expanded function argument (with ...) must be immediately followed by closing parentheses.', this.rng(sep), this.span(name, sep)));
          closeTok = this.recover(T.CParen);
        } else closeTok = this.read();
        break;
      }
      if (types[sep] !== T.Comma) {
        this.diags.push(errorDiag('Missing argument separator', 'A comma is required to separate each function argument from the next.', this.rng(sep), this.span(name, sep)));
        closeTok = this.recover(T.CParen);
        break;
      }
      if (types[this.peekAt[this.next]!] === T.CParen) {
        closeTok = this.peekAt[this.next]!;
        this.next = closeTok + 1;
        break;
      }
    }
    this.popNl();
    return {
      kind: 'FunctionCall',
      name: this.text(name),
      args,
      expandFinal,
      nameRange: this.rng(name),
      openParenRange: this.rng(openTok),
      closeParenRange: this.rng(closeTok),
      range: this.span(name, closeTok),
    };
  }

  private parseTupleCons(): Expr {
    const types = this.types;
    const open = this.peekAt[this.next]!;
    this.next = open + 1;
    this.pushNl(false);
    try {
      if (this.isKeyword(this.peekAt[this.next]!, 'for')) return this.finishFor(open);
      let close: Tok;
      const exprs: Expr[] = [];
      for (;;) {
        let next = this.peekAt[this.next]!;
        if (types[next] === T.CBrack) {
          close = this.peekAt[this.next]!;
          this.next = close + 1;
          break;
        }
        const before = this.diags.length;
        exprs.push(this.parseExpression());
        if (this.recovery && this.errSince(before)) {
          close = this.recover(T.CBrack);
          break;
        }
        next = this.peekAt[this.next]!;
        if (types[next] === T.CBrack) {
          close = this.peekAt[this.next]!;
          this.next = close + 1;
          break;
        }
        if (types[next] !== T.Comma) {
          if (!this.recovery) this.diags.push(errorDiag('Missing item separator', 'Expected a comma to mark the beginning of the next item.', this.rng(next), this.span(open, next)));
          close = this.recover(T.CBrack);
          break;
        }
        this.next = this.peekAt[this.next]! + 1;
      }
      return { kind: 'TupleCons', exprs, range: this.span(open, close), openRange: this.rng(open) };
    } finally {
      this.popNl();
    }
  }

  private parseObjectCons(): Expr {
    const types = this.types;
    const open = this.peekAt[this.next]!;
    this.next = open + 1;
    // the next token where newlines do not count (what peek finds after pushNl(false))
    if (this.isKeyword(this.flat[this.next]!, 'for')) return this.finishFor(open);
    this.pushNl(true);
    try {
      const diags = this.diags;
      let close: Tok;
      const items: ObjectConsItem[] = [];
      for (;;) {
        let next = this.peekAt[this.next]!;
        if (types[next] === T.Newline) {
          this.next = this.peekAt[this.next]! + 1;
          continue;
        }
        if (types[next] === T.CBrace) {
          close = this.peekAt[this.next]!;
          this.next = close + 1;
          break;
        }
        const forceNonLiteral = types[this.peekAt[this.next]!] === T.OParen;
        let before = diags.length;
        const k = this.parseExpression();
        if (this.recovery && this.errSince(before)) {
          close = this.recover(T.CBrace);
          break;
        }
        const key = { kind: 'ObjectConsKey' as const, wrapped: k, forceNonLiteral, range: k.range };
        next = this.peekAt[this.next]!;
        if (types[next] !== T.Equal && types[next] !== T.Colon) {
          if (!this.recovery) {
            if (types[next] === T.Newline || types[next] === T.Comma) {
              diags.push(errorDiag('Missing attribute value', 'Expected an attribute value, introduced by an equals sign ("=").', this.rng(next), this.span(open, next)));
            } else if (types[next] === T.Ident) {
              diags.push(errorDiag('Missing key/value separator', 'Expected an equals sign ("=") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.', this.rng(next), this.span(open, next)));
            } else {
              diags.push(errorDiag('Missing key/value separator', 'Expected an equals sign ("=") to mark the beginning of the attribute value.', this.rng(next), this.span(open, next)));
            }
          }
          close = this.recover(T.CBrace);
          break;
        }
        this.next = this.peekAt[this.next]! + 1;
        before = diags.length;
        const value = this.parseExpression();
        if (this.recovery && this.errSince(before)) {
          close = this.recover(T.CBrace);
          break;
        }
        items.push({ key, value });
        next = this.peekAt[this.next]!;
        if (types[next] === T.CBrace) {
          close = this.peekAt[this.next]!;
          this.next = close + 1;
          break;
        }
        if (types[next] !== T.Comma && types[next] !== T.Newline) {
          if (!this.recovery) diags.push(errorDiag('Missing attribute separator', 'Expected a newline or comma to mark the beginning of the next attribute.', this.rng(next), this.span(open, next)));
          close = this.recover(T.CBrace);
          break;
        }
        this.next = this.peekAt[this.next]! + 1;
      }
      return { kind: 'ObjectCons', items, range: this.span(open, close), openRange: this.rng(open) };
    } finally {
      this.popNl();
    }
  }

  /** A for expression given up: recovery to its closing bracket, a placeholder in its place. */
  private forBail(open: Tok, closeType: T): Expr {
    const close = this.recover(closeType);
    return placeholder(this.span(open, close));
  }

  private forFail(open: Tok, closeType: T, detail: string): Expr {
    if (!this.recovery) this.diags.push(errorDiag("Invalid 'for' expression", detail, this.nextRange(), this.span(open, this.peek())));
    return this.forBail(open, closeType);
  }

  private finishFor(open: Tok): Expr {
    const types = this.types;
    this.pushNl(false);
    try {
      this.read(); // "for"
      const makeObj = types[open] === T.OBrace;
      const closeType = makeObj ? T.CBrace : T.CBrack;
      const diags = this.diags;
      let keyName = '';
      if (types[this.peek()] !== T.Ident) return this.forFail(open, closeType, "For expression requires variable name after 'for'.");
      let valName = this.text(this.read());
      if (types[this.peek()] === T.Comma) {
        keyName = valName;
        this.read();
        if (types[this.peek()] !== T.Ident) return this.forFail(open, closeType, 'For expression requires value variable name after comma.');
        valName = this.text(this.read());
      }
      if (!this.isKeyword(this.peek(), 'in')) return this.forFail(open, closeType, "For expression requires the 'in' keyword after its name declarations.");
      this.read();
      let before = diags.length;
      const collExpr = this.parseExpression();
      if (this.recovery && this.errSince(before)) return this.forBail(open, closeType);
      if (types[this.peek()] !== T.Colon) return this.forFail(open, closeType, 'For expression requires a colon after the collection expression.');
      this.read();
      let keyExpr: Expr | undefined;
      before = diags.length;
      let valExpr = this.parseExpression();
      if (types[this.peek()] === T.FatArrow) {
        this.read();
        keyExpr = valExpr;
        valExpr = this.parseExpression();
      }
      if (this.recovery && this.errSince(before)) return this.forBail(open, closeType);
      let group = false;
      let ellipsis: Tok | undefined;
      if (types[this.peek()] === T.Ellipsis) {
        ellipsis = this.read();
        group = true;
      }
      let condExpr: Expr | undefined;
      if (this.isKeyword(this.peek(), 'if')) {
        this.read();
        before = diags.length;
        condExpr = this.parseExpression();
        if (this.recovery && this.errSince(before)) return this.forBail(open, closeType);
      }
      let close: Tok;
      if (types[this.peek()] === closeType) close = this.read();
      else {
        if (!this.recovery) diags.push(errorDiag("Invalid 'for' expression", "Extra characters after the end of the 'for' expression.", this.nextRange(), this.span(open, this.peek())));
        close = this.recover(closeType);
      }
      const whole = this.span(open, close);
      if (!makeObj) {
        if (keyExpr) diags.push(errorDiag("Invalid 'for' expression", 'Key expression is not valid when building a tuple.', keyExpr.range, whole));
        if (group) diags.push(errorDiag("Invalid 'for' expression", 'Grouping ellipsis (...) cannot be used when building a tuple.', this.rng(ellipsis!), whole));
      } else if (!keyExpr) {
        diags.push(errorDiag("Invalid 'for' expression", 'Key expression is required when building an object.', valExpr.range, whole));
      }
      const fe: ForExpr = { kind: 'For', keyVar: keyName, valVar: valName, collExpr, keyExpr, valExpr, condExpr, group, range: whole, openRange: this.rng(open), closeRange: this.rng(close) };
      return fe;
    } finally {
      this.popNl();
    }
  }

  /** The range of the string parseQuotedStringLiteral last returned. */
  litRange: Range = zeroRange;

  parseQuotedStringLiteral(): string {
    const types = this.types;
    const diags = this.diags;
    const oQuote = this.read();
    if (types[oQuote] !== T.OQuote) {
      diags.push(errorDiag('Invalid string literal', 'A quoted string is required here.', this.rng(oQuote)));
      this.litRange = this.rng(oQuote);
      return '';
    }
    let ret = '';
    let cQuote: Tok | undefined;
    for (;;) {
      const tok = this.read();
      if (types[tok] === T.CQuote) {
        cQuote = tok;
        break;
      }
      if (types[tok] === T.QuotedLit) {
        ret += this.stringLiteral(tok, true);
        continue;
      }
      if (types[tok] === T.TemplateControl || types[tok] === T.TemplateInterp) {
        const which = types[tok] === T.TemplateControl ? '%' : '$';
        diags.push(errorDiag('Invalid string literal', `Template sequences are not allowed in this string. To include a literal ${goQuote(which)}, double it (as "${which}${which}") to escape it.`, this.rng(tok), this.span(oQuote, tok)));
        ret += which + '{ ... }';
        this.recover(T.TemplateSeqEnd);
        continue;
      }
      if (types[tok] === T.EOF) {
        diags.push(errorDiag('Unterminated string literal', 'Unable to find the closing quote mark before the end of the file.', this.rng(tok), this.span(oQuote, tok)));
        break;
      }
      diags.push(errorDiag('Invalid string literal', 'This item is not valid in a string literal.', this.rng(tok), this.span(oQuote, tok)));
      this.recover(T.CQuote);
      break;
    }
    // Go leaves the closing quote's range zero when it is missing
    const end = cQuote !== undefined ? this.rng(cQuote) : { filename: '', start: initialPos, end: initialPos };
    this.litRange = rangeBetween(this.rng(oQuote), end);
    return ret;
  }

  /** Resolves the escapes of a QuotedLit (quoted) or StringLit token. */
  stringLiteral(tok: Tok, quoted: boolean): string {
    const s = this.src;
    let i = this.starts[tok]!;
    const end = this.ends[tok]!;
    // fast path: nothing to unescape (a regular expression, not a loop over the characters in cold code)
    const text = s.slice(i, end);
    if (!(quoted ? quotedSpecial : templateSpecial).test(text)) return text;
    const diags = this.diags;
    let out = '';
    const rangeOf = (a: number, b: number): Range => {
      const pre = s.slice(this.starts[tok]!, a);
      const seg = s.slice(a, b);
      const st: Pos = { byte: this.rng(tok).start.byte + utf8Length(pre), line: this.rng(tok).start.line, column: this.rng(tok).start.column + graphemeCount(pre) };
      return { filename: this.rng(tok).filename, start: st, end: { byte: st.byte + utf8Length(seg), line: st.line, column: st.column + graphemeCount(seg) } };
    };
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === 0x5c && quoted) {
        if (i + 1 >= end) {
          diags.push(errorDiag('Invalid escape sequence', 'Backslash must be followed by an escape sequence selector character.', rangeOf(i, i + 1)));
          out += '\\';
          i++;
          continue;
        }
        const sel = s[i + 1]!;
        switch (sel) {
          case 'n':
            out += '\n';
            i += 2;
            continue;
          case 'r':
            out += '\r';
            i += 2;
            continue;
          case 't':
            out += '\t';
            i += 2;
            continue;
          case '"':
            out += '"';
            i += 2;
            continue;
          case '\\':
            out += '\\';
            i += 2;
            continue;
          case 'u':
          case 'U': {
            const want = sel === 'u' ? 4 : 8;
            let j = i + 2;
            while (j < end && j - (i + 2) < want && /[0-9a-fA-F]/.test(s[j]!)) j++;
            if (j - (i + 2) !== want) {
              diags.push(errorDiag('Invalid escape sequence', sel === 'u' ? 'The \\u escape sequence must be followed by four hexadecimal digits.' : 'The \\U escape sequence must be followed by eight hexadecimal digits.', rangeOf(i, j)));
              out += s.slice(i, j);
              i = j;
              continue;
            }
            const num = parseInt(s.slice(i + 2, j), 16);
            if (num > 0x10ffff || (num >= 0xd800 && num <= 0xdfff)) {
              diags.push(errorDiag('Invalid escape sequence', `Cannot encode character U+${num.toString(16).padStart(4, '0')} in UTF-8.`, rangeOf(i, j)));
              out += s.slice(i, j);
            } else out += String.fromCodePoint(num);
            i = j;
            continue;
          }
          default: {
            const cp = s.codePointAt(i + 1)!;
            const w = cp > 0xffff ? 2 : 1;
            const ch = s.slice(i + 1, i + 1 + w);
            diags.push(errorDiag('Invalid escape sequence', `The symbol ${goQuote(ch)} is not a valid escape sequence selector.`, rangeOf(i, i + 1 + w)));
            out += ch;
            i += 1 + w;
            continue;
          }
        }
      }
      if ((c === 0x24 || c === 0x25) && s.charCodeAt(i + 1) === c && s.charCodeAt(i + 2) === 0x7b) {
        out += s[i]! + '{';
        i += 3;
        continue;
      }
      out += s[i];
      i++;
    }
    return out;
  }

  // ---- templates ----

  /** Whether the template parseTemplateInner last returned is a lone interpolation. */
  passthru = false;
  /** The first and the closing token of the template parseTemplateParts last read (its parts have no end part). */
  tplStart: Tok = 0;
  tplEnd: Tok = 0;

  parseTemplateInner(end: T, flushHeredoc: boolean): Expr[] {
    const parts = this.parseTemplateParts(end);
    if (flushHeredoc) flushHeredocParts(parts);
    // without directives (most templates) the parts are the expressions: no directive structure
    let exprs: Expr[] | undefined = plainTemplate(parts);
    this.passthru = parts.length === 1 && parts[0]!.k === 'interp';
    if (!exprs) {
      parts.push({ k: 'end', range: this.rng(this.tplEnd) });
      exprs = new TemplateParser(parts, this.diags).parseRoot();
    }
    return exprs;
  }

  /** Where a template sequence opened by `tok` starts with "~": trims the space at the end of the literal before it. */
  private trimPrev(parts: TplPart[], tok: Tok): void {
    if (this.ends[tok]! - this.starts[tok]! === 3 && this.src.charCodeAt(this.starts[tok]! + 2) === 0x7e && parts.length > 0) {
      const prev = parts[parts.length - 1]!;
      if (prev.k === 'lit') prev.val = trimRightSpace(prev.val);
    }
  }

  /** A malformed for directive: its error, recovery to the sequence's end. */
  private failDir(detail: string): void {
    if (!this.recovery) this.diags.push(errorDiag("Invalid 'for' directive", detail, this.nextRange()));
    this.recover(T.TemplateSeqEnd);
    this.popNl();
  }

  private parseTemplateParts(end: T): TplPart[] {
    const types = this.types;
    const diags = this.diags;
    const parts: TplPart[] = [];
    const startTok = this.peekAt[this.next]!;
    let ltrimNext = false;
    let nextCanTrimPrev = false;
    let endTok: Tok;
    for (;;) {
      const next = this.peekAt[this.next]!;
      this.next = next + 1;
      if (types[next] === end) {
        endTok = next;
        break;
      }
      const ltrim = ltrimNext;
      ltrimNext = false;
      const canTrimPrev = nextCanTrimPrev;
      nextCanTrimPrev = false;
      if (types[next] === T.StringLit || types[next] === T.QuotedLit) {
        let str = this.stringLiteral(next, types[next] === T.QuotedLit);
        if (ltrim) str = trimLeftSpace(str);
        parts.push({ k: 'lit', val: str, range: this.rng(next) });
        nextCanTrimPrev = true;
        continue;
      }
      if (types[next] === T.TemplateInterp) {
        if (canTrimPrev) this.trimPrev(parts, next);
        this.pushNl(false);
        const expr = this.parseExpression();
        const close = this.peekAt[this.next]!;
        if (types[close] !== T.TemplateSeqEnd) {
          if (!this.recovery) diags.push(errorDiag('Extra characters after interpolation expression', 'Expected a closing brace to end the interpolation expression, but found extra characters.', this.rng(close), this.span(startTok, close)));
          this.recover(T.TemplateSeqEnd);
        } else {
          this.next = this.peekAt[this.next]! + 1;
          if (this.ends[close]! - this.starts[close]! === 2 && this.src.charCodeAt(this.starts[close]!) === 0x7e) ltrimNext = true;
        }
        this.popNl();
        parts.push({ k: 'interp', expr });
        continue;
      }
      if (types[next] === T.TemplateControl) {
        if (canTrimPrev) this.trimPrev(parts, next);
        this.pushNl(false);
        const kw = this.peekAt[this.next]!;
        if (types[kw] !== T.Ident) {
          if (!this.recovery) diags.push(errorDiag('Invalid template directive', 'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.', this.rng(kw), this.span(next, kw)));
          this.recover(T.TemplateSeqEnd);
          this.popNl();
          continue;
        }
        this.next = this.peekAt[this.next]! + 1;
        const word = this.text(kw);
        let skip = false;
        switch (word) {
          case 'if': {
            const cond = this.parseExpression();
            parts.push({ k: 'if', cond, range: this.span(next, this.peekAt[this.next]!) });
            break;
          }
          case 'else':
          case 'endif':
          case 'endfor':
            parts.push({ k: 'endctrl', which: word, range: this.span(next, this.peekAt[this.next]!) });
            break;
          case 'for': {
            let keyName = '';
            if (types[this.peekAt[this.next]!] !== T.Ident) {
              this.failDir("For directive requires variable name after 'for'.");
              skip = true;
              break;
            }
            let valName = this.text(this.read());
            if (types[this.peekAt[this.next]!] === T.Comma) {
              keyName = valName;
              this.next = this.peekAt[this.next]! + 1;
              if (types[this.peekAt[this.next]!] !== T.Ident) {
                this.failDir('For directive requires value variable name after comma.');
                skip = true;
                break;
              }
              valName = this.text(this.read());
            }
            if (!this.isKeyword(this.peekAt[this.next]!, 'in')) {
              this.failDir("For directive requires 'in' keyword after names.");
              skip = true;
              break;
            }
            this.next = this.peekAt[this.next]! + 1;
            const coll = this.parseExpression();
            parts.push({ k: 'for', keyVar: keyName, valVar: valName, coll, range: this.span(next, this.peekAt[this.next]!) });
            break;
          }
          default: {
            if (!this.recovery) {
              const suggestion = nameSuggestion(word, ['if', 'for', 'else', 'endif', 'endfor']);
              diags.push(errorDiag('Invalid template control keyword', `${goQuote(word)} is not a valid template control keyword.${suggestion ? ` Did you mean ${goQuote(suggestion)}?` : ''}`, this.rng(kw), this.span(next, kw)));
            }
            this.recover(T.TemplateSeqEnd);
            this.popNl();
            skip = true;
          }
        }
        if (skip) continue;
        const close = this.peekAt[this.next]!;
        if (types[close] !== T.TemplateSeqEnd) {
          if (!this.recovery) diags.push(errorDiag(`Extra characters in ${word} marker`, 'Expected a closing brace to end the sequence, but found extra characters.', this.rng(close), this.span(startTok, close)));
          this.recover(T.TemplateSeqEnd);
        } else {
          this.next = this.peekAt[this.next]! + 1;
          if (this.ends[close]! - this.starts[close]! === 2 && this.src.charCodeAt(this.starts[close]!) === 0x7e) ltrimNext = true;
        }
        this.popNl();
        continue;
      }
      if (!this.recovery) diags.push(errorDiag('Unterminated template string', 'No closing marker was found for the string.', this.rng(next), this.span(startTok, next)));
      const final = this.recover(end);
      endTok = final;
      break;
    }
    if (parts.length === 0) {
      parts.push({ k: 'lit', val: '', range: rangeEndOf(this.rng(startTok)) });
    }
    this.tplStart = startTok;
    this.tplEnd = endTok;
    return parts;
  }
}

/** The expressions of template parts without directives (what TemplateParser.parseRoot makes of them), else undefined. */
function plainTemplate(parts: TplPart[]): Expr[] | undefined {
  const n = parts.length;
  for (let i = 0; i < n; i++) {
    const k = parts[i]!.k;
    if (k !== 'lit' && k !== 'interp') return undefined;
  }
  const exprs: Expr[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const p = parts[i]!;
    if (p.k === 'lit') {
      const value: Literal = { t: 'string', v: p.val };
      exprs[i] = { kind: 'Literal', value, range: p.range };
    } else exprs[i] = (p as Extract<TplPart, { k: 'interp' }>).expr;
  }
  return exprs;
}

function flushHeredocParts(parts: TplPart[]): void {
  if (parts.length === 0) return;
  let minSpaces = Number.MAX_SAFE_INTEGER;
  let newline = true;
  const adjust: Array<Extract<TplPart, { k: 'lit' }>> = [];
  for (const p of parts) {
    if (newline) {
      newline = false;
      let spaces = 0;
      if (p.k === 'lit') {
        const trimmed = trimLeftSpace(p.val);
        if (trimmed.length === 0 && p.val.endsWith('\n')) spaces = Number.MAX_SAFE_INTEGER;
        else {
          spaces = graphemeCount(p.val.slice(0, p.val.length - trimmed.length));
          adjust.push(p);
        }
      } else if (p.k === 'end') break;
      if (spaces < minSpaces) minSpaces = spaces;
    }
    if (p.k === 'lit' && p.val.endsWith('\n')) newline = true;
  }
  if (adjust.length === 0 || minSpaces === Number.MAX_SAFE_INTEGER) return;
  for (const lit of adjust) {
    // drop minSpaces grapheme clusters
    let idx = 0;
    let count = 0;
    const v = lit.val;
    while (count < minSpaces && idx < v.length) {
      const c = v.charCodeAt(idx);
      if (c < 0x80 && c !== 0x0d) idx++;
      else if (c === 0x0d && v.charCodeAt(idx + 1) === 0x0a) idx += 2;
      else {
        const cp = v.codePointAt(idx)!;
        idx += cp > 0xffff ? 2 : 1;
        // combining marks continue a cluster
        while (idx < v.length && /\p{M}/u.test(v[idx]!)) idx++;
      }
      count++;
    }
    const dropped = v.slice(0, idx);
    lit.val = v.slice(idx);
    lit.range = {
      filename: lit.range.filename,
      start: { byte: lit.range.start.byte + utf8Length(dropped), line: lit.range.start.line, column: lit.range.start.column + minSpaces },
      end: lit.range.end,
    };
  }
}

class TemplateParser {
  private pos = 0;
  constructor(
    private readonly parts: TplPart[],
    /** the parser's diagnostics list, which this one adds to */
    private readonly diags: Diagnostic[],
  ) {}

  private peek(): TplPart {
    return this.parts[this.pos]!;
  }

  private read(): TplPart {
    const p = this.peek();
    if (p.k !== 'end') this.pos++;
    return p;
  }

  parseRoot(): Expr[] {
    const exprs: Expr[] = [];
    while (this.peek().k !== 'end') exprs.push(this.parseExpr());
    return exprs;
  }

  private parseExpr(): Expr {
    const next = this.peek();
    switch (next.k) {
      case 'lit': {
        this.read();
        const value: Literal = { t: 'string', v: next.val };
        return { kind: 'Literal', value, range: next.range };
      }
      case 'interp':
        this.read();
        return next.expr;
      case 'if':
        return this.parseIf();
      case 'for':
        return this.parseFor();
      case 'end':
        this.read();
        this.diags.push(errorDiag('Unexpected end of template', 'The control directives within this template are unbalanced.', next.range));
        return placeholder(next.range);
      case 'endctrl':
        this.read();
        this.diags.push(errorDiag(`Unexpected ${next.which} directive`, 'The control directives within this template are unbalanced.', next.range));
        return placeholder(next.range);
    }
  }

  private parseIf(): Expr {
    const open = this.read() as Extract<TplPart, { k: 'if' }>;
    const ifExprs: Expr[] = [];
    const elseExprs: Expr[] = [];
    const diags = this.diags;
    let endifRange: Range;
    let current = ifExprs;
    for (;;) {
      const next = this.peek();
      if (next.k === 'end') {
        diags.push(errorDiag('Unexpected end of template', `The if directive at ${rangeString(open.range)} is missing its corresponding endif directive.`, next.range));
        return placeholder(next.range);
      }
      if (next.k === 'endctrl') {
        this.read();
        if (next.which === 'else') {
          if (current === ifExprs) {
            current = elseExprs;
            continue;
          }
          diags.push(errorDiag('Unexpected else directive', `Already in the else clause for the if started at ${rangeString(open.range)}.`, next.range));
        } else if (next.which === 'endif') {
          endifRange = next.range;
          break;
        } else {
          diags.push(errorDiag(`Unexpected ${next.which} directive`, `Expecting an endif directive for the if started at ${rangeString(open.range)}.`, next.range));
        }
        return placeholder(next.range);
      }
      current.push(this.parseExpr());
    }
    if (ifExprs.length === 0) ifExprs.push({ kind: 'Literal', value: { t: 'string', v: '' }, range: rangeEndOf(open.range) });
    if (elseExprs.length === 0) elseExprs.push({ kind: 'Literal', value: { t: 'string', v: '' }, range: rangeStart(endifRange) });
    const trueExpr: TemplateExpr = { kind: 'Template', parts: ifExprs, range: rangeBetween(ifExprs[0]!.range, ifExprs[ifExprs.length - 1]!.range) };
    const falseExpr: TemplateExpr = { kind: 'Template', parts: elseExprs, range: rangeBetween(elseExprs[0]!.range, elseExprs[elseExprs.length - 1]!.range) };
    return { kind: 'Conditional', condition: open.cond, trueResult: trueExpr, falseResult: falseExpr, range: rangeBetween(open.range, endifRange) };
  }

  private parseFor(): Expr {
    const open = this.read() as Extract<TplPart, { k: 'for' }>;
    const content: Expr[] = [];
    const diags = this.diags;
    let endforRange: Range;
    for (;;) {
      const next = this.peek();
      if (next.k === 'end') {
        diags.push(errorDiag('Unexpected end of template', `The for directive at ${rangeString(open.range)} is missing its corresponding endfor directive.`, next.range));
        return placeholder(next.range);
      }
      if (next.k === 'endctrl') {
        this.read();
        if (next.which === 'else') {
          diags.push(errorDiag('Unexpected else directive', 'An else clause is not expected for a for directive.', next.range));
        } else if (next.which === 'endfor') {
          endforRange = next.range;
          break;
        } else {
          diags.push(errorDiag(`Unexpected ${next.which} directive`, `Expecting an endfor directive corresponding to the for directive at ${rangeString(open.range)}.`, next.range));
        }
        return placeholder(next.range);
      }
      content.push(this.parseExpr());
    }
    if (content.length === 0) content.push({ kind: 'Literal', value: { t: 'string', v: '' }, range: rangeEndOf(open.range) });
    const contentExpr: TemplateExpr = { kind: 'Template', parts: content, range: rangeBetween(content[0]!.range, content[content.length - 1]!.range) };
    const range = rangeBetween(open.range, endforRange);
    const fe: ForExpr = { kind: 'For', keyVar: open.keyVar, valVar: open.valVar, collExpr: open.coll, keyExpr: undefined, valExpr: contentExpr, condExpr: undefined, group: false, range, openRange: open.range, closeRange: endforRange };
    return { kind: 'TemplateJoin', tuple: fe, range };
  }
}

function makeRelativeTraversal(expr: Expr, next: Traverser, rng: Range): Expr {
  if (expr.kind === 'ScopeTraversal' || expr.kind === 'RelativeTraversal') {
    expr.traversal.push(next);
    expr.range = rangeBetween(expr.range, rng);
    return expr;
  }
  return { kind: 'RelativeTraversal', source: expr, traversal: [next], range: rangeBetween(expr.range, rng) };
}



/** The closest of `options` to `given` by Levenshtein distance under 3. */
export function nameSuggestion(given: string, options: readonly string[]): string {
  for (const o of options) {
    if (levenshtein(given, o) < 3) return o;
  }
  return '';
}

function levenshtein(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, i) => i);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

// ---- public entry points ----

export interface ParsedFile {
  readonly filename: string;
  /** the source as text (UTF-8 decoded) */
  readonly source: string;
  readonly body: Body;
  /** `TYPE "LABEL"...` of the top-level block containing a byte offset */
  contextString(byteOffset: number): string;
}

function contextStringFor(body: Body): (offset: number) => string {
  return (offset) => {
    for (const b of body.blocks) {
      if (offset >= b.range.start.byte && offset < b.range.end.byte) {
        return b.labels.length === 0 ? b.type : b.type + b.labels.map((l) => ' ' + goQuote(l)).join('');
      }
    }
    return '';
  };
}

/** Parses a whole configuration file. */
export function parseConfig(src: string | Uint8Array, filename: string, start: Pos = initialPos): { file: ParsedFile; diags: Diagnostic[] } {
  const lexed = scan(src, filename, start, 'normal');
  const p = new Parser(lexed);
  let body: Body;
  let pd: Diagnostic[];
  try {
    body = p.parseBody(T.EOF);
    pd = p.diags;
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    handOffDeepNesting(p.nextRange());
    const whole = lexed.span(0, lexed.count - 1);
    body = { attributes: [], blocks: [], range: whole, endRange: rangeEndOf(whole) };
    pd = [tooDeepDiag('parse', p.nextRange())];
  }
  const diags = [...lexed.diags, ...pd];
  return { file: { filename, source: lexed.src, body, contextString: contextStringFor(body) }, diags };
}

/** Parses a single expression (e.g. from the console or a -var value). */
export function parseExpression(src: string | Uint8Array, filename: string, start: Pos = initialPos): { expr: Expr; diags: Diagnostic[] } {
  const lexed = scan(src, filename, start, 'normal');
  const p = new Parser(lexed);
  p.pushNl(false);
  let expr: Expr;
  let ed: Diagnostic[];
  try {
    expr = p.parseExpression();
    ed = p.diags;
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    const at = p.nextRange();
    handOffDeepNesting(at);
    expr = placeholder(at);
    ed = [tooDeepDiag('parse', at)];
    p.recovery = true;
  }
  const diags = [...lexed.diags, ...ed];
  const next = p.peek();
  if (lexed.types[next] !== T.EOF && !p.recovery) {
    diags.push(errorDiag('Extra characters after expression', 'An expression was successfully parsed, but extra characters were found after it.', p.rng(next)));
  }
  p.popNl();
  return { expr, diags };
}

/** Parses a bare template (a file's content for templatefile, a JSON string). */
export function parseTemplate(src: string | Uint8Array, filename: string, start: Pos = initialPos): { expr: Expr; diags: Diagnostic[] } {
  const lexed = scan(src, filename, start, 'template');
  const p = new Parser(lexed);
  let exprs: Expr[], passthru: boolean, range: Range, pd: Diagnostic[];
  try {
    exprs = p.parseTemplateInner(T.EOF, false);
    passthru = p.passthru;
    range = p.span(p.tplStart, p.tplEnd);
    pd = p.diags;
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    range = p.nextRange();
    handOffDeepNesting(range);
    [exprs, passthru, pd] = [[placeholder(range)], true, [tooDeepDiag('parse', range)]];
  }
  const diags = [...lexed.diags, ...pd];
  const expr: Expr = passthru ? { kind: 'TemplateWrap', wrapped: exprs[0]!, range } : { kind: 'Template', parts: exprs, range };
  return { expr, diags };
}

/** Parses an absolute traversal like `var.foo[0].bar` (for JSON's variable references). */
export function parseTraversalAbs(src: string, filename: string, start: Pos = initialPos): { traversal: Traverser[]; diags: Diagnostic[] } {
  const { expr, diags } = parseExpression(src, filename, start);
  if (expr.kind === 'ScopeTraversal') return { traversal: expr.traversal, diags };
  if (diags.length > 0) return { traversal: [], diags };
  return { traversal: [], diags: [errorDiag('Invalid expression', 'A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.', expr.range)] };
}
