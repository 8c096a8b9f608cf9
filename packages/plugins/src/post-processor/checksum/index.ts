/**
 * checksum post-processor: writes `<hex digest>\t<file basename>` lines for
 * every file of the input artifact into one file per checksum type.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import {
  BasicArtifact, PackerMultiError, decodeConfig, generatedData, pathError, render, validateTemplate, errorMessage,
  type Artifact, type InterpolateContext, type PackerConfig, type PostProcessResult,
  type PostProcessor, type Schema, type Ui,
} from '@packer-ts/sdk';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const CHECKSUM_BUILDER_ID = 'packer.post-processor.checksum';

/** Supported checksum types and their node:crypto algorithm names. */
export const CHECKSUM_ALGORITHMS: Record<string, string> = {
  md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
};

const DEFAULT_OUTPUT = 'packer_{{.BuildName}}_{{.BuilderType}}_{{.ChecksumType}}.checksum';

/**
 * `checksum_types` has no schema default on purpose: a missing (or null) key
 * means ["md5"], while an explicit empty list means "no checksum at all".
 */
export const checksumSchema: Schema = {
  checksum_types: { type: 'string[]' },
  output: { type: 'string', interpolate: false },
};

interface ChecksumConfig {
  checksumTypes?: string[];
  output?: string;
}

/** True when a later raw map sets `key` to something other than null. */
function rawIsSet(raws: unknown[], key: string): boolean {
  let set = false;
  for (const r of raws) {
    if (r && typeof r === 'object' && !Array.isArray(r) && key in r) {
      set = (r as Record<string, unknown>)[key] !== null && (r as Record<string, unknown>)[key] !== undefined;
    }
  }
  return set;
}

export class ChecksumPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(checksumSchema, { packerConfig: true }); }

  private types: string[] = ['md5'];
  private output = DEFAULT_OUTPUT;
  private packer?: PackerConfig;
  private ctx: InterpolateContext = {};

  async configure(...raws: unknown[]): Promise<void> {
    const decoded = decodeConfig<ChecksumConfig>(checksumSchema, raws, { pluginType: 'checksum' });
    this.packer = decoded.packer;
    this.ctx = decoded.ctx;
    const errs: Error[] = [];
    this.types = rawIsSet(raws, 'checksum_types') ? [...(decoded.config.checksumTypes ?? [])] : ['md5'];
    for (const t of this.types) {
      if (!(t in CHECKSUM_ALGORITHMS)) errs.push(new Error(`Unrecognized checksum type: ${t}`));
    }
    this.output = decoded.config.output || DEFAULT_OUTPUT;
    try {
      validateTemplate(this.output);
    } catch (e) {
      errs.push(new Error(`Error parsing target template: ${errorMessage(e)}`));
    }
    PackerMultiError.throwIf(errs);
  }

  async postProcess(_ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    const files = await artifact.files();
    const data = await generatedData(artifact);
    data.BuildName = this.packer?.buildName ?? '';
    data.BuilderType = this.packer?.builderType ?? '';
    const outFiles = [...files];

    for (const type of this.types) {
      data.ChecksumType = type;
      for (const file of files) {
        signal.throwIfAborted();
        const target = render(this.output, { ...this.ctx, data: { ...data } });
        try {
          await stat(target);
        } catch {
          outFiles.push(target);
        }
        try {
          await mkdir(dirname(target), { recursive: true, mode: 0o755 });
        } catch (e) {
          throw new Error(`unable to create dir: ${pathError('mkdir', dirname(target), e).message}`);
        }
        let out;
        try {
          out = await open(target, 'a', 0o644);
        } catch (e) {
          throw new Error(`unable to create file ${target}: ${pathError('open', target, e).message}`);
        }
        try {
          const digest = await hashFile(CHECKSUM_ALGORITHMS[type]!, file, type, signal);
          await out.write(`${digest}\t${basename(file)}\n`);
        } finally {
          await out.close();
        }
      }
    }

    const artifactOut = new BasicArtifact({
      builderId: CHECKSUM_BUILDER_ID,
      files: outFiles,
      string: `Created artifact from files: ${outFiles.join(', ')}`,
    });
    // keep and forceOverride are both true: the checksummed files must survive.
    return { artifact: artifactOut, keep: true, forceOverride: true };
  }
}

async function hashFile(algorithm: string, file: string, type: string, signal: AbortSignal): Promise<string> {
  const h = createHash(algorithm);
  try {
    for await (const chunk of createReadStream(file, { signal })) h.update(chunk as Buffer);
  } catch (e) {
    if (signal.aborted) throw e;
    if ((e as NodeJS.ErrnoException).syscall === 'open') {
      throw new Error(`unable to open file ${file}: ${pathError('open', file, e).message}`);
    }
    throw new Error(`unable to compute ${type} hash for ${file}`);
  }
  return h.digest('hex');
}
