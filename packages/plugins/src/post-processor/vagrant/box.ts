/**
 * Box files (Packer 1.6.6's post-processor/vagrant/util.go): metadata.json,
 * copies of included files, and the box itself: a tar of a directory's
 * files (relative names, modification times), gzipped unless the level is 0.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Ui } from '@packer-ts/sdk';
import { goQuote } from '../manifest/gojson.ts';
import { ERR_INVALID_COMPRESSION_LEVEL } from '../compress/index.ts';
import { tarStream } from '../compress/tar.ts';

/** Copies the bytes of `src` to `dst`, making dst's directory. */
export async function copyContents(dst: string, src: string): Promise<void> {
  await mkdir(dirname(dst), { recursive: true, mode: 0o755 });
  await pipeline(createReadStream(src), createWriteStream(dst));
}

/** metadata.json as Go's json.Encoder writes a map: sorted keys, compact, a newline. */
export function metadataJson(m: Record<string, unknown>): string {
  const value = (v: unknown): string => (typeof v === 'string' ? goQuote(v) : JSON.stringify(v));
  return `{${Object.keys(m).sort().map((k) => `${goQuote(k)}:${value(m[k])}`).join(',')}}\n`;
}

export async function writeMetadata(dir: string, m: Record<string, unknown>): Promise<void> {
  // An included metadata.json wins, as in Packer.
  await writeFile(join(dir, 'metadata.json'), metadataJson(m), { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
}

/** The files under `dir`, in filepath.Walk's order (lexical, depth first). */
async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else out.push(p);
  }
  return out;
}

export function checkCompressionLevel(level: number): void {
  if (!Number.isInteger(level) || level < -2 || level > 9) throw new Error(ERR_INVALID_COMPRESSION_LEVEL);
}

/** Packs the files of `dir` into the box `dst` (Packer's DirToBox). */
export async function dirToBox(dst: string, dir: string, ui: Ui | undefined, level: number, signal: AbortSignal): Promise<void> {
  checkCompressionLevel(level);
  await mkdir(dirname(dst), { recursive: true, mode: 0o755 });
  const files = await walkFiles(dir);
  const source = () => tarStream(files, signal, {
    names: files.map((f) => relative(dir, f)),
    mtime: true,
    onEntry: (name) => ui?.message(`Compressing: ${name}`),
  });
  const out = createWriteStream(dst);
  try {
    if (level === 0) await pipeline(source, out, { signal });
    else await pipeline(source, createGzip({ level: level === -2 ? 1 : level }), out, { signal });
  } catch (e) {
    await rm(dst, { force: true });
    throw e;
  }
}
