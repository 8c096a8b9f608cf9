// Test harness for the function library: reads the small expression subset
// the oracle cases use (literals, tuples, objects, function calls, unary
// minus, heredoc-free strings with escapes) and calls the functions with
// HCL's call semantics, giving either Packer's console rendering of the
// result or the diagnostic's summary and detail. Independent of the
// language layer's parser so the library is tested on its own.
import * as c from '../src/cty/index.ts';
import { functions, callHcl, CallError, CallErrors, type CallArg } from '../src/funcs/index.ts';
import type { TypeExprNode } from '../src/cty/index.ts';
import type { Diagnostic } from '../src/diag.ts';

type Node =
  | { k: 'lit'; v: c.Value }
  | { k: 'ident'; name: string }
  | { k: 'tuple'; items: Node[] }
  | { k: 'object'; items: Array<{ key: string; value: Node }> }
  | { k: 'call'; name: string; args: Node[]; expand: boolean; start: [number, number] }
  | { k: 'neg'; e: Node }
  | { k: 'index'; e: Node; key: Node }
  | { k: 'bin'; op: string; a: Node; b: Node };

const starts = new WeakMap<Node, [number, number]>();

class P {
  i = 0;
  constructor(readonly s: string) {}
  ws() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
  peek(t: string) {
    this.ws();
    return this.s.startsWith(t, this.i);
  }
  eat(t: string) {
    if (!this.peek(t)) throw new Error(`expected ${t} at ${this.i} in ${this.s}`);
    this.i += t.length;
  }
  /** hclsyntax StartRange of the expression starting here: its first token
   * (name and "(" for a call) */
  startRangeAt(i: number): [number, number] {
    const rest = this.s.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^[A-Za-z_][A-Za-z0-9_-]*\s*\(/.exec(rest))) return [i, i + m[0].length];
    if ((m = /^"(?:[^"\\]|\\.)*"/.exec(rest))) return [i, i + m[0].length];
    if ((m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(rest))) return [i, i + m[0].length];
    if ((m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest))) return [i, i + m[0].length];
    return [i, i + 1];
  }
  expr(): Node {
    this.ws();
    const startAt = this.i;
    let n = this.primary();
    starts.set(n, this.startRangeAt(startAt));
    for (;;) {
      if (this.peek('[')) {
        this.eat('[');
        const key = this.expr();
        this.eat(']');
        n = { k: 'index', e: n, key };
      } else if (this.peek('/') || this.peek('*')) {
        const op = this.s[this.i++];
        n = { k: 'bin', op, a: n, b: this.primary() };
      } else return n;
    }
  }
  primary(): Node {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '-') {
      this.i++;
      return { k: 'neg', e: this.primary() };
    }
    if (ch === '"') return { k: 'lit', v: c.stringVal(this.string()) };
    if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i))!;
      this.i += m[0].length;
      return { k: 'lit', v: c.parseNumberVal(m[0]) };
    }
    if (ch === '[') {
      this.i++;
      const items: Node[] = [];
      while (!this.peek(']')) {
        items.push(this.expr());
        if (this.peek(',')) this.eat(',');
      }
      this.eat(']');
      return { k: 'tuple', items };
    }
    if (ch === '{') {
      this.i++;
      const items: Array<{ key: string; value: Node }> = [];
      while (!this.peek('}')) {
        this.ws();
        let key: string;
        if (this.s[this.i] === '"') key = this.string();
        else {
          const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.s.slice(this.i))!;
          key = m[0];
          this.i += key.length;
        }
        this.ws();
        if (this.peek('=')) this.eat('=');
        else this.eat(':');
        items.push({ key, value: this.expr() });
        if (this.peek(',')) this.eat(',');
      }
      this.eat('}');
      return { k: 'object', items };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`unexpected ${ch} at ${this.i} in ${this.s}`);
    const nameStart = this.i;
    this.i += m[0].length;
    const name = m[0];
    if (this.peek('(')) {
      this.eat('(');
      const startEnd = this.i;
      const args: Node[] = [];
      let expand = false;
      while (!this.peek(')')) {
        args.push(this.expr());
        if (this.peek('...')) {
          this.eat('...');
          expand = true;
        }
        if (this.peek(',')) this.eat(',');
      }
      this.eat(')');
      return { k: 'call', name, args, expand, start: [nameStart, startEnd] };
    }
    if (name === 'true') return { k: 'lit', v: c.True };
    if (name === 'false') return { k: 'lit', v: c.False };
    if (name === 'null') return { k: 'lit', v: c.nullVal(c.DynamicType) };
    return { k: 'ident', name };
  }
  string(): string {
    this.i++;
    let out = '';
    while (this.s[this.i] !== '"') {
      const ch = this.s[this.i++];
      if (ch === '\\') {
        const e = this.s[this.i++];
        if (e === 'n') out += '\n';
        else if (e === 't') out += '\t';
        else if (e === 'r') out += '\r';
        else if (e === 'u') {
          out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
          this.i += 4;
        } else out += e;
      } else if (ch === '$' && this.s[this.i] === '$') {
        out += '$';
        this.i++;
      } else out += ch;
    }
    this.i++;
    return out;
  }
}

export class EvalError extends Error {
  constructor(readonly summary: string, readonly detail: string, readonly subject?: Diagnostic['subject']) {
    super(`${summary}: ${detail}`);
  }
}

function typeNode(n: Node): TypeExprNode {
  switch (n.k) {
    case 'ident':
      return { kind: 'ident', name: n.name };
    case 'call':
      return { kind: 'call', name: n.name, args: n.args.map(typeNode) };
    case 'object':
      return { kind: 'object', items: n.items.map((it) => ({ key: it.key, value: typeNode(it.value) })) };
    case 'tuple':
      return { kind: 'tuple', items: n.items.map(typeNode) };
    default:
      return { kind: 'other' };
  }
}

export function evaluate(src: string, basedir = process.cwd(), version: 'packer-1.6.6' | 'packer-1.16' = 'packer-1.6.6'): c.Value {
  const p = new P(src);
  const n = p.expr();
  p.ws();
  if (p.i !== src.length) throw new Error(`extra input in ${src}`);
  const fns = functions(basedir, { version });
  const rng = (a: number, b: number) => ({ filename: '<console-input>', start: { byte: a, line: 1, column: a + 1 }, end: { byte: b, line: 1, column: b + 1 } });
  const ev = (n: Node): c.Value => {
    switch (n.k) {
      case 'lit':
        return n.v;
      case 'neg': {
        const v = c.convert(ev(n.e), c.NumberType);
        return c.numberVal(v.asBigFloat().neg_());
      }
      case 'tuple':
        return c.tupleVal(n.items.map(ev));
      case 'object':
        return c.objectVal(Object.fromEntries(n.items.map((it) => [it.key, ev(it.value)])));
      case 'index':
        return ev(n.e).index(ev(n.key));
      case 'bin': {
        const x = c.convert(ev(n.a), c.NumberType).asBigFloat();
        const y = c.convert(ev(n.b), c.NumberType).asBigFloat();
        return c.numberVal(n.op === '/' ? x.quo(y) : x.mul(y));
      }
      case 'ident':
        throw new EvalError('Unknown variable', `There is no variable named "${n.name}".`);
      case 'call': {
        const fn = fns[n.name];
        if (!fn) throw new EvalError('Call to unknown function', `There is no function named "${n.name}".`);
        let argNodes = n.args;
        const args: CallArg[] = [];
        const paramAt = (i: number) => (i < fn.params.length ? fn.params[i] : fn.varParam);
        let expanded: c.Value[] | undefined;
        if (n.expand) {
          const last = ev(argNodes[argNodes.length - 1]);
          argNodes = argNodes.slice(0, -1);
          expanded = last.values();
        }
        argNodes.forEach((a, i) => {
          const p = paramAt(i);
          if (p?.special === 'type') {
            const r = c.typeFromConstraint(typeNode(a), { constraint: true });
            if (r.diags.length) throw new EvalError(r.diags[0].summary, r.diags[0].detail ?? '');
            args.push({ kind: 'type', type: r.type });
          } else if (p?.special === 'expression') {
            args.push({
              kind: 'expression',
              dependsOnUnknowns: () => false,
              evaluate: () => {
                try {
                  return { value: ev(a), diags: [] };
                } catch (e) {
                  const d = toDiag(e);
                  return { value: c.DynamicVal, diags: [d] };
                }
              },
            });
          } else args.push(ev(a));
        });
        if (expanded) args.push(...expanded);
        try {
          return callHcl(n.name, fn, args, n.args.length);
        } catch (e) {
          if (e instanceof CallErrors) {
            const at = e.errors[0].at;
            const argRange = typeof at === 'number' && n.args[at] ? starts.get(n.args[at]) : undefined;
            throw new EvalError(e.errors[0].summary, e.errors[0].detail, argRange ? rng(argRange[0], argRange[1]) : undefined);
          }
          if (e instanceof CallError) {
            const argRange = typeof e.at === 'number' && n.args[e.at] ? starts.get(n.args[e.at]) : undefined;
            throw new EvalError(e.summary, e.detail, e.at === 'call' ? rng(n.start[0], n.start[1]) : argRange ? rng(argRange[0], argRange[1]) : undefined);
          }
          throw e;
        }
      }
    }
  };
  return ev(n);
}

function toDiag(e: unknown): Diagnostic {
  if (e instanceof EvalError) return { severity: 'error', summary: e.summary, detail: e.detail, ...(e.subject ? { subject: e.subject } : {}) };
  if (e instanceof c.CtyError) return { severity: 'error', summary: 'Invalid index', detail: e.message };
  throw e;
}

/** Our answer in the oracle's terms. */
export type Outcome = { ok: string } | { summary: string; detail: string };

export function outcome(src: string, basedir?: string, version?: 'packer-1.6.6' | 'packer-1.16'): Outcome {
  try {
    return { ok: c.printableValue(evaluate(src, basedir, version)) };
  } catch (e) {
    if (e instanceof EvalError) return { summary: e.summary, detail: e.detail };
    if (e instanceof c.CtyError) return { summary: 'Invalid index', detail: e.message };
    throw e;
  }
}

/** The oracle's console output in the same terms. */
export function parseOracle(stdout: string, exit: number): Outcome {
  if (!stdout.startsWith('Error: ')) return { ok: stdout.replace(/\n$/, '') };
  void exit;
  const m = /^Error: (.*)\n\n {2}on <console-input> line 1:\n {2}\(source code not available\)\n\n([\s\S]*?)\n*$/.exec(stdout);
  if (!m) return { summary: '?', detail: stdout };
  // a Go panic's stack trace is not part of the message
  let detail = m[2].split('\n\nError: ')[0];
  if (/\ngoroutine \d+ \[running\]:/.test(detail)) detail = detail.replace(/\ngoroutine \d+ \[running\]:[\s\S]*$/, '') + '.';
  return { summary: m[1], detail: detail.replace(/\n/g, ' ').replace(/\s+/g, ' ').trim() };
}

export function normalize(o: Outcome): Outcome {
  if ('ok' in o) return o;
  return { summary: o.summary, detail: o.detail.replace(/\n/g, ' ').replace(/\s+/g, ' ').trim() };
}
