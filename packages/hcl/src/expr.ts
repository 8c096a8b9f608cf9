// Expressions of either syntax behind one API (hcl.Expression and the
// static-analysis helpers of package hcl: ExprList, ExprMap,
// AbsTraversalForExpr, ExprAsKeyword), and files of either syntax.

import type { Value } from './cty/value.ts';
import { errorDiag, type Diagnostic, type SourceFile } from './diag.ts';
import { NativeBody, type Body, type Expression } from './body.ts';
import { EvalContext, evaluate, startRange as nativeStartRange } from './eval/eval.ts';
import { jsonExpr, jsonStartRange } from './json/ast.ts';
import { JsonBody, jsonValue, jsonVariables } from './json/body.ts';
import { parseJson } from './json/parser.ts';
import type { Range } from './range.ts';
import { variables as nativeVariables, type Traversal } from './syntax/ast.ts';
import { parseConfig, parseExpression, parseTraversalAbs } from './syntax/parser.ts';
import { typeExprNode } from './eval/eval.ts';
import type { TypeExprNode } from './cty/typeexpr.ts';

/** Evaluates an expression of either syntax. */
export function exprValue(e: Expression, ctx: EvalContext | undefined): { value: Value; diags: Diagnostic[] } {
  if (e.kind === 'Bound') return exprValue(e.inner, (ctx ?? new EvalContext()).child(e.scope));
  if (e.kind === 'JSON') return jsonValue(e, ctx);
  return evaluate(e, ctx);
}

/** The variables (absolute traversals) an expression refers to. */
export function exprVariables(e: Expression): Traversal[] {
  if (e.kind === 'Bound') return exprVariables(e.inner).filter((t) => !Object.prototype.hasOwnProperty.call(e.scope, (t[0] as { name: string }).name));
  if (e.kind === 'JSON') return jsonVariables(e);
  return nativeVariables(e);
}

export function exprRange(e: Expression): Range {
  return e.range;
}

export function exprStartRange(e: Expression): Range {
  if (e.kind === 'Bound') return exprStartRange(e.inner);
  if (e.kind === 'JSON') return jsonStartRange(e.node);
  return nativeStartRange(e);
}

function unwrap(e: Expression): Expression {
  let x = e;
  while (x.kind === 'TemplateWrap' || x.kind === 'ObjectConsKey' || x.kind === 'Bound') x = x.kind === 'Bound' ? x.inner : x.wrapped;
  return x;
}

/** The element expressions of a static list/tuple expression (hcl.ExprList). */
export function exprList(e: Expression): { exprs: Expression[]; diags: Diagnostic[] } {
  const x = unwrap(e);
  if (x.kind === 'TupleCons') return { exprs: x.exprs, diags: [] };
  if (x.kind === 'JSON' && x.node.t === 'array') return { exprs: x.node.values.map(jsonExpr), diags: [] };
  return { exprs: [], diags: [errorDiag('Invalid expression', 'A static list expression is required.', exprStartRange(e))] };
}

/** The key/value expressions of a static object expression (hcl.ExprMap). */
export function exprMap(e: Expression): { pairs: Array<{ key: Expression; value: Expression }>; diags: Diagnostic[] } {
  const x = unwrap(e);
  if (x.kind === 'ObjectCons') return { pairs: x.items.map((it) => ({ key: it.key, value: it.value })), diags: [] };
  if (x.kind === 'JSON' && x.node.t === 'object') {
    return { pairs: x.node.attrs.map((a) => ({ key: jsonExpr({ t: 'string', value: a.name, range: a.nameRange }), value: jsonExpr(a.value) })), diags: [] };
  }
  return { pairs: [], diags: [errorDiag('Invalid expression', 'A static map expression is required.', exprStartRange(e))] };
}

/** The traversal an expression is, if it is a plain variable reference (hcl.AbsTraversalForExpr). */
export function absTraversalForExpr(e: Expression): { traversal: Traversal; diags: Diagnostic[] } {
  const x = unwrap(e);
  if (x.kind === 'ScopeTraversal') return { traversal: x.traversal, diags: [] };
  if (x.kind === 'Literal' && (x.value.t === 'null' || x.value.t === 'bool')) {
    return { traversal: [{ kind: 'root', name: x.value.t === 'null' ? 'null' : String(x.value.v), range: x.range }], diags: [] };
  }
  if (x.kind === 'JSON' && x.node.t === 'string') {
    const r = parseTraversalAbs(x.node.value, x.node.range.filename, x.node.range.start);
    return r;
  }
  return {
    traversal: [],
    diags: [errorDiag('Invalid expression', 'A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.', e.range)],
  };
}

/** The bare keyword an expression is (`foo`), or "" (hcl.ExprAsKeyword). */
export function exprAsKeyword(e: Expression): string {
  const { traversal, diags } = absTraversalForExpr(e);
  if (diags.length > 0 || traversal.length !== 1) return '';
  return (traversal[0] as { name: string }).name;
}

/**
 * A type-constraint expression (`list(string)`) of either syntax, as cty's
 * typeFromConstraint reads it; in JSON the constraint is a string holding
 * a native expression, as hcl's typeexpr reads it.
 */
export function exprTypeNode(e: Expression): { node: TypeExprNode; diags: Diagnostic[] } {
  if (e.kind === 'Bound') return exprTypeNode(e.inner);
  if (e.kind !== 'JSON') return { node: typeExprNode(e), diags: [] };
  if (e.node.t !== 'string') return { node: { kind: 'other', range: e.range }, diags: [] };
  const r = e.node.range;
  const { expr, diags } = parseExpression(e.node.value, r.filename, { byte: r.start.byte + 1, line: r.start.line, column: r.start.column + 1 });
  if (diags.length > 0) return { node: { kind: 'other', range: e.range }, diags };
  return { node: typeExprNode(expr), diags: [] };
}

/** A parsed configuration file of either syntax. */
export interface File extends SourceFile {
  readonly filename: string;
  readonly source: string;
  readonly body: Body;
  readonly syntax: 'native' | 'json';
  contextString(byteOffset: number): string;
}

/** Parses a native-syntax configuration file. */
export function parseHCL(src: string | Uint8Array, filename: string): { file: File; diags: Diagnostic[] } {
  const { file, diags } = parseConfig(src, filename);
  return { file: { filename, source: file.source, body: new NativeBody(file.body), syntax: 'native', contextString: file.contextString }, diags };
}

/** Parses a JSON-syntax configuration file. */
export function parseJSON(src: string | Uint8Array, filename: string): { file: File; diags: Diagnostic[] } {
  const { file, diags } = parseJson(src, filename);
  return { file: { filename, source: file.source, body: new JsonBody(file.root), syntax: 'json', contextString: file.contextString }, diags };
}

/** Parses a file by its name: `.json` files are JSON syntax, others native. */
export function parseFile(src: string | Uint8Array, filename: string): { file: File; diags: Diagnostic[] } {
  return filename.endsWith('.json') ? parseJSON(src, filename) : parseHCL(src, filename);
}
