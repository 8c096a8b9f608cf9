/** Files over sftp with many requests in flight (uploads, trees, downloads). */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import type { FileInfo } from '@packer-ts/sdk';
import { drained } from './channel-reader.ts';

/** Copies `input` into remote `handle` with many writes in flight. */
async function sftpWriteAll(sftp: SFTPWrapper, handle: Buffer, input: Readable, concurrency: number): Promise<void> {
  const max = Math.max(1024, Math.min((sftp as unknown as { _maxWriteLen?: number })._maxWriteLen ?? 32_000, 255 << 10));
  let pos = 0;
  let inflight = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settle = (): void => { const w = wake; wake = undefined; w?.(); };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let off = 0; off < buf.length; off += max) {
      const piece = buf.subarray(off, off + max);
      while (inflight >= concurrency && !failure) await new Promise<void>((r) => { wake = r; });
      if (failure) throw failure;
      inflight++;
      sftp.write(handle, piece, 0, piece.length, pos, (err) => {
        inflight--;
        if (err && !failure) failure = err;
        settle();
      });
      pos += piece.length;
    }
  }
  while (inflight > 0) await new Promise<void>((r) => { wake = r; });
  if (failure) throw failure;
}

/** Reads remote `handle` into `output` in order, with many reads in flight. */
async function sftpReadAll(sftp: SFTPWrapper, handle: Buffer, output: Writable, concurrency: number): Promise<void> {
  const max = Math.max(1024, Math.min((sftp as unknown as { _maxReadLen?: number })._maxReadLen ?? 32_000, 255 << 10));
  const read = (pos: number, len: number): Promise<Buffer> => new Promise((resolve, reject) => {
    const buf = Buffer.allocUnsafe(len);
    sftp.read(handle, buf, 0, len, pos, (err, n) => {
      if (err) {
        if ((err as Error & { code?: number }).code === 1) resolve(buf.subarray(0, 0)); // EOF
        else reject(err);
      } else resolve(buf.subarray(0, n));
    });
  });
  let next = 0;
  const queue: { pos: number; p: Promise<Buffer> }[] = [];
  let eof = false;
  const fill = (): void => {
    while (!eof && queue.length < concurrency) { queue.push({ pos: next, p: read(next, max) }); next += max; }
  };
  fill();
  try {
    while (queue.length > 0) {
      const head = queue.shift()!;
      let b = await head.p;
      if (b.length === 0) { eof = true; continue; }
      // a short read: fetch the remainder of this slot before moving on
      let have = b.length;
      while (have < max) {
        const more = await read(head.pos + have, max - have);
        if (more.length === 0) { eof = true; break; }
        b = Buffer.concat([b, more]);
        have += more.length;
      }
      if (!output.write(b)) await drained(output);
      fill();
    }
  } finally {
    // let the outstanding reads finish before the handle closes
    await Promise.allSettled(queue.map((q) => q.p));
  }
}


/** Uploads `input` to remote `path`, then sets its mode. */
export async function sftpUploadFile(sftp: SFTPWrapper, path: string, input: Readable, info: FileInfo | undefined, concurrency: number): Promise<void> {
  const handle = await new Promise<Buffer>((res, rej) => sftp.open(path, 'w', (e, h) => (e ? rej(e) : res(h))));
  try {
    await sftpWriteAll(sftp, handle, input, concurrency);
  } finally {
    await new Promise<void>((res) => sftp.close(handle, () => res()));
  }
  if (info?.mode !== undefined) {
    const mode = info.mode & 0o777;
    await new Promise<void>((res, rej) => sftp.chmod(path, mode, (e) => (e ? rej(e) : res())));
  }
}

/** Uploads local directory `src` under remote `dst` (with trailing slash: its contents). */
export async function sftpUploadDir(sftp: SFTPWrapper, dst: string, src: string, concurrency: number): Promise<void> {
  const rootDst = src.endsWith('/') ? dst : join(dst, basename(src));
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p);
    const finalDst = join(rootDst, relative(src, p));
    if (finalDst !== join(dst)) {
      if (st.isDirectory()) {
        const err = await new Promise<Error | undefined>((res) => sftp.mkdir(finalDst, (e) => res(e ?? undefined)));
        if (err) {
          const isDir = await new Promise<boolean>((res) => sftp.lstat(finalDst, (e, s) => res(!e && s.isDirectory())));
          if (!isDir) throw err;
        }
        await new Promise<void>((res, rej) => sftp.chmod(finalDst, st.mode & 0o777, (e) => (e ? rej(e) : res())));
      } else {
        const rs = createReadStream(p, { highWaterMark: 256 << 10 });
        try {
          await sftpUploadFile(sftp, finalDst, rs, { size: st.size, mode: st.mode }, concurrency);
        } finally {
          rs.destroy();
        }
      }
    }
    if (st.isDirectory()) {
      const names = (await readdir(p)).sort();
      for (const n of names) await visit(join(p, n));
    }
  };
  await visit(src);
}

/** Downloads remote `path` into `output`. */
export async function sftpDownloadFile(sftp: SFTPWrapper, path: string, output: Writable, concurrency: number): Promise<void> {
  const handle = await new Promise<Buffer>((res, rej) => sftp.open(path, 'r', (e, h) => (e ? rej(e) : res(h))));
  try {
    await sftpReadAll(sftp, handle, output, concurrency);
  } finally {
    await new Promise<void>((res) => sftp.close(handle, () => res()));
  }
}
