/**
 * The file provisioner: uploads files or directories to the machine, or
 * downloads them from it (`direction: download`), through the communicator.
 * Directories follow Packer's rules: `src/` copies the contents, `src` the
 * directory itself. A progress line is shown for uploads on a terminal only.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  decodeConfig,
  PackerMultiError,
  render,
  type Communicator,
  type InterpolateContext,
  type Provisioner,
  type Schema,
  type Ui,
} from '@packer-ts/sdk';
import { errnoReason } from '@packer-ts/sdk';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const schema: Schema = {
  source: { type: 'string' },
  sources: { type: 'string[]' },
  destination: { type: 'string' },
  direction: { type: 'string' },
  generated: { type: 'bool' },
};

export interface FileConfig {
  source?: string;
  sources?: string[];
  destination?: string;
  direction?: string;
  generated?: boolean;
}

function goErr(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class FileProvisioner implements Provisioner {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  config: { sources: string[]; destination: string; direction: string; generated: boolean } = {
    sources: [], destination: '', direction: 'upload', generated: false,
  };
  private ctx!: InterpolateContext;

  async prepare(...raws: unknown[]): Promise<void> {
    const d = decodeConfig<FileConfig>(schema, raws, { pluginType: 'file' });
    const c = d.config;
    this.ctx = d.ctx;
    const direction = c.direction || 'upload';
    const errs: string[] = [];
    if (direction !== 'download' && direction !== 'upload') errs.push('Direction must be one of: download, upload.');
    const sources = [...(c.sources ?? [])];
    if (c.source) sources.push(c.source);
    if (direction === 'upload') {
      for (const src of sources) {
        try {
          await stat(src);
        } catch (e) {
          if (!c.generated) errs.push(`Bad source '${src}': stat ${src}: ${errnoReason(e)}`);
        }
      }
    }
    if (sources.length < 1) errs.push('Source must be specified.');
    if (!c.destination) errs.push('Destination must be specified.');
    PackerMultiError.throwIf(errs);
    this.config = { sources, destination: c.destination!, direction, generated: c.generated ?? false };
  }

  private renderAt(text: string, data: Record<string, unknown>, what: string): string {
    try {
      return render(text, { ...this.ctx, data, buildData: data });
    } catch (e) {
      throw new Error(`Error interpolating ${what}: ${goErr(e)}`, { cause: e });
    }
  }

  async provision(ui: Ui, comm: Communicator | undefined, generatedData: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    if (!comm) throw new Error('file provisioner: no communicator (communicator "none"?)');
    const data = { ...(generatedData ?? {}) };
    signal.throwIfAborted();
    if (this.config.direction === 'download') await this.download(ui, comm, data);
    else await this.upload(ui, comm, data);
  }

  private async download(ui: Ui, comm: Communicator, data: Record<string, unknown>): Promise<void> {
    let dst = this.renderAt(this.config.destination, data, 'destination');
    for (const raw of this.config.sources) {
      const src = this.renderAt(raw, data, 'source');
      ui.say(`Downloading ${src} => ${dst}`);
      // as Packer: a destination ending in "/" is a directory receiving the source's base name
      let dir = dst;
      if (!dst.endsWith('/')) dir = dirname(dir);
      else if (!src.endsWith('/') && !src.endsWith('*')) dst = join(dst, basename(src));
      if (dir !== '') await mkdir(dir, { recursive: true, mode: 0o755 });
      if (src.endsWith('/') || /[*?[]/.test(src)) {
        await comm.downloadDir(src, dst, undefined);
        return;
      }
      const out = createWriteStream(dst, { mode: 0o644 });
      await new Promise<void>((res, rej) => { out.once('open', () => res()); out.once('error', rej); });
      try {
        await comm.download(src, out);
      } catch (e) {
        ui.error(`Download failed: ${goErr(e)}`);
        out.destroy();
        throw e;
      }
      await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    }
  }

  private async upload(ui: Ui, comm: Communicator, data: Record<string, unknown>): Promise<void> {
    const dst = this.renderAt(this.config.destination, data, 'destination');
    for (const raw of this.config.sources) {
      const src = this.renderAt(raw, data, 'source');
      ui.say(`Uploading ${src} => ${dst}`);
      let info;
      try {
        info = await stat(src);
      } catch (e) {
        throw new Error(`stat ${src}: ${errnoReason(e)}`, { cause: e });
      }
      if (info.isDirectory()) {
        try {
          await comm.uploadDir(dst, src, undefined);
        } catch (e) {
          ui.error(`Upload failed: ${goErr(e)}`);
          throw e;
        }
        continue;
      }
      const filedst = dst.endsWith('/') ? dst + basename(src) : dst;
      const file = createReadStream(src, { highWaterMark: 1 << 20 });
      const input = (ui.trackProgress?.(basename(src), 0, info.size, file) ?? file) as import('node:stream').Readable;
      try {
        await comm.upload(filedst, input, { size: info.size, mode: info.mode, name: basename(src) });
      } catch (e) {
        if (goErr(e).includes('Error restoring file')) {
          ui.error(`Upload failed: ${goErr(e)}; this can occur when your file destination is a folder without a trailing slash.`);
        }
        ui.error(`Upload failed: ${goErr(e)}`);
        throw e;
      } finally {
        input.destroy();
      }
    }
  }
}
