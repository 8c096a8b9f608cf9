/**
 * The few Go-struct decodes hcl2template does with gohcl.DecodeBody
 * (`name`, `only`, `pause_before`, ... and a `,remain` body): each field is
 * an optional attribute converted to its Go type, with gohcl's
 * "Unsuitable value type" diagnostics.
 */
import { cty, exprStartRange, exprValue, hasErrors, type Body, type Diagnostic, type EvalContext, type Range } from '@packer-ts/hcl';

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
 * gohcl.DecodeBody into a struct of optional fields plus `,remain`. With
 * `convertFailed`, a field whose expression had errors is still converted, as
 * gohcl.DecodeExpression does (its unknown result adds "value must be known").
 */
export function decodeFields<F extends Record<string, FieldKind>>(body: Body, fields: F, ctx: EvalContext | undefined, convertFailed = false): DecodedBody<F> {
  const { content, remain, diags } = body.partialContent({ attributes: Object.keys(fields).map((name) => ({ name })) });
  const out = {} as Decoded<F>;
  const ranges: { [K in keyof F]?: Range } = {};
  for (const [name, kind] of Object.entries(fields) as [keyof F & string, FieldKind][]) {
    const attr = content.attributes.get(name);
    if (!attr) continue;
    ranges[name] = attr.expr.range;
    const r = exprValue(attr.expr, ctx);
    diags.push(...r.diags);
    if (hasErrors(r.diags) && !convertFailed) continue;
    const start = exprStartRange(attr.expr);
    if (kind === 'value') {
      (out as Record<string, unknown>)[name] = r.value;
      continue;
    }
    const want = kind === 'string' ? T.String : kind === 'strings' ? T.List(T.String) : kind === 'int' ? T.Number : T.Bool;
    const conv = cty.tryConvert(r.value.unmarkDeep()[0], want);
    if ('error' in conv) {
      diags.push(unsuitable(conv.error.message, start, attr.expr.range));
      continue;
    }
    const v = conv.value;
    if (v.isNull()) {
      // lists decode a null as nil; other Go values cannot hold one
      if (kind !== 'strings') diags.push(unsuitable('null value is not allowed', start, attr.expr.range));
      continue;
    }
    if (!v.isWhollyKnown()) {
      diags.push(unsuitable('value must be known', start, attr.expr.range));
      continue;
    }
    let value: unknown;
    switch (kind) {
      case 'string': value = v.asString(); break;
      case 'bool': value = v.raw === true; break;
      case 'int': {
        const n = v.asBigFloat();
        const int = n.isInt() ? n.toNumber() : NaN;
        if (!Number.isSafeInteger(int)) {
          diags.push(unsuitable('value must be a whole number, between -9223372036854775808 and 9223372036854775807', start, attr.expr.range));
          continue;
        }
        value = int;
        break;
      }
      case 'strings': {
        const items: string[] = [];
        let bad = false;
        v.values().forEach((e: cty.Value, i: number) => {
          if (e.isNull()) { if (!bad) diags.push(unsuitable(`[${i}]: null value is not allowed`, start, attr.expr.range)); bad = true; } else items.push(e.asString());
        });
        if (bad) continue;
        value = items;
        break;
      }
    }
    (out as Record<string, unknown>)[name] = value;
  }
  return { fields: out, remain, ranges, diags };
}
