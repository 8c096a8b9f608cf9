/**
 * The core: a template plus user variables become named builds (Packer's
 * packer/core.go). It validates the template, renders the variables, and
 * instantiates the components of each build.
 */
import { addSecret, errorMessage, goQuote, InterpolationError, MultiError, PackerError, render, renderRepeated, type InterpolateContext } from '@packer-ts/sdk';
import type { ComponentFinder } from './components.ts';
import { CoreBuild, type BuildProvisioner, type BuildPostProcessor } from './build.ts';
import { PausedProvisioner, RetriedProvisioner, TimeoutProvisioner } from './provisioners.ts';
import { skips, validateTemplateStructure, type Template, type TemplateBuilder, type TemplateProvisioner } from './template/template.ts';
import { compareVersions, PACKER_COMPAT_VERSION } from './version.ts';

export interface CoreOptions {
  template: Template;
  components: ComponentFinder;
  /** -var-file then -var values, later wins. */
  variables?: Record<string, string>;
  version?: string;
}

export interface BuildOptions {
  debug?: boolean;
  force?: boolean;
  onError?: string;
}

/** A `{{ .Something }}` left for components to render. */
const DOT_ACTION = /{{(\s|)\.(.*?)(\s|)}}/g;
/** A stand-in of a UUID's length and shape for the `i`th kept action (RenderRegex uses uuid.New()). */
const placeholderId = (i: number): string => `7e3f0b1a-5c2d-4e6f-9a8b-${i.toString(16).padStart(12, '0')}`;
const PLACEHOLDER_ID = /7e3f0b1a-5c2d-4e6f-9a8b-[0-9a-f]{12}/g;

/** Packer's `build` function in a context without build data (Core.Context). */
function noBuildData(key: unknown): never {
  throw new Error(`Error validating build variable: the given variable ${String(key)} will not be passed into your plugin.`);
}

export class Core {
  readonly template: Template;
  readonly components: ComponentFinder;
  readonly version: string;
  variables: Record<string, string>;
  /** Rendered build name -> template builder. */
  readonly builds = new Map<string, TemplateBuilder>();
  private except: string[] = [];

  constructor(opts: CoreOptions) {
    this.template = opts.template;
    this.components = opts.components;
    this.variables = { ...(opts.variables ?? {}) };
    this.version = opts.version ?? PACKER_COMPAT_VERSION;
  }

  /**
   * Interpolation context of the template (user variables, template path), as Packer's
   * Core.Context: no core version (`{{packer_version}}` is for the components'
   * configurations) and no build data, so `{{build}}` fails as Packer's does there.
   */
  context(): InterpolateContext {
    return { templatePath: this.template.path, userVariables: this.variables, funcs: { build: noBuildData } };
  }

  /** Validates, renders variables and names the builds. Throws on bad input. */
  initialize(): void {
    this.validate();
    this.renderVariables();
    for (const name of this.template.sensitiveVariables) {
      const v = this.variables[name];
      if (v !== undefined) addSecret(v);
    }
    for (const b of this.template.builders.values()) {
      let name: string;
      try {
        name = renderRepeated(b.name, this.context());
      } catch (e) {
        throw new PackerError('TEMPLATE_INVALID', `Error interpolating builder '${b.name}': ${errorMessage(e)}`);
      }
      this.builds.set(name, b);
    }
  }

  private validate(): void {
    validateTemplateStructure(this.template);
    const min = this.template.minVersion;
    if (min !== '') {
      let cmp: number;
      try {
        cmp = compareVersions(this.version, min);
      } catch (e) {
        throw new PackerError('TEMPLATE_INVALID', `min_version is invalid: ${errorMessage(e)}`);
      }
      if (cmp < 0) throw new PackerError('TEMPLATE_INVALID', `This template requires Packer version ${min} or higher; using ${this.version}`);
    }
    const errs: string[] = [];
    for (const [n, v] of this.template.variables) {
      if (v.required && !Object.hasOwn(this.variables, n)) errs.push(`required variable not set: ${n}`);
    }
    MultiError.throwIf(errs);
  }

  /**
   * Renders variable values (defaults overridden by -var/-var-file), which
   * may use `env` and refer to each other with `user`, in repeated passes.
   * `{{ .X }}` actions are left for the components.
   */
  private renderVariables(): void {
    const pending = new Map<string, string>();
    for (const [k, v] of this.template.variables) pending.set(k, v.default);
    for (const [k, v] of Object.entries(this.variables)) pending.set(k, v);
    const keys = [...pending.keys()].sort();
    let failed = '';
    // Packer's RenderRegex: each `{{ .X }}` stands in as a UUID while the rest renders (so the
    // columns of an error count the UUID's 36 characters), then comes back
    const renderKeeping = (value: string): string => {
      const kept: string[] = [];
      const masked = value.replace(DOT_ACTION, (m) => {
        const i = kept.indexOf(m);
        return placeholderId(i >= 0 ? i : kept.push(m) - 1);
      });
      const out = render(masked, { ...this.context(), enableEnv: true, userVariables: this.variables });
      return out.replace(PLACEHOLDER_ID, (id: string) => kept[parseInt(id.slice(-12), 16)] ?? id);
    };
    let todo = keys;
    for (let pass = 0; pass < 100 && todo.length > 0; pass++) {
      const retry: string[] = [];
      let changed = false;
      let unstable = false;
      failed = '';
      for (const k of todo) {
        const value = pending.get(k)!;
        try {
          const before = this.variables[k];
          this.variables[k] = renderKeeping(value);
          changed = true;
          if (/{{\s*user\s*`.*`\s*}}/.test(value)) {
            retry.push(k);
            if (before !== this.variables[k]) unstable = true;
          }
        } catch (e) {
          const msg = errorMessage(e);
          if (!msg.includes('variable not set')) {
            // Packer returns an execution error (a function that failed) as it is, and words others
            if (e instanceof InterpolationError && e.phase === 'exec') throw new PackerError('TEMPLATE_INVALID', msg);
            throw new PackerError('TEMPLATE_INVALID', `error interpolating default value for '${k}': ${msg}`);
          }
          retry.push(k);
          failed = `"${k}": "${value}"; error: ${msg}`;
        }
      }
      if (retry.length === 0) break;
      if (!changed) {
        throw new PackerError('TEMPLATE_INVALID', `Failed to interpolate ${failed}: Please make sure that the variable you're referencing has been defined; Packer treats all variables used to interpolate other user variables as required.`);
      }
      // Values that use `user` are final once a pass changes nothing.
      if (failed === '' && !unstable) break;
      todo = retry;
    }
    if (failed !== '') {
      throw new PackerError('TEMPLATE_INVALID', `Failed to interpolate ${failed}: Please make sure that the variable you're referencing has been defined; Packer treats all variables used to interpolate other user variables as required.`);
    }
  }

  /** Build names after -only/-except, sorted like Packer. */
  buildNames(only: string[] = [], except: string[] = []): string[] {
    this.except = except;
    return [...this.builds.keys()]
      .filter((n) => (only.length === 0 || only.includes(n)) && !except.includes(n))
      .sort();
  }

  private async provisioner(p: TemplateProvisioner, rawName: string): Promise<BuildProvisioner> {
    let prov;
    try {
      prov = await this.components.provisioners.start(p.type);
    } catch (e) {
      throw new Error(`error initializing provisioner '${p.type}': ${errorMessage(e)}`);
    }
    const configs: unknown[] = [p.config];
    const override = p.override?.[rawName];
    if (override !== undefined) configs.push(override);
    let wrapped = prov;
    if (p.pauseBefore !== 0) wrapped = new PausedProvisioner(p.pauseBefore, wrapped, p.type);
    else if (p.timeout !== 0) wrapped = new TimeoutProvisioner(p.timeout, wrapped);
    let maxRetries = 0;
    if (p.maxRetries !== '') {
      let rendered: string;
      try {
        rendered = renderRepeated(p.maxRetries, this.context());
      } catch (e) {
        throw new Error(`failed to interpolate \`max_retries\`: ${errorMessage(e)}`);
      }
      if (!/^[+-]?\d+$/.test(rendered)) throw new Error(`\`max_retries\` must be a valid integer: strconv.Atoi: parsing ${goQuote(rendered)}: invalid syntax`);
      const n = BigInt(rendered);
      if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw new Error(`\`max_retries\` must be a valid integer: strconv.Atoi: parsing ${goQuote(rendered)}: value out of range`);
      maxRetries = Number(n);
    }
    if (maxRetries !== 0) wrapped = new RetriedProvisioner(maxRetries, wrapped, p.type);
    return { type: p.type, provisioner: wrapped, configs };
  }

  /** Instantiates the components of build `name` (not yet prepared). */
  async build(name: string, opts: BuildOptions = {}): Promise<CoreBuild> {
    const b = this.builds.get(name);
    if (!b) throw new Error(`no such build found: ${name}`);
    let builder;
    try {
      builder = await this.components.builders.start(b.type);
    } catch (e) {
      throw new Error(`error initializing builder '${b.type}': ${errorMessage(e)}`);
    }
    const rawName = b.name;
    const provisioners: BuildProvisioner[] = [];
    for (const p of this.template.provisioners) {
      if (skips(p, rawName)) continue;
      provisioners.push(await this.provisioner(p, rawName));
    }
    const cleanup = this.template.cleanupProvisioner ? await this.provisioner(this.template.cleanupProvisioner, rawName) : undefined;
    const chains: BuildPostProcessor[][] = [];
    for (const chain of this.template.postProcessors) {
      const current: BuildPostProcessor[] = [];
      for (const p of chain) {
        if (skips(p, rawName)) continue;
        // -except also names post-processors: the chain stops there.
        if (this.except.some((e) => e !== '' && e === p.name)) break;
        let pp;
        try {
          pp = await this.components.postProcessors.start(p.type);
        } catch (e) {
          throw new Error(`error initializing post-processor '${p.type}': ${errorMessage(e)}`);
        }
        current.push({ type: p.type, name: p.name, postProcessor: pp, config: p.config, keepInputArtifact: p.keepInputArtifact });
      }
      if (current.length > 0) chains.push(current);
    }
    return new CoreBuild({
      name,
      builder,
      builderType: b.type,
      builderConfig: b.config,
      provisioners,
      cleanupProvisioner: cleanup,
      postProcessors: chains,
      templatePath: this.template.path,
      variables: this.variables,
      sensitiveVariables: this.template.sensitiveVariables,
      coreVersion: this.version,
      debug: opts.debug ?? false,
      force: opts.force ?? false,
      onError: opts.onError ?? '',
    });
  }
}
