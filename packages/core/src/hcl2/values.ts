/**
 * Values of input variables (hcl2template's collectInputVariableValues), in
 * Packer's precedence, each appended to the variable's assignments so that
 * the last one wins:
 *   1. PKR_VAR_name from the environment (undeclared names are ignored);
 *   2. the var files: native-syntax ones first (the template directory's
 *      *.auto.pkrvars.hcl by name, then the -var-file *.hcl in order), then
 *      JSON ones (*.auto.pkrvars.json, then -var-file *.json);
 *      an undeclared name there is a warning;
 *   3. -var name=value (one value per name: the last given); an undeclared
 *      name is an error.
 * A value for a string, number or untyped variable is taken literally;
 * for any other type it is parsed as an HCL expression.
 */
import { cty, errorDiag, exprRange, exprValue, hasErrors, parseExpression, type Diagnostic, type Expression, type File, type Range, zeroRange } from '@packer-ts/hcl';
import { hcl2Files, readHcl2File } from './files.ts';
import type { PackerVersion } from './context.ts';
import type { InputVariable, VariableAssignment } from './variables.ts';

export const HCL2_VAR_FILE_EXT = '.pkrvars.hcl';
export const HCL2_VAR_JSON_FILE_EXT = '.pkrvars.json';
export const HCL2_AUTO_VAR_FILE_EXT = '.auto.pkrvars.hcl';
export const HCL2_AUTO_VAR_JSON_FILE_EXT = '.auto.pkrvars.json';
export const VAR_ENV_PREFIX = 'PKR_VAR_';

export interface VariableInputs {
  /** -var name=value, in command-line order (for a name given twice, the last counts). */
  vars?: ReadonlyArray<{ name: string; value: string }>;
  /** -var-file paths, in command-line order (relative to cwd). */
  varFiles?: readonly string[];
  /** The environment PKR_VAR_* values (and `env()` in defaults) are read from; defaults to none. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The range of an expression that has no source (hcl.Range{}), printed as "on  line 0". */
const NO_RANGE: Range = zeroRange;

/** Go's filepath.Ext. */
function ext(path: string): string {
  for (let i = path.length - 1; i >= 0 && path[i] !== '/'; i--) if (path[i] === '.') return path.slice(i);
  return '';
}

/** A value given as text (-var, PKR_VAR_), as expressionFromVariableDefinition reads it. */
function valueFromText(filename: string, text: string, type: cty.Type | undefined): { expr?: Expression; value: cty.Value; range: Range; diags: Diagnostic[] } {
  // `any` (dynamic) only exists since 1.16, which reads it literally too
  const literal = type === undefined || type.kind === 'string' || type.kind === 'number' || type.kind === 'dynamic';
  if (literal) return { value: cty.stringVal(text), range: NO_RANGE, diags: [] };
  const p = parseExpression(text, filename, { byte: 0, line: 1, column: 1 });
  if (hasErrors(p.diags)) return { value: cty.DynamicVal, range: NO_RANGE, diags: p.diags };
  const r = exprValue(p.expr, undefined);
  return { expr: p.expr, value: r.value, range: exprRange(p.expr), diags: [...p.diags, ...r.diags] };
}

function convertTo(v: InputVariable, value: cty.Value): { value: cty.Value } | { error: string } {
  if (v.type === undefined) return { value };
  const withDefaults = v.typeDefaults ? cty.applyDefaults(v.typeDefaults, value) : value;
  const c = cty.tryConvert(withDefaults, v.type);
  if ('error' in c) return { error: c.error.message };
  return { value: c.value };
}

/**
 * Appends each variable's values from the inputs; the var files read are
 * added to `files` (for printing diagnostics with their source).
 */
export function collectValues(
  variables: Map<string, InputVariable>,
  inputs: VariableInputs,
  templatePath: string,
  files: Map<string, File>,
  version: PackerVersion = 'packer-1.6.6',
): Diagnostic[] {
  const diags: Diagnostic[] = [];

  // the var files, found and parsed first (Parser.Parse); 1.6.6 reads every
  // native-syntax one before the JSON ones, 1.16 keeps the -var-file order
  const auto = hcl2Files(templatePath, HCL2_AUTO_VAR_FILE_EXT, HCL2_AUTO_VAR_JSON_FILE_EXT);
  diags.push(...auto.diags);
  const toRead: Array<[string, 'native' | 'json']> = [];
  const hclFiles = [...auto.hcl];
  const jsonFiles = [...auto.json];
  const userFiles: Array<[string, 'native' | 'json']> = [];
  for (const f of inputs.varFiles ?? []) {
    const e = ext(f);
    if (e === '.hcl') {
      hclFiles.push(f);
      userFiles.push([f, 'native']);
    } else if (e === '.json') {
      jsonFiles.push(f);
      userFiles.push([f, 'json']);
    } else diags.push(errorDiag(`Could not guess format of ${f}`, 'A var file must be suffixed with `.hcl` or `.json`.'));
  }
  if (version === 'packer-1.16') {
    toRead.push(...auto.hcl.map((f) => [f, 'native'] as [string, 'native']), ...auto.json.map((f) => [f, 'json'] as [string, 'json']), ...userFiles);
  } else {
    toRead.push(...hclFiles.map((f) => [f, 'native'] as [string, 'native']), ...jsonFiles.map((f) => [f, 'json'] as [string, 'json']));
  }
  const varFiles: File[] = [];
  for (const [name, syntax] of toRead) {
    const r = readHcl2File(name, syntax);
    diags.push(...r.diags);
    if (r.file) files.set(r.file.filename, r.file);
    if (hasErrors(r.diags) || !r.file) continue;
    varFiles.push(r.file);
  }

  // 1. the environment
  const env = inputs.env ?? {};
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith(VAR_ENV_PREFIX) || raw === undefined) continue;
    const name = key.slice(VAR_ENV_PREFIX.length);
    const v = variables.get(name);
    if (!v) continue;
    const t = valueFromText(`<value for var.${name} from env>`, raw, v.type);
    diags.push(...t.diags);
    if (hasErrors(t.diags) && t.expr === undefined) continue;
    let value = t.value;
    const c = convertTo(v, value);
    if ('error' in c) {
      diags.push(errorDiag('Invalid value for variable', `The value for ${name} is not compatible with the variable's type constraint: ${c.error}.`, t.range));
      value = cty.DynamicVal;
    } else value = c.value;
    push(v, { from: 'env', value, ...(t.expr ? { expr: t.expr } : { range: t.range }) });
  }

  // 2. the var files
  for (const file of varFiles) {
    const probe = file.body.partialContent({ blocks: [{ type: 'variable', labelNames: ['name'] }] });
    for (const block of probe.content.blocks) {
      const name = block.labels[0]!;
      diags.push(
        errorDiag(
          'Variable declaration in a .pkrvar file',
          `A .pkrvar file is used to assign values to variables that have already been declared in .pkr files, not to declare new variables. To declare variable ${JSON.stringify(name)}, place this block in one of your .pkr files, such as variables.pkr.hcl\n\nTo set a value for this variable in ${block.typeRange.filename}, use the definition syntax instead:\n    ${name} = <value>`,
          block.typeRange,
        ),
      );
    }
    if (hasErrors(diags)) return diags;
    const { attributes, diags: d } = file.body.justAttributes();
    diags.push(...d);
    for (const [name, attr] of attributes) {
      const v = variables.get(name);
      if (!v) {
        if (version === 'packer-1.16') continue;
        diags.push({
          ...errorDiag(
            'Undefined variable',
            `A ${JSON.stringify(name)} variable was set but was not found in known variables. To declare variable ${JSON.stringify(name)}, place this block in one of your .pkr files, such as variables.pkr.hcl`,
            undefined,
            attr.range,
          ),
          severity: 'warning',
        });
        continue;
      }
      const r = exprValue(attr.expr, undefined);
      diags.push(...r.diags);
      let value = r.value;
      const c = convertTo(v, value);
      if ('error' in c) {
        diags.push(errorDiag('Invalid value for variable', `The value for ${name} is not compatible with the variable's type constraint: ${c.error}.`, exprRange(attr.expr)));
        value = cty.DynamicVal;
      } else value = c.value;
      push(v, { from: 'varfile', value, expr: attr.expr });
    }
  }

  // 3. the command line: one value per name, the last given
  const argv = new Map<string, string>();
  for (const { name, value } of inputs.vars ?? []) {
    argv.delete(name);
    argv.set(name, value);
  }
  for (const [name, text] of argv) {
    const v = variables.get(name);
    if (!v) {
      diags.push(
        errorDiag(
          'Undefined -var variable',
          `A ${JSON.stringify(name)} variable was passed in the command line but was not found in known variables. To declare variable ${JSON.stringify(name)}, place this block in one of your .pkr files, such as variables.pkr.hcl`,
        ),
      );
      continue;
    }
    const t = valueFromText(`<value for var.${name} from arguments>`, text, v.type);
    diags.push(...t.diags);
    if (hasErrors(t.diags) && t.expr === undefined) continue;
    let value = t.value;
    const c = convertTo(v, value);
    if ('error' in c) {
      diags.push(errorDiag('Invalid argument value for -var variable', `The received arg value for ${name} is not compatible with the variable's type constraint: ${c.error}.`, t.range));
      value = cty.DynamicVal;
    } else value = c.value;
    push(v, { from: 'cmd', value, ...(t.expr ? { expr: t.expr } : { range: t.range }) });
  }
  return diags;
}

function push(v: InputVariable, a: VariableAssignment): void {
  v.values.push(a);
}

/** The string leaves of a value, which the secret filter masks (cty.Walk over a sensitive value). */
export function sensitiveStrings(v0: cty.Value): string[] {
  const out: string[] = [];
  const walk = (v1: cty.Value) => {
    const [v] = v1.unmark();
    if (!v.isKnown() || v.isNull()) return;
    switch (v.type.kind) {
      case 'string':
        out.push(v.asString());
        return;
      case 'list':
      case 'set':
      case 'tuple':
        for (const e of v.values()) walk(e);
        return;
      case 'map':
      case 'object':
        for (const [, e] of v.entries()) walk(e);
        return;
      default:
        return;
    }
  };
  walk(v0);
  return out;
}
