// @packer-ts/hcl: the HCL language (native and JSON syntax, evaluation over
// cty values, diagnostics, formatting). Packer's configuration blocks are
// decoded on top of the Body API; plugins never load this package.

export * from './range.ts';
export * from './diag.ts';
export * from './body.ts';
export * from './expr.ts';
export { EvalContext, evaluate, literalValue, traverseAbs, getAttr, index, typeExprNode, valueNotes, startRange } from './eval/eval.ts';
export * as ast from './syntax/ast.ts';
export type { Expr, Traversal, Traverser } from './syntax/ast.ts';
export { parseConfig, parseExpression, parseTemplate, parseTraversalAbs, type ParsedFile } from './syntax/parser.ts';
export { scan, validIdentifier } from './syntax/lexer.ts';
export { parseJson, parseJsonValue, type ParsedJsonFile } from './json/parser.ts';
export { JsonBody, jsonValue, jsonVariables } from './json/body.ts';
export type { JsonExpr, JsonNode } from './json/ast.ts';
export * as cty from './cty/index.ts';
export { makeFunction, callFunction, callHcl, ArgError, FuncError, CallError, CallErrors, type FunctionSpec, type CtyFunction, type Param } from './funcs/function.ts';
export { functions, PACKER_166_FUNCTIONS, PACKER_116_ADDED_FUNCTIONS, type FunctionsOptions, type TemplateRenderer } from './funcs/index.ts';
export { packerFunctions, templateRenderer } from './eval/template.ts';
export { decode, partialDecode, impliedSchema, impliedType, specVariables, type Spec } from './dec.ts';
export { formatHCL } from './fmt/format.ts';
export { expandDynamic, type BoundExpr } from './dynblock.ts';
export { isStackOverflow, tooDeepDiag, NESTING_LIMIT } from './deep.ts';
