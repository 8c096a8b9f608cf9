/**
 * `variable "NAME" { type, default, description, sensitive, validation }`
 * and `variables { NAME = DEFAULT }` blocks (hcl2template/types.variables.go).
 *
 * decodeVariableBlocks(blocks) reads the declarations (default converted to
 * the type); values.ts then assigns each its final value.
 */
import { cty, exprValue, type Block, type Diagnostic, type Expression, type Range } from '@packer-ts/hcl';
import type { PackerVersion } from './context.ts';

export interface VariableValidation {
  condition: Expression;
  errorMessage: string;
  range: Range;
}

export interface InputVariable {
  name: string;
  description: string;
  /** The type constraint; cty's DynamicPseudoType when none is given. */
  type: cty.Type;
  /** Defaults of optional object attributes (Packer 1.16). */
  typeDefaults?: cty.TypeDefaults;
  /** The default, converted to the type; undefined when there is none (a required variable). */
  default?: cty.Value;
  /** The final value: default overridden by env, var files and -var. */
  value: cty.Value;
  /** Where the value came from: 'default', 'env', a var file's name, or '-var'. */
  source: string;
  sensitive: boolean;
  validations: VariableValidation[];
  /** The block's header (or the attribute, for `variables {}`). */
  range: Range;
}

/** Reads the declarations of `variable` and `variables` blocks. */
export function decodeVariableBlocks(blocks: readonly Block[], _version: PackerVersion = 'packer-1.6.6'): { variables: Map<string, InputVariable>; diags: Diagnostic[] } {
  const variables = new Map<string, InputVariable>();
  const diags: Diagnostic[] = [];
  for (const b of blocks) {
    if (b.type !== 'variable') continue;
    const { content, diags: d } = b.body.content({ attributes: [{ name: 'default' }, { name: 'description' }, { name: 'type' }, { name: 'sensitive' }] });
    diags.push(...d);
    const v: InputVariable = { name: b.labels[0]!, description: '', type: cty.DynamicType, value: cty.DynamicVal, source: 'default', sensitive: false, validations: [], range: b.defRange };
    const def = content.attributes.get('default');
    if (def) {
      const r = exprValue(def.expr, undefined);
      diags.push(...r.diags);
      v.default = r.value;
      v.value = r.value;
    }
    variables.set(v.name, v);
  }
  return { variables, diags };
}
