/**
 * The file builder: writes `content` (or copies `source`) to `target`. No
 * machine is involved; it is fast and handy for testing.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  BasicArtifact,
  decodeConfig,
  HookProvision,
  PackerMultiError,
  withPrepareWarnings,
  type Artifact,
  type Builder,
  type Hook,
  type PrepareResult,
  type Schema,
  type Ui,
} from '@packer-ts/sdk';
import { pathError } from '@packer-ts/sdk';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const BUILDER_ID = 'packer.file';

export const schema: Schema = {
  source: { type: 'string' },
  target: { type: 'string' },
  content: { type: 'string' },
};
export const fileBuilderSchema = schema;

export interface FileBuilderConfig {
  source?: string;
  target?: string;
  content?: string;
}

export class FileBuilder implements Builder {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  config: Required<FileBuilderConfig> = { source: '', target: '', content: '' };

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    const c = decodeConfig<FileBuilderConfig>(schema, raws, {}).config;
    this.config = { source: c.source ?? '', target: c.target ?? '', content: c.content ?? '' };
    const warnings: string[] = [];
    const errs: string[] = [];
    if (this.config.target === '') errs.push('target required');
    if (this.config.content === '' && this.config.source === '') {
      warnings.push('Both source file and contents are blank; target will have no content');
    }
    if (this.config.content !== '' && this.config.source !== '') errs.push('Cannot specify source file AND content');
    if (errs.length > 0) throw withPrepareWarnings(new PackerMultiError(errs), warnings);
    return { generatedVars: [], warnings };
  }

  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    signal.throwIfAborted();
    const { source, target, content } = this.config;
    const dir = dirname(target);
    if (dir !== '.') {
      try {
        await mkdir(dir, { recursive: true, mode: 0o755 });
      } catch (e) {
        throw pathError('mkdir', dir, e);
      }
    }
    if (source !== '') {
      const input = createReadStream(source);
      await new Promise<void>((res, rej) => {
        input.once('open', () => res());
        input.once('error', (e) => rej(pathError('open', source, e)));
      });
      const output = createWriteStream(target, { mode: 0o666 });
      try {
        await new Promise<void>((res, rej) => {
          output.once('open', () => res());
          output.once('error', (e) => rej(pathError('open', target, e)));
        });
      } catch (e) {
        input.destroy();
        throw e;
      }
      ui.say(`Copying ${source} to ${target}`);
      await pipeline(input, output, { signal });
      ui.say(`Copied ${output.bytesWritten} bytes`);
    } else {
      try {
        await writeFile(target, content, { mode: 0o600 });
      } catch (e) {
        throw pathError('open', target, e);
      }
    }

    // Packer runs the provision hook with a mock communicator and no generated data
    await hook.run(HookProvision, ui, undefined, {}, signal);

    return new BasicArtifact({
      builderId: BUILDER_ID,
      id: 'File',
      files: [target],
      string: `Stored file: ${target}`,
      destroy: async () => {
        try {
          await rm(target);
        } catch (e) {
          throw pathError('remove', target, e);
        }
      },
    });
  }
}
