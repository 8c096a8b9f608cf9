// Decoding a body into one cty value by a specification (hashicorp/hcl's
// hcldec): the form Packer's plugins describe their configuration in
// (ConfigSpec), and the form the HCL specification suite is written in.

import { unifyTypes, convert } from './cty/convert.ts';
import * as T from './cty/types.ts';
import type { Type } from './cty/types.ts';
import { CtyError, DynamicVal, listVal, listValEmpty, mapVal, mapValEmpty, nullVal, objectVal, setVal, setValEmpty, stringVal, tupleVal, unknownVal, type Value } from './cty/value.ts';
import { errorDiag, type Diagnostic } from './diag.ts';
import type { Block, Body, BodyContent, BodySchema } from './body.ts';
import type { EvalContext } from './eval/eval.ts';
import { exprValue, exprVariables } from './expr.ts';
import { rangeBetween, rangeString } from './range.ts';
import type { Traversal } from './syntax/ast.ts';

export type Spec =
  | { kind: 'object'; attrs: Record<string, Spec> }
  | { kind: 'tuple'; items: Spec[] }
  | { kind: 'attr'; name: string; type: Type; required?: boolean }
  | { kind: 'literal'; value: Value }
  | { kind: 'block'; typeName: string; nested: Spec; required?: boolean }
  | { kind: 'blockList'; typeName: string; nested: Spec; minItems?: number; maxItems?: number }
  | { kind: 'blockSet'; typeName: string; nested: Spec; minItems?: number; maxItems?: number }
  | { kind: 'blockMap'; typeName: string; labelNames: string[]; nested: Spec }
  | { kind: 'blockAttrs'; typeName: string; elementType: Type; required?: boolean }
  | { kind: 'default'; primary: Spec; default: Spec }
  | { kind: 'blockLabel'; index: number; name: string };

interface BlockLabel {
  value: string;
  range: import('./range.ts').Range;
}

/** The schema a spec reads from a body (hcldec.ImpliedSchema). */
export function impliedSchema(spec: Spec): BodySchema {
  const attrs = new Map<string, { name: string; required?: boolean }>();
  const blocks = new Map<string, { type: string; labelNames?: string[] }>();
  const walk = (s: Spec): void => {
    switch (s.kind) {
      case 'object':
        Object.values(s.attrs).forEach(walk);
        break;
      case 'tuple':
        s.items.forEach(walk);
        break;
      case 'attr':
        attrs.set(s.name, { name: s.name, required: s.required });
        break;
      case 'block':
      case 'blockList':
      case 'blockSet':
        blocks.set(s.typeName, { type: s.typeName, labelNames: labelNamesOf(s.nested) });
        break;
      case 'blockMap':
        blocks.set(s.typeName, { type: s.typeName, labelNames: [...s.labelNames, ...labelNamesOf(s.nested)] });
        break;
      case 'blockAttrs':
        blocks.set(s.typeName, { type: s.typeName });
        break;
      case 'default':
        walk(s.primary);
        walk(s.default);
        break;
      default:
        break;
    }
  };
  walk(spec);
  return { attributes: [...attrs.values()], blocks: [...blocks.values()] };
}

function labelNamesOf(s: Spec): string[] {
  const out: string[] = [];
  const walk = (x: Spec): void => {
    if (x.kind === 'blockLabel') out.push(x.name);
    else if (x.kind === 'object') Object.values(x.attrs).forEach(walk);
    else if (x.kind === 'tuple') x.items.forEach(walk);
    else if (x.kind === 'default') {
      walk(x.primary);
      walk(x.default);
    }
  };
  walk(s);
  return out;
}

/** The type of the value a spec produces. */
export function impliedType(spec: Spec): Type {
  switch (spec.kind) {
    case 'object': {
      const attrs: Record<string, Type> = {};
      for (const [k, s] of Object.entries(spec.attrs)) attrs[k] = impliedType(s);
      return T.Object_(attrs);
    }
    case 'tuple':
      return T.Tuple(spec.items.map(impliedType));
    case 'attr':
      return spec.type;
    case 'literal':
      return spec.value.type;
    case 'block':
      return impliedType(spec.nested);
    case 'blockList':
      return T.List(impliedType(spec.nested));
    case 'blockSet':
      return T.Set(impliedType(spec.nested));
    case 'blockMap': {
      let t = impliedType(spec.nested);
      for (let i = 0; i < spec.labelNames.length; i++) t = T.Map(t);
      return t;
    }
    case 'blockAttrs':
      return T.Map(spec.elementType);
    case 'default':
      return impliedType(spec.primary);
    case 'blockLabel':
      return T.String;
  }
}

/** Decodes `body` by `spec` (hcldec.Decode): items the spec does not name are errors. */
export function decode(body: Body, spec: Spec, ctx: EvalContext | undefined): { value: Value; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const value = decodeBody(body, [], ctx, spec, false, diags).value;
  return { value, diags };
}

/** Like decode, but leaves what the spec does not name in `remain` (hcldec.PartialDecode). */
export function partialDecode(body: Body, spec: Spec, ctx: EvalContext | undefined): { value: Value; remain: Body; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const r = decodeBody(body, [], ctx, spec, true, diags);
  return { value: r.value, remain: r.remain!, diags };
}

function decodeBody(body: Body, labels: BlockLabel[], ctx: EvalContext | undefined, spec: Spec, partial: boolean, diags: Diagnostic[]): { value: Value; remain?: Body } {
  const schema = impliedSchema(spec);
  let content: BodyContent;
  let remain: Body | undefined;
  if (partial) {
    const r = body.partialContent(schema);
    content = r.content;
    remain = r.remain;
    diags.push(...r.diags);
  } else {
    const r = body.content(schema);
    content = r.content;
    diags.push(...r.diags);
  }
  return { value: decodeContent(spec, content, labels, ctx, diags), remain };
}

function labelsForBlock(b: Block): BlockLabel[] {
  return b.labels.map((value, i) => ({ value, range: b.labelRanges[i]! }));
}

function decodeContent(spec: Spec, content: BodyContent, labels: BlockLabel[], ctx: EvalContext | undefined, diags: Diagnostic[]): Value {
  switch (spec.kind) {
    case 'object': {
      const m = new Map<string, Value>();
      for (const [k, s] of Object.entries(spec.attrs)) m.set(k, decodeContent(s, content, labels, ctx, diags));
      return objectVal(m);
    }
    case 'tuple': {
      return tupleVal(spec.items.map((s) => decodeContent(s, content, labels, ctx, diags)));
    }
    case 'literal':
      return spec.value;
    case 'blockLabel': {
      const idx = labelIndex(spec, labels);
      return idx === undefined ? nullVal(T.String) : stringVal(labels[idx]!.value);
    }
    case 'attr': {
      const attr = content.attributes.get(spec.name);
      if (!attr) return nullVal(spec.type);
      const r = exprValue(attr.expr, ctx);
      diags.push(...r.diags);
      try {
        return convert(r.value, spec.type);
      } catch (err) {
        if (!(err instanceof CtyError)) throw err;
        diags.push(errorDiag('Incorrect attribute value type', `Inappropriate value for attribute ${JSON.stringify(spec.name)}: ${err.message}.`, attr.expr.range, rangeBetween(attr.nameRange, attr.expr.range)));
        return unknownVal(spec.type);
      }
    }
    case 'block': {
      let child: Block | undefined;
      for (const b of content.blocks) {
        if (b.type !== spec.typeName) continue;
        if (child) {
          diags.push(errorDiag(`Duplicate ${spec.typeName} block`, `Only one block of type ${JSON.stringify(spec.typeName)} is allowed. Previous definition was at ${rangeString(child.defRange)}.`, b.defRange));
          break;
        }
        child = b;
      }
      if (!child) {
        if (spec.required) diags.push(errorDiag(`Missing ${spec.typeName} block`, `A block of type ${JSON.stringify(spec.typeName)} is required here.`, content.missingItemRange));
        return nullVal(impliedType(spec.nested));
      }
      return decodeBody(child.body, labelsForBlock(child), ctx, spec.nested, false, diags).value;
    }
    case 'blockList':
    case 'blockSet': {
      const elems: Value[] = [];
      const blocks: Block[] = [];
      for (const b of content.blocks) {
        if (b.type !== spec.typeName) continue;
        elems.push(decodeBody(b.body, labelsForBlock(b), ctx, spec.nested, false, diags).value);
        blocks.push(b);
      }
      if (elems.length < (spec.minItems ?? 0)) {
        diags.push(errorDiag(`Insufficient ${spec.typeName} blocks`, `At least ${spec.minItems} ${JSON.stringify(spec.typeName)} blocks are required.`, content.missingItemRange));
      } else if (spec.maxItems && elems.length > spec.maxItems) {
        diags.push(errorDiag(`Too many ${spec.typeName} blocks`, `No more than ${spec.maxItems} ${JSON.stringify(spec.typeName)} blocks are allowed`, blocks[spec.maxItems]!.defRange));
      }
      if (elems.length === 0) return spec.kind === 'blockList' ? listValEmpty(impliedType(spec.nested)) : setValEmpty(impliedType(spec.nested));
      const u = unifyTypes(
        elems.map((v) => v.type),
        true,
      );
      if (!u) {
        diags.push(errorDiag(`Unconsistent argument types in ${spec.typeName} blocks`, 'Corresponding attributes in all blocks of this type must be the same.', blocks[0]!.defRange));
        return DynamicVal;
      }
      const conv = elems.map((v, i) => (u.conversions[i] ? u.conversions[i]!(v) : v));
      return spec.kind === 'blockList' ? listVal(conv) : setVal(conv);
    }
    case 'blockMap': {
      // nested maps keyed by each label in turn
      type Tree = Map<string, Tree | Value>;
      const root: Tree = new Map();
      for (const b of content.blocks) {
        if (b.type !== spec.typeName) continue;
        const ls = labelsForBlock(b);
        const v = decodeBody(b.body, ls.slice(spec.labelNames.length), ctx, spec.nested, false, diags).value;
        let node = root;
        for (let i = 0; i < spec.labelNames.length; i++) {
          const key = b.labels[i]!;
          if (i === spec.labelNames.length - 1) {
            if (node.has(key)) {
              diags.push(errorDiag(`Duplicate ${spec.typeName} block`, `A block for ${JSON.stringify(b.labels.slice(0, spec.labelNames.length).join(' '))} was already defined. The ${spec.labelNames.join(', ')} labels must be unique.`, b.defRange));
            } else node.set(key, v);
          } else {
            let next = node.get(key) as Tree | undefined;
            if (!next) node.set(key, (next = new Map()));
            node = next;
          }
        }
      }
      const ety = impliedType(spec.nested);
      const build = (t: Tree, depth: number): Value => {
        if (t.size === 0) {
          let et = ety;
          for (let i = 0; i < spec.labelNames.length - depth - 1; i++) et = T.Map(et);
          return mapValEmpty(et);
        }
        const m = new Map<string, Value>();
        for (const [k, v] of t) m.set(k, depth === spec.labelNames.length - 1 ? (v as Value) : build(v as Tree, depth + 1));
        return mapVal(m);
      };
      return build(root, 0);
    }
    case 'blockAttrs': {
      const b = content.blocks.find((x) => x.type === spec.typeName);
      if (!b) {
        if (spec.required) diags.push(errorDiag(`Missing ${spec.typeName} block`, `A block of type ${JSON.stringify(spec.typeName)} is required here.`, content.missingItemRange));
        return nullVal(T.Map(spec.elementType));
      }
      const r = b.body.justAttributes();
      diags.push(...r.diags);
      const m = new Map<string, Value>();
      for (const [name, a] of r.attributes) {
        const ev = exprValue(a.expr, ctx);
        diags.push(...ev.diags);
        try {
          m.set(name, convert(ev.value, spec.elementType));
        } catch (err) {
          if (!(err instanceof CtyError)) throw err;
          diags.push(errorDiag('Invalid attribute value', `Invalid value for attribute of ${JSON.stringify(spec.typeName)} block: ${err.message}.`, a.expr.range));
          m.set(name, unknownVal(spec.elementType));
        }
      }
      return m.size ? mapVal(m) : mapValEmpty(spec.elementType);
    }
    case 'default': {
      const v = decodeContent(spec.primary, content, labels, ctx, diags);
      if (!v.isNull()) return v;
      return decodeContent(spec.default, content, labels, ctx, diags);
    }
  }
}

function labelIndex(spec: Extract<Spec, { kind: 'blockLabel' }>, labels: BlockLabel[]): number | undefined {
  return spec.index < labels.length ? spec.index : undefined;
}


/** The variables a body refers to under a spec (hcldec.Variables). */
export function specVariables(body: Body, spec: Spec): Traversal[] {
  const out: Traversal[] = [];
  const { content } = body.partialContent(impliedSchema(spec));
  const walk = (s: Spec): void => {
    switch (s.kind) {
      case 'object':
        Object.values(s.attrs).forEach(walk);
        break;
      case 'tuple':
        s.items.forEach(walk);
        break;
      case 'attr': {
        const a = content.attributes.get(s.name);
        if (a) out.push(...exprVariables(a.expr));
        break;
      }
      case 'block':
      case 'blockList':
      case 'blockSet':
      case 'blockMap':
        for (const b of content.blocks) if (b.type === s.typeName) out.push(...specVariables(b.body, s.nested));
        break;
      case 'blockAttrs':
        for (const b of content.blocks) {
          if (b.type !== s.typeName) continue;
          for (const a of b.body.justAttributes().attributes.values()) out.push(...exprVariables(a.expr));
        }
        break;
      case 'default':
        walk(s.primary);
        walk(s.default);
        break;
      default:
        break;
    }
  };
  walk(spec);
  return out;
}
