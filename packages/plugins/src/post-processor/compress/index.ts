/**
 * compress post-processor: packs the artifact's files into a tar or zip
 * archive, optionally compressed (gzip, lz4, bgzf or xz), or compresses a
 * single file. The format comes from the output's extensions (or `format`),
 * as in Packer. Each compressor but gzip loads when its algorithm is used.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { constants as zc, createGzip, type Gzip } from 'node:zlib';
import {
  PackerMultiError, decodeConfig, errorMessage, generatedData, pathError, render, validateTemplate,
  type Artifact, type InterpolateContext, type PackerConfig, type PostProcessResult,
  type PostProcessor, type Schema, type Ui,
} from '@packer-ts/sdk';
import { tarStream } from './tar.ts';
import { zipStream } from './zip.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const COMPRESS_BUILDER_ID = 'packer.post-processor.compress';

export const ERR_INVALID_COMPRESSION_LEVEL = 'Invalid compression level. Expected an integer from -1 to 9.';

/** Packer's default output has no extension, which means tar + gzip. */
const DEFAULT_OUTPUT = 'packer_{{.BuildName}}_{{.BuilderType}}';

export const compressSchema: Schema = {
  output: { type: 'string', interpolate: false },
  format: { type: 'string' },
  compression_level: { type: 'int', default: 0 },
  // Normally removed by the core; accepted (and ignored) when it arrives.
  keep_input_artifact: { type: 'bool', hcl: { omit: true } },
  // Go's derived fields (Archive, Algorithm, no mapstructure tag): a template may set them; what
  // the output's extensions do not decide keeps the given value.
  archive: { type: 'string', goName: 'Archive' },
  algorithm: { type: 'string', goName: 'Algorithm' },
};

interface CompressConfig {
  output?: string;
  format?: string;
  compressionLevel?: number;
  archive?: string;
  algorithm?: string;
}

/** 'tar' | 'zip' | '' from the extensions; any other value a template gave (no archive). */
export type CompressArchive = string;
/** 'pgzip' | 'lz4' | 'bgzf' | 'xz' | '' from the extensions; any other value a template gave (no compression). */
export type CompressAlgorithm = string;

const EXTENSIONS: Record<string, CompressAlgorithm> = { gz: 'pgzip', lz4: 'lz4', bgzf: 'bgzf', xz: 'xz' };

/**
 * Archive and compression from the output template's dot-extensions (only
 * lower-case letters and digits count), `format` appended as one more;
 * `given` holds the values a template set (kept where the extensions decide nothing).
 */
export function detectFormat(output: string, format = '', given: { archive?: string; algorithm?: string } = {}): { archive: CompressArchive; algorithm: CompressAlgorithm } {
  const subject = format ? `${output}.${format}` : output;
  const exts = [...subject.matchAll(/\.([a-z0-9]+)/g)].map((m) => m[1]!);
  if (exts.length === 0) return { archive: 'tar', algorithm: 'pgzip' };
  const last = exts[exts.length - 1]!;
  const before = exts.length > 1 ? exts[exts.length - 2]! : '';
  let archive: CompressArchive = given.archive ?? '';
  if (before === 'tar') archive = 'tar';
  if (last === 'zip' || last === 'tar') return { archive: last, algorithm: given.algorithm ?? '' };
  const algorithm = EXTENSIONS[last];
  if (algorithm) return { archive, algorithm };
  return { archive: 'tar', algorithm: 'pgzip' };
}

export class CompressPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(compressSchema, { packerConfig: true }); }

  private output = DEFAULT_OUTPUT;
  private level = -1;
  archive: CompressArchive = 'tar';
  algorithm: CompressAlgorithm = 'pgzip';
  private packer?: PackerConfig;
  private ctx: InterpolateContext = {};

  async configure(...raws: unknown[]): Promise<void> {
    const decoded = decodeConfig<CompressConfig>(compressSchema, raws, { pluginType: 'compress' });
    this.packer = decoded.packer;
    this.ctx = decoded.ctx;
    const c = decoded.config;
    const errs: Error[] = [];
    this.output = c.output || DEFAULT_OUTPUT;
    let level = c.compressionLevel ?? 0;
    if (level > 9) level = 9;
    if (level === -1 || level === 0) level = -1;
    this.level = level;
    try {
      validateTemplate(this.output);
    } catch (e) {
      errs.push(new Error(`Error parsing target template: ${errorMessage(e)}`));
    }
    const f = detectFormat(this.output, c.format ?? '', { archive: c.archive, algorithm: c.algorithm });
    this.archive = f.archive;
    this.algorithm = f.algorithm;
    PackerMultiError.throwIf(errs);
  }

  /**
   * The compression stage for the algorithm, after Packer's "Using ..." line; a level the
   * writer refuses is Packer's error. lz4 uses the level as its search depth when above 0 and
   * xz ignores it, as Packer's writers do.
   */
  private async compressor(ui: Ui, target: string): Promise<Compressor | undefined> {
    const level = this.level;
    const invalid = () => new Error(`error creating ${this.algorithm} writer: ${ERR_INVALID_COMPRESSION_LEVEL}`);
    switch (this.algorithm) {
      case 'bgzf': {
        ui.say(`Using bgzf compression with ${availableParallelism()} cores for ${target}`);
        if (level < -1) throw invalid();
        const { bgzfStream } = await import('./bgzf.ts');
        return bgzfStream(level);
      }
      case 'lz4': {
        ui.say(`Using lz4 compression with ${availableParallelism()} cores for ${target}`);
        const { lz4Frame } = await import('./lz4.ts');
        return lz4Frame(level > 0 ? level : 0);
      }
      case 'xz': {
        ui.say(`Using xz compression with 1 core for ${target} (library does not support MT)`);
        const { xzStream } = await import('./xz.ts');
        try {
          return await xzStream();
        } catch (e) {
          throw new Error(`error creating xz writer: ${errorMessage(e)}`);
        }
      }
      case 'pgzip':
        ui.say(`Using pgzip compression with ${availableParallelism()} cores for ${target}`);
        if (level < -2) throw invalid();
        return level === -2 ? createGzip({ level: 1, strategy: zc.Z_HUFFMAN_ONLY }) : createGzip({ level });
      default:
        return undefined;
    }
  }

  async postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    const data = await generatedData(artifact);
    data.BuildName = this.packer?.buildName ?? '';
    data.BuilderType = this.packer?.builderType ?? '';
    let target: string;
    try {
      target = render(this.output, { ...this.ctx, data });
    } catch (e) {
      throw new Error(`Error interpolating output value: ${errorMessage(e)}`);
    }
    const files = await artifact.files();

    try {
      await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    } catch (e) {
      throw new Error(`Unable to create dir for archive ${target}: ${pathError('mkdir', dirname(target), e).message}`);
    }
    const out = createWriteStream(target, { flags: 'w', mode: 0o666 });
    try {
      await new Promise<void>((resolve, reject) => {
        out.once('open', () => resolve());
        out.once('error', reject);
      });
    } catch (e) {
      throw new Error(`Unable to create archive ${target}: ${pathError('open', target, e).message}`);
    }

    try {
      const compressor = await this.compressor(ui, target);
      const compression = this.algorithm || 'no compression';
      let source: () => AsyncIterable<Buffer>;
      let errPrefix: string;
      if (this.archive === 'tar') {
        ui.say(`Tarring ${target} with ${compression}`);
        source = () => tarStream(files, signal);
        errPrefix = 'Error creating tar: ';
      } else if (this.archive === 'zip') {
        ui.say(`Zipping ${target}`);
        source = () => zipStream(files, signal);
        errPrefix = 'Error creating zip: ';
      } else {
        if (files.length !== 1) {
          throw new Error(`Can only have 1 input file when not using tar/zip. Found ${files.length} files: [${files.join(' ')}]`);
        }
        const file = files[0]!;
        ui.say(`Archiving ${file} with ${compression}`);
        source = () => singleFile(file);
        errPrefix = `Failed to compress ${file}: `;
      }
      try {
        if (compressor) await pipeline(source, compressor, out, { signal });
        else await pipeline(source, out, { signal });
      } catch (e) {
        if (signal.aborted) throw e;
        const msg = errorMessage(e);
        throw new Error(msg.startsWith('Failed to open source file') ? msg : errPrefix + msg);
      }
    } catch (e) {
      out.destroy();
      await rm(target, { force: true });
      throw e;
    }

    ui.say(`Archive ${target} completed`);
    return {
      artifact: new CompressArtifact(target),
      keep: false,
      forceOverride: false,
    };
  }
}

/** A pipeline stage: a zlib stream, or a function from the source's chunks to the compressed ones. */
type Compressor = Gzip | ((source: AsyncIterable<Buffer>) => AsyncIterable<Buffer>);

async function* singleFile(file: string): AsyncGenerator<Buffer> {
  const rs = createReadStream(file);
  try {
    for await (const chunk of rs) yield chunk as Buffer;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).syscall === 'open') {
      throw new Error(`Failed to open source file ${file} for reading: ${pathError('open', file, e).message}`);
    }
    throw e;
  }
}

/** The archive written by the compress post-processor. */
export class CompressArtifact implements Artifact {
  constructor(readonly path: string) {}
  async builderId(): Promise<string> { return COMPRESS_BUILDER_ID; }
  async files(): Promise<string[]> { return [this.path]; }
  async id(): Promise<string> { return ''; }
  async string(): Promise<string> { return `compressed artifacts in: ${this.path}`; }
  async state(): Promise<unknown> { return undefined; }
  async destroy(): Promise<void> { await rm(this.path); }
}
