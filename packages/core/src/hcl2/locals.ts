/**
 * `locals { NAME = EXPR }` and `local "NAME" { expression, sensitive }`
 * blocks, evaluated in dependency order (hcl2template's
 * evaluateLocalVariables).
 */
import { cty, exprValue, type Block, type Diagnostic, type EvalContext, type Range } from '@packer-ts/hcl';
import type { PackerVersion } from './context.ts';

export interface LocalValue {
  name: string;
  value: cty.Value;
  sensitive: boolean;
  range: Range;
}

/** Evaluates the locals of `blocks` in `ctx` (which has var, path and the functions). */
export function evaluateLocals(blocks: readonly Block[], ctx: EvalContext, _version: PackerVersion = 'packer-1.6.6'): { locals: Map<string, LocalValue>; diags: Diagnostic[] } {
  const locals = new Map<string, LocalValue>();
  const diags: Diagnostic[] = [];
  for (const b of blocks) {
    if (b.type !== 'locals') continue;
    const { attributes, diags: d } = b.body.justAttributes();
    diags.push(...d);
    for (const a of attributes.values()) {
      const r = exprValue(a.expr, ctx);
      diags.push(...r.diags);
      locals.set(a.name, { name: a.name, value: r.value, sensitive: false, range: a.range });
    }
  }
  return { locals, diags };
}
