// The abstract syntax tree of HCL's native syntax. Every node carries its
// source range. Literal values stay in source form (number text, decoded
// strings) so that the tree does not depend on the value system; the
// evaluator turns them into cty values.

import type { Range } from '../range.ts';

/** A literal value as written in source. */
export type Literal =
  | { readonly t: 'number'; readonly text: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'null' }
  | { readonly t: 'string'; readonly v: string }
  /** placeholder for an expression that failed to parse (cty.DynamicVal) */
  | { readonly t: 'dynamic' }
  /** an invalid number literal (cty.UnknownVal(cty.Number)) */
  | { readonly t: 'unknownNumber' };

export type Traverser =
  | { readonly kind: 'root'; readonly name: string; readonly range: Range }
  | { readonly kind: 'attr'; readonly name: string; readonly range: Range }
  | { readonly kind: 'index'; readonly key: Literal; readonly range: Range };

export type Traversal = Traverser[];

export interface LiteralExpr {
  readonly kind: 'Literal';
  readonly value: Literal;
  range: Range;
}

export interface TemplateExpr {
  readonly kind: 'Template';
  readonly parts: Expr[];
  range: Range;
}

/** A template consisting only of one interpolation: "${x}" yields x as is. */
export interface TemplateWrapExpr {
  readonly kind: 'TemplateWrap';
  readonly wrapped: Expr;
  range: Range;
}

/** A %{for} directive: joins the strings its for expression yields. */
export interface TemplateJoinExpr {
  readonly kind: 'TemplateJoin';
  readonly tuple: ForExpr;
  range: Range;
}

export interface ScopeTraversalExpr {
  readonly kind: 'ScopeTraversal';
  readonly traversal: Traversal;
  range: Range;
}

export interface RelativeTraversalExpr {
  readonly kind: 'RelativeTraversal';
  readonly source: Expr;
  readonly traversal: Traversal;
  range: Range;
}

export interface FunctionCallExpr {
  readonly kind: 'FunctionCall';
  readonly name: string;
  readonly args: Expr[];
  readonly expandFinal: boolean;
  readonly nameRange: Range;
  readonly openParenRange: Range;
  readonly closeParenRange: Range;
  range: Range;
}

export interface ConditionalExpr {
  readonly kind: 'Conditional';
  readonly condition: Expr;
  readonly trueResult: Expr;
  readonly falseResult: Expr;
  range: Range;
}

export type BinaryOperator = '||' | '&&' | '==' | '!=' | '>' | '>=' | '<' | '<=' | '+' | '-' | '*' | '/' | '%';
export type UnaryOperator = '!' | '-';

export interface BinaryOpExpr {
  readonly kind: 'BinaryOp';
  readonly op: BinaryOperator;
  readonly lhs: Expr;
  readonly rhs: Expr;
  range: Range;
}

export interface UnaryOpExpr {
  readonly kind: 'UnaryOp';
  readonly op: UnaryOperator;
  readonly val: Expr;
  readonly symbolRange: Range;
  range: Range;
}

export interface TupleConsExpr {
  readonly kind: 'TupleCons';
  readonly exprs: Expr[];
  readonly openRange: Range;
  range: Range;
}

export interface ObjectConsItem {
  readonly key: ObjectConsKeyExpr;
  readonly value: Expr;
}

export interface ObjectConsExpr {
  readonly kind: 'ObjectCons';
  readonly items: ObjectConsItem[];
  readonly openRange: Range;
  range: Range;
}

/**
 * An object key: a bare identifier is the string of its name, unless the
 * key was written in parentheses (forceNonLiteral).
 */
export interface ObjectConsKeyExpr {
  readonly kind: 'ObjectConsKey';
  readonly wrapped: Expr;
  readonly forceNonLiteral: boolean;
  range: Range;
}

export interface ForExpr {
  readonly kind: 'For';
  /** "" when the key is not named */
  readonly keyVar: string;
  readonly valVar: string;
  readonly collExpr: Expr;
  /** present only for object for expressions */
  readonly keyExpr: Expr | undefined;
  readonly valExpr: Expr;
  readonly condExpr: Expr | undefined;
  readonly group: boolean;
  readonly openRange: Range;
  readonly closeRange: Range;
  range: Range;
}

export interface IndexExpr {
  readonly kind: 'Index';
  readonly collection: Expr;
  readonly key: Expr;
  readonly openRange: Range;
  readonly bracketRange: Range;
  range: Range;
}

export interface SplatExpr {
  readonly kind: 'Splat';
  readonly source: Expr;
  readonly each: Expr;
  readonly item: AnonSymbolExpr;
  readonly markerRange: Range;
  range: Range;
}

/** The placeholder for the current element inside a splat expression. */
export interface AnonSymbolExpr {
  readonly kind: 'AnonSymbol';
  range: Range;
}

export type Expr =
  | LiteralExpr
  | TemplateExpr
  | TemplateWrapExpr
  | TemplateJoinExpr
  | ScopeTraversalExpr
  | RelativeTraversalExpr
  | FunctionCallExpr
  | ConditionalExpr
  | BinaryOpExpr
  | UnaryOpExpr
  | TupleConsExpr
  | ObjectConsExpr
  | ObjectConsKeyExpr
  | ForExpr
  | IndexExpr
  | SplatExpr
  | AnonSymbolExpr;

export interface Attribute {
  readonly name: string;
  readonly expr: Expr;
  readonly range: Range;
  readonly nameRange: Range;
  readonly equalsRange: Range;
}

export interface Block {
  readonly type: string;
  readonly labels: string[];
  readonly body: Body;
  readonly typeRange: Range;
  readonly labelRanges: Range[];
  readonly openBraceRange: Range;
  readonly closeBraceRange: Range;
  readonly range: Range;
}

export interface Body {
  /** Attributes in source order (names are unique). */
  readonly attributes: Attribute[];
  readonly blocks: Block[];
  readonly range: Range;
  /** An empty range just after the body's last item (its closing brace). */
  readonly endRange: Range;
}

/** The range of a block's header: its type through its last label. */
export function blockDefRange(b: Block): Range {
  const last = b.labelRanges.length > 0 ? b.labelRanges[b.labelRanges.length - 1]! : b.typeRange;
  return { filename: b.typeRange.filename, start: b.typeRange.start, end: last.end };
}

/** Whether a template is a plain string with no interpolation. */
export function isStringLiteralTemplate(e: TemplateExpr): boolean {
  return e.parts.length === 1 && e.parts[0]!.kind === 'Literal' && e.parts[0]!.value.t === 'string';
}

/** The range where an expression begins (for "Missing ..." style errors). */
export function exprStartRange(e: Expr): Range {
  switch (e.kind) {
    case 'FunctionCall':
      return e.nameRange;
    case 'Conditional':
      return exprStartRange(e.condition);
    case 'BinaryOp':
      return exprStartRange(e.lhs);
    case 'UnaryOp':
      return e.symbolRange;
    case 'TupleCons':
    case 'ObjectCons':
      return e.openRange;
    case 'For':
      return e.openRange;
    case 'Index':
      return e.openRange;
    case 'Splat':
      return e.markerRange;
    case 'ObjectConsKey':
      return exprStartRange(e.wrapped);
    case 'ScopeTraversal':
    case 'RelativeTraversal':
      return e.range;
    default:
      return e.range;
  }
}

/** Calls `fn` on every expression directly inside `e`. */
export function forEachChild(e: Expr, fn: (child: Expr) => void): void {
  switch (e.kind) {
    case 'Template':
      e.parts.forEach(fn);
      break;
    case 'TemplateWrap':
      fn(e.wrapped);
      break;
    case 'TemplateJoin':
      fn(e.tuple);
      break;
    case 'RelativeTraversal':
      fn(e.source);
      break;
    case 'FunctionCall':
      e.args.forEach(fn);
      break;
    case 'Conditional':
      fn(e.condition);
      fn(e.trueResult);
      fn(e.falseResult);
      break;
    case 'BinaryOp':
      fn(e.lhs);
      fn(e.rhs);
      break;
    case 'UnaryOp':
      fn(e.val);
      break;
    case 'TupleCons':
      e.exprs.forEach(fn);
      break;
    case 'ObjectCons':
      for (const it of e.items) {
        fn(it.key);
        fn(it.value);
      }
      break;
    case 'ObjectConsKey':
      fn(e.wrapped);
      break;
    case 'For':
      fn(e.collExpr);
      if (e.keyExpr) fn(e.keyExpr);
      fn(e.valExpr);
      if (e.condExpr) fn(e.condExpr);
      break;
    case 'Index':
      fn(e.collection);
      fn(e.key);
      break;
    case 'Splat':
      fn(e.source);
      fn(e.each);
      break;
    default:
      break;
  }
}

/**
 * The absolute traversals (variable references) an expression makes, with
 * names bound by for expressions excluded, as hcl's Variables().
 */
export function variables(e: Expr): Traversal[] {
  const out: Traversal[] = [];
  const walk = (x: Expr, bound: ReadonlySet<string>): void => {
    if (x.kind === 'ScopeTraversal') {
      const root = x.traversal[0];
      if (root && root.kind === 'root' && !bound.has(root.name)) out.push(x.traversal);
      return;
    }
    if (x.kind === 'For') {
      walk(x.collExpr, bound);
      const inner = new Set(bound);
      if (x.keyVar) inner.add(x.keyVar);
      inner.add(x.valVar);
      if (x.keyExpr) walk(x.keyExpr, inner);
      walk(x.valExpr, inner);
      if (x.condExpr) walk(x.condExpr, inner);
      return;
    }
    forEachChild(x, (c) => walk(c, bound));
  };
  walk(e, new Set());
  return out;
}
