// Evaluation of native-syntax expressions over cty values, with hclsyntax's
// semantics: unknown values propagate, marks (such as 'sensitive') follow
// the values they come from, and every error is a diagnostic with the
// subject and context ranges HCL gives it.

import { convert } from '../cty/convert.ts';
import { typeFromConstraint, type TypeExprNode } from '../cty/typeexpr.ts';
import * as T from '../cty/types.ts';
import type { Type } from '../cty/types.ts';
import { getUnsafeConversion, unifyTypes } from '../cty/convert.ts';
import {
  CtyError,
  DynamicVal,
  EmptyTupleVal,
  False,
  goQuote,
  listVal,
  listValEmpty,
  nullVal,
  objectVal,
  objectValOf,
  parseNumberVal,
  stringVal,
  True,
  tupleVal,
  tupleValOf,
  unknownVal,
  Value,
} from '../cty/value.ts';
import { handOffDeepNesting, isStackOverflow, tooDeepDiag } from '../deep.ts';
import { errorDiag, hasErrors, type Diagnostic } from '../diag.ts';
import { CallError, CallErrors, callHcl, callHclPlain, plainArg, type CallArg, type FunctionSpec } from '../funcs/function.ts';
import { rangeBetween, type Range } from '../range.ts';
import type { AnonSymbolExpr, Expr, Literal, Traversal, Traverser } from '../syntax/ast.ts';
import { exprStartRange, variables } from '../syntax/ast.ts';
import { nameSuggestion } from '../syntax/parser.ts';
import { binaryOperations, unaryOperations } from './ops.ts';

/** Variables and functions an expression is evaluated with (hcl.EvalContext). */
export class EvalContext {
  // `declare`: set by the constructor only, without a field initializer run on each construction
  /** undefined: variables are not allowed here */
  declare variables: Record<string, Value> | undefined;
  /** undefined: function calls are not allowed here */
  declare functions: Record<string, FunctionSpec> | undefined;
  declare readonly parent: EvalContext | undefined;
  /** values of splat placeholders, set while a splat iterates */
  declare anon: Map<AnonSymbolExpr, Value> | undefined;

  constructor(opts?: { variables?: Record<string, Value>; functions?: Record<string, FunctionSpec> }, parent?: EvalContext) {
    this.variables = opts?.variables;
    this.functions = opts?.functions;
    this.parent = parent;
    this.anon = undefined;
  }

  /**
   * A scope inside this one (a `for` expression's, a template's). `functions`: the child's own
   * table, for a context that stands for a whole one (Packer's EvalContext is one flat scope):
   * an unknown function's "Did you mean" is taken from the scope's own table, as in hclsyntax.
   */
  child(variables?: Record<string, Value>, functions?: Record<string, FunctionSpec>): EvalContext {
    const c = new EvalContext(undefined, this);
    c.variables = variables;
    if (functions) c.functions = functions;
    return c;
  }
}

/** Evaluates `expr` (hcl's Expression.Value). A missing context allows no variables or functions. */
export function evaluate(expr: Expr, ctx: EvalContext | undefined): { value: Value; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  try {
    const value = ev(expr, ctx, diags);
    return { value, diags };
  } catch (e) {
    if (!isStackOverflow(e)) throw e;
    handOffDeepNesting(expr.range);
    return { value: DynamicVal, diags: [...diags, tooDeepDiag('evaluate', expr.range)] };
  }
}

/** The value of a literal as written in source. */
export function literalValue(l: Literal): Value {
  switch (l.t) {
    case 'number':
      return parseNumberVal(l.text);
    case 'bool':
      return l.v ? True : False;
    case 'null':
      return nullVal(T.Dynamic);
    case 'string':
      return stringVal(l.v);
    case 'dynamic':
      return DynamicVal;
    case 'unknownNumber':
      return unknownVal(T.Number);
  }
}

// ---- diagnostics with value context ----

/** Whether diags[from..] holds an error (hasErrors of what an evaluation appended, without a copy). */
function errorsSince(diags: readonly Diagnostic[], from: number): boolean {
  for (let i = from; i < diags.length; i++) if (diags[i]!.severity === 'error') return true;
  return false;
}

/** Adds the value notes of `expr` to the diagnostics appended from index `from`. */
function notesSince(diags: Diagnostic[], from: number, expr: Expr, ctx: EvalContext | undefined): void {
  for (let i = from; i < diags.length; i++) withNotes(diags[i]!, expr, ctx);
}

function withNotes(d: Diagnostic, expr: Expr | undefined, ctx: EvalContext | undefined): Diagnostic {
  if (!expr || !ctx) return d;
  const notes = valueNotes(expr, ctx);
  if (notes.length > 0) d.valueNotes = notes;
  return d;
}

/** hcl's diagnostic text "with var.x as ..." lines for an expression. */
export function valueNotes(expr: Expr, ctx: EvalContext): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const trav of variables(expr)) {
    const scratch: Diagnostic[] = [];
    const val = traverseAbs(trav, ctx, scratch);
    if (hasErrors(scratch)) continue;
    const s = traversalStr(trav);
    if (seen.has(s)) continue;
    if (!val.isKnown()) continue;
    if (val.isNull()) out.push(`${s} set to null`);
    else out.push(`${s} as ${valueStr(val)}`);
    seen.add(s);
  }
  return out;
}

function traversalStr(t: Traversal): string {
  let s = '';
  for (const step of t) {
    if (step.kind === 'root') s += step.name;
    else if (step.kind === 'attr') s += '.' + step.name;
    else {
      const k = literalValue(step.key);
      s += '[' + (T.isPrimitive(k.type) ? valueStr(k) : '...') + ']';
    }
  }
  return s;
}

function valueStr(v: Value): string {
  const [val] = v.unmark();
  const ty = val.type;
  if (val.isNull()) return 'null';
  if (!val.isKnown()) return '(not yet known)';
  if (ty.kind === 'bool') return val.asBool() ? 'true' : 'false';
  if (ty.kind === 'number') return val.asBigFloat().text('g', 10);
  if (ty.kind === 'string') return goQuote(val.asString());
  if (T.isCollection(ty) || ty.kind === 'tuple') {
    const l = val.lengthInt();
    if (l === 0) return 'empty ' + T.friendlyName(ty);
    if (l === 1) return T.friendlyName(ty) + ' with 1 element';
    return `${T.friendlyName(ty)} with ${l} elements`;
  }
  if (ty.kind === 'object') {
    const names = Object.keys(ty.attrs);
    if (names.length === 0) return 'object with no attributes';
    if (names.length === 1) return `object with 1 attribute ${goQuote(names[0]!)}`;
    return `object with ${names.length} attributes`;
  }
  return T.friendlyName(ty);
}

// ---- traversals ----

export function traverseAbs(t: Traversal, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const root = t[0] as Extract<Traverser, { kind: 'root' }>;
  const name = root.name;
  let anyVars = false;
  for (let c = ctx; c; c = c.parent) {
    const vars = c.variables;
    if (vars) {
      anyVars = true;
      if (Object.hasOwn(vars, name)) return t.length === 1 ? vars[name]! : traverseRel(vars[name]!, t, 1, diags);
    }
  }
  {
    if (!anyVars) {
      diags.push(errorDiag('Variables not allowed', 'Variables may not be used here.', root.range));
      return DynamicVal;
    }
    const names: string[] = [];
    for (let c = ctx; c; c = c.parent) if (c.variables) names.push(...Object.keys(c.variables));
    const sugg = nameSuggestion(root.name, names);
    diags.push(errorDiag('Unknown variable', `There is no variable named ${goQuote(root.name)}.${sugg ? ` Did you mean ${goQuote(sugg)}?` : ''}`, root.range));
    return DynamicVal;
  }
}

function traverseRel(val: Value, t: Traversal, from: number, diags: Diagnostic[]): Value {
  let cur = val;
  for (let i = from; i < t.length; i++) {
    const step = t[i]!;
    const before = diags.length;
    if (step.kind === 'attr') cur = getAttr(cur, step.name, step.range, diags);
    else if (step.kind === 'index') cur = index(cur, literalValue(step.key), step.range, diags);
    if (diags.length > before && errorsSince(diags, before)) return DynamicVal;
  }
  return cur;
}

/** hcl.GetAttr: an attribute of an object, or an element of a map. */
export function getAttr(obj: Value, name: string, range: Range, diags: Diagnostic[]): Value {
  if (obj.isNull()) {
    diags.push(errorDiag('Attempt to get attribute from null value', 'This value is null, so it does not have any attributes.', range));
    return DynamicVal;
  }
  const ty = obj.type;
  switch (ty.kind) {
    case 'object':
      if (!Object.hasOwn(ty.attrs, name)) {
        diags.push(errorDiag('Unsupported attribute', `This object does not have an attribute named ${goQuote(name)}.`, range));
        return DynamicVal;
      }
      return obj.getAttr(name);
    case 'map': {
      if (!obj.isKnown()) return unknownVal(ty.elem).withMarks(obj.marks);
      const key = stringVal(name);
      const has = obj.hasIndex(key);
      if (has.isKnown() && !has.asBool()) {
        diags.push(errorDiag('Missing map element', `This map does not have an element with the key ${goQuote(name)}.`, range));
        return DynamicVal;
      }
      return obj.index(key);
    }
    case 'dynamic':
      return DynamicVal.withMarks(obj.marks);
    default:
      diags.push(errorDiag('Unsupported attribute', 'This value does not have any attributes.', range));
      return DynamicVal;
  }
}

/** hcl.Index: an element of a list, tuple, map or object by key. */
export function index(coll: Value, key: Value, range: Range, diags: Diagnostic[]): Value {
  if (coll.isNull()) {
    diags.push(errorDiag('Attempt to index null value', 'This value is null, so it does not have any indices.', range));
    return DynamicVal;
  }
  if (key.isNull()) {
    diags.push(errorDiag('Invalid index', "Can't use a null value as an indexing key.", range));
    return DynamicVal;
  }
  const ty = coll.type;
  if (key.type.kind === 'dynamic' || ty.kind === 'dynamic') return DynamicVal.withMarks(coll.marks, key.marks);
  switch (ty.kind) {
    case 'list':
    case 'tuple':
    case 'map': {
      const want = ty.kind === 'map' ? T.String : T.Number;
      let k: Value;
      try {
        k = convert(key, want);
      } catch (e) {
        if (!(e instanceof CtyError)) throw e;
        diags.push(errorDiag('Invalid index', `The given key does not identify an element in this collection value: ${e.message}.`, range));
        return DynamicVal;
      }
      const has = coll.hasIndex(k);
      if (!has.isKnown()) {
        if (ty.kind === 'tuple') return DynamicVal.withMarks(coll.marks, key.marks);
        return unknownVal(ty.elem).withMarks(coll.marks, key.marks);
      }
      if (!has.asBool()) {
        if (ty.kind !== 'map' && k.isKnown() && !k.isNull()) {
          const [uk] = k.unmark();
          const bf = uk.asBigFloat();
          if (!bf.isInt()) {
            diags.push(errorDiag('Invalid index', `The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index (${bf.text('g', -1)}) has a fractional part.`, range));
            return DynamicVal;
          }
        }
        diags.push(errorDiag('Invalid index', 'The given key does not identify an element in this collection value.', range));
        return DynamicVal;
      }
      return coll.index(k);
    }
    case 'object': {
      let k: Value;
      try {
        k = convert(key, T.String);
      } catch (e) {
        if (!(e instanceof CtyError)) throw e;
        diags.push(errorDiag('Invalid index', `The given key does not identify an element in this collection value: ${e.message}.`, range));
        return DynamicVal;
      }
      if (!coll.isKnown() || !k.isKnown()) return DynamicVal.withMarks(coll.marks, k.marks);
      const [uk, km] = k.unmark();
      const name = uk.asString();
      if (!Object.prototype.hasOwnProperty.call(ty.attrs, name)) {
        diags.push(errorDiag('Invalid index', 'The given key does not identify an element in this collection value.', range));
        return DynamicVal;
      }
      return coll.getAttr(name).withMarks(km);
    }
    default:
      diags.push(errorDiag('Invalid index', 'This value does not have any indices.', range));
      return DynamicVal;
  }
}

// ---- expressions ----

function ev(e: Expr, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  switch (e.kind) {
    // the kinds evaluated most first: each case before the match is a comparison
    // (a quoted string is a Template; a Literal here is a number, bool or null)
    case 'FunctionCall':
      return evCall(e, ctx, diags);
    case 'Template':
      return evTemplate(e.parts, e.range, ctx, diags);
    case 'ScopeTraversal': {
      const before = diags.length;
      const v = traverseAbs(e.traversal, ctx, diags);
      if (diags.length > before) notesSince(diags, before, e, ctx);
      return v;
    }
    case 'Literal':
      return literalValue(e.value);
    case 'TemplateWrap':
      return ev(e.wrapped, ctx, diags);
    case 'ObjectConsKey':
      return evObjectKey(e, ctx, diags);
    case 'BinaryOp':
      return evBinary(e, ctx, diags);
    case 'For':
      return evFor(e, ctx, diags);
    case 'ObjectCons':
      return evObject(e, ctx, diags);
    case 'TupleCons': {
      const vals: Value[] = new Array(e.exprs.length);
      for (let i = 0; i < e.exprs.length; i++) vals[i] = ev(e.exprs[i]!, ctx, diags);
      return tupleValOf(vals);
    }
    case 'TemplateJoin':
      return evTemplateJoin(e, ctx, diags);
    case 'Conditional':
      return evConditional(e, ctx, diags);
    case 'RelativeTraversal': {
      const src = ev(e.source, ctx, diags);
      const before = diags.length;
      const v = traverseRel(src, e.traversal, 0, diags);
      if (diags.length > before) notesSince(diags, before, e, ctx);
      return v;
    }
    case 'Index': {
      const coll = ev(e.collection, ctx, diags);
      const key = ev(e.key, ctx, diags);
      const before = diags.length;
      const v = index(coll, key, e.bracketRange, diags);
      if (diags.length > before) notesSince(diags, before, e, ctx);
      return v;
    }
    case 'UnaryOp':
      return evUnary(e, ctx, diags);
    case 'Splat':
      return evSplat(e, ctx, diags);
    case 'AnonSymbol': {
      for (let c = ctx; c; c = c.parent) {
        const v = c.anon?.get(e);
        if (v) return v;
      }
      return DynamicVal;
    }
  }
}

function evTemplate(parts: Expr[], range: Range, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  // a quoted string without interpolations: its text
  if (parts.length === 1) {
    const only = parts[0]!;
    if (only.kind === 'Literal' && only.value.t === 'string') return stringVal(only.value.v);
  }
  let buf = '';
  let known = true;
  let marks: Array<ReadonlySet<string>> | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // a literal part: its text as written (the result is normalized as a whole)
    if (part.kind === 'Literal' && part.value.t === 'string') {
      buf += part.value.v;
      continue;
    }
    const pv = ev(part, ctx, diags);
    if (pv.isNull()) {
      diags.push(withNotes(errorDiag('Invalid template interpolation value', 'The expression result is null. Cannot include a null value in a string template.', part.range, range), part, ctx));
      continue;
    }
    if (!pv.isKnown()) {
      known = false;
      if (pv.marks.size) (marks ??= []).push(pv.marks);
      continue;
    }
    let sv: Value;
    if (pv.type === T.String) sv = pv;
    else
      try {
        sv = convert(pv, T.String);
      } catch (err) {
        if (!(err instanceof CtyError)) throw err;
        diags.push(withNotes(errorDiag('Invalid template interpolation value', `Cannot include the given value in a string template: ${err.message}.`, part.range, range), part, ctx));
        continue;
      }
    if (sv.marks.size) (marks ??= []).push(sv.marks);
    buf += sv.asString();
  }
  const out = known ? stringVal(buf) : unknownVal(T.String);
  return marks ? out.withMarks(...marks) : out;
}

function evTemplateJoin(e: Extract<Expr, { kind: 'TemplateJoin' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const tuple = ev(e.tuple, ctx, diags);
  if (tuple.type.kind === 'dynamic' || !tuple.isKnown()) return unknownVal(T.String);
  let buf = '';
  const marks: Array<ReadonlySet<string>> = [tuple.marks];
  for (const val of tuple.values()) {
    if (val.isNull()) {
      diags.push(withNotes(errorDiag('Invalid template interpolation value', 'An iteration result is null. Cannot include a null value in a string template.', e.range), e, ctx));
      continue;
    }
    if (val.type.kind === 'dynamic') return unknownVal(T.String);
    let sv: Value;
    try {
      sv = convert(val, T.String);
    } catch (err) {
      if (!(err instanceof CtyError)) throw err;
      diags.push(withNotes(errorDiag('Invalid template interpolation value', `Cannot include one of the interpolation results into the string template: ${err.message}.`, e.range), e, ctx));
      continue;
    }
    if (!val.isKnown()) return unknownVal(T.String);
    const [u, m] = sv.unmark();
    marks.push(m);
    buf += u.asString();
  }
  return stringVal(buf).withMarks(...marks);
}

function findFunction(name: string, ctx: EvalContext | undefined): FunctionSpec | undefined {
  for (let c = ctx; c; c = c.parent) {
    const fns = c.functions;
    if (fns && Object.hasOwn(fns, name)) return fns[name];
  }
  return undefined;
}

/** Whether some scope of `ctx` allows function calls. */
function anyFunctions(ctx: EvalContext | undefined): boolean {
  for (let c = ctx; c; c = c.parent) if (c.functions) return true;
  return false;
}

function callStartRange(e: Extract<Expr, { kind: 'FunctionCall' }>): Range {
  return rangeBetween(e.nameRange, e.openParenRange);
}

/** The start range of an expression, as hclsyntax's StartRange(). */
export function startRange(e: Expr): Range {
  switch (e.kind) {
    case 'FunctionCall':
      return callStartRange(e);
    case 'Conditional':
      return startRange(e.condition);
    case 'BinaryOp':
      return startRange(e.lhs);
    case 'Template':
      return e.parts.length > 0 ? startRange(e.parts[0]!) : e.range;
    case 'TemplateJoin':
      return startRange(e.tuple);
    case 'ObjectConsKey':
      return startRange(e.wrapped);
    default:
      return exprStartRange(e);
  }
}

/** The range an argument's diagnostics point at: its start, the expanded argument, or the closing parenthesis. */
function callArgRange(e: Extract<Expr, { kind: 'FunctionCall' }>, argExprs: ReadonlyArray<Expr | Value>, i: number): Range {
  const a = argExprs[i];
  if (a instanceof Value) return e.args[e.args.length - 1]!.range;
  return a ? startRange(a) : e.closeParenRange;
}

function evCall(e: Extract<Expr, { kind: 'FunctionCall' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const fn = findFunction(e.name, ctx);
  if (!fn) {
    if (!anyFunctions(ctx)) {
      diags.push(withNotes(errorDiag('Function calls not allowed', 'Functions may not be called here.', e.range), e, ctx));
      return DynamicVal;
    }
    const names = ctx?.functions ? Object.keys(ctx.functions) : [];
    const sugg = nameSuggestion(e.name, names);
    diags.push(withNotes(errorDiag('Call to unknown function', `There is no function named ${goQuote(e.name)}.${sugg ? ` Did you mean ${goQuote(sugg)}?` : ''}`, e.nameRange, e.range), e, ctx));
    return DynamicVal;
  }
  // argument expressions after `...` expansion; expanded elements are values
  let argExprs: Array<Expr | Value> = e.args;
  if (e.expandFinal) {
    const expandExpr = e.args[e.args.length - 1]!;
    const d: Diagnostic[] = [];
    const expandVal = ev(expandExpr, ctx, d);
    diags.push(...d);
    if (hasErrors(d)) return DynamicVal;
    const kind = expandVal.type.kind;
    if (kind === 'dynamic' || kind === 'tuple' || kind === 'list' || kind === 'set') {
      if (expandVal.isNull()) {
        diags.push(withNotes(errorDiag('Invalid expanding argument value', 'The expanding argument (indicated by ...) must not be null.', expandExpr.range, e.range), expandExpr, ctx));
        return DynamicVal;
      }
      if (kind === 'dynamic' || !expandVal.isKnown()) return DynamicVal;
      argExprs = [...e.args.slice(0, -1), ...expandVal.values().map((v) => v.withMarks(expandVal.marks))];
    } else {
      diags.push(withNotes(errorDiag('Invalid expanding argument value', 'The expanding argument (indicated by ...) must be of a tuple, list, or set type.', expandExpr.range, e.range), expandExpr, ctx));
      return DynamicVal;
    }
  }
  const params = fn.params;
  // count checks come before arguments are evaluated
  if (argExprs.length < params.length) {
    const missing = params[argExprs.length]!;
    const qual = fn.varParam ? ' at least' : '';
    diags.push(withNotes(errorDiag('Not enough function arguments', `Function ${goQuote(e.name)} expects${qual} ${params.length} argument(s). Missing value for ${goQuote(missing.name)}.`, e.closeParenRange, e.range), e, ctx));
    return DynamicVal;
  }
  if (!fn.varParam && argExprs.length > params.length) {
    diags.push(withNotes(errorDiag('Too many function arguments', `Function ${goQuote(e.name)} expects only ${params.length} argument(s).`, callArgRange(e, argExprs, params.length), e.range), e, ctx));
    return DynamicVal;
  }
  const n = argExprs.length;
  const args: CallArg[] = new Array(n);
  const expanded = argExprs !== e.args;
  const np = params.length;
  const before = diags.length;
  // where each argument's diagnostics end, once there are some (HCL reports an argument's
  // conversion error right after them)
  let argEnds: number[] | undefined;
  // every argument a value that callHcl would pass on as it is (plainArg)
  let plain = !expanded;
  for (let i = 0; i < n; i++) {
    const a = argExprs[i]!;
    if (expanded && a instanceof Value) {
      args[i] = a;
      continue;
    }
    const p = i < np ? params[i]! : fn.varParam!;
    if (p.special !== undefined) {
      plain = false;
      if (p.special === 'type') {
        const tr = typeFromConstraint(typeExprNode(a as Expr, ctx), { constraint: true });
        for (const d of tr.diags) diags.push(d);
        args[i] = { kind: 'type', type: tr.type };
        continue;
      }
      if (p.special === 'expression') {
        const argExpr = a as Expr;
        args[i] = {
          kind: 'expression',
          evaluate: () => evaluate(argExpr, ctx),
          dependsOnUnknowns: () => dependsOnUnknowns(argExpr, ctx),
        };
        continue;
      }
    }
    const v = ev(a as Expr, ctx, diags);
    args[i] = v;
    if (argEnds || diags.length !== before) (argEnds ??= new Array<number>(n).fill(before))[i] = diags.length;
    if (plain && !plainArg(v, p.type)) plain = false;
  }
  // an argument's error (or a type argument's) makes the call's result unknown; as HCL, each
  // argument is still converted to its parameter's type, its failure reported after the argument's own
  if (diags.length > before && errorsSince(diags, before)) {
    const added = diags.splice(before);
    let from = 0;
    for (let i = 0; i < n; i++) {
      const v = args[i];
      // a type or expression argument has no conversion
      if (!(v instanceof Value)) continue;
      const end = argEnds?.[i] ?? before;
      diags.push(...added.slice(from, end - before));
      from = end - before;
      const p = i < np ? params[i]! : fn.varParam!;
      if (p.type.kind === 'dynamic' || v.type === p.type) continue;
      try {
        convert(v, p.type);
      } catch (err) {
        if (!(err instanceof CtyError)) throw err;
        // an expanded element stands for the expanding argument
        const a = argExprs[i]!;
        const argExpr = a instanceof Value ? e.args[e.args.length - 1]! : a;
        diags.push(withNotes(errorDiag('Invalid function argument', `Invalid value for ${goQuote(p.name)} parameter: ${err.message}.`, callArgRange(e, argExprs, i), e.range), argExpr, ctx));
      }
    }
    diags.push(...added.slice(from));
    return DynamicVal;
  }
  try {
    return plain ? callHclPlain(e.name, fn, args as Value[], n) : callHcl(e.name, fn, args, e.args.length);
  } catch (err) {
    const errs = err instanceof CallErrors ? err.errors : err instanceof CallError ? [err] : undefined;
    if (!errs) throw err;
    for (const ce of errs) {
      let subject: Range;
      let noteExpr: Expr = e;
      if (typeof ce.at === 'number') {
        subject = callArgRange(e, argExprs, ce.at);
        const a = e.args[ce.at];
        if (a && ce.at < e.args.length) noteExpr = a;
      } else if (ce.at === 'close') subject = e.closeParenRange;
      else if (ce.at === 'name') subject = e.nameRange;
      else subject = callStartRange(e);
      diags.push(withNotes(errorDiag(ce.summary, ce.detail, subject, e.range), noteExpr, ctx));
    }
    return DynamicVal;
  }
}

/** Whether evaluating `e` would see unknown values (for try/can). */
function dependsOnUnknowns(e: Expr, ctx: EvalContext | undefined): boolean {
  for (const t of variables(e)) {
    const d: Diagnostic[] = [];
    const v = traverseAbs(t, ctx, d);
    if (!hasErrors(d) && !v.isWhollyKnown()) return true;
  }
  return false;
}

/** Reads a type-constraint expression (`list(string)`) into the shape cty's typeexpr takes. */
export function typeExprNode(e: Expr, ctx?: EvalContext): TypeExprNode {
  switch (e.kind) {
    case 'ScopeTraversal':
      if (e.traversal.length === 1) return { kind: 'ident', name: (e.traversal[0] as { name: string }).name, range: e.range };
      return { kind: 'other', range: e.range };
    case 'Literal':
      if (e.value.t === 'null') return { kind: 'ident', name: 'null', range: e.range };
      if (e.value.t === 'bool') return { kind: 'ident', name: e.value.v ? 'true' : 'false', range: e.range };
      return { kind: 'other', range: e.range };
    case 'FunctionCall': {
      const args: TypeExprNode[] = e.args.map((a, i) => {
        if (e.name === 'optional' && i === 1) {
          const r = evaluate(a, ctx);
          return { kind: 'value', value: hasErrors(r.diags) ? undefined : r.value, range: a.range, diags: r.diags };
        }
        return typeExprNode(a, ctx);
      });
      return { kind: 'call', name: e.name, args, range: e.range, nameRange: e.nameRange, argsRange: rangeBetween(e.openParenRange, e.closeParenRange) };
    }
    case 'ObjectCons':
      return {
        kind: 'object',
        range: e.range,
        items: e.items.map((it) => {
          const k = it.key.wrapped;
          let key: string | undefined;
          if (!it.key.forceNonLiteral) {
            if (k.kind === 'ScopeTraversal' && k.traversal.length === 1) key = (k.traversal[0] as { name: string }).name;
            else if (k.kind === 'Literal' && k.value.t === 'null') key = 'null';
            else if (k.kind === 'Literal' && k.value.t === 'bool') key = String(k.value.v);
          }
          return { key, keyRange: k.range, value: typeExprNode(it.value, ctx) };
        }),
      };
    case 'TupleCons':
      return { kind: 'tuple', range: e.range, items: e.exprs.map((x) => typeExprNode(x, ctx)) };
    default:
      return { kind: 'other', range: e.range };
  }
}

function evConditional(e: Extract<Expr, { kind: 'Conditional' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const trueDiags: Diagnostic[] = [];
  const falseDiags: Diagnostic[] = [];
  const tv = ev(e.trueResult, ctx, trueDiags);
  const fv = ev(e.falseResult, ctx, falseDiags);
  let resultType: Type = T.Dynamic;
  let convs: Array<((v: Value) => Value) | undefined> = [undefined, undefined];
  const isDynNull = (v: Value): boolean => v.isNull() && v.type.kind === 'dynamic' && v.marks.size === 0;
  let failed = false;
  if (isDynNull(tv)) {
    resultType = fv.type;
    convs[0] = getUnsafeConversion(T.Dynamic, resultType);
  } else if (isDynNull(fv)) {
    resultType = tv.type;
    convs[1] = getUnsafeConversion(T.Dynamic, resultType);
  } else if (tv.type.kind === 'dynamic' || fv.type.kind === 'dynamic') {
    // result type stays dynamic
  } else {
    const u = unifyTypes([tv.type, fv.type], true);
    if (!u) failed = true;
    else {
      resultType = u.type;
      convs = u.conversions as typeof convs;
    }
  }
  if (failed) {
    diags.push(
      withNotes(
        errorDiag(
          'Inconsistent conditional result types',
          `The true and false result expressions must have consistent types. The given expressions are ${T.friendlyName(tv.type)} and ${T.friendlyName(fv.type)}, respectively.`,
          rangeBetween(e.trueResult.range, e.falseResult.range),
          e.range,
        ),
        e,
        ctx,
      ),
    );
    return DynamicVal;
  }
  const condDiags: Diagnostic[] = [];
  let cond = ev(e.condition, ctx, condDiags);
  diags.push(...condDiags);
  if (cond.isNull()) {
    diags.push(withNotes(errorDiag('Null condition', 'The condition value is null. Conditions must either be true or false.', e.condition.range, e.range), e.condition, ctx));
    return unknownVal(resultType);
  }
  if (!cond.isKnown()) return unknownVal(resultType).withMarks(cond.marks);
  try {
    cond = convert(cond, T.Bool);
  } catch (err) {
    if (!(err instanceof CtyError)) throw err;
    diags.push(withNotes(errorDiag('Incorrect condition type', 'The condition expression must be of type bool.', e.condition.range, e.range), e.condition, ctx));
    return unknownVal(resultType);
  }
  const [uc, cm] = cond.unmark();
  const which = uc.asBool() ? 0 : 1;
  diags.push(...(which === 0 ? trueDiags : falseDiags));
  let result = which === 0 ? tv : fv;
  const conv = convs[which];
  if (conv) {
    try {
      result = conv(result);
    } catch (err) {
      if (!(err instanceof CtyError)) throw err;
      const branch = which === 0 ? e.trueResult : e.falseResult;
      diags.push(withNotes(errorDiag('Inconsistent conditional result types', `The ${which === 0 ? 'true' : 'false'} result value has the wrong type: ${err.message}.`, branch.range, e.range), branch, ctx));
      result = unknownVal(resultType);
    }
  }
  return cm.size ? result.withMarks(cm) : result;
}

function evBinary(e: Extract<Expr, { kind: 'BinaryOp' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const op = binaryOperations[e.op];
  const params = op.impl.params;
  const before = diags.length;
  const lv0 = ev(e.lhs, ctx, diags);
  const rv0 = ev(e.rhs, ctx, diags);
  let lv = lv0;
  let rv = rv0;
  try {
    lv = convert(lv0, params[0]!.type);
  } catch (err) {
    if (!(err instanceof CtyError)) throw err;
    diags.push(withNotes(errorDiag('Invalid operand', `Unsuitable value for left operand: ${err.message}.`, e.lhs.range, e.range), e.lhs, ctx));
  }
  try {
    rv = convert(rv0, params[1]!.type);
  } catch (err) {
    if (!(err instanceof CtyError)) throw err;
    diags.push(withNotes(errorDiag('Invalid operand', `Unsuitable value for right operand: ${err.message}.`, e.rhs.range, e.range), e.rhs, ctx));
  }
  if (diags.length > before && errorsSince(diags, before)) return unknownVal(op.type);
  try {
    return op.impl.call([lv, rv]);
  } catch (err) {
    if (!(err instanceof Error) || !('index' in err || err.name === 'FuncError' || err instanceof CtyError)) throw err;
    diags.push(withNotes(errorDiag('Operation failed', `Error during operation: ${err.message}.`, e.range), e, ctx));
    return unknownVal(op.type);
  }
}

function evUnary(e: Extract<Expr, { kind: 'UnaryOp' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const op = unaryOperations[e.op];
  const d: Diagnostic[] = [];
  const given = ev(e.val, ctx, d);
  let v = given;
  try {
    v = convert(given, op.impl.params[0]!.type);
  } catch (err) {
    if (!(err instanceof CtyError)) throw err;
    d.push(withNotes(errorDiag('Invalid operand', `Unsuitable value for unary operand: ${err.message}.`, e.val.range, e.range), e.val, ctx));
  }
  diags.push(...d);
  if (hasErrors(d)) return unknownVal(op.type);
  try {
    return op.impl.call([v]);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    diags.push(withNotes(errorDiag('Operation failed', `Error during operation: ${err.message}.`, e.range), e, ctx));
    return unknownVal(op.type);
  }
}

/** The keyword an object key is, when written as a bare name (hcl.ExprAsKeyword). */
function keyword(e: Expr): string {
  if (e.kind === 'ScopeTraversal' && e.traversal.length === 1) return (e.traversal[0] as { name: string }).name;
  if (e.kind === 'Literal') {
    if (e.value.t === 'null') return 'null';
    if (e.value.t === 'bool') return e.value.v ? 'true' : 'false';
  }
  return '';
}

function evObjectKey(e: Extract<Expr, { kind: 'ObjectConsKey' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  if (!e.forceNonLiteral) {
    if (e.wrapped.kind === 'ScopeTraversal' && e.wrapped.traversal.length > 1) {
      diags.push(errorDiag('Ambiguous attribute key', "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.", e.wrapped.range));
      return DynamicVal;
    }
    const kw = keyword(e.wrapped);
    if (kw !== '') return stringVal(kw);
  }
  return ev(e.wrapped, ctx, diags);
}

function evObject(e: Extract<Expr, { kind: 'ObjectCons' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const vals = new Map<string, Value>();
  let known = true;
  let keyMarks: Array<ReadonlySet<string>> | undefined;
  const items = e.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const before = diags.length;
    let key = ev(item.key, ctx, diags);
    const keyErrors = diags.length > before && errorsSince(diags, before);
    const val = ev(item.value, ctx, diags);
    if (keyErrors) {
      known = false;
      continue;
    }
    if (key.isNull()) {
      diags.push(withNotes(errorDiag('Null value as key', "Can't use a null value as a key.", item.value.range), item.key, ctx));
      known = false;
      continue;
    }
    if (key.type !== T.String)
      try {
        key = convert(key, T.String);
      } catch (err) {
        if (!(err instanceof CtyError)) throw err;
        diags.push(withNotes(errorDiag('Incorrect key type', `Can't use this value as a key: ${err.message}.`, item.key.range), item.key, ctx));
        known = false;
        continue;
      }
    if (!key.isKnown()) {
      known = false;
      continue;
    }
    if (key.marks.size) (keyMarks ??= []).push(key.marks);
    // a known string (checked above)
    vals.set(key.raw as string, val);
  }
  if (!known) return DynamicVal;
  const obj = objectValOf(vals);
  return keyMarks ? obj.withMarks(...keyMarks) : obj;
}

/** The scope of one iteration of a `for` expression: its key and value symbols. */
function forScope(e: Extract<Expr, { kind: 'For' }>, base: EvalContext, k: Value, v: Value): EvalContext {
  const vars: Record<string, Value> = {};
  if (e.keyVar) vars[e.keyVar] = k;
  vars[e.valVar] = v;
  return base.child(vars);
}

function evFor(e: Extract<Expr, { kind: 'For' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const coll = ev(e.collExpr, ctx, diags);
  if (coll.isNull()) {
    diags.push(withNotes(errorDiag('Iteration over null value', "A null value cannot be used as the collection in a 'for' expression.", e.collExpr.range, e.range), e.collExpr, ctx));
    return DynamicVal;
  }
  if (coll.type.kind === 'dynamic') return DynamicVal;
  if (!coll.canIterateElements()) {
    diags.push(withNotes(errorDiag('Iteration over non-iterable value', `A value of type ${T.friendlyName(coll.type)} cannot be used as the collection in a 'for' expression.`, e.collExpr.range, e.range), e.collExpr, ctx));
    return DynamicVal;
  }
  if (!coll.isKnown()) return DynamicVal.withMarks(coll.marks);
  const base = ctx ?? new EvalContext();
  if (e.condExpr) {
    const cctx = forScope(e, base, DynamicVal, DynamicVal);
    const cd: Diagnostic[] = [];
    const result = ev(e.condExpr, cctx, cd);
    diags.push(...cd);
    if (result.isNull()) {
      diags.push(withNotes(errorDiag('Condition is null', "The value of the 'if' clause must not be null.", e.condExpr.range, e.range), e.condExpr, ctx));
      return DynamicVal;
    }
    try {
      convert(result, T.Bool);
    } catch (err) {
      if (!(err instanceof CtyError)) throw err;
      diags.push(withNotes(errorDiag("Invalid 'for' condition", `The 'if' clause value is invalid: ${err.message}.`, e.condExpr.range, e.range), e.condExpr, ctx));
      return DynamicVal;
    }
    if (hasErrors(cd)) return DynamicVal;
  }
  // (no array destructuring: in baseline code it runs the iterator protocol)
  const collMarks = coll.marks;
  const ucoll = collMarks.size ? coll.unmark()[0] : coll;
  let known = true;
  // returns true to include, false to skip, undefined for unknown/error
  const include = (cctx: EvalContext): boolean | undefined => {
    if (!e.condExpr) return true;
    const raw = ev(e.condExpr, cctx, diags);
    if (raw.isNull()) {
      if (known) diags.push(withNotes(errorDiag("Invalid 'for' condition", "The value of the 'if' clause must not be null.", e.condExpr.range, e.range), e.condExpr, cctx));
      return undefined;
    }
    if (e.keyExpr === undefined && !raw.isKnown()) return undefined;
    let inc: Value;
    try {
      inc = convert(raw, T.Bool);
    } catch (err) {
      if (!(err instanceof CtyError)) throw err;
      if (known) diags.push(withNotes(errorDiag("Invalid 'for' condition", `The 'if' clause value is invalid: ${err.message}.`, e.condExpr.range, e.range), e.condExpr, cctx));
      return undefined;
    }
    if (!inc.isKnown()) return undefined;
    return inc.unmark()[0].asBool();
  };
  if (e.keyExpr) {
    const vals = new Map<string, Value>();
    const groups = new Map<string, Value[]>();
    const elems = ucoll.elements();
    for (let i = 0; i < elems.length; i++) {
      const kv = elems[i]!;
      const cctx = forScope(e, base, kv[0], kv[1]);
      const inc = include(cctx);
      if (inc === undefined) {
        known = false;
        continue;
      }
      if (!inc) continue;
      const keyRaw = ev(e.keyExpr, cctx, diags);
      if (keyRaw.isNull()) {
        if (known) diags.push(withNotes(errorDiag('Invalid object key', "Key expression in 'for' expression must not produce a null value.", e.keyExpr.range, e.range), e.keyExpr, cctx));
        known = false;
        continue;
      }
      if (!keyRaw.isKnown()) {
        known = false;
        continue;
      }
      let key: Value;
      try {
        key = convert(keyRaw, T.String);
      } catch (err) {
        if (!(err instanceof CtyError)) throw err;
        if (known) diags.push(withNotes(errorDiag('Invalid object key', `The key expression produced an invalid result: ${err.message}.`, e.keyExpr.range, e.range), e.keyExpr, cctx));
        known = false;
        continue;
      }
      const val = ev(e.valExpr, cctx, diags);
      const ks = key.unmark()[0].asString();
      if (e.group) {
        let g = groups.get(ks);
        if (!g) groups.set(ks, (g = []));
        g.push(val);
      } else if (vals.has(ks)) {
        diags.push(
          withNotes(
            errorDiag('Duplicate object key', `Two different items produced the key ${goQuote(ks)} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`, e.keyExpr.range, e.range),
            e.keyExpr,
            cctx,
          ),
        );
      } else vals.set(ks, val);
    }
    if (!known) return DynamicVal;
    if (e.group) for (const [k, g] of groups) vals.set(k, tupleVal(g));
    return objectVal(vals).withMarks(collMarks);
  }
  const out: Value[] = [];
  const elems = ucoll.elements();
  for (let i = 0; i < elems.length; i++) {
    const kv = elems[i]!;
    const cctx = forScope(e, base, kv[0], kv[1]);
    if (e.condExpr) {
      const inc = include(cctx);
      if (inc === undefined) {
        known = false;
        continue;
      }
      if (!inc) continue;
    }
    out.push(ev(e.valExpr, cctx, diags));
  }
  if (!known) return DynamicVal;
  const tuple = tupleValOf(out);
  return collMarks.size ? tuple.withMarks(collMarks) : tuple;
}

function evSplat(e: Extract<Expr, { kind: 'Splat' }>, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  const sd: Diagnostic[] = [];
  let src = ev(e.source, ctx, sd);
  diags.push(...sd);
  if (hasErrors(sd)) return DynamicVal;
  let ty = src.type;
  if (ty.kind === 'dynamic') return DynamicVal;
  const autoUpgrade = !(ty.kind === 'tuple' || ty.kind === 'list' || ty.kind === 'set');
  if (src.isNull()) {
    if (autoUpgrade) return EmptyTupleVal;
    diags.push(withNotes(errorDiag('Splat of null value', 'Splat expressions (with the * symbol) cannot be applied to null sequences.', e.source.range, rangeBetween(e.source.range, e.markerRange)), e.source, ctx));
    return DynamicVal;
  }
  if (autoUpgrade) {
    src = tupleVal([src]);
    ty = src.type;
  }
  const base = ctx ?? new EvalContext();
  const withItem = (v: Value, d: Diagnostic[]): Value => {
    const c = new EvalContext({}, base);
    c.variables = undefined;
    c.anon = new Map([[e.item, v]]);
    return ev(e.each, c, d);
  };
  const resultType = (d: Diagnostic[]): Type => {
    if (ty.kind === 'list' || ty.kind === 'set') return T.List(withItem(unknownVal(ty.elem), d).type);
    if (ty.kind === 'tuple') return T.Tuple(ty.elems.map((et) => withItem(unknownVal(et), d).type));
    return T.Dynamic;
  };
  if (!src.isKnown()) return unknownVal(resultType(diags)).withMarks(src.marks);
  const [usrc, marks] = src.unmark();
  const vals: Value[] = [];
  let known = true;
  for (const item of usrc.values()) {
    const d: Diagnostic[] = [];
    const nv = withItem(item, d);
    diags.push(...d);
    if (hasErrors(d)) known = false;
    vals.push(nv);
  }
  if (!known) return unknownVal(resultType([]));
  if (ty.kind === 'list' || ty.kind === 'set') {
    if (vals.length === 0) {
      const rt = resultType(diags) as T.ListType;
      return listValEmpty(rt.elem).withMarks(marks);
    }
    return listVal(vals).withMarks(marks);
  }
  return tupleVal(vals).withMarks(marks);
}

