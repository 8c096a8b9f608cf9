/**
 * The scp protocol as Packer's SSH communicator speaks it: `scp -t` / `scp -rt`
 * to upload files and trees, `scp -f` / `scp -rf` to download them.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { randomBytes, type FileInfo } from '@packer-ts/sdk';
import { ChannelReader, drained, writeCh } from './channel-reader.ts';

export async function checkSCPStatus(r: ChannelReader): Promise<void> {
  const code = await r.readByte();
  if (code !== 0) {
    let message: string;
    try {
      message = await r.readLine();
    } catch (e) {
      throw new Error(`Error reading error message: ${(e as Error).message}`);
    }
    throw new Error(message);
  }
}

/** Writes exactly `size` bytes of `src` to the channel. */
async function pump(src: Readable, ch: ClientChannel, size: number): Promise<void> {
  let left = size;
  for await (const chunk of src as AsyncIterable<Buffer | string>) {
    let b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (b.length > left) b = b.subarray(0, left);
    left -= b.length;
    const p = writeCh(ch, b);
    if (p) await p;
    if (left === 0) break;
  }
  if (left > 0) throw new Error('unexpected EOF');
}

export async function scpUploadFile(name: string, src: Readable, ch: ClientChannel, r: ChannelReader, info?: FileInfo): Promise<void> {
  let mode: number;
  let size: number;
  let tmpPath: string | undefined;
  if (info && info.size !== undefined && info.mode !== undefined) {
    mode = info.mode & 0o777;
    size = info.size;
  } else {
    // the size must be known before the bytes: spool to a temporary file
    tmpPath = join(tmpdir(), `packer-upload${randomBytes(6).toString('hex')}`);
    const w = createWriteStream(tmpPath);
    try {
      for await (const c of src as AsyncIterable<Buffer>) if (!w.write(c)) await drained(w);
      await new Promise<void>((res, rej) => w.end((e?: Error | null) => (e ? rej(e) : res())));
    } catch (e) {
      w.destroy();
      await rm(tmpPath, { force: true });
      throw new Error(`Error copying input data into local temporary file. Check that TEMPDIR has enough space. Error: ${(e as Error).message}`);
    }
    mode = info?.mode !== undefined ? info.mode & 0o777 : 0o644;
    size = (await stat(tmpPath)).size;
    src = createReadStream(tmpPath, { highWaterMark: 256 << 10 });
  }
  try {
    const p = writeCh(ch, `C${mode.toString(8).padStart(4, '0')} ${size} ${name}\n`);
    if (p) await p;
    await checkSCPStatus(r);
    await pump(src, ch, size);
    const q = writeCh(ch, '\0');
    if (q) await q;
    await checkSCPStatus(r);
  } finally {
    if (tmpPath) { src.destroy(); await rm(tmpPath, { force: true }); }
  }
}

export async function scpUploadDirProtocol(name: string, mode: number, ch: ClientChannel, r: ChannelReader, f: () => Promise<void>): Promise<void> {
  const p = writeCh(ch, `D${(mode & 0o777).toString(8).padStart(4, '0')} 0 ${name}\n`);
  if (p) await p;
  await checkSCPStatus(r);
  await f();
  const q = writeCh(ch, 'E\n');
  if (q) await q;
}

/** Go's Readdir order is the directory's; sort for a stable transfer order. */
export async function scpUploadDir(root: string, ch: ClientChannel, r: ChannelReader): Promise<void> {
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const real = join(root, e.name);
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) isDir = (await lstat(await realpath(real))).isDirectory();
    const st = await stat(real);
    if (!isDir) {
      const src = createReadStream(real, { highWaterMark: 256 << 10 });
      try {
        await scpUploadFile(e.name, src, ch, r, { size: st.size, mode: st.mode });
      } finally {
        src.destroy();
      }
      continue;
    }
    await scpUploadDirProtocol(e.name, st.mode, ch, r, () => scpUploadDir(real, ch, r));
  }
}


/** Receives one file (`scp -f`) into `output`. */
export async function scpDownloadFile(ch: ClientChannel, r: ChannelReader, output: Writable): Promise<void> {
  await writeCh(ch, '\0');
  const line = await r.readLine();
  switch (line[0]) {
    case '\x01': case '\x02': throw new Error(line.slice(1));
    case 'C': break;
    case 'D': throw new Error('remote file is directory');
    default: throw new Error(`unexpected server response (${Buffer.from(line.slice(0, 1)).toString('hex')})`);
  }
  const m = /^C([0-7]{4}) (\d+) /.exec(line);
  if (!m) throw new Error(`can't parse server response (${line})`);
  await writeCh(ch, '\0');
  await r.copyTo(output, Number(m[2]));
  await writeCh(ch, '\0');
  await checkSCPStatus(r);
}

/** Receives a directory tree (`scp -rf`) into local `dst`. */
export async function scpDownloadDir(ch: ClientChannel, r: ChannelReader, dst: string): Promise<void> {
  const dirStack = [dst];
  for (;;) {
    await writeCh(ch, '\0');
    const fi = await r.readLine();
    if (fi.length === 0) throw new Error('empty response from server');
    switch (fi[0]) {
      case '\x01': case '\x02': throw new Error(fi.slice(1));
      case 'C': case 'D': break;
      case 'E':
        dirStack.pop();
        if (dirStack.length === 0) { await writeCh(ch, '\0'); return; }
        continue;
      default: throw new Error(`unexpected server response (${Buffer.from(fi.slice(0, 1)).toString('hex')})`);
    }
    const m = /^[CD]([0-7]+) (\d+) (\S+)/.exec(fi);
    if (!m) throw new Error(`can't parse server response (${fi})`);
    const mode = parseInt(m[1]!, 8);
    const size = Number(m[2]);
    const name = m[3]!;
    const here = join(...dirStack);
    if (fi[0] === 'D') {
      await mkdir(join(here, name), { recursive: true, mode });
      dirStack.push(name);
      continue;
    }
    await writeCh(ch, '\0');
    const fh = await open(join(here, name), 'w', mode);
    const w = fh.createWriteStream();
    try {
      await r.copyTo(w, size);
    } finally {
      await new Promise<void>((res) => w.end(() => res()));
    }
    await checkSCPStatus(r);
  }
}
