/**
 * HCL2 builds (hcl2template's PackerConfig.GetBuilds): every source of every
 * build block, after -only/-except, becomes a CoreBuild whose builder is
 * started and prepared with its decoded body, whose provisioners and
 * post-processors are prepared now and again, with the build's generated
 * data, right before they run (HCL2Provisioner / HCL2PostProcessor).
 */
import { cty, hasErrors, rangeString, zeroRange, type Body, type Diagnostic, type EvalContext, MergedBody } from '@packer-ts/hcl';
import {
  BUILDER_DATA_COMMON_KEYS, errorMessage, prepareWarnings,
  type Artifact, type Builder, type Communicator, type PostProcessor, type PostProcessResult, type Provisioner, type Ui,
} from '@packer-ts/sdk';
import { CoreBuild, type BuildPostProcessor, type BuildProvisioner } from '../build.ts';
import { PausedProvisioner, RetriedProvisioner, TimeoutProvisioner } from '../provisioners.ts';
import { compileGlob } from './glob.ts';
import {
  skipsSource, sourceUseName, sourceUseString,
  type BuildBlock, type PackerConfig, type PostProcessorBlock, type ProvisionerBlock, type SourceBlock, type SourceUse,
} from './config.ts';
import { decodeComponentConfig } from './spec.ts';

export interface GetBuildsOptions {
  only?: string[];
  except?: string[];
  debug?: boolean;
  force?: boolean;
  onError?: string;
}

/** hcl.Diagnostics.Error(): the first diagnostic, and how many others. */
export function diagnosticsError(diags: readonly Diagnostic[]): string {
  const one = (d: Diagnostic) => `${d.subject ? rangeString(d.subject) : '<nil>'}: ${d.summary}; ${d.detail ?? ''}`;
  if (diags.length === 0) return 'no diagnostics';
  if (diags.length === 1) return one(diags[0]!);
  return `${one(diags[0]!)}, and ${diags.length - 1} other diagnostic(s)`;
}

function err(summary: string, detail: string, subject?: Diagnostic['subject']): Diagnostic {
  const d: Diagnostic = { severity: 'error', summary, detail };
  if (subject) d.subject = subject;
  return d;
}

/** A prepare's warnings and error as diagnostics on the component's block (warningErrorsToDiags). */
function prepareDiags(subject: Diagnostic['subject'], warnings: readonly string[], error: unknown): Diagnostic[] {
  const diags: Diagnostic[] = warnings.map((w) => ({ severity: 'warning', summary: w, subject }));
  if (error !== undefined) diags.push({ severity: 'error', summary: errorMessage(error), subject });
  return diags;
}

/** The variables Packer 1.6.6 gives a component's Prepare before its configuration. */
function builderVariables(source: SourceUse): Record<string, string> {
  return { packer_build_name: source.name, packer_builder_type: source.type };
}

/** Generated data as `build.*` values (HCL2Prepare's buildVars). */
function buildValues(base: Map<string, cty.Value>, data: Record<string, unknown>): cty.Value {
  const out = new Map(base);
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string') out.set(k, cty.stringVal(v));
    else if (typeof v === 'number' && Number.isInteger(v)) out.set(k, cty.numberIntVal(v));
    else if (typeof v === 'bigint') out.set(k, cty.numberIntVal(v));
    else if (typeof v === 'boolean') out.set(k, cty.boolVal(v));
    else throw new Error(`unhandled buildvar type: ${goTypeName(v)}`);
  }
  return cty.objectVal(out);
}

function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  return typeof v;
}

function buildAttrs(ctx: EvalContext): Map<string, cty.Value> {
  for (let c: EvalContext | undefined = ctx; c; c = c.parent) {
    const b = c.variables?.build;
    if (b === undefined) continue;
    if (b.isNull() || !b.isKnown()) return new Map();
    return new Map(b.entries());
  }
  return new Map();
}

/** A provisioner whose HCL2 body is decoded again with the build's data before it runs. */
export class Hcl2Provisioner implements Provisioner {
  constructor(
    readonly inner: Provisioner,
    readonly block: ProvisionerBlock,
    readonly ctx: EvalContext,
    readonly builderVars: Record<string, string>,
    readonly override: Record<string, unknown> | undefined,
  ) {}

  async hcl2Prepare(buildVars?: Record<string, unknown>): Promise<void> {
    let ctx = this.ctx;
    if (buildVars && Object.keys(buildVars).length > 0) ctx = ctx.child({ build: buildValues(buildAttrs(this.ctx), buildVars) }, ctx.functions);
    const d = await decodeComponentConfig(this.inner, this.block.rest, ctx);
    if (hasErrors(d.diags)) throw new Error(diagnosticsError(d.diags));
    await this.inner.prepare(this.builderVars, d.config, this.override);
  }

  prepare(...raws: unknown[]): Promise<void> { return this.inner.prepare(...raws); }

  async provision(ui: Ui, comm: Communicator | undefined, data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    await this.hcl2Prepare(data);
    return this.inner.provision(ui, comm, data, signal);
  }
}

/** A post-processor configured again with the artifact's generated data before it runs. */
export class Hcl2PostProcessor implements PostProcessor {
  constructor(
    readonly inner: PostProcessor,
    readonly block: PostProcessorBlock,
    readonly ctx: EvalContext,
    readonly builderVars: Record<string, string>,
  ) {}

  async hcl2Prepare(buildVars?: Record<string, unknown>): Promise<void> {
    let ctx = this.ctx;
    // Packer 1.6.6 replaces `build` with the generated data alone here
    if (buildVars && Object.keys(buildVars).length > 0) ctx = ctx.child({ build: buildValues(new Map(), buildVars) }, ctx.functions);
    const d = await decodeComponentConfig(this.inner, this.block.rest, ctx);
    if (hasErrors(d.diags)) throw new Error(diagnosticsError(d.diags));
    await this.inner.configure(this.builderVars, d.config);
  }

  configure(...raws: unknown[]): Promise<void> { return this.inner.configure(...raws); }

  async postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    let data: Record<string, unknown> = {};
    const state = await artifact.state('generated_data');
    if (state && typeof state === 'object' && !Array.isArray(state)) data = state as Record<string, unknown>;
    await this.hcl2Prepare(data);
    return this.inner.postProcess(ui, artifact, signal);
  }
}

function matchesAny(globs: RegExp[], name: string): boolean {
  return globs.some((g) => g.test(name));
}

function compileFilters(patterns: string[] | undefined, option: string): { globs: RegExp[]; diags: Diagnostic[] } {
  const globs: RegExp[] = [];
  const diags: Diagnostic[] = [];
  for (const p of patterns ?? []) {
    try {
      globs.push(compileGlob(p));
    } catch (e) {
      diags.push({ severity: 'error', summary: `Invalid -${option} pattern ${p}: ${errorMessage(e)}` });
    }
  }
  return { globs, diags };
}

/** The CoreBuild name of a source in a build: `[BUILD.]TYPE.NAME`. */
export function hcl2BuildName(build: BuildBlock, use: SourceUse): string {
  const type = sourceUseString(use);
  return build.name !== '' ? `${build.name}.${type}` : type;
}

/**
 * Starts and prepares every build (after -only/-except). A build with
 * errors is left out and the others are returned: Packer runs them.
 */
export async function getHcl2Builds(cfg: PackerConfig, opts: GetBuildsOptions = {}): Promise<{ builds: CoreBuild[]; diags: Diagnostic[] }> {
  const builds: CoreBuild[] = [];
  const diags: Diagnostic[] = [];
  const only = compileFilters(opts.only, 'only');
  if (hasErrors(only.diags)) return { builds: [], diags: only.diags };
  const except = compileFilters(opts.except, 'except');
  if (hasErrors(except.diags)) return { builds: [], diags: except.diags };

  for (const build of cfg.builds) {
    for (const use of build.sources) {
      const src = cfg.sources.get(`${use.type}.${use.name}`);
      if (!src) {
        // Packer 1.6.6 gives this diagnostic an empty range: `on  line 0`
        diags.push(err(`Unknown source ${use.type}.${use.name}`, `Known: ${knownSources(cfg)}`, zeroRange));
        continue;
      }
      const name = hcl2BuildName(build, use);
      if (only.globs.length > 0 && !matchesAny(only.globs, name)) continue;
      if (except.globs.length > 0 && matchesAny(except.globs, name)) continue;

      const started = await startBuilder(cfg, src, use, opts);
      diags.push(...started.diags);
      if (!started.builder) continue;

      const unknownBuild = new Map<string, cty.Value>();
      for (const k of [...BUILDER_DATA_COMMON_KEYS, ...started.generatedVars]) unknownBuild.set(k, cty.stringVal('<unknown>'));
      unknownBuild.set('name', cty.stringVal(build.name));
      const ctx = cfg.evalContext({
        source: cty.objectVal({ type: cty.stringVal(use.type), name: cty.stringVal(sourceUseName(use)) }),
        build: cty.objectVal(unknownBuild),
      });
      const provs = await startProvisioners(cfg, use, build.provisioners, ctx);
      diags.push(...provs.diags);
      if (hasErrors(provs.diags)) continue;
      let cleanup: BuildProvisioner | undefined;
      if (build.cleanupProvisioner) {
        const c = await startProvisioners(cfg, use, [build.cleanupProvisioner], ctx);
        diags.push(...c.diags);
        if (hasErrors(c.diags)) continue;
        cleanup = c.provisioners[0];
      }
      const pps = await startPostProcessors(cfg, use, build.postProcessors, ctx, except.globs);
      diags.push(...pps.diags);
      if (hasErrors(pps.diags)) continue;

      builds.push(new CoreBuild({
        name,
        builder: started.builder,
        builderType: use.type,
        builderConfig: {},
        provisioners: provs.provisioners,
        cleanupProvisioner: cleanup,
        postProcessors: pps.chains,
        templatePath: cfg.options.path,
        variables: {},
        sensitiveVariables: [],
        coreVersion: cfg.coreVersion,
        debug: opts.debug ?? false,
        force: opts.force ?? false,
        onError: opts.onError ?? '',
        prepared: true,
      }));
    }
  }
  return { builds, diags };
}

function knownSources(cfg: PackerConfig): string {
  // Go's %v of the map: map[TYPE.NAME:{...} ...]; the names are what helps
  return `map[${[...cfg.sources.keys()].sort().map((k) => `${k}:{}`).join(' ')}]`;
}

async function startBuilder(cfg: PackerConfig, src: SourceBlock, use: SourceUse, opts: GetBuildsOptions): Promise<{ builder?: Builder; generatedVars: string[]; diags: Diagnostic[] }> {
  let builder: Builder;
  try {
    builder = await cfg.components.builders.start(src.type);
  } catch (e) {
    return { generatedVars: [], diags: [err('Failed to load source type', errorMessage(e), src.block.labelRanges[0])] };
  }
  const body: Body = use.addition ? new MergedBody([src.block.body, use.addition]) : src.block.body;
  const ctx = cfg.evalContext({ source: cty.objectVal({ type: cty.stringVal(use.type), name: cty.stringVal(sourceUseName(use)) }) });
  const decoded = await decodeComponentConfig(builder, body, ctx);
  if (hasErrors(decoded.diags)) return { generatedVars: [], diags: decoded.diags };
  const vars = {
    ...builderVariables(use),
    packer_debug: String(opts.debug ?? false),
    packer_force: String(opts.force ?? false),
    packer_on_error: opts.onError ?? '',
  };
  let warnings: string[] = [];
  let generatedVars: string[] = [];
  let error: unknown;
  try {
    const r = await builder.prepare(vars, decoded.config);
    warnings = r.warnings ?? [];
    generatedVars = r.generatedVars ?? [];
  } catch (e) {
    error = e;
    warnings = prepareWarnings(e);
  }
  const diags = [...decoded.diags, ...prepareDiags(src.block.defRange, warnings, error)];
  return { builder: hasErrors(diags) ? undefined : builder, generatedVars, diags };
}

async function startProvisioners(cfg: PackerConfig, use: SourceUse, blocks: ProvisionerBlock[], ctx: EvalContext): Promise<{ provisioners: BuildProvisioner[]; diags: Diagnostic[] }> {
  const provisioners: BuildProvisioner[] = [];
  const diags: Diagnostic[] = [];
  for (const pb of blocks) {
    if (skipsSource(pb, sourceUseString(use))) continue;
    let inner: Provisioner;
    try {
      inner = await cfg.components.provisioners.start(pb.type);
    } catch (e) {
      diags.push(err(`failed loading ${pb.type}`, errorMessage(e), pb.block.labelRanges[0]));
      continue;
    }
    const override = pb.override?.[sourceUseName(use)];
    const hclProv = new Hcl2Provisioner(inner, pb, ctx, builderVariables(use), override);
    try {
      await hclProv.hcl2Prepare();
    } catch (e) {
      diags.push(err(`Failed preparing provisioner-block ${JSON.stringify(pb.type)} ${JSON.stringify(pb.name)}`, errorMessage(e), pb.block.defRange));
      continue;
    }
    let p: Provisioner = hclProv;
    if (pb.pauseBeforeMs !== 0) p = new PausedProvisioner(pb.pauseBeforeMs, p, pb.type);
    else if (pb.timeoutMs !== 0) p = new TimeoutProvisioner(pb.timeoutMs, p);
    if (pb.maxRetries !== 0) p = new RetriedProvisioner(pb.maxRetries, p, pb.type);
    provisioners.push({ type: pb.type, provisioner: p, configs: [] });
  }
  return { provisioners, diags };
}

async function startPostProcessors(cfg: PackerConfig, use: SourceUse, lists: PostProcessorBlock[][], ctx: EvalContext, except: RegExp[]): Promise<{ chains: BuildPostProcessor[][]; diags: Diagnostic[] }> {
  const chains: BuildPostProcessor[][] = [];
  const diags: Diagnostic[] = [];
  for (const list of lists) {
    const chain: BuildPostProcessor[] = [];
    for (const ppb of list) {
      if (skipsSource(ppb, sourceUseString(use))) continue;
      // -except names post-processors too: the chain stops there
      if (matchesAny(except, ppb.name !== '' ? ppb.name : ppb.type)) break;
      let inner: PostProcessor;
      try {
        inner = await cfg.components.postProcessors.start(ppb.type);
      } catch (e) {
        diags.push(err(`Failed loading ${ppb.type}`, errorMessage(e), ppb.block.defRange));
        continue;
      }
      const pp = new Hcl2PostProcessor(inner, ppb, ctx, builderVariables(use));
      try {
        await pp.hcl2Prepare();
      } catch (e) {
        diags.push(err(`Failed preparing post-processor-block ${JSON.stringify(ppb.type)} ${JSON.stringify(ppb.name)}`, errorMessage(e), ppb.block.defRange));
        continue;
      }
      chain.push({ type: ppb.type, name: ppb.name, postProcessor: pp, config: {}, keepInputArtifact: ppb.keepInputArtifact });
    }
    if (chain.length > 0) chains.push(chain);
  }
  return { chains, diags };
}

