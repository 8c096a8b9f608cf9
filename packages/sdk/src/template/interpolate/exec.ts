/**
 * Evaluator of parsed templates, following Go's text/template/exec rules
 * for the value model described in gofmt.ts.
 */
import { formatValue, GoFloat, goTypeName, sprint, sprintf, sprintln } from './gofmt.ts';
import { nodeString } from './parse.ts';
import { runDeep, type Deep } from './deep.ts';
import type { ArgNode, CommandNode, Node, ParsedTemplate, PipeNode, VariableNode } from './parse.ts';

/** Parameter types a typed template function declares (Go's reflect types, simplified). */
export type ParamType = 'string' | 'int' | 'bool' | 'any';

/** A template function with Go-like typed parameters: arguments are checked and reported as Go does. */
export interface TypedFunc {
  params: ParamType[];
  /** Type of extra arguments; absent: the function takes exactly `params`. */
  variadic?: ParamType;
  fn: (...args: unknown[]) => unknown;
}

/** A function available to templates: typed, or a plain function taking any arguments. */
export type TemplateFunc = TypedFunc | ((...args: unknown[]) => unknown);

export class TemplateExecError extends Error {}

/**
 * A Go struct as template data: its fields are its only names; any other
 * `.Name` fails as in Go ("can't evaluate field Name in type <typeName>").
 */
export class GoStruct {
  constructor(readonly typeName: string, readonly fields: Readonly<Record<string, unknown>>) {}
  /** Go's %v of a struct: `{v1 v2}`. */
  toString(): string { return `{${Object.values(this.fields).map((v) => formatValue(v, false)).join(' ')}}`; }
}

const MISSING = Symbol('missing');
type Final = unknown | typeof MISSING;

class BreakSignal { constructor(readonly cont: boolean) {} }

/** Go's truth: false, 0, "", nil, empty collections are false. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  switch (typeof v) {
    case 'boolean': return v;
    case 'number': return v !== 0;
    case 'bigint': return v !== 0n;
    case 'string': return v !== '';
    case 'function': return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoFloat) return v.value !== 0;
  return Object.keys(v as object).length > 0;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';
function basicKind(v: unknown): Kind {
  if (v === undefined || v === null) return 'invalid';
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'string': return 'string';
  }
  if (v instanceof GoFloat) return 'float';
  return 'other';
}
const num = (v: unknown): number => (v instanceof GoFloat ? v.value : Number(v));

/**
 * A template constant as Go types it where nothing else does (state.idealConstant): written as
 * a float (`.`, an exponent; not a hex integer or a rune), a float64 (GoFloat when integral).
 */
export function idealConstant(n: { text: string; value: number }): number | GoFloat {
  const floatSyntax = !n.text.startsWith("'") && !/^[+-]?0[xX]/.test(n.text) && /[.eEpP]/.test(n.text);
  return floatSyntax && Number.isInteger(n.value) ? new GoFloat(n.value) : n.value;
}

function eq(arg1: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison');
    } else if (k1 === 'other') {
      if (arg1 !== arg) throw new Error(`non-comparable type ${formatValue(arg, false)}: ${goTypeName(arg)}`);
      t = true;
    } else if (k1 === 'invalid') t = true;
    else t = k1 === 'int' || k1 === 'float' ? num(arg1) === num(arg) : arg1 === arg;
    if (t) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  // Go's basicKind fails first for what has no basic kind (nil, maps, lists)
  if (k1 === 'other' || k1 === 'invalid' || k2 === 'other' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) throw new Error('incompatible types for comparison');
  if (k1 === 'bool') throw new Error('invalid type for comparison');
  if (k1 === 'string') return (a as string) < (b as string);
  return num(a) < num(b);
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (c < 0x20) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out;
}
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, '+');
}

function indexFn(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const index of indexes) {
    if (item === undefined || item === null) throw new Error('index of nil pointer');
    if (Array.isArray(item) || typeof item === 'string') {
      if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
      if (typeof index !== 'number' || !Number.isInteger(index)) throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
      const len = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
      // Go's indexArg lets the length itself through; reflect's Index then panics
      if (index < 0 || index > len) throw new Error(`index out of range: ${index}`);
      if (index === len) throw new Error(`reflect: ${typeof item === 'string' ? 'string' : 'slice'} index out of range`);
      item = typeof item === 'string' ? Buffer.from(item, 'utf8')[index] : item[index];
    } else if (isMap(item)) {
      if (typeof index !== 'string') throw new Error(`value has type ${goTypeName(index)}; should be string`);
      item = Object.prototype.hasOwnProperty.call(item, index) ? item[index] : undefined;
    } else throw new Error(`can't index item of type ${goTypeName(item)}`);
  }
  return item;
}

/** Go's text/template `slice` (Go 1.13+): item[i], item[i:j], item[i:j:k]; strings by bytes. */
function sliceFn(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of nil pointer');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let bytes: Buffer | undefined;
  let len: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    bytes = Buffer.from(item, 'utf8');
    len = bytes.length;
  } else if (Array.isArray(item)) len = item.length;
  else throw new Error(`can't slice item of type ${goTypeName(item)}`);
  const idx = [0, len, len];
  for (let i = 0; i < indexes.length; i++) {
    const x = indexes[i];
    if (x === undefined || x === null) throw new Error('cannot index slice/array with nil');
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new Error(`cannot index slice/array with type ${goTypeName(x)}`);
    if (x < 0 || x > len) throw new Error(`index out of range: ${x}`);
    idx[i] = x;
  }
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  return bytes ? bytes.subarray(idx[0], idx[1]).toString('utf8') : (item as unknown[]).slice(idx[0], idx[1]);
}

function lenFn(v: unknown): number {
  if (v === undefined || v === null) throw new Error('len of nil pointer');
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new Error(`len of type ${goTypeName(v)}`);
}

const ANY: ParamType = 'any';
/** Go's text/template builtin functions (and/or are evaluated lazily by the evaluator). */
export const BUILTINS: Record<string, TypedFunc> = {
  and: { params: [ANY], variadic: ANY, fn: () => undefined },
  or: { params: [ANY], variadic: ANY, fn: () => undefined },
  not: { params: [ANY], fn: (v) => !truth(v) },
  len: { params: [ANY], fn: lenFn },
  index: { params: [ANY], variadic: ANY, fn: indexFn },
  slice: { params: [ANY], variadic: ANY, fn: sliceFn },
  print: { params: [], variadic: ANY, fn: (...a) => sprint(a) },
  printf: { params: ['string'], variadic: ANY, fn: (f, ...a) => sprintf(f as string, a) },
  println: { params: [], variadic: ANY, fn: (...a) => sprintln(a) },
  eq: { params: [ANY], variadic: ANY, fn: eq },
  ne: { params: [ANY, ANY], fn: (a, b) => !eq(a, b) },
  lt: { params: [ANY, ANY], fn: lt },
  le: { params: [ANY, ANY], fn: (a, b) => lt(a, b) || eq(a, b) },
  gt: { params: [ANY, ANY], fn: (a, b) => !(lt(a, b) || eq(a, b)) },
  ge: { params: [ANY, ANY], fn: (a, b) => !lt(a, b) },
  html: { params: [], variadic: ANY, fn: (...a) => htmlEscape(sprint(a)) },
  js: { params: [], variadic: ANY, fn: (...a) => jsEscape(sprint(a)) },
  urlquery: { params: [], variadic: ANY, fn: (...a) => queryEscape(sprint(a)) },
};

const GO_TYPE: Record<ParamType, string> = { string: 'string', int: 'int', bool: 'bool', any: 'interface {}' };

class State {
  node: ArgNode | CommandNode | PipeNode | null = null;
  vars: { name: string; value: unknown }[];
  out: string[] = [];
  constructor(private tmpl: ParsedTemplate, private funcs: Record<string, TemplateFunc>, data: unknown) {
    this.vars = [{ name: '$', value: data }];
  }

  at(n: ArgNode | CommandNode | PipeNode | { pos: number; t: string }): void { this.node = n as ArgNode; }

  errorf(msg: string): never {
    const name = this.tmpl.name;
    if (!this.node) throw new TemplateExecError(`template: ${name}: ${msg}`);
    const pos = this.node.pos;
    const before = this.tmpl.text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = Buffer.byteLength(before.slice(nl + 1)); // Go counts bytes
    throw new TemplateExecError(`template: ${name}:${line}:${col}: executing ${JSON.stringify(name)} at <${nodeString(this.node)}>: ${msg}`);
  }

  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    this.errorf(`undefined variable: ${name}`);
  }
  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) { this.vars[i].value = value; return; }
    this.errorf(`undefined variable: ${name}`);
  }

  // The evaluator recurses through generators run by runDeep (`yield this.x()`), not the JS stack.

  *walk(dot: unknown, nodes: Node[]): Deep<void> {
    for (const n of nodes) {
      switch (n.t) {
        case 'text': this.out.push(n.text); break;
        case 'action': {
          const v = yield this.evalPipeline(dot, n.pipe);
          if (n.pipe.decl.length === 0) this.printValue(n.pipe, v);
          break;
        }
        case 'if': case 'with': {
          const mark = this.vars.length;
          const v = yield this.evalPipeline(dot, n.pipe);
          if (truth(v)) yield this.walk(n.t === 'with' ? v : dot, n.list);
          else if (n.elseList) yield this.walk(dot, n.elseList);
          this.vars.length = mark;
          break;
        }
        case 'range': yield this.walkRange(dot, n); break;
        case 'break': throw new BreakSignal(false);
        case 'continue': throw new BreakSignal(true);
      }
    }
  }

  *walkRange(dot: unknown, r: Extract<Node, { t: 'range' }>): Deep<void> {
    const mark = this.vars.length;
    const val = yield this.evalPipeline(dot, r.pipe);
    const mark2 = this.vars.length;
    const self = this;
    const one = function* (index: unknown, elem: unknown): Deep<boolean> {
      const decl = r.pipe.decl;
      if (decl.length > 0) {
        if (r.pipe.isAssign) {
          if (decl.length > 1) { self.setVar(decl[0].ident[0], index); self.setVar(decl[1].ident[0], elem); } else self.setVar(decl[0].ident[0], elem);
        } else {
          self.vars[self.vars.length - 1].value = elem;
          if (decl.length > 1) self.vars[self.vars.length - 2].value = index;
        }
      }
      try {
        yield self.walk(elem, r.list);
      } catch (e) {
        if (e instanceof BreakSignal) { self.vars.length = mark2; return !e.cont; }
        throw e;
      }
      self.vars.length = mark2;
      return false;
    };
    let any = false;
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) { any = true; if (yield one(i, val[i])) break; }
    } else if (isMap(val)) {
      for (const k of Object.keys(val).sort()) { any = true; if (yield one(k, val[k])) break; }
    } else if (val !== undefined && val !== null) {
      this.errorf(`range can't iterate over ${formatValue(val, false)}`);
    }
    if (!any && r.elseList) yield this.walk(dot, r.elseList);
    this.vars.length = mark;
  }

  printValue(n: PipeNode, v: unknown): void {
    this.at(n);
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(n)} of type func`);
    this.out.push(v === null ? '<no value>' : formatValue(v, true));
  }

  *evalPipeline(dot: unknown, pipe: PipeNode): Deep<unknown> {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = yield this.evalCommand(dot, cmd, value);
    for (const d of pipe.decl) {
      if (pipe.isAssign) this.setVar(d.ident[0], value);
      else this.vars.push({ name: d.ident[0], value });
    }
    return value === MISSING ? undefined : value;
  }

  notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  *evalCommand(dot: unknown, cmd: CommandNode, final: Final): Deep<unknown> {
    const first = cmd.args[0];
    switch (first.t) {
      case 'field': this.at(first); return yield this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': return yield this.evalChain(dot, first, cmd.args, final);
      case 'identifier': return yield this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe': this.notAFunction(cmd.args, final); return yield this.evalPipeline(dot, first);
      case 'variable': return yield this.evalVariable(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.t) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
      // falls through (errorf never returns)
      case 'number': return idealConstant(first);
      case 'string': return first.text;
    }
  }

  *evalChain(dot: unknown, chain: Extract<ArgNode, { t: 'chain' }>, args: ArgNode[], final: Final): Deep<unknown> {
    this.at(chain);
    if (chain.node.t === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = yield this.evalArg(dot, 'any', chain.node);
    return yield this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  *evalVariable(dot: unknown, v: VariableNode, args: ArgNode[], final: Final): Deep<unknown> {
    this.at(v);
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) { this.notAFunction(args, final); return value; }
    return yield this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  *evalFieldChain(dot: unknown, receiver: unknown, node: ArgNode, ident: string[], args: ArgNode[] | null, final: Final): Deep<unknown> {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = yield this.evalField(dot, ident[i], node, null, MISSING, receiver);
    return yield this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  *evalField(dot: unknown, name: string, node: ArgNode, args: ArgNode[] | null, final: Final, receiver: unknown): Deep<unknown> {
    if (receiver === undefined || receiver === null) return undefined;
    if (receiver instanceof GoStruct) {
      if (!Object.hasOwn(receiver.fields, name)) this.errorf(`can't evaluate field ${name} in type ${receiver.typeName}`);
      if ((args && args.length > 1) || final !== MISSING) this.errorf(`${name} is not a method but has arguments`);
      return receiver.fields[name];
    }
    if (isMap(receiver)) {
      const has = Object.prototype.hasOwnProperty.call(receiver, name);
      const v = has ? receiver[name] : undefined;
      if (typeof v === 'function') return yield this.evalCall(dot, v as TemplateFunc, node, name, args, final);
      if ((args && args.length > 1) || final !== MISSING) this.errorf(`${name} is not a method but has arguments`);
      return v;
    }
    this.errorf(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  *evalFunction(dot: unknown, node: Extract<ArgNode, { t: 'identifier' }>, cmd: ArgNode | CommandNode, args: ArgNode[] | null, final: Final): Deep<unknown> {
    this.at(node);
    const fn = this.funcs[node.ident];
    if (!fn) this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    return yield this.evalCall(dot, fn, cmd, node.ident, args, final);
  }

  *evalCall(dot: unknown, fun: TemplateFunc, node: ArgNode | CommandNode, name: string, argNodes: ArgNode[] | null, final: Final): Deep<unknown> {
    // A wrong count of arguments is reported at the function's name (the node the caller
    // is at), a failed call at the whole command, as Go does.
    const args = argNodes ? argNodes.slice(1) : [];
    const typed: TypedFunc = typeof fun === 'function' ? { params: [], variadic: 'any', fn: fun } : fun;
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    const numFixed = typed.params.length;
    if (typed.variadic) {
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${numIn}`);
    } else if (numIn !== numFixed) {
      this.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    const typeAt = (i: number): ParamType => (i < numFixed ? typed.params[i] : typed.variadic!);
    const builtin = typed === BUILTINS[name] && (name === 'and' || name === 'or');
    if (builtin) {
      let v: unknown;
      for (const a of args) {
        v = yield this.evalArg(dot, 'any', a);
        if (truth(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const argv: unknown[] = [];
    for (let i = 0; i < args.length; i++) argv.push(yield this.evalArg(dot, typeAt(i), args[i]));
    if (final !== MISSING) argv.push(this.validateType(final, typeAt(numIn - 1)));
    let result: unknown;
    try {
      result = typed.fn(...argv);
    } catch (e) {
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return result;
  }

  validateType(value: unknown, typ: ParamType): unknown {
    if (typ === 'any') return value;
    if (value === undefined) this.errorf(`invalid value; expected ${GO_TYPE[typ]}`);
    const ok = typ === 'string' ? typeof value === 'string'
      : typ === 'bool' ? typeof value === 'boolean'
        : (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
    if (!ok) this.errorf(`wrong type for value; expected ${GO_TYPE[typ]}; got ${value === null ? 'interface {}' : goTypeName(value)}`);
    return typeof value === 'bigint' ? Number(value) : value;
  }

  *evalArg(dot: unknown, typ: ParamType, n: ArgNode): Deep<unknown> {
    this.at(n);
    switch (n.t) {
      case 'dot': return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any') return null;
        this.errorf(`cannot assign nil to ${GO_TYPE[typ]}`);
      // falls through (errorf never returns)
      case 'field': return this.validateType(yield this.evalFieldChain(dot, dot, n, n.ident, [n], MISSING), typ);
      case 'variable': return this.validateType(yield this.evalVariable(dot, n, [n], MISSING), typ);
      case 'pipe': return this.validateType(yield this.evalPipeline(dot, n), typ);
      case 'identifier': return this.validateType(yield this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain': return this.validateType(yield this.evalChain(dot, n, [n], MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.t === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      // falls through (errorf never returns)
      case 'int':
        if (n.t === 'number' && n.isInt) return n.value;
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // falls through (errorf never returns)
      case 'string':
        if (n.t === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      // falls through (errorf never returns)
      case 'any':
        switch (n.t) {
          case 'bool': return n.value;
          case 'number': return idealConstant(n);
          case 'string': return n.text;
        }
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${GO_TYPE[typ]}`);
  }
}

/** Executes `tmpl` with `data` as dot. Throws TemplateExecError. */
export function execute(tmpl: ParsedTemplate, funcs: Record<string, TemplateFunc>, data: unknown): string {
  const s = new State(tmpl, funcs, data);
  runDeep(s.walk(data, tmpl.root));
  return s.out.join('');
}
