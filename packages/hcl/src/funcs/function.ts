// Functions over cty values with the calling convention of go-cty's function
// package (parameter specs, return-type derivation, unknown/null/mark
// handling) and HCL's call-site checks (argument count, conversion to the
// parameter types, the diagnostics' wording).
import * as T from '../cty/types.ts';
import type { Type } from '../cty/types.ts';
import { convert } from '../cty/convert.ts';
import { CtyError, Value, unknownVal, DynamicVal, isPlainKnown, numberIntVal } from '../cty/value.ts';
import type { Diagnostic } from '../diag.ts';
import { isStackOverflow } from '../deep.ts';

export interface Param {
  name: string;
  /** cty type the argument converts to; 'type' is a type-constraint argument
   * (convert's second), 'expression' an unevaluated expression (try/can). */
  type: Type;
  special?: 'type' | 'expression';
  allowNull?: boolean;
  allowUnknown?: boolean;
  allowDynamicType?: boolean;
  allowMarked?: boolean;
}

export interface FunctionSpec {
  description?: string;
  params: Param[];
  varParam?: Param;
  /** Return type from the (type-checked) arguments; may throw FuncError/ArgError. */
  type: (args: Value[]) => Type;
  impl: (args: Value[], retType: Type) => Value;
}

export interface CtyFunction extends FunctionSpec {
  /** function.Call: type check, unknown/mark handling, implementation. */
  call(args: Value[]): Value;
}

/** An error about one argument (function.ArgError). */
export class ArgError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'ArgError';
  }
}

/** An error of the call as a whole. */
export class FuncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuncError';
  }
}

export function staticReturnType(t: Type): (args: Value[]) => Type {
  return () => t;
}

export { testConformanceMessage as testConformance } from '../cty/conformance.ts';
import { testConformanceMessage as testConformance } from '../cty/conformance.ts';

export function makeFunction(spec: FunctionSpec): CtyFunction {
  const fn: CtyFunction = {
    ...spec,
    call(args: Value[]): Value {
      return callFunction(fn, args);
    },
  };
  return fn;
}

function paramFor(f: FunctionSpec, i: number): Param {
  return i < f.params.length ? f.params[i] : f.varParam!;
}

/** cty function.ReturnTypeForValues. */
export function returnTypeForValues(f: FunctionSpec, args0: Value[]): Type {
  // copied when an argument is unmarked
  let args = args0;
  if (!f.varParam) {
    if (args.length !== f.params.length) {
      throw new FuncError(`wrong number of arguments (${f.params.length} required; ${args.length} given)`);
    }
  } else if (args.length < f.params.length) {
    throw new FuncError(`wrong number of arguments (at least ${f.params.length} required; ${args.length} given)`);
  }
  for (let i = 0; i < args.length; i++) {
    const spec = i < f.params.length ? f.params[i] : f.varParam!;
    const val = args0[i];
    if (!spec.allowMarked && val.containsMarked()) {
      if (args === args0) args = args0.slice();
      args[i] = val.unmarkDeep()[0];
    }
    if (val.isNull() && !spec.allowNull) throw new ArgError(i, 'argument must not be null');
    if (val.type.kind === 'dynamic') {
      if (!spec.allowDynamicType) return T.Dynamic;
    } else {
      const e = testConformance(val.type, spec.type);
      if (e) throw new ArgError(i, e);
    }
  }
  return f.type(args);
}

/**
 * Whether an argument passes function.Call's checks as it is, so that the call needs neither
 * ReturnTypeForValues' per-argument work nor unmarking: known, not null, without marks (at any
 * depth), and of the parameter's type: the same primitive type, a primitive value for a
 * dynamic-typed parameter, or a list of the parameter's primitive element type.
 */
export function plainArg(v: Value, t: Type): boolean {
  if (!isPlainKnown(v)) return false;
  const vt = v.type;
  if (vt === t) {
    const k = t.kind;
    return k === 'string' || k === 'number' || k === 'bool';
  }
  if (t.kind === 'dynamic') {
    const k = vt.kind;
    return k === 'string' || k === 'number' || k === 'bool';
  }
  if (t.kind === 'list' && vt.kind === 'list' && vt.elem === t.elem && T.isPrimitive(t.elem)) {
    const elems = v.raw as readonly Value[];
    for (let i = 0; i < elems.length; i++) if (elems[i]!.marks.size !== 0) return false;
    return true;
  }
  return false;
}

/** cty function.Call. */
export function callFunction(f: FunctionSpec, args0: Value[]): Value {
  const params = f.params;
  const np = params.length;
  const n = args0.length;
  if (f.varParam ? n >= np : n === np) {
    let plain = true;
    for (let i = 0; i < n; i++) {
      if (!plainArg(args0[i]!, (i < np ? params[i]! : f.varParam!).type)) {
        plain = false;
        break;
      }
    }
    if (plain) return f.impl(args0, f.type(args0));
  }
  const expected = returnTypeForValues(f, args0);
  // copied when an argument is unmarked
  let args = args0;
  let resultMarks: Set<string>[] | undefined;
  for (let i = 0; i < args0.length; i++) {
    const spec = i < f.params.length ? f.params[i] : f.varParam!;
    const val = args0[i];
    if (!val.isKnown() && !spec.allowUnknown) return unknownVal(expected);
    if (!spec.allowMarked && val.containsMarked()) {
      const [u, marks] = val.unmarkDeep();
      if (marks.size) {
        if (args === args0) args = args0.slice();
        args[i] = u;
        (resultMarks ??= []).push(marks);
      }
    }
  }
  let ret = f.impl(args, expected);
  if (resultMarks) ret = ret.withMarks(...resultMarks);
  return ret;
}

// ---------------------------------------------------------------------------
// HCL call-site semantics (hclsyntax FunctionCallExpr.Value)

/** A failed call, with HCL's diagnostic text and which argument is at fault
 * ('call' = the whole call, 'close' = the closing parenthesis, a number = that
 * argument expression, 'name' = the function name). */
export class CallError extends Error {
  constructor(
    readonly summary: string,
    readonly detail: string,
    readonly at: number | 'call' | 'close' | 'name',
  ) {
    super(`${summary}: ${detail}`);
    this.name = 'CallError';
  }
  toDiagnostic(ranges: { call?: Diagnostic['subject']; name?: Diagnostic['subject']; close?: Diagnostic['subject']; args?: Array<Diagnostic['subject']> }): Diagnostic {
    let subject: Diagnostic['subject'];
    if (typeof this.at === 'number') subject = ranges.args?.[this.at] ?? ranges.call;
    else subject = ranges[this.at] ?? ranges.call;
    const d: Diagnostic = { severity: 'error', summary: this.summary, detail: this.detail };
    if (subject) d.subject = subject;
    if (ranges.call) d.context = ranges.call;
    return d;
  }
}

/** A type-constraint argument, already read with typeFromConstraint. */
export interface TypeArgValue {
  kind: 'type';
  type: Type;
}
/** An unevaluated expression argument (try/can). */
export interface ExpressionClosure {
  kind: 'expression';
  /** Evaluates the expression. */
  evaluate(): { value: Value; diags: Diagnostic[] };
  /** Whether the expression refers to unknown values (result must wait). */
  dependsOnUnknowns(): boolean;
}
export type CallArg = Value | TypeArgValue | ExpressionClosure;

/** Checks the argument count as HCL does before evaluating arguments;
 * `argCount` is after `...` expansion. */
export function checkArgCount(name: string, f: FunctionSpec, argCount: number): void {
  if (argCount < f.params.length) {
    const missing = f.params[argCount];
    const qual = f.varParam ? ' at least' : '';
    throw new CallError('Not enough function arguments', `Function ${JSON.stringify(name)} expects${qual} ${f.params.length} argument(s). Missing value for ${JSON.stringify(missing.name)}.`, 'close');
  }
  if (!f.varParam && argCount > f.params.length) {
    throw new CallError('Too many function arguments', `Function ${JSON.stringify(name)} expects only ${f.params.length} argument(s).`, f.params.length);
  }
}

/**
 * Calls a function as an HCL function-call expression does: argument count,
 * conversion of each argument to its parameter type ("Invalid function
 * argument"), then the call ("Error in function call" or the argument's
 * error). `args` after `...` expansion; `argExprCount` is the number of
 * argument expressions written (for ArgErrors past them).
 */
export function callHcl(name: string, f: FunctionSpec, args: CallArg[], argExprCount = args.length): Value {
  checkArgCount(name, f, args.length);
  const n = args.length;
  const vals: Value[] = new Array(n);
  let errors: CallError[] | undefined;
  for (let i = 0; i < n; i++) {
    const p = i < f.params.length ? f.params[i] : f.varParam!;
    const a = args[i];
    if (a instanceof Value) {
      // a value of the parameter's type (or any type) is its own conversion
      if (p.special || p.type.kind === 'dynamic' || (a.type === p.type && T.isPrimitive(p.type))) {
        vals[i] = a;
        continue;
      }
      try {
        vals[i] = convert(a, p.type);
      } catch (e) {
        if (!(e instanceof CtyError)) throw e;
        (errors ??= []).push(new CallError('Invalid function argument', `Invalid value for ${JSON.stringify(p.name)} parameter: ${e.message}.`, i));
        vals[i] = unknownVal(p.type);
      }
    } else {
      vals[i] = specialArg(a);
    }
  }
  if (errors) throw errors.length === 1 ? errors[0] : new CallErrors(errors);
  try {
    return callFunction(f, vals);
  } catch (e) {
    throw callError(name, f, e, argExprCount);
  }
}

/**
 * callHcl for arguments already counted (checkArgCount) that are all plain (plainArg against
 * their parameters' types): no conversion and none of function.Call's checks change them, so
 * the implementation gets them as they are.
 */
export function callHclPlain(name: string, f: FunctionSpec, vals: Value[], argExprCount: number): Value {
  try {
    return f.impl(vals, f.type(vals));
  } catch (e) {
    throw callError(name, f, e, argExprCount);
  }
}

/** What a call's failure `e` is to HCL (the error callHcl throws). */
function callError(name: string, f: FunctionSpec, e: unknown, argExprCount: number): unknown {
  {
    if (e instanceof ArgError) {
      const p = paramFor(f, e.index);
      const at = e.index > argExprCount - 1 ? f.params.length : e.index;
      return new CallError('Invalid function argument', `Invalid value for ${JSON.stringify(p.name)} parameter: ${e.message}.`, at);
    }
    if (e instanceof FuncError || e instanceof CtyError) {
      return new CallError('Error in function call', `Call to function ${JSON.stringify(name)} failed: ${e.message}.`, 'call');
    }
    if (e instanceof CallError || e instanceof CallErrors) return e;
    // a value nested past the stack: the evaluation's own handling (deep.ts), not a panic
    if (isStackOverflow(e)) return e;
    // cty turns a panic in an implementation into an error of the call
    const msg = e instanceof Error ? e.message : String(e);
    return new CallError('Error in function call', `Call to function ${JSON.stringify(name)} failed: panic in function implementation: ${msg}.`, 'call');
  }
}

/** Several argument errors from one call (HCL reports each). */
export class CallErrors extends Error {
  constructor(readonly errors: CallError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'CallErrors';
  }
}

// Special arguments travel through the cty call as values of a private
// capsule-like shape: an unknown-free marker value carrying the payload.
const SPECIAL = new WeakMap<Value, TypeArgValue | ExpressionClosure>();
function specialArg(a: TypeArgValue | ExpressionClosure): Value {
  const v = new Value(T.Dynamic, null);
  SPECIAL.set(v, a);
  return v;
}
export function typeArg(v: Value): Type {
  const s = SPECIAL.get(v);
  if (!s || s.kind !== 'type') throw new FuncError('a type constraint is required');
  return s.type;
}
export function expressionArg(v: Value): ExpressionClosure {
  const s = SPECIAL.get(v);
  if (!s || s.kind !== 'expression') throw new FuncError('an expression is required');
  return s;
}

// ---------------------------------------------------------------------------
// helpers shared by implementations

/** gocty.FromCtyValue(v, &int): the whole number or an error as cty words it. */
export function toInt(v: Value): number {
  const f = v.asBigFloat();
  const i = f.int64();
  if (!f.isInt() || !i.exact) {
    throw new CtyError('value must be a whole number, between -9223372036854775808 and 9223372036854775807');
  }
  return Number(i.value);
}

export function intVal(n: number): Value {
  return numberIntVal(n);
}

export { DynamicVal };
