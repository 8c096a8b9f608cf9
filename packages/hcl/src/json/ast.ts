// The JSON syntax's value tree (hashicorp/hcl json/spec.md): every node has
// its source range; numbers keep their source text for arbitrary precision.

import type { Range } from '../range.ts';

export interface JsonAttr {
  readonly name: string;
  readonly value: JsonNode;
  readonly nameRange: Range;
}

export type JsonNode =
  | { readonly t: 'object'; readonly attrs: JsonAttr[]; readonly range: Range; readonly openRange: Range; readonly closeRange: Range }
  | { readonly t: 'array'; readonly values: JsonNode[]; readonly range: Range; readonly openRange: Range }
  | { readonly t: 'string'; readonly value: string; readonly range: Range }
  | { readonly t: 'number'; readonly text: string; readonly range: Range }
  | { readonly t: 'bool'; readonly value: boolean; readonly range: Range }
  | { readonly t: 'null'; readonly range: Range }
  | { readonly t: 'invalid'; readonly range: Range };

/** An expression in a JSON file: a JSON value, with strings read as templates. */
export interface JsonExpr {
  readonly kind: 'JSON';
  readonly node: JsonNode;
  readonly range: Range;
}

export function jsonExpr(node: JsonNode): JsonExpr {
  return { kind: 'JSON', node, range: node.range };
}

/** A node's start range (its opening bracket for containers). */
export function jsonStartRange(n: JsonNode): Range {
  if (n.t === 'object' || n.t === 'array') return n.openRange;
  return n.range;
}
