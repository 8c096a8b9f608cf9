/**
 * Streaming GNU tar writer producing the same headers as the compress
 * post-processor of Packer: entry name = basename, GNU magic, all times zero,
 * mode = permission bits, uid/gid with user and group names.
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathError } from '@packer-ts/sdk';

const BLOCK = 512;

function lookupTable(file: string): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length < 3 || line.startsWith('#')) continue;
      const id = Number(f[2]);
      if (Number.isInteger(id) && !m.has(id)) m.set(id, f[0]!);
    }
  } catch {
    // no table: names stay empty
  }
  return m;
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;
function userName(uid: number): string { return (users ??= lookupTable('/etc/passwd')).get(uid) ?? ''; }
function groupName(gid: number): string { return (groups ??= lookupTable('/etc/group')).get(gid) ?? ''; }

function putString(b: Buffer, off: number, len: number, s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  bytes.copy(b, off, 0, Math.min(bytes.length, len));
}

/** Octal, zero padded to len-1 digits and NUL terminated; base-256 when it does not fit. */
function putNumber(b: Buffer, off: number, len: number, n: number | bigint): void {
  const v = BigInt(n);
  const octal = v >= 0n ? v.toString(8) : '';
  if (v >= 0n && octal.length <= len - 1) {
    putString(b, off, len, octal.padStart(len - 1, '0'));
    b[off + len - 1] = 0;
    return;
  }
  // GNU base-256: big-endian two's complement with the high bit of the first byte set.
  let x = BigInt.asUintN(8 * len, v);
  for (let i = len - 1; i >= 0; i--) {
    b[off + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  b[off] = b[off]! | 0x80;
}

function setChecksum(b: Buffer): void {
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  putString(b, 148, 7, sum.toString(8).padStart(6, '0'));
  b[154] = 0;
  b[155] = 0x20;
}

function gnuMagic(b: Buffer): void {
  b.write('ustar  \0', 257, 'latin1');
}

/** The `././@LongLink` record carrying a name longer than 100 bytes. */
function longNameHeader(name: string): Buffer[] {
  const data = Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0])]);
  const h = Buffer.alloc(BLOCK);
  putString(h, 0, 100, '././@LongLink');
  putNumber(h, 100, 8, 0);
  putNumber(h, 108, 8, 0);
  putNumber(h, 116, 8, 0);
  putNumber(h, 124, 12, data.length);
  putNumber(h, 136, 12, 0);
  h[156] = 'L'.charCodeAt(0);
  gnuMagic(h);
  setChecksum(h);
  const pad = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  return [h, data, pad];
}

export interface TarEntryInfo {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Modification time, seconds since the epoch (default 0, as the compress post-processor writes). */
  mtime?: number;
}

export function tarHeader(e: TarEntryInfo): Buffer[] {
  const out: Buffer[] = [];
  if (Buffer.byteLength(e.name) > 100) out.push(...longNameHeader(e.name));
  const h = Buffer.alloc(BLOCK);
  putString(h, 0, 100, e.name);
  putNumber(h, 100, 8, e.mode);
  putNumber(h, 108, 8, e.uid);
  putNumber(h, 116, 8, e.gid);
  putNumber(h, 124, 12, e.size);
  putNumber(h, 136, 12, e.mtime ?? 0);
  h[156] = '0'.charCodeAt(0);
  gnuMagic(h);
  putString(h, 265, 32, userName(e.uid));
  putString(h, 297, 32, groupName(e.gid));
  putNumber(h, 329, 8, 0);
  putNumber(h, 337, 8, 0);
  setChecksum(h);
  out.push(h);
  return out;
}

export interface TarStreamOptions {
  /** Entry names, one per file; default: each file's base name. */
  names?: string[];
  /** Record each file's modification time; default: zero times. */
  mtime?: boolean;
  /** Called before each entry is written, with its name. */
  onEntry?: (name: string) => void;
}

/** Yields the bytes of a tar archive holding `files` (read as streams). */
export async function* tarStream(files: string[], signal: AbortSignal, opts: TarStreamOptions = {}): AsyncGenerator<Buffer> {
  for (const [i, path] of files.entries()) {
    const name = opts.names?.[i] ?? basename(path);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw new Error(`Unable to read file ${path}: ${pathError('open', path, e).message}`);
    }
    try {
      const st = await fh.stat();
      if (st.isDirectory()) throw new Error(`Failed to copy ${path} data to archive: read ${path}: is a directory`);
      if (!st.isFile()) throw new Error(`Failed to create tar header for ${path}: archive/tar: unsupported file mode`);
      const mode = (st.mode & 0o777) | (st.mode & 0o4000 ? 0o4000 : 0) | (st.mode & 0o2000 ? 0o2000 : 0) | (st.mode & 0o1000 ? 0o1000 : 0);
      opts.onEntry?.(name);
      yield* tarHeader({ name, mode, uid: st.uid, gid: st.gid, size: st.size, mtime: opts.mtime ? Math.floor(st.mtimeMs / 1000) : 0 });
      let written = 0;
      if (st.size > 0) {
        const rs = fh.createReadStream({ start: 0, end: st.size - 1, autoClose: false });
        const onAbort = () => rs.destroy(signal.reason as Error);
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          for await (const chunk of rs) {
            written += (chunk as Buffer).length;
            yield chunk as Buffer;
          }
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
      }
      if (written !== st.size) {
        throw new Error(`Failed to copy ${path} data to archive: archive/tar: missed writing ${st.size - written} bytes`);
      }
      const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
      if (pad) yield Buffer.alloc(pad);
    } finally {
      await fh.close();
    }
  }
  yield Buffer.alloc(2 * BLOCK);
}
