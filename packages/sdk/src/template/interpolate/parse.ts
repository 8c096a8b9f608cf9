/**
 * Lexer and parser for the Go text/template language (Go 1.19 rules, as
 * used by Packer 1.6.6 builds): text, actions with trim markers, comments,
 * pipelines, variables, if/else if/range/with/break/continue/end.
 * `define`/`template`/`block` are not supported.
 */

import { runDeep, type Deep } from './deep.ts';

export class TemplateParseError extends Error {}

// ---------------------------------------------------------------- lexer

type ItemType =
  | 'error' | 'eof' | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'identifier' | 'field' | 'variable'
  | 'string' | 'rawString' | 'char' | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'leftParen' | 'rightParen'
  | 'assign' | 'declare' | 'comma' | 'keyword' | 'asciiChar';

export interface Item { typ: ItemType; pos: number; val: string; line: number }

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'template', 'define', 'block']);

function itemString(i: Item): string {
  switch (i.typ) {
    case 'eof': return 'EOF';
    case 'error': return i.val;
    case 'keyword': return `<${i.val}>`;
  }
  if (i.val.length > 10) return `${JSON.stringify(i.val.slice(0, 10))}...`;
  return JSON.stringify(i.val);
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);

/** Splits a template into items, as Go's text/template/parse lexer. */
export function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let parenDepth = 0;
  const emit = (typ: ItemType, val = input.slice(start, pos)) => {
    items.push({ typ, pos: start, val, line: startLine });
    start = pos;
    startLine = line;
  };
  const adv = (n: number) => {
    for (let k = 0; k < n; k++) if (input[pos + k] === '\n') line++;
    pos += n;
  };
  const ignore = () => { start = pos; startLine = line; };
  const error = (msg: string) => { items.push({ typ: 'error', pos: start, val: msg, line: startLine }); };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith('}}', pos + 2)) return { delim: true, trim: true };
    if (input.startsWith('}}', pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };

  // returns false on error/eof
  while (true) {
    // lexText
    const x = input.indexOf('{{', pos);
    if (x < 0) {
      adv(input.length - pos);
      if (pos > start) emit('text');
      items.push({ typ: 'eof', pos, val: '', line });
      return items;
    }
    adv(x - pos);
    let textEnd = pos;
    const trimLeft = input[x + 2] === '-' && isSpace(input[x + 3]);
    if (trimLeft) {
      while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    }
    if (textEnd > start) {
      items.push({ typ: 'text', pos: start, val: input.slice(start, textEnd), line: startLine });
    }
    start = pos; startLine = line;
    // lexLeftDelim
    adv(2);
    const afterMarker = trimLeft ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      // comment
      adv(afterMarker);
      ignore();
      const end = input.indexOf('*/', pos + 2);
      if (end < 0) { error('unclosed comment'); return items; }
      adv(end + 2 - pos);
      const rd = atRightDelim();
      if (!rd.delim) { error('comment ends before closing delimiter'); return items; }
      adv(rd.trim ? 4 : 2);
      if (rd.trim) while (isSpace(input[pos])) adv(1);
      ignore();
      continue;
    }
    emit('leftDelim');
    adv(afterMarker);
    ignore();
    parenDepth = 0;
    // lexInsideAction
    let trimRightAfter = false;
    let ok = true;
    inside: while (true) {
      const rd = atRightDelim();
      if (rd.delim) {
        if (parenDepth !== 0) { error('unclosed left paren'); ok = false; break; }
        if (rd.trim) { adv(2); ignore(); }
        adv(2);
        emit('rightDelim');
        trimRightAfter = rd.trim;
        break;
      }
      const c = input[pos];
      if (c === undefined) { error('unclosed action'); ok = false; break; }
      if (isSpace(c)) {
        let p = pos;
        while (isSpace(input[p])) p++;
        let n = p - pos;
        // leave the last space to the trim marker of " -}}"
        if (input[p] === '-' && input.startsWith('}}', p + 1)) n--;
        if (n > 0) { adv(n); emit('space'); }
        continue;
      }
      switch (c) {
        case '=': adv(1); emit('assign'); continue inside;
        case ':':
          if (input[pos + 1] !== '=') { error('expected :='); ok = false; break inside; }
          adv(2); emit('declare'); continue inside;
        case '|': adv(1); emit('pipe'); continue inside;
        case '"': {
          let p = pos + 1;
          while (true) {
            const ch = input[p];
            if (ch === '\\') { if (input[p + 1] === undefined || input[p + 1] === '\n') { error('unterminated quoted string'); ok = false; break inside; } p += 2; continue; }
            if (ch === undefined || ch === '\n') { error('unterminated quoted string'); ok = false; break inside; }
            if (ch === '"') break;
            p++;
          }
          adv(p + 1 - pos); emit('string'); continue inside;
        }
        case '`': {
          const e = input.indexOf('`', pos + 1);
          if (e < 0) { error('unterminated raw quoted string'); ok = false; break inside; }
          adv(e + 1 - pos); emit('rawString'); continue inside;
        }
        case "'": {
          let p = pos + 1;
          while (true) {
            const ch = input[p];
            if (ch === '\\') { p += 2; continue; }
            if (ch === undefined || ch === '\n') { error('unterminated character constant'); ok = false; break inside; }
            if (ch === "'") break;
            p++;
          }
          adv(p + 1 - pos); emit('char'); continue inside;
        }
        case '$': {
          let p = pos + 1;
          while (isAlnum(input[p])) p++;
          adv(p - pos); emit('variable'); continue inside;
        }
        case '.': {
          const n = input[pos + 1];
          if (n === undefined || !(n >= '0' && n <= '9')) {
            let p = pos + 1;
            while (isAlnum(input[p])) p++;
            adv(p - pos);
            if (pos - start === 1) emit('dot'); else emit('field');
            continue inside;
          }
          // number
          break;
        }
        case '(': adv(1); emit('leftParen'); parenDepth++; continue inside;
        case ')':
          parenDepth--;
          if (parenDepth < 0) { error(`unexpected right paren U+0029 ')'`); ok = false; break inside; }
          adv(1); emit('rightParen'); continue inside;
        case ',': adv(1); emit('comma'); continue inside;
      }
      if (c === '+' || c === '-' || c === '.' || (c >= '0' && c <= '9')) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)(i)?/.exec(input.slice(pos))!;
        let p = pos + m[0].length;
        if (isAlnum(input[p]) || input[p] === '.') {
          while (isAlnum(input[p]) || input[p] === '.') p++;
          error(`bad number syntax: ${JSON.stringify(input.slice(start, p))}`); ok = false; break inside;
        }
        if (m[0] === '' || m[0] === '+' || m[0] === '-') {
          error(`bad number syntax: ${JSON.stringify(input.slice(pos, pos + 1))}`); ok = false; break inside;
        }
        adv(p - pos); emit('number'); continue inside;
      }
      if (isAlnum(c)) {
        let p = pos;
        while (isAlnum(input[p])) p++;
        const word = input.slice(pos, p);
        adv(p - pos);
        if (input[pos] !== undefined && !isSpace(input[pos]) && !'.,|:)('.includes(input[pos]) && !input.startsWith('}}', pos)) {
          error(`bad character U+${input.codePointAt(pos)!.toString(16).toUpperCase().padStart(4, '0')} '${input[pos]}'`); ok = false; break inside;
        }
        if (KEYWORDS.has(word)) emit('keyword');
        else if (word === 'true' || word === 'false') emit('bool');
        else if (word === 'nil') emit('nil');
        else emit('identifier');
        continue inside;
      }
      // Go lexes any other printable ASCII character as an item of its own, which the parser rejects.
      if (c >= ' ' && c <= '~') { adv(1); emit('asciiChar'); continue inside; }
      const r = String.fromCodePoint(c.codePointAt(0)!);
      // Go's %#U: the character itself only when printable
      error(`unrecognized character in action: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}${/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(r) ? ` '${r}'` : ''}`);
      ok = false;
      break;
    }
    if (!ok) return items;
    if (trimRightAfter) { while (isSpace(input[pos])) adv(1); ignore(); }
  }
}

// ---------------------------------------------------------------- nodes

export type Node =
  | { t: 'text'; pos: number; text: string }
  | { t: 'action'; pos: number; line: number; pipe: PipeNode }
  | { t: 'if' | 'with'; pos: number; line: number; pipe: PipeNode; list: Node[]; elseList?: Node[] }
  | { t: 'range'; pos: number; line: number; pipe: PipeNode; list: Node[]; elseList?: Node[] }
  | { t: 'break' | 'continue'; pos: number; line: number };

export interface PipeNode { t: 'pipe'; pos: number; line: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode { t: 'command'; pos: number; args: ArgNode[] }
export interface VariableNode { t: 'variable'; pos: number; ident: string[] }
export type ArgNode =
  | { t: 'identifier'; pos: number; ident: string }
  | { t: 'field'; pos: number; ident: string[] }
  | VariableNode
  | { t: 'chain'; pos: number; node: ArgNode; field: string[] }
  | { t: 'dot'; pos: number }
  | { t: 'nil'; pos: number }
  | { t: 'bool'; pos: number; value: boolean }
  | { t: 'number'; pos: number; text: string; value: number; isInt: boolean }
  | { t: 'string'; pos: number; quoted: string; text: string }
  | PipeNode;

/** Go's Node.String(), used in error contexts. */
export function nodeString(n: ArgNode | CommandNode): string {
  switch (n.t) {
    case 'identifier': return n.ident;
    case 'field': return '.' + n.ident.join('.');
    case 'variable': return n.ident.join('.');
    case 'chain': return (n.node.t === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + '.' + n.field.join('.');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'command': return n.args.map((a) => (a.t === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length ? n.decl.map((d) => d.ident.join('.')).join(', ') + (n.isAssign ? ' = ' : ' := ') : '';
      return decl + n.cmds.map((c) => nodeString(c)).join(' | ');
    }
  }
}

// ---------------------------------------------------------------- parser

/** A \\u or \\U escape's character; surrogates and values beyond U+10FFFF are Go's "invalid syntax". */
function validRune(c: number): string {
  if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) throw new TemplateParseError('invalid syntax');
  return String.fromCodePoint(c);
}

/** Go's strconv.Unquote for double-quoted and raw strings. */
export function unquote(q: string): string {
  if (q.startsWith('`')) return q.slice(1, -1);
  const body = q.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') { out += c; continue; }
    const n = body[++i];
    const hex = (len: number) => {
      const h = body.slice(i + 1, i + 1 + len);
      if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) throw new TemplateParseError('invalid syntax');
      i += len;
      return parseInt(h, 16);
    };
    switch (n) {
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x': {
        // \xHH is a byte; bytes >= 0x80 alone are not valid UTF-8 in JS strings: keep as code point
        out += String.fromCharCode(hex(2));
        break;
      }
      case 'u': out += validRune(hex(4)); break;
      case 'U': out += validRune(hex(8)); break;
      default:
        if (n >= '0' && n <= '7') {
          const o = body.slice(i, i + 3);
          if (!/^[0-7]{3}$/.test(o)) throw new TemplateParseError('invalid syntax');
          out += String.fromCharCode(parseInt(o, 8));
          i += 2;
          break;
        }
        throw new TemplateParseError('invalid syntax');
    }
  }
  return out;
}

function parseNumber(text: string, isChar: boolean): { value: number; isInt: boolean } {
  if (isChar) {
    const s = unquote('"' + text.slice(1, -1).replace(/"/g, '\\"') + '"');
    const cp = s.codePointAt(0);
    if (cp === undefined || [...s].length !== 1) throw new TemplateParseError(`malformed character constant: ${text}`);
    return { value: cp, isInt: true };
  }
  const t = text.replace(/_/g, '');
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  let v: number;
  let isInt = true;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) v = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) v = parseInt(body.slice(2), 2);
  else if (/^0[oO]?[0-7]+$/.test(body)) v = parseInt(body.replace(/^0[oO]?/, ''), 8);
  else if (/^[0-9]+$/.test(body)) v = parseInt(body, 10);
  else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    v = Number(body);
    isInt = Number.isInteger(v) && !/[.eE]/.test(body) ? true : Number.isInteger(v) && Math.abs(v) < 2 ** 63;
  } else throw new TemplateParseError(`illegal number syntax: ${JSON.stringify(text)}`);
  return { value: neg ? -v : v, isInt };
}

export interface ParsedTemplate { name: string; text: string; root: Node[] }

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  constructor(private items: Item[], private name: string, private hasFunc: (n: string) => boolean) {}

  private next(): Item { return this.items[Math.min(this.i++, this.items.length - 1)]; }
  private backup(): void { this.i--; }
  private peek(): Item { return this.items[Math.min(this.i, this.items.length - 1)]; }
  private nextNonSpace(): Item {
    let t = this.next();
    while (t.typ === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Item { const t = this.nextNonSpace(); this.backup(); return t; }
  private cur(): Item { return this.items[Math.max(0, Math.min(this.i - 1, this.items.length - 1))]; }

  errorf(msg: string): never {
    throw new TemplateParseError(`template: ${this.name}:${this.cur().line}: ${msg}`);
  }
  private unexpected(item: Item, context: string): never {
    if (item.typ === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== item.line) {
        extra = ` in action started at ${this.name}:${this.actionLine}`;
        if (item.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(item)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(item)} in ${context}`);
  }
  private expect(typ: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.typ !== typ) this.unexpected(t, context);
    return t;
  }

  parse(): Node[] {
    return runDeep(this.parseRoot());
  }

  // Every method that recurses is a generator run by runDeep: `yield this.x()`
  // calls x on an explicit stack, so nesting depth is bounded by memory, as in Go.

  private *parseRoot(): Deep<Node[]> {
    const root: Node[] = [];
    while (this.peek().typ !== 'eof') {
      const n = (yield this.textOrAction()) as Node | 'end' | 'else' | ElseIf | null;
      if (n === 'end' || n === 'else') this.errorf(`unexpected {{${n}}}`);
      if (n && 'elseIf' in n) this.errorf('unexpected {{else}}');
      if (n) root.push(n);
    }
    return root;
  }

  private *textOrAction(): Deep<Node | 'end' | 'else' | ElseIf | null> {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'text': return { t: 'text', pos: t.pos, text: t.val };
      case 'leftDelim': {
        this.actionLine = this.peek().line;
        try { return (yield this.action()) as Node | 'end' | 'else' | ElseIf; } finally { this.actionLine = 0; }
      }
      case 'error': this.errorf(t.val);
      // falls through (errorf never returns)
      default: this.unexpected(t, 'input');
    }
  }

  private *action(): Deep<Node | 'end' | 'else' | ElseIf> {
    const t = this.nextNonSpace();
    if (t.typ === 'keyword') {
      switch (t.val) {
        case 'break': case 'continue': {
          if (this.rangeDepth === 0) this.errorf(`{{${t.val}}} outside {{range}}`);
          this.expect('rightDelim', `{{${t.val}}}`);
          return { t: t.val, pos: t.pos, line: t.line };
        }
        case 'else': {
          const p = this.peekNonSpace();
          if (p.typ === 'keyword' && p.val === 'if') return { elseIf: true, pos: p.pos, line: p.line };
          this.expect('rightDelim', 'else');
          return 'else';
        }
        case 'end': this.expect('rightDelim', 'end'); return 'end';
        case 'if': return (yield this.control('if', t, true)) as Node;
        case 'range': return (yield this.control('range', t, false)) as Node;
        case 'with': return (yield this.control('with', t, false)) as Node;
        case 'template': case 'define': case 'block':
          this.errorf(`{{${t.val}}} is not supported by packer-ts`);
      }
    }
    this.backup();
    const tok = this.peek();
    return { t: 'action', pos: tok.pos, line: tok.line, pipe: (yield this.pipeline('command', 'rightDelim')) as PipeNode };
  }

  private *control(kind: 'if' | 'range' | 'with', t: Item, allowElseIf: boolean): Deep<Node> {
    const varsLen = this.vars.length;
    const pipe = (yield this.pipeline(kind, 'rightDelim')) as PipeNode;
    if (kind === 'range') this.rangeDepth++;
    let list: Node[];
    let next: 'end' | 'else' | ElseIf;
    try { [list, next] = (yield this.itemList()) as [Node[], 'end' | 'else' | ElseIf]; } finally { if (kind === 'range') this.rangeDepth--; }
    let elseList: Node[] | undefined;
    if (next !== 'end') {
      if (typeof next === 'object') {
        if (!allowElseIf) this.errorf(`unexpected <if> in ${kind}`);
        // {{else if ...}} is {{else}}{{if ...}} ... {{end}}{{end}} sharing one end
        this.next(); // skip "if" keyword
        const ifTok = this.cur();
        elseList = [(yield this.control('if', ifTok, true)) as Node];
      } else {
        [elseList, next] = (yield this.itemList()) as [Node[], 'end' | 'else' | ElseIf];
        if (next !== 'end') this.errorf(`expected end; found ${typeof next === 'object' ? '{{else if}}' : '{{else}}'}`);
      }
    }
    this.vars.length = varsLen;
    return { t: kind, pos: t.pos, line: t.line, pipe, list, elseList } as Node;
  }

  private *itemList(): Deep<[Node[], 'end' | 'else' | ElseIf]> {
    const list: Node[] = [];
    while (this.peekNonSpace().typ !== 'eof') {
      const n = (yield this.textOrAction()) as Node | 'end' | 'else' | ElseIf | null;
      if (n === 'end' || n === 'else' || (n && 'elseIf' in n)) return [list, n as 'end' | 'else' | ElseIf];
      if (n) list.push(n as Node);
    }
    // Go names the line of the token it peeked at: the end of the input
    throw new TemplateParseError(`template: ${this.name}:${this.peekNonSpace().line}: unexpected EOF`);
  }

  private *pipeline(context: string, end: ItemType): Deep<PipeNode> {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { t: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    // declarations
    decls: while (true) {
      const v = this.peekNonSpace();
      if (v.typ !== 'variable') break;
      const save = this.i;
      this.next();
      const n = this.peekNonSpace();
      if (n.typ === 'assign' || n.typ === 'declare') {
        this.nextNonSpace();
        pipe.isAssign = n.typ === 'assign';
        if (pipe.isAssign && !this.vars.includes(v.val)) this.errorf(`undefined variable ${JSON.stringify(v.val)}`);
        pipe.decl.push({ t: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (n.typ === 'comma') {
        this.nextNonSpace();
        pipe.decl.push({ t: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === 'variable' || p === 'rightDelim' || p === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = save;
      break;
    }
    while (true) {
      const t = this.nextNonSpace();
      if (t.typ === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.typ) {
        case 'bool': case 'char': case 'dot': case 'field': case 'identifier': case 'number': case 'nil':
        case 'rawString': case 'string': case 'variable': case 'leftParen':
          this.backup();
          pipe.cmds.push((yield this.command()) as CommandNode);
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const a = pipe.cmds[i].args[0];
      if (a.t === 'bool' || a.t === 'dot' || a.t === 'nil' || a.t === 'number' || a.t === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private *command(): Deep<CommandNode> {
    const cmd: CommandNode = { t: 'command', pos: this.peekNonSpace().pos, args: [] };
    while (true) {
      this.peekNonSpace();
      const operand = (yield this.operand()) as ArgNode | null;
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.typ === 'space') continue;
      if (t.typ === 'rightDelim' || t.typ === 'rightParen') this.backup();
      else if (t.typ !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private *operand(): Deep<ArgNode | null> {
    const node = (yield this.term()) as ArgNode | null;
    if (!node) return null;
    if (this.peek().typ === 'field') {
      const fields: string[] = [];
      while (this.peek().typ === 'field') fields.push(this.next().val.slice(1));
      switch (node.t) {
        case 'field': return { t: 'field', pos: node.pos, ident: [...node.ident, ...fields] };
        case 'variable': return { t: 'variable', pos: node.pos, ident: [...node.ident, ...fields] };
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
        default: return { t: 'chain', pos: node.pos, node, field: fields };
      }
    }
    return node;
  }

  private *term(): Deep<ArgNode | null> {
    const t = this.nextNonSpace();
    switch (t.typ) {
      case 'identifier':
        if (!this.hasFunc(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`);
        return { t: 'identifier', pos: t.pos, ident: t.val };
      case 'dot': return { t: 'dot', pos: t.pos };
      case 'nil': return { t: 'nil', pos: t.pos };
      case 'variable': {
        if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${JSON.stringify(t.val)}`);
        return { t: 'variable', pos: t.pos, ident: [t.val] };
      }
      case 'field': return { t: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool': return { t: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'char': case 'number': {
        try {
          const { value, isInt } = parseNumber(t.val, t.typ === 'char');
          return { t: 'number', pos: t.pos, text: t.val, value, isInt };
        } catch (e) { this.errorf((e as Error).message); }
      }
      // falls through (errorf never returns)
      case 'leftParen': {
        return (yield this.pipeline('parenthesized pipeline', 'rightParen')) as PipeNode;
      }
      case 'string': case 'rawString': {
        try { return { t: 'string', pos: t.pos, quoted: t.val, text: unquote(t.val) }; } catch (e) { this.errorf((e as Error).message); }
      }
    }
    this.backup();
    return null;
  }
}

interface ElseIf { elseIf: true; pos: number; line: number }

/** Parses `text` into a tree. `hasFunc` tells which function names exist (Go checks them at parse time). */
export function parseTemplate(text: string, hasFunc: (name: string) => boolean, name = 'root'): ParsedTemplate {
  const items = lex(text);
  return { name, text, root: new Parser(items, name, hasFunc).parse() };
}
