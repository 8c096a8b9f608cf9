/**
 * Downloads through the cache (Packer's StepDownload): each URL of the list is
 * tried in turn; local paths and file:// URLs are used in place, http(s) URLs
 * are fetched into PACKER_CACHE_DIR (default ./packer_cache) under
 * sha1(checksum or URL).EXT. The checksum (`TYPE:HEX`, bare hex, `file:URL`
 * of a checksum file, or `none`) is verified; a cached file with the right
 * checksum is reused. A progress line is drawn only on a terminal.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { halt, useExtraCaCertificates, type Step, type StepAction, type StateBag, type Ui } from '@packer-ts/sdk';

const HASH_BY_LEN: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
const GO_DIGEST: Record<string, string> = { md5: '*md5.digest', sha1: '*sha1.digest', sha256: '*sha256.digest', sha512: '*sha512.digest' };

export interface ParsedChecksum { type: string; hex: string }

/** The cache directory: PACKER_CACHE_DIR, else ./packer_cache (Packer 1.6.6). */
export function cacheDir(): string {
  return resolve(process.env.PACKER_CACHE_DIR || 'packer_cache');
}

/** Validates the syntax of an `iso_checksum` value (Packer's ISOConfig.Prepare); returns the error, if any. */
export function checksumSyntaxError(checksum: string): string | undefined {
  if (checksum === '') return 'A checksum must be specified';
  if (checksum.toLowerCase() === 'none' || checksum.startsWith('file:')) return undefined;
  const i = checksum.indexOf(':');
  const type = i < 0 ? undefined : checksum.slice(0, i).toLowerCase();
  const hex = i < 0 ? checksum : checksum.slice(i + 1);
  const where = ` in ${JSON.stringify(checksum)}`;
  if (type !== undefined && !(type in GO_DIGEST)) return `unsupported checksum type: ${type}${where}`;
  const he = goHexError(hex);
  if (he) return `invalid checksum: ${he}${where}`;
  if (!(type ?? HASH_BY_LEN[hex.length])) return `Unknown type for checksum ${hex}${where}`;
  return undefined;
}

/** The error Go's hex.DecodeString gives for `s`, if any (bad bytes are found before an odd length). */
function goHexError(s: string): string | undefined {
  const bad = /[^0-9a-fA-F]/u.exec(s);
  if (bad) {
    const cp = bad[0].codePointAt(0)!;
    const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return `encoding/hex: invalid byte: ${cp >= 0x20 && cp !== 0x7f ? `${u} '${bad[0]}'` : u}`;
  }
  return s.length % 2 ? 'encoding/hex: odd length hex string' : undefined;
}

async function fetchText(url: string): Promise<string> {
  if (/^https?:/i.test(url)) {
    useExtraCaCertificates();
    const r = await fetch(url);
    if (!r.ok) throw new Error(`bad response code: ${r.status}`);
    return await r.text();
  }
  return await readFile(url.startsWith('file:') ? fileURLToPath(url.startsWith('file://') ? url : 'file://' + resolve(url.slice(5))) : url, 'utf8');
}

/** Resolves `file:URL` checksums by looking the source's file name up in the checksum file. */
export async function resolveChecksum(checksum: string, source: string): Promise<ParsedChecksum | undefined> {
  if (checksum === '' || checksum.toLowerCase() === 'none') return undefined;
  if (checksum.startsWith('file:')) {
    const ref = checksum.slice(5);
    const text = await fetchText(ref.startsWith('//') ? 'file:' + ref : ref);
    const name = basename(source.split('?')[0]);
    for (const line of text.split(/\r?\n/)) {
      // GNU: "HEX  name" / "HEX *name"; BSD: "SHA256 (name) = HEX"
      let m = /^([0-9a-fA-F]+)\s+\*?(.+?)\s*$/.exec(line);
      if (m && basename(m[2]) === name) return { type: HASH_BY_LEN[m[1].length] ?? 'sha256', hex: m[1].toLowerCase() };
      m = /^(\w+)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/.exec(line);
      if (m && basename(m[2]) === name) return { type: m[1].toLowerCase(), hex: m[3].toLowerCase() };
    }
    throw new Error(`no checksum found for ${name} in ${ref}`);
  }
  const i = checksum.indexOf(':');
  const hex = (i < 0 ? checksum : checksum.slice(i + 1)).toLowerCase();
  const type = i < 0 ? HASH_BY_LEN[hex.length] : checksum.slice(0, i).toLowerCase();
  if (!type || !(type in GO_DIGEST)) throw new Error(`unsupported checksum type: ${type ?? hex.length}`);
  return { type, hex };
}

export async function hashFile(path: string, type: string): Promise<string> {
  const h = createHash(type);
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), h);
  return h.digest('hex');
}

export class ChecksumError extends Error {}

async function verify(path: string, sum: ParsedChecksum | undefined): Promise<void> {
  if (!sum) return;
  const got = await hashFile(path, sum.type);
  if (got !== sum.hex) {
    throw new ChecksumError(`Checksums did not match for ${path}.\nExpected: ${sum.hex}\nGot: ${got}\n${GO_DIGEST[sum.type]}`);
  }
}

export interface DownloadOptions {
  urls: string[];
  checksum: string;
  description: string;
  /** The cache file's extension (iso_target_extension). */
  extension: string;
  /** iso_target_path. */
  targetPath?: string;
  resultKey: string;
}

/** Packer's URL display: the source with `?checksum=...` added unless the checksum is none. */
function displayUrl(source: string, checksum: string): string {
  if (checksum === '' || checksum.toLowerCase() === 'none') return source;
  const sep = source.includes('?') ? '&' : '?';
  return `${source}${sep}checksum=${encodeURIComponent(checksum)}`;
}

export class StepDownload implements Step {
  readonly name = 'StepDownload';
  constructor(private opts: DownloadOptions) {}

  /** The cache path of `source` (Packer's UseSourceToFindCacheTarget). */
  cacheTarget(source: string): string {
    const key = this.opts.checksum && this.opts.checksum.toLowerCase() !== 'none' ? this.opts.checksum : displayUrl(source, '');
    const sha = createHash('sha1').update(key).digest('hex');
    const t = this.opts.targetPath;
    if (!t) return join(cacheDir(), `${sha}${this.opts.extension ? '.' + this.opts.extension : ''}`);
    if (extname(t) === '') return join(t, `${sha}.${this.opts.extension || 'iso'}`);
    return resolve(t);
  }

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    const { urls, description } = this.opts;
    if (urls.length === 0) return 'continue';
    ui.say(`Retrieving ${description}`);
    const errs: string[] = [];
    for (const source of urls) {
      if (signal.aborted) return halt(state, new Error(`Download cancelled: [${errs.join(' ')}]`));
      ui.say(`Trying ${source}`);
      try {
        const dst = await this.download(ui, source, signal);
        state.set(this.opts.resultKey, dst);
        return 'continue';
      } catch (e) {
        if (signal.aborted) return halt(state, new Error(`Download cancelled: [${(e as Error).message}]`));
        errs.push((e as Error).message);
      }
    }
    return halt(state, new Error(`error downloading ${description}: [${errs.join(' ')}]`), ui);
  }

  private async download(ui: Ui, source: string, signal: AbortSignal): Promise<string> {
    const shown = displayUrl(source, this.opts.checksum);
    ui.say(`Trying ${shown}`);
    const target = this.cacheTarget(source);
    const isHttp = /^https?:\/\//i.test(source);
    try {
      const sum = await resolveChecksum(this.opts.checksum, source);
      let dst: string;
      if (!isHttp) {
        if (/^[a-z][a-z0-9+.-]+:\/\//i.test(source) && !/^file:/i.test(source)) throw new Error(`download not supported for scheme '${source.split(':')[0]}'`);
        const local = /^file:/i.test(source) ? (source.startsWith('file://') ? fileURLToPath(source) : source.slice(5)) : source;
        dst = isAbsolute(local) ? local : resolve(local);
        try { await stat(dst); } catch { throw new Error(`source path error: stat ${dst}: no such file or directory`); }
        await verify(dst, sum);
      } else {
        dst = target;
        let cached = false;
        if (sum) {
          try { await stat(dst); await verify(dst, sum); cached = true; } catch { /* fetch again */ }
        }
        if (!cached) await this.fetchTo(ui, source, dst, sum, signal);
      }
      ui.say(`${shown} => ${dst}`);
      return dst;
    } catch (e) {
      if (e instanceof ChecksumError) {
        ui.say(`Checksum did not match, removing ${target}`);
        try { await rm(target); } catch { ui.error(`Failed to remove cache file. Please remove manually: ${target}`); }
      } else if (!signal.aborted) {
        ui.say(`Download failed ${(e as Error).message}`);
      }
      throw e;
    }
  }

  private async fetchTo(ui: Ui, url: string, dst: string, sum: ParsedChecksum | undefined, signal: AbortSignal): Promise<void> {
    await mkdir(dirname(dst), { recursive: true });
    const tmp = `${dst}.part-${process.pid}`;
    try {
      useExtraCaCertificates();
      const res = await fetch(url, { signal });
      if (!res.ok || !res.body) throw new Error(`bad response code: ${res.status}`);
      const total = Number(res.headers.get('content-length') ?? 0);
      let body: NodeJS.ReadableStream = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      body = ui.trackProgress?.(basename(new URL(url).pathname) || url, 0, total, body) ?? body;
      await pipeline(body, createWriteStream(tmp), { signal });
      await verify(tmp, sum).catch(async (e) => { await rm(tmp, { force: true }); throw e; });
      await rename(tmp, dst);
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
