/**
 * The docker communicator (Packer 1.6.6's builder/docker/communicator.go):
 * commands as `docker exec -i CONTAINER /bin/sh -c (COMMAND)`, one at a time;
 * files as a tar stream into or out of the container (`docker cp -`);
 * uploads of directories through `docker cp` of the path. With
 * fix_upload_owner, every upload is chowned to the container's user afterwards.
 * Through the Engine API (exec, archive) when the driver has it, else the
 * `docker` command.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Communicator, FileInfo, RemoteCmd } from '@packer-ts/sdk';
import { tarHeader } from '../../post-processor/compress/tar.ts';
import { docker, exitText } from './driver.ts';
import type { Engine } from './engine.ts';

export interface DockerCommunicatorOptions {
  containerId: string;
  /** The host directory mounted at containerDir (temporary files go there). */
  hostDir: string;
  containerDir: string;
  /** The user commands run as (`exec_user`), "" for the container's. */
  execUser?: string;
  pty?: boolean;
  /** chown uploads to the container's user (`fix_upload_owner`). */
  fixUploadOwner: boolean;
  /** The container's configured user ("" means root). */
  containerUser: string;
  entryPoint?: string[];
  /** The Engine API client, when the daemon is reachable directly (else the `docker` command). */
  engine?: Engine;
}

const BLOCK = 512;

export class DockerCommunicator implements Communicator {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly opts: DockerCommunicatorOptions) {}

  /** Runs `fn` after every command started before it ended (docker exec runs one at a time, as in Packer). */
  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async start(cmd: RemoteCmd, signal?: AbortSignal): Promise<number> {
    const o = this.opts;
    const args = ['exec', '-i'];
    if (o.execUser) args.push('-u', o.execUser);
    if (o.pty) args.push('-t');
    args.push(o.containerId, ...(o.entryPoint ?? ['/bin/sh', '-c']), `(${cmd.command})`);
    const engine = o.engine;
    if (engine) {
      const argv = [...(o.entryPoint ?? ['/bin/sh', '-c']), `(${cmd.command})`];
      return this.serialize(() => engine.exec(o.containerId, argv, { user: o.execUser, tty: o.pty, stdin: cmd.stdin, stdout: cmd.stdout, stderr: cmd.stderr, signal }));
    }
    return this.serialize(async () => {
      const r = await docker(args, { stdin: cmd.stdin, stdout: cmd.stdout ?? devNull(), stderr: cmd.stderr ?? devNull(), signal });
      return r.code;
    });
  }

  async upload(path: string, input: Readable, info?: FileInfo): Promise<void> {
    const size = info?.size;
    if (size === undefined) {
      // The size goes first in the tar header: spool the bytes into a file first, as Packer does.
      const tmp = await mkdtemp(join(this.opts.hostDir, 'upload'));
      const file = join(tmp, 'data');
      try {
        await pipeline(input, createWriteStream(file));
        const st = await stat(file);
        await this.uploadFile(path, createReadStream(file, { highWaterMark: 1 << 20 }), { ...info, size: st.size, mode: info?.mode ?? st.mode });
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      return;
    }
    await this.uploadFile(path, input, { ...info, size });
  }

  /** `docker cp - CONTAINER:DIR` fed with a one-file tar: header, the bytes, padding, end blocks. */
  private async uploadFile(dst: string, input: Readable, info: FileInfo & { size: number }): Promise<void> {
    const size = info.size;
    const mode = (info.mode ?? 0o644) & 0o7777;
    const tarIn = new PassThrough({ highWaterMark: 1 << 20 });
    const done = this.putArchive(posix.dirname(dst), tarIn);
    // The daemon keeps a tar's owner: when the owner fix_upload_owner wants is numeric, the
    // header carries it and no `chown` exec is needed (the docker command resets it to root).
    const owner = this.opts.engine ? this.uploadOwner() : undefined;
    let written = 0;
    try {
      for (const b of tarHeader({ name: posix.basename(dst), mode, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, size, mtime: Math.floor(Date.now() / 1000) })) tarIn.write(b);
      for await (const chunk of input) {
        const c = chunk as Buffer;
        written += c.length;
        if (!tarIn.write(c)) await new Promise<void>((r) => tarIn.once('drain', r));
      }
      if (written !== size) throw new Error(`Failed to pipe upload: archive/tar: ${written > size ? 'write too long' : `missed writing ${size - written} bytes`}`);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      tarIn.end(Buffer.alloc(pad + 2 * BLOCK));
    } catch (e) {
      tarIn.destroy();
      await done.catch(() => undefined);
      throw e;
    }
    const r = await done;
    if (r.code !== 0) throw new Error(`Failed to upload to '${dst}' in container: ${r.stderr}. ${exitText(r.code)}.`);
    if (!owner) await this.fixDestinationOwner(dst);
  }

  /**
   * The owner `chown -R USER FILE` would give an uploaded root-owned file, as numbers: root (0:0)
   * without fix_upload_owner; undefined when the container's user is a name (only a chown knows it).
   */
  private uploadOwner(): { uid: number; gid: number } | undefined {
    if (!this.opts.fixUploadOwner) return { uid: 0, gid: 0 };
    const u = this.opts.containerUser;
    if (u === '' || u === 'root' || u === '0') return { uid: 0, gid: 0 };
    let m = /^(\d+)$/.exec(u);
    if (m) return { uid: Number(m[1]), gid: 0 };
    m = /^(\d+):(\d+)$/.exec(u);
    if (m) return { uid: Number(m[1]), gid: Number(m[2]) };
    return undefined;
  }

  /** `docker cp - C:DIR` of the tar `input`, as a docker command's result. */
  private async putArchive(dir: string, input: Readable): Promise<{ code: number; stderr: string }> {
    const engine = this.opts.engine;
    if (!engine) return docker(['cp', '-', `${this.opts.containerId}:${dir}`], { stdin: input });
    try {
      await engine.call('PUT', `/containers/${encodeURIComponent(this.opts.containerId)}/archive?${new URLSearchParams({ path: dir })}`, input);
      return { code: 0, stderr: '' };
    } catch (e) {
      input.resume();
      return { code: 1, stderr: (e as Error).message };
    }
  }

  /** `docker cp C:PATH -` into `out`, as a docker command's result. */
  private async getArchive(path: string, out: Writable): Promise<{ code: number; stderr: string }> {
    const engine = this.opts.engine;
    if (!engine) return docker(['cp', `${this.opts.containerId}:${path}`, '-'], { stdout: out });
    try {
      await engine.call('GET', `/containers/${encodeURIComponent(this.opts.containerId)}/archive?${new URLSearchParams({ path })}`, undefined, out);
      return { code: 0, stderr: '' };
    } catch (e) {
      return { code: 1, stderr: (e as Error).message };
    }
  }

  async uploadDir(dst: string, src: string): Promise<void> {
    // `docker cp DIR/. C:DST` copies the contents, `docker cp DIR C:DST` the directory itself.
    const source = src.endsWith('/') ? `${src}.` : src;
    const r = await docker(['cp', source, `${this.opts.containerId}:${dst}`]);
    if (r.code !== 0) throw new Error(`Failed to upload to '${dst}' in container: ${r.stderr}. ${exitText(r.code)}.`);
    await this.fixDestinationOwner(dst);
  }

  /** `docker cp CONTAINER:PATH -` gives a tar: the first entry's bytes go to `output`. */
  async download(path: string, output: Writable): Promise<void> {
    const { Parser } = await import('tar');
    const tarOut = new PassThrough({ highWaterMark: 1 << 20 });
    let copied: Promise<void> | undefined;
    let sawEntry = false;
    const parser = new Parser({
      onReadEntry: (entry) => {
        if (sawEntry) { entry.resume(); return; }
        sawEntry = true;
        copied = pipeline(entry, output, { end: false });
      },
    });
    const parsed = new Promise<void>((res, rej) => { parser.on('end', () => res()); parser.on('error', rej); });
    tarOut.pipe(parser);
    const r = await this.getArchive(path, tarOut);
    tarOut.end();
    await parsed.catch(() => undefined);
    if (!sawEntry) {
      if (r.stderr !== '') throw new Error(`Error downloading file: ${r.stderr}`);
      throw new Error('Failed to read header from tar stream: EOF');
    }
    try {
      await copied;
    } catch (e) {
      throw new Error(`Failed to pipe download: ${(e as Error).message}`, { cause: e });
    }
    if (r.code !== 0) throw new Error(`Failed to download '${path}' from container: ${exitText(r.code)}`);
  }

  /**
   * Downloads a directory (Packer 1.6.6 has none for docker: "DownloadDir is not implemented").
   * `SRC/` puts the directory's contents into `dst`, `SRC` the directory itself.
   */
  async downloadDir(src: string, dst: string): Promise<void> {
    const { x } = await import('tar');
    await mkdir(dst, { recursive: true });
    const source = src.endsWith('/') ? `${src}.` : src;
    const tarOut = new PassThrough({ highWaterMark: 1 << 20 });
    const extracted = pipeline(tarOut, x({ cwd: dst, strip: src.endsWith('/') ? 1 : 0, preserveOwner: false }));
    const r = await this.getArchive(source, tarOut);
    tarOut.end();
    await extracted;
    if (r.code !== 0) throw new Error(`Failed to download '${src}' from container: ${r.stderr.trim() || exitText(r.code)}`);
  }

  /** Packer's fixDestinationOwner: `chown -R USER DST` as root in the container. */
  private async fixDestinationOwner(dst: string): Promise<void> {
    if (!this.opts.fixUploadOwner) return;
    const owner = this.opts.containerUser || 'root';
    const argv = ['/bin/sh', '-c', `chown -R ${owner} ${dst}`];
    const engine = this.opts.engine;
    if (engine) {
      const out = new PassThrough();
      let text = '';
      out.setEncoding('utf8').on('data', (t: string) => { text += t; });
      const code = await engine.exec(this.opts.containerId, argv, { user: 'root', stdout: out, stderr: out });
      if (code !== 0) throw new Error(`Failed to set owner of the uploaded file: ${exitText(code)}, ${text}`);
      return;
    }
    const r = await docker(['exec', '--user', 'root', this.opts.containerId, ...argv]);
    if (r.code !== 0) throw new Error(`Failed to set owner of the uploaded file: ${exitText(r.code)}, ${r.stdout}${r.stderr}`);
  }
}

function devNull(): Writable {
  const w = new PassThrough();
  w.resume();
  return w;
}
