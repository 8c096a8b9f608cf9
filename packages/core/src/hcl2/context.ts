/**
 * The evaluation context of an HCL2 template (hcl2template's
 * PackerConfig.EvalContext): `var.*`, `local.*`, `path.root`, `path.cwd`
 * and Packer's functions.
 *
 * API (what the template pipeline calls):
 *
 *   const ev = evaluateVariables({
 *     blocks,          // the top-level blocks of every template file, in file
 *                      // then source order (only variable / variables /
 *                      // locals / local blocks are read; others are ignored)
 *     templatePath,    // the TEMPLATE argument (a file or a directory)
 *     cwd,             // the working directory (path.cwd, relative var files)
 *     inputs: { vars, varFiles, env },  // -var name=value (in order), -var-file paths, process env
 *   });
 *   ev.variables  Map<name, InputVariable>  declared variables with their final values
 *   ev.locals     Map<name, LocalValue>     locals with their values
 *   ev.sensitive  string[]                  string forms of sensitive values (already
 *                                           registered with the SDK secret filter)
 *   ev.ctx        EvalContext               var, local, path and the functions
 *   ev.diags      Diagnostic[]              every problem, with file and line
 *   ev.files      Map<filename, File>       the var files read, for printing diags
 *
 * `templateContext` builds a context from already-known values (e.g. the
 * console without a template, or tests).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { cty, EvalContext, packerFunctions, type Block, type Diagnostic, type File } from '@packer-ts/hcl';
import { addSecret } from '@packer-ts/sdk';
import { decodeVariableBlocks, type InputVariable } from './variables.ts';
import { assignValues, autoVarFiles, sensitiveStrings, type VariableInputs } from './values.ts';
import { evaluateLocals, type LocalValue } from './locals.ts';

export type PackerVersion = 'packer-1.6.6' | 'packer-1.16';

export interface EvaluateOptions {
  /** Top-level blocks of the template files (variable, variables, locals, local are read). */
  blocks: readonly Block[];
  /** The TEMPLATE argument: a file or a directory. */
  templatePath: string;
  /** Working directory; defaults to process.cwd(). */
  cwd?: string;
  inputs: VariableInputs;
  /** Whose behaviour to follow where Packer versions differ (default 1.6.6). */
  version?: PackerVersion;
}

export interface Evaluated {
  variables: Map<string, InputVariable>;
  locals: Map<string, LocalValue>;
  sensitive: string[];
  ctx: EvalContext;
  diags: Diagnostic[];
  files: Map<string, File>;
}

/** path.root: the template's directory (the directory itself when one is given). */
export function templateRoot(templatePath: string, isDir: boolean): string {
  if (isDir) return templatePath;
  const i = templatePath.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return templatePath.slice(0, i);
}

export interface ContextValues {
  variables?: ReadonlyMap<string, cty.Value>;
  locals?: ReadonlyMap<string, cty.Value>;
  /** path.root */
  root: string;
  /** path.cwd */
  cwd: string;
  version?: PackerVersion;
}

/** The evaluation context for `var.*`, `local.*`, `path.*` and the functions. */
export function templateContext(v: ContextValues): EvalContext {
  const vars: Record<string, cty.Value> = {
    path: cty.objectVal({ cwd: cty.stringVal(v.cwd), root: cty.stringVal(v.root) }),
  };
  if (v.variables) vars.var = cty.objectVal(v.variables);
  if (v.locals) vars.local = cty.objectVal(v.locals);
  return new EvalContext({ variables: vars, functions: packerFunctions(v.root, { version: v.version }) });
}

/** Variables, their values, locals and the context, as Packer computes them before sources and builds. */
export function evaluateVariables(opts: EvaluateOptions): Evaluated {
  const cwd = opts.cwd ?? process.cwd();
  const diags: Diagnostic[] = [];
  const files = new Map<string, File>();
  const { isDir, root } = rootOf(opts.templatePath, cwd);
  const decl = decodeVariableBlocks(opts.blocks, opts.version);
  diags.push(...decl.diags);
  const auto = autoVarFiles(opts.templatePath, isDir, cwd);
  diags.push(...assignValues(decl.variables, opts.inputs, auto, cwd, files, opts.version));
  const varValues = new Map<string, cty.Value>();
  for (const [name, v] of decl.variables) varValues.set(name, v.value);
  const base = templateContext({ variables: varValues, root, cwd, version: opts.version });
  const loc = evaluateLocals(opts.blocks, base, opts.version);
  diags.push(...loc.diags);
  const localValues = new Map<string, cty.Value>();
  for (const [name, l] of loc.locals) localValues.set(name, l.value);
  const ctx = templateContext({ variables: varValues, locals: localValues, root, cwd, version: opts.version });
  const sensitive: string[] = [];
  for (const v of decl.variables.values()) if (v.sensitive) sensitive.push(...sensitiveStrings(v.value));
  for (const l of loc.locals.values()) if (l.sensitive) sensitive.push(...sensitiveStrings(l.value));
  addSecret(...sensitive);
  return { variables: decl.variables, locals: loc.locals, sensitive, ctx, diags, files };
}

function rootOf(templatePath: string, cwd: string): { isDir: boolean; root: string } {
  const isDir = statSync(resolve(cwd, templatePath), { throwIfNoEntry: false })?.isDirectory() ?? false;
  return { isDir, root: templateRoot(templatePath, isDir) };
}
