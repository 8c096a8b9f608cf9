// hcl.Body over a JSON value (json/spec.md): a JSON object is a body; its
// properties are attributes or, for block types in the schema, blocks whose
// labels are the names of nested objects; arrays repeat blocks. Strings are
// templates when evaluated with a context.

import { CtyError, DynamicVal, False, nullVal, objectVal, parseNumberVal, stringVal, True, tupleVal, type Value } from '../cty/value.ts';
import * as T from '../cty/types.ts';
import { convert } from '../cty/convert.ts';
import { errorDiag, hasErrors, type Diagnostic } from '../diag.ts';
import { rangeBetween, rangeString, type Range } from '../range.ts';
import type { Attribute, Block, Body, BodyContent, BodySchema } from '../body.ts';
import { evaluate, type EvalContext } from '../eval/eval.ts';
import { parseTemplate } from '../syntax/parser.ts';
import { variables as nativeVariables, type Traversal } from '../syntax/ast.ts';
import { nameSuggestion } from '../syntax/parser.ts';
import { jsonExpr, jsonStartRange, type JsonAttr, type JsonExpr, type JsonNode } from './ast.ts';


function q(s: string): string {
  return JSON.stringify(s);
}

export class JsonBody implements Body {
  constructor(
    readonly node: JsonNode,
    private readonly hidden: ReadonlySet<string> = new Set(),
  ) {}

  missingItemRange(): Range {
    const v = this.node;
    if (v.t === 'object') return v.closeRange;
    if (v.t === 'array') return v.openRange;
    return jsonStartRange(v);
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const { content, remain, diags } = this.partialContent(schema);
    const hidden = (remain as JsonBody).hidden;
    const suggestions: string[] = [];
    for (const a of schema.attributes ?? []) if (!hidden.has(a.name)) suggestions.push(a.name);
    for (const b of schema.blocks ?? []) suggestions.push(b.type);
    const attrs = collectDeepAttrs(this.node, undefined, diags);
    for (const attr of attrs) {
      if (attr.name === '//') continue;
      if (hidden.has(attr.name)) continue;
      const s = nameSuggestion(attr.name, suggestions);
      diags.push(errorDiag('Extraneous JSON object property', `No argument or block type is named ${q(attr.name)}.${s ? ` Did you mean ${q(s)}?` : ''}`, attr.nameRange, rangeBetween(attr.nameRange, attr.value.range)));
    }
    return { content, diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const diags: Diagnostic[] = [];
    const jsonAttrs = collectDeepAttrs(this.node, undefined, diags);
    const used = new Set(this.hidden);
    const attrs = new Map<string, Attribute>();
    const blocks: Block[] = [];
    const attrSchemas = new Map((schema.attributes ?? []).map((a) => [a.name, a]));
    const blockSchemas = new Map((schema.blocks ?? []).map((b) => [b.type, b]));
    for (const ja of jsonAttrs) {
      if (this.hidden.has(ja.name)) continue;
      if (attrSchemas.has(ja.name)) {
        const existing = attrs.get(ja.name);
        if (existing) {
          diags.push(errorDiag('Duplicate argument', `The argument ${q(ja.name)} was already set at ${rangeString(existing.range)}.`, ja.nameRange, rangeBetween(ja.nameRange, ja.value.range)));
          continue;
        }
        attrs.set(ja.name, { name: ja.name, expr: jsonExpr(ja.value), range: rangeBetween(ja.nameRange, ja.value.range), nameRange: ja.nameRange });
        used.add(ja.name);
      } else {
        const bs = blockSchemas.get(ja.name);
        if (bs) {
          unpackBlock(ja.value, bs.type, ja.nameRange, bs.labelNames ?? [], [], [], blocks, diags);
          used.add(ja.name);
        }
      }
    }
    for (const as of schema.attributes ?? []) {
      if (as.required && !attrs.has(as.name)) diags.push(errorDiag('Missing required argument', `The argument ${q(as.name)} is required, but no definition was found.`, this.missingItemRange()));
    }
    return { content: { attributes: attrs, blocks, missingItemRange: this.missingItemRange() }, remain: new JsonBody(this.node, used), diags };
  }

  justAttributes(): { attributes: Map<string, Attribute>; diags: Diagnostic[] } {
    const attrs = new Map<string, Attribute>();
    const diags: Diagnostic[] = [];
    const v = this.node;
    if (v.t !== 'object') {
      diags.push(errorDiag('Incorrect JSON value type', 'A JSON object is required here, setting the arguments for this block.', jsonStartRange(v)));
      return { attributes: attrs, diags };
    }
    for (const ja of v.attrs) {
      if (ja.name === '//' || this.hidden.has(ja.name)) continue;
      const existing = attrs.get(ja.name);
      if (existing) {
        diags.push(errorDiag('Duplicate attribute definition', `The argument ${q(ja.name)} was already set at ${rangeString(existing.range)}.`, ja.nameRange));
        continue;
      }
      attrs.set(ja.name, { name: ja.name, expr: jsonExpr(ja.value), range: rangeBetween(ja.nameRange, ja.value.range), nameRange: ja.nameRange });
    }
    return { attributes: attrs, diags };
  }
}

function unpackBlock(v: JsonNode, typeName: string, typeRange: Range, labelsLeft: string[], labelsUsed: string[], labelRanges: Range[], blocks: Block[], diags: Diagnostic[]): void {
  if (labelsLeft.length > 0) {
    const labelName = labelsLeft[0]!;
    const attrs = collectDeepAttrs(v, labelName, diags);
    if (attrs.length === 0) {
      diags.push(errorDiag('Missing block label', `At least one object property is required, whose name represents the ${typeName} block's ${labelName}.`, jsonStartRange(v)));
      return;
    }
    for (const p of attrs) unpackBlock(p.value, typeName, typeRange, labelsLeft.slice(1), [...labelsUsed, p.name], [...labelRanges, p.nameRange], blocks, diags);
    return;
  }
  switch (v.t) {
    case 'null':
      return;
    case 'object':
      blocks.push({ type: typeName, labels: labelsUsed, body: new JsonBody(v), defRange: v.openRange, typeRange, labelRanges });
      return;
    case 'array':
      for (const av of v.values) blocks.push({ type: typeName, labels: labelsUsed, body: new JsonBody(av), defRange: v.openRange, typeRange, labelRanges });
      return;
    default:
      diags.push(errorDiag('Incorrect JSON value type', `Either a JSON object or a JSON array is required, representing the contents of one or more ${q(typeName)} blocks.`, jsonStartRange(v)));
  }
}

function collectDeepAttrs(v: JsonNode, labelName: string | undefined, diags: Diagnostic[]): JsonAttr[] {
  const attrs: JsonAttr[] = [];
  switch (v.t) {
    case 'null':
      break;
    case 'object':
      attrs.push(...v.attrs);
      break;
    case 'array':
      for (const ev of v.values) {
        if (ev.t === 'object') attrs.push(...ev.attrs);
        else if (labelName !== undefined) diags.push(errorDiag('Incorrect JSON value type', `A JSON object is required here, to specify ${labelName} labels for this block.`, jsonStartRange(ev)));
        else diags.push(errorDiag('Incorrect JSON value type', 'A JSON object is required here, to define arguments and child blocks.', jsonStartRange(ev)));
      }
      break;
    default:
      if (labelName !== undefined) diags.push(errorDiag('Incorrect JSON value type', `Either a JSON object or JSON array of objects is required here, to specify ${labelName} labels for this block.`, jsonStartRange(v)));
      else diags.push(errorDiag('Incorrect JSON value type', 'Either a JSON object or JSON array of objects is required here, to define arguments and child blocks.', jsonStartRange(v)));
  }
  return attrs;
}

// ---- expressions ----

function templateStart(r: Range): { byte: number; line: number; column: number } {
  return { byte: r.start.byte + 1, line: r.start.line, column: r.start.column + 1 };
}

const templateCache = new WeakMap<JsonNode, ReturnType<typeof parseTemplate>>();

function stringTemplate(n: Extract<JsonNode, { t: 'string' }>): ReturnType<typeof parseTemplate> {
  let t = templateCache.get(n);
  if (!t) {
    t = parseTemplate(n.value, n.range.filename, templateStart(n.range));
    templateCache.set(n, t);
  }
  return t;
}

/** The value of a JSON expression; strings are templates when `ctx` is given. */
export function jsonValue(e: JsonExpr | JsonNode, ctx: EvalContext | undefined): { value: Value; diags: Diagnostic[] } {
  const node = 'kind' in e ? e.node : e;
  const diags: Diagnostic[] = [];
  const value = jv(node, ctx, diags);
  return { value, diags };
}

function jv(v: JsonNode, ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  switch (v.t) {
    case 'string': {
      if (!ctx) return stringVal(v.value);
      const t = stringTemplate(v);
      if (hasErrors(t.diags)) {
        diags.push(...t.diags);
        return DynamicVal;
      }
      const r = evaluate(t.expr, ctx);
      diags.push(...t.diags, ...r.diags);
      return r.value;
    }
    case 'number':
      return parseNumberVal(v.text);
    case 'bool':
      return v.value ? True : False;
    case 'null':
      return nullVal(T.Dynamic);
    case 'array':
      return tupleVal(v.values.map((x) => jv(x, ctx, diags)));
    case 'object': {
      const attrs = new Map<string, Value>();
      const ranges = new Map<string, Range>();
      let known = true;
      for (const ja of v.attrs) {
        let name = jv({ t: 'string', value: ja.name, range: ja.nameRange }, ctx, diags);
        const val = jv(ja.value, ctx, diags);
        try {
          name = convert(name, T.String);
        } catch (err) {
          if (!(err instanceof CtyError)) throw err;
          diags.push(errorDiag('Invalid object key expression', `Cannot use this expression as an object key: ${err.message}.`, ja.nameRange));
          continue;
        }
        if (name.isNull()) {
          diags.push(errorDiag('Invalid object key expression', 'Cannot use null value as an object key.', ja.nameRange));
          continue;
        }
        if (!name.isKnown()) {
          known = false;
          continue;
        }
        const ns = name.unmark()[0].asString();
        if (attrs.has(ns)) {
          diags.push(errorDiag('Duplicate object attribute', `An attribute named ${q(ns)} was already defined at ${rangeString(ranges.get(ns)!)}.`, ja.nameRange));
          continue;
        }
        attrs.set(ns, val);
        ranges.set(ns, ja.nameRange);
      }
      if (!known) return DynamicVal;
      return objectVal(attrs);
    }
    default:
      return DynamicVal;
  }
}

/** The variables a JSON expression's templates refer to. */
export function jsonVariables(e: JsonExpr | JsonNode): Traversal[] {
  const node = 'kind' in e ? e.node : e;
  const out: Traversal[] = [];
  const walk = (v: JsonNode): void => {
    if (v.t === 'string') {
      const t = stringTemplate(v);
      if (!hasErrors(t.diags)) out.push(...nativeVariables(t.expr));
    } else if (v.t === 'array') v.values.forEach(walk);
    else if (v.t === 'object') {
      for (const a of v.attrs) {
        walk({ t: 'string', value: a.name, range: a.nameRange });
        walk(a.value);
      }
    }
  };
  walk(node);
  return out;
}
