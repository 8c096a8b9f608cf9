/**
 * manifest post-processor: records each build's artifact in a JSON file,
 * appending to the builds of the same run (PACKER_RUN_UUID).
 */
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  decodeConfig, errorMessage, generatedData, render, validateTemplate,
  type Artifact, type InterpolateContext, type PackerConfig, type PostProcessResult,
  type PostProcessor, type Schema, type Ui,
  packerRunUUID,
} from '@packer-ts/sdk';
import { GoMap, goMarshalIndent } from './gojson.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const MANIFEST_BUILDER_ID = 'packer.post-processor.manifest';

export const manifestSchema: Schema = {
  output: { type: 'string', default: 'packer-manifest.json' },
  strip_path: { type: 'bool', default: false },
  strip_time: { type: 'bool', default: false },
  custom_data: { type: 'map' },
};

interface ManifestConfig {
  output?: string;
  stripPath?: boolean;
  stripTime?: boolean;
  customData?: Record<string, string>;
}

export interface ManifestFileEntry { name: string; size: number }

export interface ManifestBuild {
  name: string;
  builder_type: string;
  build_time: number;
  files: ManifestFileEntry[] | null;
  artifact_id: string;
  packer_run_uuid: string;
  custom_data: Record<string, string> | null;
}

export interface ManifestFile {
  builds: ManifestBuild[] | null;
  last_run_uuid: string;
}


/** Writers of one manifest path in this process, one after the other. */
const inProcessLocks = new Map<string, Promise<void>>();

async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const prev = inProcessLocks.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => { release = r; });
  const chain = prev.then(() => mine);
  inProcessLocks.set(key, chain);
  await prev;
  // Lock file shared with other processes: three tries, then go on anyway.
  const lockFile = `${path}.lock`;
  try {
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(i * 200);
      try {
        await (await open(lockFile, 'wx', 0o600)).close();
        break;
      } catch {
        // retry
      }
    }
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
    release();
    if (inProcessLocks.get(key) === chain) inProcessLocks.delete(key);
  }
}

export class ManifestPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(manifestSchema, { packerConfig: true }); }

  private config: Required<ManifestConfig> = { output: 'packer-manifest.json', stripPath: false, stripTime: false, customData: {} };
  private hasCustomData = false;
  private packer?: PackerConfig;
  private ctx: InterpolateContext = {};

  async configure(...raws: unknown[]): Promise<void> {
    const decoded = decodeConfig<ManifestConfig>(manifestSchema, raws, { pluginType: 'packer.post-processor.manifest' });
    this.packer = decoded.packer;
    this.ctx = decoded.ctx;
    const c = decoded.config;
    this.hasCustomData = c.customData !== undefined && c.customData !== null;
    this.config = {
      output: c.output || 'packer-manifest.json',
      stripPath: !!c.stripPath,
      stripTime: !!c.stripTime,
      customData: { ...(c.customData ?? {}) },
    };
    try {
      validateTemplate(this.config.output);
    } catch (e) {
      throw new Error(`Error parsing target template: ${errorMessage(e)}`);
    }
  }

  async postProcess(_ui: Ui, source: Artifact, _signal: AbortSignal): Promise<PostProcessResult> {
    const data = await generatedData(source);
    let customData: Record<string, string> | null = null;
    if (this.hasCustomData) {
      customData = {};
      for (const [k, v] of Object.entries(this.config.customData)) {
        try {
          customData[k] = render(String(v), { ...this.ctx, data, buildData: data });
        } catch (e) {
          throw new Error(`Error interpolating custom data: ${errorMessage(e)}`);
        }
      }
    }

    let files: ManifestFileEntry[] | null = null;
    for (const name of await source.files()) {
      let size = 0;
      try {
        size = (await stat(name)).size;
      } catch {
        // a missing file is recorded with size 0
      }
      (files ??= []).push({ name: this.config.stripPath ? basename(name) : name, size });
    }
    const uuid = packerRunUUID();
    const build: ManifestBuild = {
      name: this.packer?.buildName ?? '',
      builder_type: this.packer?.builderType ?? '',
      build_time: this.config.stripTime ? 0 : Math.floor(Date.now() / 1000),
      files,
      artifact_id: await source.id(),
      packer_run_uuid: uuid,
      custom_data: customData,
    };

    const output = this.config.output;
    await withLock(output, async () => {
      let contents = '';
      try {
        contents = await readFile(output, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new Error(`Unable to open ${output} for reading: ${errorMessage(e)}`);
        }
      }
      let manifest: ManifestFile = { builds: null, last_run_uuid: '' };
      if (contents.length > 0) {
        try {
          manifest = parseManifest(contents);
        } catch (e) {
          throw new Error(`Unable to parse content from ${output}: ${errorMessage(e)}`);
        }
      }
      if (this.packer?.force && uuid !== manifest.last_run_uuid) {
        manifest = { builds: null, last_run_uuid: '' };
      }
      manifest.builds = [...(manifest.builds ?? []), build];
      manifest.last_run_uuid = uuid;
      try {
        await writeFile(output, serializeManifest(manifest), { mode: 0o664 });
      } catch (e) {
        throw new Error(`Unable to write ${output}: ${errorMessage(e)}`);
      }
    });

    // The manifest never deletes the artifact it records.
    return { artifact: source, keep: true, forceOverride: true };
  }
}

/** The manifest text, laid out as Packer writes it (no trailing newline). */
export function serializeManifest(m: ManifestFile): string {
  const builds = m.builds === null ? null : m.builds.map((b) => ({
    name: b.name,
    builder_type: b.builder_type,
    build_time: b.build_time === 0 ? undefined : b.build_time,
    files: b.files === null ? null : b.files.map((f) => ({ name: f.name, size: f.size })),
    artifact_id: b.artifact_id,
    packer_run_uuid: b.packer_run_uuid,
    custom_data: b.custom_data === null ? null : new GoMap(b.custom_data),
  }));
  return goMarshalIndent({ builds, last_run_uuid: m.last_run_uuid });
}

/**
 * Reads an existing manifest as Go's json.Unmarshal into Packer's types
 * would: unknown keys dropped, keys matched case-insensitively, nulls and
 * missing fields as zero values, wrong types rejected.
 */
export function parseManifest(text: string): ManifestFile {
  const raw: unknown = JSON.parse(text);
  const m: ManifestFile = { builds: null, last_run_uuid: '' };
  if (raw === null) return m;
  const top = asStruct(raw, 'ManifestFile');
  const builds = field(top, 'builds');
  if (builds !== undefined && builds !== null) {
    if (!Array.isArray(builds)) throw typeError(builds, 'ManifestFile.builds', '[]manifest.Artifact');
    m.builds = builds.map((b) => parseBuild(b));
  }
  m.last_run_uuid = str(field(top, 'last_run_uuid'), 'ManifestFile.last_run_uuid');
  return m;
}

function parseBuild(raw: unknown): ManifestBuild {
  const b: ManifestBuild = {
    name: '', builder_type: '', build_time: 0, files: null, artifact_id: '', packer_run_uuid: '', custom_data: null,
  };
  if (raw === null) return b;
  const o = asStruct(raw, 'Artifact');
  b.name = str(field(o, 'name'), 'Artifact.builds.name');
  b.builder_type = str(field(o, 'builder_type'), 'Artifact.builds.builder_type');
  b.build_time = int(field(o, 'build_time'), 'Artifact.builds.build_time');
  const files = field(o, 'files');
  if (files !== undefined && files !== null) {
    if (!Array.isArray(files)) throw typeError(files, 'Artifact.builds.files', '[]manifest.ArtifactFile');
    b.files = files.map((f) => {
      if (f === null) return { name: '', size: 0 };
      const fo = asStruct(f, 'ArtifactFile');
      return { name: str(field(fo, 'name'), 'ArtifactFile.builds.files.name'), size: int(field(fo, 'size'), 'ArtifactFile.builds.files.size') };
    });
  }
  b.artifact_id = str(field(o, 'artifact_id'), 'Artifact.builds.artifact_id');
  b.packer_run_uuid = str(field(o, 'packer_run_uuid'), 'Artifact.builds.packer_run_uuid');
  const cd = field(o, 'custom_data');
  if (cd !== undefined && cd !== null) {
    if (typeof cd !== 'object' || Array.isArray(cd)) throw typeError(cd, 'Artifact.builds.custom_data', 'map[string]string');
    b.custom_data = {};
    for (const [k, v] of Object.entries(cd as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'string') throw typeError(v, 'Artifact.builds.custom_data', 'string');
      b.custom_data[k] = v ?? '';
    }
  }
  return b;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return `number ${v}`;
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeError(v: unknown, where: string, goType: string): Error {
  return new Error(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${where} of type ${goType}`);
}

function asStruct(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Error(`json: cannot unmarshal ${jsonType(v)} into Go value of type manifest.${name}`);
  }
  return v as Record<string, unknown>;
}

/** The value of a struct field: exact key first, else the last case-insensitive match. */
function field(o: Record<string, unknown>, key: string): unknown {
  let found: unknown;
  for (const [k, v] of Object.entries(o)) {
    if (k === key || k.toLowerCase() === key.toLowerCase()) found = v;
  }
  return found;
}

function str(v: unknown, where: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw typeError(v, where, 'string');
  return v;
}

function int(v: unknown, where: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(v, where, 'int64');
  return v;
}
