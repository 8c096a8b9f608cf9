// `dynamic` blocks (hashicorp/hcl's ext/dynblock): a body wrapper that,
// when its content is read, expands each `dynamic "TYPE" { for_each,
// iterator, labels, content {} }` into one TYPE block per element, whose
// expressions see the iterator (`TYPE.key`, `TYPE.value`, or the name given
// by `iterator`). Nested dynamic blocks see the outer iterators too.

import { convert } from './cty/convert.ts';
import * as T from './cty/types.ts';
import { CtyError, DynamicVal, objectVal, type Value } from './cty/value.ts';
import { errorDiag, hasErrors, type Diagnostic } from './diag.ts';
import type { Attribute, Block, Body, BodyContent, BodySchema, BlockHeaderSchema, Expression } from './body.ts';
import { EvalContext } from './eval/eval.ts';
import { absTraversalForExpr, exprList, exprValue } from './expr.ts';
import type { Range } from './range.ts';

interface Iteration {
  name: string;
  key: Value;
  value: Value;
  inherited: Map<string, Iteration>;
}

function iterationVars(i: Iteration | undefined): Record<string, Value> {
  const vars: Record<string, Value> = {};
  if (!i) return vars;
  for (const [n, it] of i.inherited) vars[n] = objectVal({ key: it.key, value: it.value });
  vars[i.name] = objectVal({ key: i.key, value: i.value });
  return vars;
}

function childIteration(parent: Iteration | undefined, name: string, key: Value, value: Value): Iteration {
  const inherited = new Map(parent?.inherited ?? []);
  if (parent) inherited.set(parent.name, parent);
  return { name, key, value, inherited };
}

/** An expression evaluated with extra variables in scope (dynblock's exprWrap). */
export interface BoundExpr {
  readonly kind: 'Bound';
  readonly inner: Expression;
  readonly scope: Record<string, Value>;
  readonly range: Range;
}

const dynamicHeader: BlockHeaderSchema = { type: 'dynamic', labelNames: ['type'] };

/** Wraps `body` so that its `dynamic` blocks expand; `ctx` evaluates for_each and labels. */
export function expandDynamic(body: Body, ctx: EvalContext | undefined): Body {
  return new ExpandBody(body, ctx ?? new EvalContext(), undefined, NO_ATTRS, NO_BLOCKS);
}

/** The hidden items of a body that hides none (never changed: a body hiding more copies them). */
const NO_ATTRS: ReadonlySet<string> = new Set();
const NO_BLOCKS: ReadonlyMap<string, BlockHeaderSchema> = new Map();

class ExpandBody implements Body {
  // declared fields: assigned by the constructor only (no field initializer per body)
  declare private readonly original: Body;
  declare private readonly forEachCtx: EvalContext;
  declare private readonly iteration: Iteration | undefined;
  declare private readonly hiddenAttrs: ReadonlySet<string>;
  declare private readonly hiddenBlocks: ReadonlyMap<string, BlockHeaderSchema>;
  constructor(original: Body, forEachCtx: EvalContext, iteration: Iteration | undefined, hiddenAttrs: ReadonlySet<string>, hiddenBlocks: ReadonlyMap<string, BlockHeaderSchema>) {
    this.original = original;
    this.forEachCtx = forEachCtx;
    this.iteration = iteration;
    this.hiddenAttrs = hiddenAttrs;
    this.hiddenBlocks = hiddenBlocks;
  }

  missingItemRange(): Range {
    return this.original.missingItemRange();
  }

  justAttributes(): { attributes: Map<string, Attribute>; diags: Diagnostic[] } {
    const r = this.original.justAttributes();
    return { attributes: this.prepare(r.attributes), diags: r.diags };
  }

  private extend(schema: BodySchema): BodySchema {
    const attributes = [...(schema.attributes ?? [])];
    for (const n of this.hiddenAttrs) attributes.push({ name: n });
    return { attributes, blocks: [...(schema.blocks ?? []), dynamicHeader, ...this.hiddenBlocks.values()] };
  }

  private prepare(raw: Map<string, Attribute>): Map<string, Attribute> {
    if (this.hiddenAttrs.size === 0 && !this.iteration) return raw;
    const out = new Map<string, Attribute>();
    const scope = iterationVars(this.iteration);
    for (const [name, a] of raw) {
      if (this.hiddenAttrs.has(name)) continue;
      out.set(name, this.iteration ? { ...a, expr: { kind: 'Bound', inner: a.expr, scope, range: a.expr.range } } : a);
    }
    return out;
  }

  content(schema: BodySchema): { content: BodyContent; diags: Diagnostic[] } {
    const raw = this.original.content(this.extend(schema));
    const diags = [...raw.diags];
    const blocks = this.expandBlocks(schema, raw.content.blocks, false, diags);
    return { content: { attributes: this.prepare(raw.content.attributes), blocks, missingItemRange: this.original.missingItemRange() }, diags };
  }

  partialContent(schema: BodySchema): { content: BodyContent; remain: Body; diags: Diagnostic[] } {
    const raw = this.original.partialContent(this.extend(schema));
    const diags = [...raw.diags];
    const blocks = this.expandBlocks(schema, raw.content.blocks, true, diags);
    const hiddenAttrs = new Set(this.hiddenAttrs);
    const hiddenBlocks = new Map(this.hiddenBlocks);
    for (const a of schema.attributes ?? []) hiddenAttrs.add(a.name);
    for (const b of schema.blocks ?? []) hiddenBlocks.set(b.type, b);
    return {
      content: { attributes: this.prepare(raw.content.attributes), blocks, missingItemRange: this.original.missingItemRange() },
      remain: new ExpandBody(this.original, this.forEachCtx, this.iteration, hiddenAttrs, hiddenBlocks),
      diags,
    };
  }

  private child(body: Body, it: Iteration | undefined): Body {
    const ctx = it ? this.forEachCtx.child(iterationVars(it)) : this.forEachCtx;
    return new ExpandBody(body, ctx, it, NO_ATTRS, NO_BLOCKS);
  }

  private expandBlocks(schema: BodySchema, raw: Block[], partial: boolean, diags: Diagnostic[]): Block[] {
    const out: Block[] = [];
    const hidden = this.hiddenBlocks;
    for (let i = 0; i < raw.length; i++) {
      const rb = raw[i]!;
      if (rb.type !== 'dynamic') {
        if (hidden.size === 0 || !hidden.has(rb.type)) out.push({ ...rb, body: this.child(rb.body, this.iteration) });
        continue;
      }
      const realType = rb.labels[0]!;
      if (this.hiddenBlocks.has(realType)) continue;
      const bs = (schema.blocks ?? []).find((b) => b.type === realType);
      if (!bs) {
        if (!partial) diags.push(errorDiag('Unsupported block type', `Blocks of type ${JSON.stringify(realType)} are not expected here.`, rb.labelRanges[0]));
        continue;
      }
      const spec = this.decodeSpec(bs, rb, diags);
      if (!spec) continue;
      const iterate = (key: Value, value: Value): void => {
        const it = childIteration(this.iteration, spec.iteratorName, key, value);
        const lctx = this.forEachCtx.child(iterationVars(it));
        const labels: string[] = [];
        const labelRanges: Block['labelRanges'] = [];
        for (const le of spec.labelExprs) {
          const r = exprValue(le, lctx);
          diags.push(...r.diags);
          if (hasErrors(r.diags)) return;
          let lv: Value;
          try {
            lv = convert(r.value, T.String);
          } catch (err) {
            if (!(err instanceof CtyError)) throw err;
            diags.push(errorDiag('Invalid dynamic block label', `Cannot use this value as a dynamic block label: ${err.message}.`, le.range));
            return;
          }
          if (lv.isNull()) {
            diags.push(errorDiag('Invalid dynamic block label', 'Cannot use a null value as a dynamic block label.', le.range));
            return;
          }
          if (!lv.isKnown()) {
            diags.push(errorDiag('Invalid dynamic block label', 'This value is not yet known. Dynamic block labels must be immediately-known values.', le.range));
            return;
          }
          labels.push(lv.unmark()[0].asString());
          labelRanges.push(le.range);
        }
        out.push({ type: realType, labels, labelRanges, typeRange: rb.labelRanges[0]!, defRange: rb.defRange, body: this.child(spec.content, it) });
      };
      if (spec.forEach.isKnown()) {
        for (const [k, v] of spec.forEach.unmark()[0].elements()) iterate(k, v);
      } else iterate(DynamicVal, DynamicVal);
    }
    return out;
  }

  private decodeSpec(bs: BlockHeaderSchema, rb: Block, diags: Diagnostic[]): { forEach: Value; iteratorName: string; labelExprs: Expression[]; content: Body } | undefined {
    const withLabels = (bs.labelNames ?? []).length > 0;
    const schema: BodySchema = {
      attributes: [{ name: 'for_each', required: true }, { name: 'iterator' }, ...(withLabels ? [{ name: 'labels', required: true }] : [])],
      blocks: [{ type: 'content' }],
    };
    const sc = rb.body.content(schema);
    diags.push(...sc.diags);
    if (hasErrors(sc.diags)) return undefined;
    const each = sc.content.attributes.get('for_each')!;
    const ev = exprValue(each.expr, this.forEachCtx);
    diags.push(...ev.diags);
    const eachVal = ev.value;
    if (!eachVal.canIterateElements() && eachVal.type.kind !== 'dynamic') {
      diags.push(errorDiag('Invalid dynamic for_each value', `Cannot use a ${T.friendlyName(eachVal.type)} value in for_each. An iterable collection is required.`, each.expr.range));
      return undefined;
    }
    if (eachVal.isNull()) {
      diags.push(errorDiag('Invalid dynamic for_each value', 'Cannot use a null value in for_each.', each.expr.range));
      return undefined;
    }
    let iteratorName = bs.type;
    const itAttr = sc.content.attributes.get('iterator');
    if (itAttr) {
      const t = absTraversalForExpr(itAttr.expr);
      diags.push(...t.diags);
      if (hasErrors(t.diags)) return undefined;
      if (t.traversal.length !== 1) {
        diags.push(errorDiag('Invalid dynamic iterator name', 'Dynamic iterator must be a single variable name.', itAttr.expr.range));
        return undefined;
      }
      iteratorName = (t.traversal[0] as { name: string }).name;
    }
    let labelExprs: Expression[] = [];
    const labelsAttr = sc.content.attributes.get('labels');
    if (labelsAttr) {
      const l = exprList(labelsAttr.expr);
      diags.push(...l.diags);
      if (hasErrors(l.diags)) return undefined;
      labelExprs = l.exprs;
      const want = (bs.labelNames ?? []).length;
      if (labelExprs.length > want) {
        diags.push(errorDiag('Extraneous dynamic block label', `Blocks of type ${JSON.stringify(bs.type)} require ${want} label(s).`, labelExprs[want]!.range));
        return undefined;
      }
      if (labelExprs.length < want) {
        diags.push(errorDiag('Insufficient dynamic block labels', `Blocks of type ${JSON.stringify(bs.type)} require ${want} label(s).`, labelsAttr.expr.range));
        return undefined;
      }
    }
    if (sc.content.blocks.length === 0) {
      diags.push(errorDiag('Missing dynamic content block', 'A dynamic block must have a nested block of type "content" to describe the body of each generated block.', sc.content.missingItemRange));
      return undefined;
    }
    if (sc.content.blocks.length > 1) {
      diags.push(errorDiag('Extraneous dynamic content block', 'Only one nested content block is allowed for each dynamic block.', sc.content.blocks[1]!.defRange));
      return undefined;
    }
    return { forEach: eachVal, iteratorName, labelExprs, content: sc.content.blocks[0]!.body };
  }
}
