/**
 * An HCL2 template read into its blocks (hcl2template's Parser.Parse,
 * PackerConfig.Initialize and decodeConfig): the files of a path, the root
 * schema, `packer { required_version }`, variables and locals (through
 * ./context.ts), then `source` and `build` blocks. Nothing is started here;
 * ./builds.ts turns the result into builds.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  expandDynamic, hasErrors, rangeString, validIdentifier, EvalContext, cty, exprValue,
  type Block, type Body, type BodySchema, type Diagnostic, type File, type Range, type SourceFile,
} from '@packer-ts/hcl';
import { parseGoDuration } from '@packer-ts/sdk';
import type { ComponentFinder } from '../components.ts';
import { parseConstraints, parseSemver, satisfies, type Constraints } from '../plugins/goversion.ts';
import { pluginFolder } from '../plugins/installed.ts';
import { decodeRequiredPlugins, requiredPluginRefs, selectRequiredPlugins, type RequiredPlugin } from '../plugins/required.ts';
import { PACKER_COMPAT_VERSION } from '../version.ts';
import { hcl2Files, HCL2_FILE_EXT, HCL2_JSON_FILE_EXT, readHcl2File } from './files.ts';
import { decodeFields } from './gohcl.ts';
import { initializeVariables, parseVariables, type Evaluated, type InitializedVariables, type ParsedVariables } from './context.ts';
import { plainConfig } from './spec.ts';

const T = cty.types;

/** Packer's root schema (1.6.6's plus the blocks later versions added: `local`, `data`). */
export const ROOT_SCHEMA: BodySchema = {
  blocks: [
    { type: 'packer' },
    { type: 'source', labelNames: ['type', 'name'] },
    { type: 'variables' },
    { type: 'variable', labelNames: ['name'] },
    { type: 'locals' },
    { type: 'local', labelNames: ['name'] },
    { type: 'data', labelNames: ['type', 'name'] },
    { type: 'build' },
    { type: 'communicator', labelNames: ['type', 'name'] },
  ],
};

const PACKER_BLOCK_SCHEMA: BodySchema = {
  attributes: [{ name: 'required_version' }],
  blocks: [{ type: 'required_plugins' }],
};

const BUILD_SCHEMA: BodySchema = {
  blocks: [
    { type: 'from', labelNames: ['type'] },
    { type: 'source', labelNames: ['reference'] },
    { type: 'provisioner', labelNames: ['type'] },
    { type: 'error-cleanup-provisioner', labelNames: ['type'] },
    { type: 'post-processor', labelNames: ['type'] },
    { type: 'post-processors', labelNames: [] },
  ],
};

const POST_PROCESSORS_SCHEMA: BodySchema = { blocks: [{ type: 'post-processor', labelNames: ['type'] }] };

export interface SourceBlock {
  type: string;
  name: string;
  block: Block;
}

/** A source as a build uses it: `sources = ["source.T.N"]` or `source "source.T.N" { name = ..., overrides }`. */
export interface SourceUse {
  type: string;
  name: string;
  /** `name` inside the build's source block: the build is named after it. */
  localName: string;
  /** The build's additions to the source's body. */
  addition?: Body;
}

export function sourceUseName(s: SourceUse): string {
  return s.localName !== '' ? s.localName : s.name;
}

/** TYPE.NAME as a build and only/except see it. */
export function sourceUseString(s: SourceUse): string {
  return `${s.type}.${sourceUseName(s)}`;
}

export interface OnlyExcept {
  only: string[];
  except: string[];
}

export function skipsSource(o: OnlyExcept, name: string): boolean {
  if (o.only.length > 0) return !o.only.includes(name);
  if (o.except.length > 0) return o.except.includes(name);
  return false;
}

export interface ProvisionerBlock extends OnlyExcept {
  type: string;
  name: string;
  pauseBeforeMs: number;
  maxRetries: number;
  timeoutMs: number;
  /** source name -> option -> value */
  override: Record<string, Record<string, unknown>> | undefined;
  block: Block;
  rest: Body;
}

export interface PostProcessorBlock extends OnlyExcept {
  type: string;
  name: string;
  keepInputArtifact: boolean | undefined;
  block: Block;
  rest: Body;
}

export interface BuildBlock {
  name: string;
  description: string;
  sources: SourceUse[];
  provisioners: ProvisionerBlock[];
  cleanupProvisioner: ProvisionerBlock | undefined;
  postProcessors: PostProcessorBlock[][];
  block: Block;
}

export interface VersionConstraint {
  required: Constraints;
  range: Range;
}

export interface ParseOptions {
  /** The TEMPLATE argument: a file or a directory. */
  path: string;
  /** -var-file paths, in order. */
  varFiles?: string[];
  /** -var name=value, in order. */
  vars?: { name: string; value: string }[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  components: ComponentFinder;
  coreVersion?: string;
  /**
   * Locals evaluated only when asked (`PackerConfig.ensureLocals`), as `console` reads them: see
   * LocalsQueue (Packer 1.6.6's queue; 1.16's order evaluates them all at once).
   */
  lazyLocals?: boolean;
}

export interface ParseResult {
  config: PackerConfig | undefined;
  diags: Diagnostic[];
  /** Every file read (templates and var files), for printing diagnostics with their source. */
  files: Map<string, SourceFile>;
}

function err(summary: string, detail: string, subject?: Range, context?: Range): Diagnostic {
  const d: Diagnostic = { severity: 'error', summary, detail };
  if (subject) d.subject = subject;
  if (context) d.context = context;
  return d;
}

/** Go's %v of a []string. */
export function goList(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

/**
 * Reads the template at `opts.path` (Parser.Parse): its files, version
 * constraints, variables and their values, locals. Diagnostics here are
 * printed with the files' source.
 */
export function parseHcl2(opts: ParseOptions): ParseResult {
  const diags: Diagnostic[] = [];
  const files = new Map<string, SourceFile>();
  const parsed: File[] = [];
  const path = opts.path;
  const cwd = opts.cwd ?? process.cwd();
  if (path !== '') {
    const found = hcl2Files(path, HCL2_FILE_EXT, HCL2_JSON_FILE_EXT);
    diags.push(...found.diags);
    if (found.hcl.length + found.json.length === 0) {
      diags.push(err(`Could not find any config file in ${path}`, 'A config file must be suffixed with `.pkr.hcl` or `.pkr.json`. A folder can be referenced.'));
    }
    for (const [names, syntax] of [[found.hcl, 'native'], [found.json, 'json']] as const) {
      for (const name of names) {
        const r = readHcl2File(name, syntax);
        diags.push(...r.diags);
        if (r.file) {
          files.set(name, r.file);
          parsed.push(r.file);
        }
      }
    }
    if (hasErrors(diags)) return { config: undefined, diags, files };
  }
  const isDir = path !== '' && (statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false);
  const basedir = isDir ? path : dirname(path === '' ? '.' : path);
  const config = new PackerConfig(opts, basedir, cwd, parsed, files);

  for (const f of parsed) diags.push(...config.sniffCoreVersion(f.body));
  const versionDiags = config.checkCoreVersion();
  diags.push(...versionDiags);
  if (hasErrors(versionDiags)) return { config, diags, files };
  // packer { required_plugins } (Packer 1.16)
  const required = decodeRequiredPlugins(parsed);
  diags.push(...required.diags);
  config.requiredPlugins = required.requirements;

  // The root schema. Packer 1.6.6 reads it twice, for variables then for
  // locals, and reports its problems each time; so do we.
  const blocks: Block[] = [];
  const rootDiags: Diagnostic[] = [];
  for (const f of parsed) {
    const { content, diags: d } = f.body.content(ROOT_SCHEMA);
    rootDiags.push(...d);
    blocks.push(...content.blocks);
  }
  diags.push(...rootDiags, ...rootDiags);
  config.rootBlocks = blocks;
  const parsedVars = parseVariables({
    blocks,
    templatePath: path,
    cwd,
    inputs: { vars: opts.vars ?? [], varFiles: opts.varFiles ?? [], env: opts.env ?? process.env },
    coreVersion: config.coreVersion,
  });
  for (const [name, f] of parsedVars.files) files.set(name, f);
  diags.push(...parsedVars.diags);
  config.parsedVariables = parsedVars;
  // locals read lazily (console) unless datasources run first and give some of them their values
  const lazyLocals = opts.lazyLocals && !blocks.some((b) => b.type === 'data');
  config.setVariables(initializeVariables(parsedVars, undefined, { lazyLocals }));
  return { config, diags, files };
}

export class PackerConfig {
  readonly coreVersion: string;
  readonly components: ComponentFinder;
  versionConstraints: VersionConstraint[] = [];
  rootBlocks: Block[] = [];
  /** Variables and locals with their values (and the context they give). */
  evaluated: Evaluated | undefined;
  parsedVariables: ParsedVariables | undefined;
  requiredPlugins: RequiredPlugin[] = [];
  readonly sources = new Map<string, SourceBlock>();
  readonly builds: BuildBlock[] = [];

  constructor(
    readonly options: ParseOptions,
    /** path.root */
    readonly basedir: string,
    /** path.cwd */
    readonly cwd: string,
    readonly parsedFiles: File[],
    readonly files: Map<string, SourceFile>,
  ) {
    this.coreVersion = options.coreVersion ?? PACKER_COMPAT_VERSION;
    this.components = options.components;
  }

  setVariables(i: InitializedVariables): void {
    const p = this.parsedVariables!;
    this.evaluated = { variables: p.variables, locals: i.locals, sensitive: i.sensitive, ctx: i.ctx, diags: p.diags, initDiags: i.diags, files: p.files };
    this.localsAsked = i.ensureLocals;
  }

  private localsAsked: ((names?: Iterable<string>) => void) | undefined;

  /**
   * With `lazyLocals`: the locals evaluated as far as `names` need, all of them without `names`
   * (before `evaluated.locals` is read whole). Otherwise they all are already: nothing to do.
   */
  ensureLocals(names?: Iterable<string>): void {
    this.localsAsked?.(names);
  }

  /** `packer { required_version = "..." }` of one file (sniffCoreVersionRequirements). */
  sniffCoreVersion(body: Body): Diagnostic[] {
    const { content, diags } = body.partialContent({ blocks: [{ type: 'packer' }] });
    for (const block of content.blocks) {
      const r = block.body.content(PACKER_BLOCK_SCHEMA);
      diags.push(...r.diags);
      const attr = r.content.attributes.get('required_version');
      if (!attr) continue;
      const v = exprValue(attr.expr, undefined);
      diags.push(...v.diags);
      if (hasErrors(v.diags)) continue;
      const conv = cty.tryConvert(v.value, T.String);
      if ('error' in conv) {
        diags.push(err('Invalid version constraint', `A string value is required for ${attr.name}.`, attr.expr.range));
        continue;
      }
      if (conv.value.isNull() || !conv.value.isWhollyKnown()) continue;
      try {
        this.versionConstraints.push({ required: parseConstraints(conv.value.asString()), range: attr.range });
      } catch {
        diags.push(err('Invalid version constraint', 'This string does not use correct version constraint syntax. Check out the docs: https://packer.io/docs/from-1.5/blocks/packer#version-constraints', attr.expr.range));
      }
    }
    return diags;
  }

  checkCoreVersion(): Diagnostic[] {
    const diags: Diagnostic[] = [];
    const v = parseSemver(this.coreVersion);
    for (const c of this.versionConstraints) {
      if (!satisfies(v, c.required)) {
        diags.push(err('Unsupported Packer Core version', `This configuration does not support Packer version ${this.coreVersion}. To proceed, either choose another supported Packer version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior.`, c.range));
      }
    }
    return diags;
  }

  /** var, local, path, the functions; `source`, `build` and `packer` as Packer sets them before a build. */
  evalContext(extra?: Record<string, cty.Value>): EvalContext {
    const base = this.evaluated?.ctx ?? new EvalContext();
    return base.child({
      source: cty.objectVal({ type: cty.unknownVal(T.String), name: cty.unknownVal(T.String) }),
      build: cty.unknownVal(T.EmptyObject),
      packer: cty.objectVal({ version: cty.stringVal(this.coreVersion) }),
      ...extra,
    }, base.functions);
  }

  /**
   * `packer { required_plugins }` (Packer 1.16's detectPluginBinaries): each requirement must be
   * installed, and the highest installed version matching its constraint is what the
   * template's components of that plugin resolve to (the finder's usePlugins); components of
   * plugins not required stay as discovery found them. Done once: later calls return nothing.
   */
  detectPluginBinaries(): Diagnostic[] {
    if (this.pluginsDetected || this.requiredPlugins.length === 0) return [];
    this.pluginsDetected = true;
    let dir: string;
    try {
      dir = pluginFolder(this.options.env ?? process.env);
    } catch (e) {
      return [err('Failed to find the plugin directory', (e as Error).message)];
    }
    const { selected, diags } = selectRequiredPlugins(this.requiredPlugins, { dir, releasesOnly: this.components.releasesOnly });
    this.components.usePlugins?.(requiredPluginRefs(selected, dir));
    return diags;
  }

  private pluginsDetected = false;

  /**
   * Decodes the blocks other than variables (PackerConfig.Initialize's
   * decodeConfig): sources and builds. Diagnostics here are printed
   * without the files' source, as Packer prints them.
   */
  initialize(): Diagnostic[] {
    const diags: Diagnostic[] = [];
    // variables' values (unset, validation) and locals come first
    if (this.evaluated) diags.push(...this.evaluated.initDiags);
    diags.push(...this.detectPluginBinaries());
    const ctx = this.evalContext();
    // whether a builder type is known, asked once per type (a template's sources share a few)
    const builderKnown = new Map<string, boolean>();
    for (const f of this.parsedFiles) {
      const body = expandDynamic(f.body, ctx);
      const { content, diags: d } = body.content(ROOT_SCHEMA);
      // the root content's own errors were reported when the template was read
      if (!hasErrors(d)) diags.push(...d);
      const blocks = content.blocks;
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i]!;
        if (block.type === 'source') {
          const sd = this.decodeSource(block, builderKnown);
          if (sd) diags.push(sd);
        } else if (block.type === 'build') {
          const r = this.decodeBuild(block);
          diags.push(...r.diags);
          if (!hasErrors(r.diags) && r.build) this.builds.push(r.build);
        }
      }
    }
    return diags;
  }

  /** Records a `source` block; its problem, if any. */
  private decodeSource(block: Block, builderKnown: Map<string, boolean>): Diagnostic | undefined {
    const labels = block.labels;
    const type = labels[0]!;
    const name = labels[1]!;
    let known = builderKnown.get(type);
    if (known === undefined) builderKnown.set(type, (known = this.components.builders.has(type)));
    if (!known) {
      return err(`Unknown source type ${type}`, `known builders: ${goList(this.components.builders.list())}`, block.labelRanges[0]);
    }
    const key = `${type}.${name}`;
    const existing = this.sources.get(key);
    if (existing) {
      return err('Duplicate source block', `This source block has the same builder type and name as a previous block declared at ${rangeString(existing.block.defRange)}. Each source must have a unique name per builder type.`, block.defRange);
    }
    this.sources.set(key, { type, name, block });
    return undefined;
  }

  private decodeBuild(block: Block): { build?: BuildBlock; diags: Diagnostic[] } {
    // `name` and `description` (named builds: Packer 1.16's rules) are evaluated with
    // variables and locals. `sources` follows Packer 1.6.6, which decodes it with no
    // evaluation context (gohcl.DecodeBody(block.Body, nil, ...)): a variable, local or
    // function call there is "Variables not allowed" / "Function calls not allowed", then
    // "value must be known" (Packer 1.16 evaluates it).
    const named = decodeFields(block.body, { name: 'string', description: 'string' }, this.evalContext());
    const b = decodeFields(named.remain, { sources: 'strings' }, undefined);
    const diags = [...named.diags, ...b.diags];
    const build: BuildBlock = {
      name: named.fields.name ?? '',
      description: named.fields.description ?? '',
      sources: [],
      provisioners: [],
      cleanupProvisioner: undefined,
      postProcessors: [],
      block,
    };
    const froms = b.fields.sources ?? [];
    for (let i = 0; i < froms.length; i++) {
      const ref = sourceRef(froms[i]!);
      if (!ref || !validIdentifier(ref.type) || !validIdentifier(ref.name)) {
        diags.push(err('Invalid source reference', 'A source type is made of three parts that aresplit by a dot `.`; each part must start with a letter and may contain only letters, digits, underscores, and dashes.A valid source reference looks like: `source.type.name`', block.defRange));
        continue;
      }
      build.sources.push({ type: ref.type, name: ref.name, localName: '' });
    }
    const { content, diags: cd } = b.remain.content(BUILD_SCHEMA);
    diags.push(...cd);
    if (hasErrors(diags)) return { diags };
    // build.name is known to the build's provisioners and post-processors (Packer 1.16)
    const bctx = this.evalContext({ build: cty.objectVal({ name: cty.stringVal(build.name) }) });
    for (const inner of content.blocks) {
      switch (inner.type) {
        case 'source': {
          const r = this.decodeBuildSource(inner);
          diags.push(...r.diags);
          if (r.use) build.sources.push(r.use);
          break;
        }
        case 'provisioner': {
          const r = this.decodeProvisioner(inner, bctx);
          diags.push(...r.diags);
          if (r.provisioner) build.provisioners.push(r.provisioner);
          break;
        }
        case 'error-cleanup-provisioner': {
          if (build.cleanupProvisioner) {
            diags.push(err('Only one error-cleanup-provisioner is allowed', '', inner.defRange));
            break;
          }
          const r = this.decodeProvisioner(inner, bctx);
          diags.push(...r.diags);
          if (r.provisioner) build.cleanupProvisioner = r.provisioner;
          break;
        }
        case 'post-processor': {
          const r = this.decodePostProcessor(inner, bctx);
          diags.push(...r.diags);
          if (r.postProcessor) build.postProcessors.push([r.postProcessor]);
          break;
        }
        case 'post-processors': {
          const { content: pc, diags: pd } = inner.body.content(POST_PROCESSORS_SCHEMA);
          diags.push(...pd);
          if (hasErrors(pd)) break;
          const chain: PostProcessorBlock[] = [];
          let errored = false;
          for (const ppBlock of pc.blocks) {
            const r = this.decodePostProcessor(ppBlock, bctx);
            diags.push(...r.diags);
            if (!r.postProcessor) { errored = true; break; }
            chain.push(r.postProcessor);
          }
          if (!errored) build.postProcessors.push(chain);
          break;
        }
        // `from` blocks are in Packer's schema and ignored
      }
    }
    return { build, diags };
  }

  private decodeBuildSource(block: Block): { use?: SourceUse; diags: Diagnostic[] } {
    const ref = sourceRef(block.labels[0]!) ?? { type: '', name: '' };
    const b = decodeFields(block.body, { name: 'string' }, undefined);
    if (hasErrors(b.diags)) return { diags: b.diags };
    return { use: { ...ref, localName: b.fields.name ?? '', addition: b.remain }, diags: b.diags };
  }

  private decodeProvisioner(block: Block, ctx: EvalContext): { provisioner?: ProvisionerBlock; diags: Diagnostic[] } {
    const b = decodeFields(block.body, {
      name: 'string', pause_before: 'string', max_retries: 'int', timeout: 'string', only: 'strings', except: 'strings', override: 'value',
    }, ctx);
    const diags = b.diags;
    if (hasErrors(diags)) return { diags };
    const p: ProvisionerBlock = {
      type: block.labels[0]!,
      name: b.fields.name ?? '',
      pauseBeforeMs: 0,
      maxRetries: b.fields.max_retries ?? 0,
      timeoutMs: 0,
      override: undefined,
      only: b.fields.only ?? [],
      except: b.fields.except ?? [],
      block,
      rest: b.remain,
    };
    const oe = validateOnlyExcept(p);
    diags.push(...oe);
    if (hasErrors(oe)) return { diags };
    const override = b.fields.override;
    if (override && !override.isNull()) {
      const r = overrideMap(override, b.ranges.override!);
      if ('diag' in r) return { diags: [...diags, r.diag] };
      p.override = r.map;
    }
    for (const [field, key, what] of [['pause_before', 'pauseBeforeMs', 'pause_before'], ['timeout', 'timeoutMs', 'timeout']] as const) {
      const text = b.fields[field];
      if (text === undefined || text === '') continue;
      try {
        p[key] = parseGoDuration(text) / 1e6;
      } catch (e) {
        // Packer 1.6.6 leaves out the severity here (and crashes after); 1.16's error
        return { diags: [...diags, err(`Failed to parse ${what} duration`, (e as Error).message, block.defRange)] };
      }
    }
    if (!this.components.provisioners.has(p.type)) {
      diags.push(err(`Unknown provisioner type ${JSON.stringify(p.type)}`, `known provisioners: ${goList(this.components.provisioners.list())}`, block.labelRanges[0]));
      return { diags };
    }
    return { provisioner: p, diags };
  }

  private decodePostProcessor(block: Block, ctx: EvalContext): { postProcessor?: PostProcessorBlock; diags: Diagnostic[] } {
    const b = decodeFields(block.body, { name: 'string', only: 'strings', except: 'strings', keep_input_artifact: 'bool' }, ctx);
    const diags = b.diags;
    if (hasErrors(diags)) return { diags };
    const pp: PostProcessorBlock = {
      type: block.labels[0]!,
      name: b.fields.name ?? '',
      only: b.fields.only ?? [],
      except: b.fields.except ?? [],
      keepInputArtifact: b.fields.keep_input_artifact,
      block,
      rest: b.remain,
    };
    const oe = validateOnlyExcept(pp);
    diags.push(...oe);
    if (hasErrors(oe)) return { diags };
    if (!this.components.postProcessors.has(pp.type)) {
      diags.push(err(`Unknown post-processor type ${JSON.stringify(pp.type)}`, `known post-processors: ${goList(this.components.postProcessors.list())}`, block.labelRanges[0]));
      return { diags };
    }
    return { postProcessor: pp, diags };
  }
}

function validateOnlyExcept(o: OnlyExcept): Diagnostic[] {
  if (o.only.length > 0 && o.except.length > 0) return [{ severity: 'error', summary: "only one of 'only' or 'except' may be specified" }];
  return [];
}

/** `source.T.N` or `T.N` (sourceRefFromString); undefined for fewer than two parts. */
export function sourceRef(text: string): { type: string; name: string } | undefined {
  // text.split('.') read as Packer reads it (parts 0 and 1 of two, 1 and 2 of more), without
  // the split (a runtime call in baseline code)
  const a = text.indexOf('.');
  if (a < 0) return undefined;
  const b = text.indexOf('.', a + 1);
  if (b < 0) return { type: text.slice(0, a), name: text.slice(a + 1) };
  const c = text.indexOf('.', b + 1);
  return { type: text.slice(a + 1, b), name: c < 0 ? text.slice(b + 1) : text.slice(b + 1, c) };
}

/** A provisioner's `override` object as plain values (hcl2shim.ConfigValueFromHCL2 per option: its JSON form). */
function overrideMap(v: cty.Value, range: Range): { map: Record<string, Record<string, unknown>> } | { diag: Diagnostic } {
  const [u] = v.unmarkDeep();
  const kind = u.type.kind;
  if ((kind !== 'object' && kind !== 'map') || !u.isWhollyKnown()) {
    return { diag: err('Unsuitable value type', 'Unsuitable value: an object is required', range) };
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, inner] of u.elements()) {
    const ik = inner.type.kind;
    if ((ik !== 'object' && ik !== 'map') || inner.isNull()) {
      return { diag: err('Unsuitable value type', 'Unsuitable value: an object is required', range) };
    }
    const opts: Record<string, unknown> = {};
    for (const [ok, ov] of inner.elements()) opts[ok.asString()] = plainConfig(ov);
    out[k.asString()] = opts;
  }
  return { map: out };
}
