/**
 * `variable "NAME" { type, default, description, sensitive, validation }`
 * and `variables { NAME = DEFAULT }` blocks (hcl2template/types.variables.go).
 *
 * decodeVariableBlocks(blocks) reads the declarations, with each default
 * converted to the variable's type; values.ts then appends the values from
 * the environment, var files and -var; variableValue() is the last one,
 * checked by the variable's validation rules.
 */
import {
  cty,
  exprRange,
  exprTypeNode,
  exprValue,
  exprVariables,
  errorDiag,
  hasErrors,
  makeFunction,
  rangeString,
  validIdentifier,
  valueNotes,
  EvalContext,
  type Block,
  type Diagnostic,
  type Expression,
  type Range,
} from '@packer-ts/hcl';
import type { PackerVersion } from './context.ts';
import { decodeExpression } from './gohcl.ts';

/** The detail of every "not a valid identifier" diagnostic. */
export const BAD_IDENTIFIER_DETAIL = 'A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.';

export interface VariableValidation {
  condition: Expression;
  errorMessage: string;
  /** The validation block's header. */
  range: Range;
}

/** One way a variable was set (VariableAssignment). */
export interface VariableAssignment {
  /** 'default', 'env', 'varfile' or 'cmd', as Packer's diagnostics name them. */
  from: 'default' | 'env' | 'varfile' | 'cmd';
  value: cty.Value;
  /** The expression that set it (for diagnostics' ranges). */
  expr?: Expression;
  /** Its range when there is no expression of the template's syntax (a -var literal). */
  range?: Range;
}

export interface InputVariable {
  name: string;
  description: string;
  /** The type: declared, else the default's; undefined when neither is given (cty.NilType). */
  type: cty.Type | undefined;
  /** Defaults of optional object attributes (Packer 1.16). */
  typeDefaults?: cty.TypeDefaults;
  /** Every assignment in order; the last one is the value. */
  values: VariableAssignment[];
  sensitive: boolean;
  validations: VariableValidation[];
  /** The block's header (or the attribute, for `variables {}`). */
  range: Range;
  /** The final value (unknown when unset), set by evaluateVariables. */
  value: cty.Value;
}

/** Packer's `env(key)`: the only function a variable's default may call. */
export function envFunction(env: Readonly<Record<string, string | undefined>>) {
  return makeFunction({
    params: [{ name: 'key', type: cty.StringType }],
    type: () => cty.StringType,
    impl: (args) => cty.stringVal(env[args[0]!.asString()] ?? ''),
  });
}


const VARIABLE_BLOCK_SCHEMA = {
  attributes: [{ name: 'description' }, { name: 'default' }, { name: 'type' }, { name: 'sensitive' }],
  blocks: [{ type: 'validation' }],
};

const VALIDATION_BLOCK_SCHEMA = {
  attributes: [
    { name: 'condition', required: true },
    { name: 'error_message', required: true },
  ],
};

export interface DecodeVariablesOptions {
  version?: PackerVersion;
  /** The environment `env()` reads in defaults. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Reads the declarations of the `variable` and `variables` blocks among `blocks`. */
export function decodeVariableBlocks(blocks: readonly Block[], opts: DecodeVariablesOptions = {}): { variables: Map<string, InputVariable>; diags: Diagnostic[] } {
  const variables = new Map<string, InputVariable>();
  const diags: Diagnostic[] = [];
  const ectx = new EvalContext({ functions: { env: envFunction(opts.env ?? {}) } });
  // indexed: this loop sees every top-level block of the template, once
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.type === 'variable') diags.push(...decodeVariableBlock(variables, b, ectx));
    else if (b.type === 'variables') {
      const { attributes, diags: d } = b.body.justAttributes();
      diags.push(...d);
      for (const [key, attr] of attributes) {
        if (variables.has(key)) {
          diags.push(errorDiag('Duplicate variable', `Duplicate ${key} variable definition found.`, attr.nameRange));
          continue;
        }
        const r = exprValue(attr.expr, ectx);
        diags.push(...r.diags);
        if (hasErrors(r.diags)) continue;
        variables.set(key, {
          name: key,
          description: '',
          type: r.value.type,
          values: [{ from: 'default', value: r.value, expr: attr.expr }],
          sensitive: false,
          validations: [],
          range: attr.range,
          value: r.value,
        });
      }
    }
  }
  return { variables, diags };
}

function decodeVariableBlock(variables: Map<string, InputVariable>, block: Block, ectx: EvalContext): Diagnostic[] {
  const name = block.labels[0]!;
  if (variables.has(name)) {
    return [errorDiag('Duplicate variable', `Duplicate ${name} variable definition found.`, undefined, block.defRange)];
  }
  const { content, diags } = block.body.content(VARIABLE_BLOCK_SCHEMA);
  if (!validIdentifier(name)) diags.push(errorDiag('Invalid variable name', BAD_IDENTIFIER_DETAIL, block.labelRanges[0]));
  const v: InputVariable = {
    name,
    description: '',
    type: undefined,
    values: [],
    sensitive: false,
    validations: [],
    range: block.defRange,
    value: cty.DynamicVal,
  };
  const desc = content.attributes.get('description');
  if (desc) {
    const r = decodeExpression(desc.expr, 'string', undefined);
    diags.push(...r.diags);
    if (r.value !== undefined) v.description = r.value;
  }
  const typeAttr = content.attributes.get('type');
  if (typeAttr) {
    const { node, diags: nd } = exprTypeNode(typeAttr.expr);
    diags.push(...nd);
    if (hasErrors(nd)) return diags;
    // type constraints as Packer 1.16 reads them (`any`, `optional(T, default)`): 1.6.6 knew only exact types
    const t = cty.typeFromConstraint(node, { constraint: true, withDefaults: true });
    diags.push(...t.diags);
    if (hasErrors(t.diags)) return diags;
    v.type = t.type;
    if (t.defaults) v.typeDefaults = t.defaults;
  }
  const sens = content.attributes.get('sensitive');
  if (sens) {
    const r = decodeExpression(sens.expr, 'bool', undefined);
    diags.push(...r.diags);
    if (r.value !== undefined) v.sensitive = r.value;
  }
  const def = content.attributes.get('default');
  if (def) {
    const r = exprValue(def.expr, ectx);
    diags.push(...r.diags);
    if (hasErrors(r.diags)) return diags;
    let value = r.value;
    if (v.type !== undefined) {
      if (v.typeDefaults) value = cty.applyDefaults(v.typeDefaults, value);
      const c = cty.tryConvert(value, v.type);
      if ('error' in c) {
        diags.push(errorDiag('Invalid default value for variable', `This default value is not compatible with the variable's type constraint: ${c.error.message}.`, exprRange(def.expr)));
        value = cty.DynamicVal;
      } else value = c.value;
    }
    v.values.push({ from: 'default', value, expr: def.expr });
    // no type, or `any`: the default's type (unless an empty object or tuple, as 1.16)
    if (v.type === undefined) v.type = value.type;
    else if (v.type.kind === 'dynamic' && !cty.typeEquals(value.type, cty.EmptyObject) && !cty.typeEquals(value.type, cty.EmptyTuple)) v.type = value.type;
  }
  for (const vb of content.blocks) {
    if (vb.type !== 'validation') continue;
    const r = decodeValidationBlock(name, vb);
    diags.push(...r.diags);
    v.validations.push(r.validation);
  }
  variables.set(name, v);
  return diags;
}

function decodeValidationBlock(varName: string, block: Block): { validation: VariableValidation; diags: Diagnostic[] } {
  const { content, diags } = block.body.content(VALIDATION_BLOCK_SCHEMA);
  const cond = content.attributes.get('condition');
  const validation: VariableValidation = { condition: cond?.expr as Expression, errorMessage: '', range: block.defRange };
  if (cond) {
    let goodRefs = 0;
    for (const t of exprVariables(cond.expr)) {
      const root = t[0];
      const attr = t[1];
      if (root?.kind === 'root' && root.name === 'var' && attr?.kind === 'attr' && attr.name === varName) {
        goodRefs++;
        continue;
      }
      const first = t[0]!.range;
      const last = t[t.length - 1]!.range;
      diags.push(errorDiag('Invalid reference in variable validation', `The condition for variable ${JSON.stringify(varName)} can only refer to the variable itself, using var.${varName}.`, { filename: first.filename, start: first.start, end: last.end }));
    }
    if (goodRefs < 1) {
      diags.push(errorDiag('Invalid variable validation condition', `The condition for variable ${JSON.stringify(varName)} must refer to var.${varName} in order to test incoming values.`, exprRange(cond.expr)));
    }
  }
  const msg = content.attributes.get('error_message');
  if (msg) {
    const r = decodeExpression(msg.expr, 'string', undefined);
    diags.push(...r.diags);
    if (r.value !== undefined) {
      validation.errorMessage = r.value;
      if (validation.errorMessage === '') {
        diags.push(errorDiag('Invalid validation error message', 'An empty string is not a valid nor useful error message.', exprRange(msg.expr)));
      } else if (!looksLikeSentences(validation.errorMessage)) {
        diags.push(
          errorDiag(
            'Invalid validation error message',
            'Validation error message must be at least one full sentence starting with an uppercase letter ( if the alphabet permits it ) and ending with a period or question mark.',
            exprRange(msg.expr),
          ),
        );
      }
    }
  }
  return { validation, diags };
}

/** Packer's heuristic for an error message written as sentences. */
function looksLikeSentences(s0: string): boolean {
  const s = s0.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, '');
  const runes = [...s];
  if (runes.length < 1) return false;
  const first = runes[0]!;
  const last = runes[runes.length - 1]!;
  if (/\p{L}/u.test(first) && !/\p{Lu}/u.test(first)) return false;
  return last === '.' || last === '?' || last === '!';
}

/** The variable's value (Variable.Value): the last assignment, checked by the validation rules. */
export function variableValue(v: InputVariable, functionsFor: () => EvalContext['functions']): { value: cty.Value; diags: Diagnostic[] } {
  if (v.values.length === 0) {
    return {
      value: cty.unknownVal(v.type ?? cty.DynamicType),
      diags: [errorDiag(`Unset variable ${JSON.stringify(v.name)}`, 'A used variable must be set or have a default value; see https://packer.io/docs/configuration/from-1.5/syntax for details.', undefined, v.range)],
    };
  }
  const last = v.values[v.values.length - 1]!;
  return { value: last.value, diags: validateValue(v, last, functionsFor) };
}

/** The "with var.x as ..." notes HCL prints for a diagnostic with an expression and its context. */
function withNotes(d: Diagnostic, expr: Expression, ctx: EvalContext): Diagnostic {
  if (expr.kind !== 'JSON' && expr.kind !== 'Bound') {
    const notes = valueNotes(expr, ctx);
    if (notes.length > 0) d.valueNotes = notes;
  }
  return d;
}

function validateValue(v: InputVariable, val: VariableAssignment, functionsFor: () => EvalContext['functions']): Diagnostic[] {
  const diags: Diagnostic[] = [];
  if (v.validations.length === 0) return diags;
  const ctx = new EvalContext({ variables: { var: cty.objectVal({ [v.name]: val.value }) }, functions: functionsFor() });
  for (const validation of v.validations) {
    if (!validation.condition) continue;
    const r = exprValue(validation.condition, ctx);
    diags.push(...r.diags);
    let result = r.value;
    if (!result.isKnown()) continue;
    if (result.isNull()) {
      diags.push(withNotes(errorDiag('Invalid variable validation result', 'Validation condition expression must return either true or false, not null.', exprRange(validation.condition)), validation.condition, ctx));
      continue;
    }
    const c = cty.tryConvert(result, cty.BoolType);
    if ('error' in c) {
      diags.push(withNotes(errorDiag('Invalid variable validation result', `Invalid validation condition result value: ${c.error.message}.`, exprRange(validation.condition)), validation.condition, ctx));
      continue;
    }
    result = c.value.unmark()[0];
    if (result.isKnown() && !result.isNull() && result.asBool() === false) {
      const subject = val.expr ? exprRange(val.expr) : (val.range ?? validation.range);
      diags.push(errorDiag(`Invalid value for ${val.from} variable`, `${validation.errorMessage}\n\nThis was checked by the validation rule at ${rangeString(validation.range)}.`, subject));
    }
  }
  return diags;
}
