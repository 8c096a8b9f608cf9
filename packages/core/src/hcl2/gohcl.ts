/**
 * The few Go-struct decodes hcl2template does with gohcl.DecodeBody
 * (`name`, `only`, `pause_before`, ... and a `,remain` body): each field is
 * an optional attribute converted to its Go type, with gohcl's
 * "Unsuitable value type" diagnostics.
 */
import { cty, exprStartRange, exprValue, hasErrors, type Body, type Diagnostic, type EvalContext, type Expression, type Range } from '@packer-ts/hcl';

export type FieldKind = 'string' | 'strings' | 'int' | 'bool' | 'value';

type FieldValue<K extends FieldKind> = K extends 'string' ? string : K extends 'strings' ? string[] : K extends 'int' ? number : K extends 'bool' ? boolean : cty.Value;

export type Decoded<F extends Record<string, FieldKind>> = { [K in keyof F]: FieldValue<F[K]> | undefined };

export interface DecodedBody<F extends Record<string, FieldKind>> {
  fields: Decoded<F>;
  /** What no field consumed. */
  remain: Body;
  /** Where each present attribute's value is. */
  ranges: { [K in keyof F]?: Range };
  diags: Diagnostic[];
}

const T = cty.types;

function unsuitable(message: string, start: Range, range: Range): Diagnostic {
  return { severity: 'error', summary: 'Unsuitable value type', detail: `Unsuitable value: ${message}`, subject: start, context: range };
}

/**
 * gohcl.DecodeExpression into a Go value of `kind`: the expression's diagnostics, then its value
 * converted, even after errors (an unknown result adds "value must be known"), as gohcl does.
 * `value` is undefined when a diagnostic stopped the decode.
 */
export function decodeExpression<K extends FieldKind>(expr: Expression, kind: K, ctx: EvalContext | undefined): { value: FieldValue<K> | undefined; diags: Diagnostic[] } {
  const r = exprValue(expr, ctx);
  const diags = r.diags;
  const failed = (message: string) => {
    diags.push(unsuitable(message, exprStartRange(expr), expr.range));
    return { value: undefined, diags };
  };
  if (kind === 'value') return { value: (hasErrors(diags) ? undefined : r.value) as FieldValue<K> | undefined, diags };
  const want = kind === 'string' ? T.String : kind === 'strings' ? T.List(T.String) : kind === 'int' ? T.Number : T.Bool;
  const conv = cty.tryConvert(r.value.unmarkDeep()[0], want);
  if ('error' in conv) return failed(conv.error.message);
  const v = conv.value;
  if (v.isNull()) {
    // lists decode a null as nil; other Go values cannot hold one
    if (kind === 'strings') return { value: undefined, diags };
    return failed('null value is not allowed');
  }
  if (!v.isWhollyKnown()) return failed('value must be known');
  let value: unknown;
  switch (kind) {
    case 'string': value = v.asString(); break;
    case 'bool': value = v.raw === true; break;
    case 'int': {
      const n = v.asBigFloat();
      const int = n.isInt() ? n.toNumber() : NaN;
      if (!Number.isSafeInteger(int)) return failed('value must be a whole number, between -9223372036854775808 and 9223372036854775807');
      value = int;
      break;
    }
    case 'strings': {
      const items: string[] = [];
      const elems = v.values();
      for (let i = 0; i < elems.length; i++) {
        const e = elems[i]!;
        if (e.isNull()) return failed(`[${i}]: null value is not allowed`);
        items.push(e.asString());
      }
      value = items;
      break;
    }
  }
  return { value: hasErrors(diags) ? undefined : value as FieldValue<K>, diags };
}

/** gohcl.DecodeBody into a struct of optional fields plus `,remain`: each field by decodeExpression. */
export function decodeFields<F extends Record<string, FieldKind>>(body: Body, fields: F, ctx: EvalContext | undefined): DecodedBody<F> {
  const { content, remain, diags } = body.partialContent({ attributes: Object.keys(fields).map((name) => ({ name })) });
  const out = {} as Decoded<F>;
  const ranges: { [K in keyof F]?: Range } = {};
  for (const [name, kind] of Object.entries(fields) as [keyof F & string, FieldKind][]) {
    const attr = content.attributes.get(name);
    if (!attr) continue;
    ranges[name] = attr.expr.range;
    const r = decodeExpression(attr.expr, kind, ctx);
    if (r.diags.length > 0) diags.push(...r.diags);
    if (r.value !== undefined) (out as Record<string, unknown>)[name] = r.value;
  }
  return { fields: out, remain, ranges, diags };
}
