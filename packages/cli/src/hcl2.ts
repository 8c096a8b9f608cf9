/**
 * What the commands share for HCL2 templates (Packer's GetConfigFromHCL and
 * writeDiags). The HCL layer loads only when a command meets an HCL2 path.
 */
import type { Diagnostic, SourceFile } from '@packer-ts/hcl';
import type { CoreBuild } from '@packer-ts/core';
import type { PackerConfig } from '@packer-ts/core/hcl2';
import type { MetaArgs, Meta } from './meta.ts';
import { DIAGNOSTIC_WIDTH } from './meta.ts';

/** No files: Packer prints diagnostics after parsing without their source. */
export const NO_FILES: ReadonlyMap<string, SourceFile> = new Map();

/**
 * Packer's writeDiags: the diagnostics as HCL prints them at 80 columns,
 * on the error stream when one is an error (returns 1), else said.
 */
export async function writeDiags(meta: Meta, files: ReadonlyMap<string, SourceFile>, diags: readonly Diagnostic[]): Promise<number> {
  if (diags.length === 0) return 0;
  const { formatDiagnostics, hasErrors } = await import('@packer-ts/hcl');
  const text = formatDiagnostics(diags, files, { width: DIAGNOSTIC_WIDTH });
  if (text === '') return 0;
  if (hasErrors(diags)) {
    meta.ui.error(text);
    return 1;
  }
  meta.ui.say(text);
  return 0;
}

/** Reads an HCL2 template with its variables (GetConfigFromHCL); reports on the Ui and returns undefined on errors. */
export async function readHcl2Config(meta: Meta, args: MetaArgs, opts: { lazyLocals?: boolean; noWarnUndeclaredVar?: boolean } = {}): Promise<PackerConfig | undefined> {
  const { parseHcl2 } = await import('@packer-ts/core/hcl2');
  const components = await meta.components({ releasesOnly: args.releasesOnly });
  const r = parseHcl2({
    path: args.path,
    varFiles: args.varFiles,
    vars: args.varList,
    env: meta.io.env,
    components,
    lazyLocals: opts.lazyLocals,
  });
  // validate -no-warn-undeclared-var (Packer 1.16): a var file's undeclared names are not warned of
  const diags = opts.noWarnUndeclaredVar ? r.diags.filter((d) => !(d.severity === 'warning' && d.summary === 'Undefined variable')) : r.diags;
  if ((await writeDiags(meta, r.files, diags)) !== 0 || !r.config) return undefined;
  return r.config;
}

/**
 * PackerConfig.Initialize: the datasources (datasources.ts: run, or only configured when
 * `skipExecution`) with the locals that use them, the variables' values, then sources and builds.
 */
export async function initializeHcl2(cfg: PackerConfig, opts: { skipExecution?: boolean; inspect?: boolean; sequential?: boolean }): Promise<Diagnostic[]> {
  // the required plugins' binaries first: datasources of a required plugin run the selected one;
  // missing ones stop build and validate there, while inspect still shows the template
  const detected = cfg.detectPluginBinaries();
  if (!opts.inspect && detected.some((d) => d.severity === 'error')) return detected;
  const { initializeDatasources } = await import('@packer-ts/core/hcl2');
  await initializeDatasources(cfg, opts);
  return [...detected, ...cfg.initialize()];
}

/**
 * The builds of an HCL2 template, started and prepared (Initialize, then
 * GetBuilds). Undefined when the template cannot be read or initialized;
 * otherwise `ret` is 1 when some builds had errors (they were reported,
 * and the others run, as Packer does).
 */
export async function buildsFromHcl2(meta: Meta, args: MetaArgs, opts: { debug: boolean; force: boolean; onError: string }): Promise<{ builds: CoreBuild[]; ret: number } | undefined> {
  const cfg = await readHcl2Config(meta, args);
  if (!cfg) return undefined;
  if ((await writeDiags(meta, NO_FILES, await initializeHcl2(cfg, { sequential: args.sequential }))) !== 0) return undefined;
  const { getHcl2Builds } = await import('@packer-ts/core/hcl2');
  const { builds, diags } = await getHcl2Builds(cfg, { only: args.only, except: args.except, ...opts });
  const ret = await writeDiags(meta, NO_FILES, diags);
  return { builds, ret };
}

/** `validate` on an HCL2 template. */
export async function validateHcl2(meta: Meta, args: MetaArgs, syntaxOnly: boolean, evaluateDatasources = false, noWarnUndeclaredVar = false): Promise<number> {
  const cfg = await readHcl2Config(meta, args, { noWarnUndeclaredVar });
  if (!cfg) return 1;
  if (syntaxOnly) {
    meta.ui.say('Syntax-only check passed. Everything looks okay.');
    return 0;
  }
  const ret = await writeDiags(meta, NO_FILES, await initializeHcl2(cfg, { skipExecution: !evaluateDatasources, sequential: args.sequential }));
  if (ret !== 0) return ret;
  const { getHcl2Builds } = await import('@packer-ts/core/hcl2');
  const { diags } = await getHcl2Builds(cfg, { only: args.only, except: args.except });
  return writeDiags(meta, NO_FILES, diags);
}

/** `inspect` on an HCL2 template: Initialize's problems are ignored, so that unknown values can be shown. */
export async function inspectHcl2(meta: Meta, args: MetaArgs): Promise<number> {
  const cfg = await readHcl2Config(meta, args);
  if (!cfg) return 1;
  await initializeHcl2(cfg, { inspect: true, sequential: args.sequential });
  const { printBuilds, printVariables } = await import('@packer-ts/core/hcl2');
  meta.ui.say('Packer Inspect: HCL2 mode\n');
  meta.ui.say(printVariables(cfg));
  meta.ui.say(printBuilds(cfg));
  return 0;
}
