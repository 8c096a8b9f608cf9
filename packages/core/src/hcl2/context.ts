/**
 * The evaluation context of an HCL2 template (hcl2template's
 * PackerConfig.EvalContext) and the two phases that compute it.
 *
 * API (what the template pipeline calls):
 *
 *   const ev = evaluateVariables({
 *     blocks,          // the top-level blocks of every template file, in file
 *                      // then source order (only variable / variables /
 *                      // locals / local blocks are read; others are ignored)
 *     templatePath,    // the TEMPLATE argument (a file or a directory; '' for none)
 *     cwd,             // the working directory (path.cwd); files are read relative to process.cwd()
 *     inputs: { vars, varFiles, env },  // -var name=value (in order), -var-file paths, process env
 *     version,         // 'packer-1.6.6' (default) or 'packer-1.16' where they differ
 *     coreVersion,     // packer.version (default PACKER_COMPAT_VERSION)
 *   });
 *   ev.diags      parse-phase diagnostics (Parser.Parse: declarations, var files,
 *                 values); printed with the files' source; errors stop the command
 *   ev.initDiags  initialize-phase diagnostics (PackerConfig.Initialize: unset
 *                 variables, validation rules, locals); Packer prints them
 *                 without source
 *   ev.variables  Map<name, InputVariable>  declared variables with their final `value`
 *   ev.locals     Map<name, LocalValue>     locals with their values
 *   ev.sensitive  string[]                  string forms of sensitive values (already
 *                                           registered with the SDK secret filter)
 *   ev.ctx        EvalContext               var, local, path, source, build, packer, functions
 *   ev.files      Map<filename, File>       the var files read, for printing diags
 *
 * parseVariables + initializeVariables are the two phases separately;
 * templateContext builds a context from known values.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { cty, EvalContext, packerFunctions, type Block, type Diagnostic, type File } from '@packer-ts/hcl';
import { addSecret } from '@packer-ts/sdk';
import { PACKER_COMPAT_VERSION } from '../version.ts';
import { decodeVariableBlocks, variableValue, type InputVariable } from './variables.ts';
import { collectValues, sensitiveStrings, type VariableInputs } from './values.ts';
import { evaluateLocals, LocalsQueue, parseLocalBlocks, type LocalBlock, type LocalValue } from './locals.ts';

export type PackerVersion = 'packer-1.6.6' | 'packer-1.16';

export interface EvaluateOptions {
  /** Top-level blocks of the template files (variable, variables, locals, local are read). */
  blocks: readonly Block[];
  /** The TEMPLATE argument: a file or a directory ('' for none). */
  templatePath: string;
  /** Working directory; defaults to process.cwd(). */
  cwd?: string;
  inputs: VariableInputs;
  /** Whose behaviour to follow where Packer versions differ (default 1.6.6). */
  version?: PackerVersion;
  /** packer.version (default PACKER_COMPAT_VERSION). */
  coreVersion?: string;
}

/** The parse phase's result. */
export interface ParsedVariables {
  variables: Map<string, InputVariable>;
  localBlocks: LocalBlock[];
  files: Map<string, File>;
  diags: Diagnostic[];
  /** path.root */
  root: string;
  /** path.cwd */
  cwd: string;
  version: PackerVersion;
  coreVersion: string;
}

/** The initialize phase's result. */
export interface InitializedVariables {
  locals: Map<string, LocalValue>;
  sensitive: string[];
  ctx: EvalContext;
  diags: Diagnostic[];
  /**
   * With `lazyLocals`: evaluates the locals as far as `names` need (each has its final value), all
   * of them without `names`; `locals`, `sensitive` and `ctx`'s `local` follow. Without, undefined.
   */
  ensureLocals?: (names?: Iterable<string>) => void;
}

export interface Evaluated {
  variables: Map<string, InputVariable>;
  locals: Map<string, LocalValue>;
  sensitive: string[];
  ctx: EvalContext;
  /** Parse-phase diagnostics. */
  diags: Diagnostic[];
  /** Initialize-phase diagnostics. */
  initDiags: Diagnostic[];
  files: Map<string, File>;
}

/** path.root: the TEMPLATE argument when it is a directory, else its directory (filepath.Dir). */
export function templateRoot(templatePath: string, isDir: boolean): string {
  if (isDir) return templatePath;
  const p = templatePath.replace(/\/+$/, '') || (templatePath.startsWith('/') ? '/' : '');
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  const dir = p.slice(0, i).replace(/\/+$/, '');
  return dir === '' ? '/' : dir;
}

export interface ContextValues {
  variables?: ReadonlyMap<string, cty.Value>;
  locals?: ReadonlyMap<string, cty.Value>;
  /** path.root */
  root: string;
  /** path.cwd */
  cwd: string;
  version?: PackerVersion;
  /** packer.version */
  coreVersion?: string;
  /** Extra top-level variables (source, build, data...) overriding the defaults. */
  extra?: Record<string, cty.Value>;
}

/** The evaluation context: var, local, source, build, packer, path and Packer's functions. */
export function templateContext(v: ContextValues): EvalContext {
  const vars: Record<string, cty.Value> = {
    var: cty.objectVal(v.variables ?? new Map()),
    local: cty.objectVal(v.locals ?? new Map()),
    source: cty.objectVal({ type: cty.unknownVal(cty.StringType), name: cty.unknownVal(cty.StringType) }),
    build: cty.unknownVal(cty.EmptyObject),
    packer: cty.objectVal({ version: cty.stringVal(v.coreVersion ?? PACKER_COMPAT_VERSION) }),
    path: cty.objectVal({ cwd: cty.stringVal(v.cwd.replaceAll('\\', '/')), root: cty.stringVal(v.root.replaceAll('\\', '/')) }),
    ...v.extra,
  };
  return new EvalContext({ variables: vars, functions: functionTable(v.root, v.version) });
}

const tables = new Map<string, ReturnType<typeof packerFunctions>>();

/** Packer's functions for templates in `root`, built once per directory (every local's context shares them). */
export function functionTable(root: string, version: PackerVersion | undefined): ReturnType<typeof packerFunctions> {
  const key = `${version ?? ''}\0${root}`;
  let t = tables.get(key);
  if (!t) {
    t = packerFunctions(root, { version });
    tables.set(key, t);
  }
  return t;
}

/** The parse phase (Parser.Parse): declarations, var files, values. */
export function parseVariables(opts: EvaluateOptions): ParsedVariables {
  const cwd = opts.cwd ?? process.cwd();
  const version = opts.version ?? 'packer-1.6.6';
  const diags: Diagnostic[] = [];
  const files = new Map<string, File>();
  const isDir = opts.templatePath !== '' && (statSync(resolve(cwd, opts.templatePath), { throwIfNoEntry: false })?.isDirectory() ?? false);
  // no template: Packer's Basedir stays ""
  const root = opts.templatePath === '' ? '' : templateRoot(opts.templatePath, isDir);
  const env = opts.inputs.env ?? {};
  const decl = decodeVariableBlocks(opts.blocks, { version, env });
  diags.push(...decl.diags);
  const loc = parseLocalBlocks(opts.blocks, version);
  diags.push(...loc.diags);
  diags.push(...collectValues(decl.variables, opts.inputs, opts.templatePath, files, version));
  for (const v of decl.variables.values()) {
    const last = v.values[v.values.length - 1];
    v.value = last ? last.value : cty.unknownVal(v.type ?? cty.DynamicType);
  }
  return { variables: decl.variables, localBlocks: loc.locals, files, diags, root, cwd, version, coreVersion: opts.coreVersion ?? PACKER_COMPAT_VERSION };
}

/**
 * The initialize phase (PackerConfig.Initialize): each variable's value
 * (unset ones and failed validation rules are errors), the locals, the
 * sensitive values registered with the secret filter. `extra`: more
 * top-level variables for the locals and the context (`data`, once
 * datasources ran).
 */
export function initializeVariables(p: ParsedVariables, extra?: Record<string, cty.Value>, opts: { lazyLocals?: boolean } = {}): InitializedVariables {
  const diags: Diagnostic[] = [];
  const base = { root: p.root, cwd: p.cwd, version: p.version, coreVersion: p.coreVersion };
  const functions = () => functionTable('', p.version);
  const varValues = new Map<string, cty.Value>();
  for (const [name, v] of p.variables) {
    const r = variableValue(v, functions);
    diags.push(...r.diags);
    v.value = r.value;
    varValues.set(name, r.value);
  }
  if (opts.lazyLocals && p.version === 'packer-1.6.6') {
    // Packer 1.6.6's queue, run as far as asked (LocalsQueue); sensitive values are registered
    // as their locals get them, before anything can print them
    const sensitive: string[] = [];
    for (const v of p.variables.values()) if (v.sensitive) sensitive.push(...sensitiveStrings(v.value));
    addSecret(...sensitive);
    const queue = new LocalsQueue(p.localBlocks, (locals) => templateContext({ ...base, variables: varValues, locals, extra }), (l) => {
      if (!l.sensitive) return;
      const strings = sensitiveStrings(l.value);
      sensitive.push(...strings);
      addSecret(...strings);
    });
    // Sensitive locals are evaluated with whatever is asked: the Ui hides their values in any
    // output, also where another local holds the same text.
    const sensitiveNames = p.localBlocks.filter((l) => l.sensitive).map((l) => l.name);
    const ensureLocals = (names?: Iterable<string>) => queue.run(names === undefined ? undefined : [...names, ...sensitiveNames]);
    // the locals' own diagnostics are not collected: console, the one lazy reader, ignores them
    return { locals: queue.values, sensitive, ctx: queue.context(), diags, ensureLocals };
  }
  const loc = evaluateLocals(p.localBlocks, (locals) => templateContext({ ...base, variables: varValues, locals, extra }), p.version);
  diags.push(...loc.diags);
  const localValues = new Map<string, cty.Value>();
  for (const [name, l] of loc.locals) localValues.set(name, l.value);
  const sensitive: string[] = [];
  for (const v of p.variables.values()) if (v.sensitive) sensitive.push(...sensitiveStrings(v.value));
  for (const l of loc.locals.values()) if (l.sensitive) sensitive.push(...sensitiveStrings(l.value));
  addSecret(...sensitive);
  const ctx = templateContext({ ...base, variables: varValues, locals: localValues, extra });
  return { locals: loc.locals, sensitive, ctx, diags };
}

/** Both phases; the second runs even when the first has errors (its diagnostics are then moot). */
export function evaluateVariables(opts: EvaluateOptions): Evaluated {
  const p = parseVariables(opts);
  const i = initializeVariables(p);
  return { variables: p.variables, locals: i.locals, sensitive: i.sensitive, ctx: i.ctx, diags: p.diags, initDiags: i.diags, files: p.files };
}

