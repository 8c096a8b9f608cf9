/**
 * vagrant post-processor (Packer's `vagrant`, id mitchellh.post-processor.vagrant):
 * turns a qemu (libvirt provider) or docker image artifact into a Vagrant box:
 * metadata.json, a Vagrantfile (the provider's part and vagrantfile_template),
 * the included files and the provider's files (box.img for libvirt).
 */
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  decodeConfig, generatedData, PackerMultiError, render,
  type Artifact, type InterpolateContext, type PackerConfig, type PostProcessResult, type PostProcessor, type Schema, type Ui,
} from '@packer-ts/sdk';
import { pathError } from '@packer-ts/sdk';
import { ARTIFICE_BUILDER_ID } from '../artifice/index.ts';
import { copyContents, dirToBox, writeMetadata } from './box.ts';
import { PACKER_PROVIDERS, PROVIDER_OF_BUILDER, PROVIDERS, providerOfBuilderType } from './providers.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const VAGRANT_BUILDER_ID = 'mitchellh.post-processor.vagrant';
const DEFAULT_OUTPUT = 'packer_{{ .BuildName }}_{{.Provider}}.box';

export const schema: Schema = {
  compression_level: { type: 'int', default: -1 },
  include: { type: 'string[]' },
  output: { type: 'string', interpolate: false, as: 'outputPath' },
  // Go's map[string]interface{}: map(string) in HCL2, as packer-sdc maps it.
  override: { type: 'map-any', goName: 'Override', hcl: { type: ['map', 'string'] } },
  vagrantfile_template: { type: 'string' },
  vagrantfile_template_generated: { type: 'bool' },
  provider_override: { type: 'string' },
  keep_input_artifact: { type: 'bool', hcl: { omit: true } },
};

interface VagrantConfig {
  compressionLevel: number;
  include?: string[];
  outputPath?: string;
  override?: Record<string, unknown>;
  vagrantfileTemplate?: string;
  vagrantfileTemplateGenerated?: boolean;
  providerOverride?: string;
}

const notSupported = (p: string): Error => new Error(`The vagrant post-processor of packer-ts does not build boxes for this provider; not supported by packer-ts yet: ${p} (supported: ${Object.keys(PROVIDERS).join(', ')})`);

/** The box of one provider. */
export class VagrantArtifact implements Artifact {
  constructor(readonly provider: string, readonly path: string) {}
  async builderId(): Promise<string> { return VAGRANT_BUILDER_ID; }
  async files(): Promise<string[]> { return [this.path]; }
  async id(): Promise<string> { return this.provider; }
  async string(): Promise<string> { return `'${this.provider}' provider box: ${this.path}`; }
  async state(): Promise<unknown> { return undefined; }
  async destroy(): Promise<void> { await rm(this.path); }
}

export class VagrantPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  private raws: unknown[] = [];
  private config!: VagrantConfig;
  private packer!: PackerConfig;
  private ctx: InterpolateContext = {};

  async configure(...raws: unknown[]): Promise<void> {
    this.raws = raws;
    const d = this.decode([]);
    this.config = d.config;
    this.packer = d.packer;
    this.ctx = d.ctx;
    const c = this.config;
    // Each provider's override must decode now (Packer finds out after the build, if ever).
    for (const name of Object.keys(c.override ?? {})) this.specificConfig(name);
    const p = c.providerOverride ?? '';
    if (p !== '') {
      if (!PACKER_PROVIDERS.includes(p)) {
        throw new Error(`The given provider_override ${p} is not valid. Please choose from one of ${PACKER_PROVIDERS.join(', ')}`);
      }
      if (!PROVIDERS[p]) throw notSupported(p);
    } else {
      // The provider follows from the builder: reject one we cannot pack now, not after the build.
      const fromBuilder = providerOfBuilderType(this.packer.builderType);
      if (fromBuilder && !PROVIDERS[fromBuilder]) throw notSupported(fromBuilder);
    }
  }

  /** Decodes the raws, with `extra` (a provider's override) last. */
  private decode(extra: unknown[]): { config: VagrantConfig; packer: PackerConfig; ctx: InterpolateContext } {
    const d = decodeConfig<VagrantConfig>(schema, [...this.raws, ...extra]);
    const c = d.config;
    if (!c.outputPath) c.outputPath = DEFAULT_OUTPUT;
    const errs: string[] = [];
    if (c.vagrantfileTemplate && !c.vagrantfileTemplateGenerated) {
      try { statSync(c.vagrantfileTemplate); } catch { errs.push(`vagrantfile_template '${c.vagrantfileTemplate}' does not exist`); }
    }
    // (a bad compression_level is found when the box is written, as by Packer)
    PackerMultiError.throwIf(errs);
    return d;
  }

  /** The configuration with the provider's `override` block applied. */
  private specificConfig(name: string): VagrantConfig {
    const o = this.config.override?.[name];
    if (o === undefined) return this.config;
    try {
      return this.decode([o]).config;
    } catch (e) {
      throw new Error(`Error overriding config for ${name}: ${(e as Error).message}`, { cause: e });
    }
  }

  async postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    const builderId = await artifact.builderId();
    let name = this.config.providerOverride ?? '';
    if (name === '') {
      const n = PROVIDER_OF_BUILDER[builderId];
      if (!n) {
        if (builderId === ARTIFICE_BUILDER_ID) {
          throw new Error('Unknown provider type: When using an artifact created by the artifice post-processor, you need to set the provider_override option.');
        }
        throw new Error(`Unknown artifact type, can't build box: ${builderId}`);
      }
      name = n;
    }
    const provider = PROVIDERS[name];
    if (!provider) throw notSupported(name);
    const c = this.specificConfig(name);

    ui.say('Creating a dummy Vagrant box to ensure the host system can create one correctly');
    const dummySrc = await mkdtemp(join(tmpdir(), 'packer'));
    const dummyBox = await mkdtemp(join(tmpdir(), 'packer'));
    try {
      await writeMetadata(dummySrc, {});
      await dirToBox(join(dummyBox, 'box.box'), dummySrc, undefined, c.compressionLevel, signal);
    } finally {
      await rm(dummySrc, { recursive: true, force: true });
      await rm(dummyBox, { recursive: true, force: true });
    }

    ui.say(`Creating Vagrant box for '${name}' provider`);
    const data = await generatedData(artifact);
    data.ArtifactId = await artifact.id();
    data.BuildName = this.packer.buildName;
    data.Provider = name;
    const ctx: InterpolateContext = { ...this.ctx, data };
    const outputPath = render(c.outputPath ?? DEFAULT_OUTPUT, ctx);

    const dir = await mkdtemp(join(tmpdir(), 'packer'));
    try {
      for (const src of c.include ?? []) {
        ui.message(`Copying from include: ${src}`);
        try {
          await copyContents(join(dir, basename(src)), src);
        } catch (e) {
          throw new Error(`Error copying include file: ${src}\n\n${pathError('open', src, e).message}`, { cause: e });
        }
      }
      const { vagrantfile, metadata } = await provider.process(ui, artifact, dir);
      await writeMetadata(dir, metadata);
      let custom = '';
      if (c.vagrantfileTemplate) {
        ui.message(`Using custom Vagrantfile: ${c.vagrantfileTemplate}`);
        custom = render(await readFile(c.vagrantfileTemplate, 'utf8'), ctx);
      }
      await writeFile(join(dir, 'Vagrantfile'), `
# The contents below were provided by the Packer Vagrant post-processor
${vagrantfile}

# The contents below (if any) are custom contents provided by the
# Packer template during image build.
${custom}
`);
      await dirToBox(outputPath, dir, ui, c.compressionLevel, signal);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Packer forces the provider's choice over the default, never over an explicit keep_input_artifact: true.
    return { artifact: new VagrantArtifact(name, outputPath), keep: provider.keepInputArtifact, forceOverride: true };
  }
}
