/**
 * Communicator across the plugin boundary (Packer's rpc.communicator / rpc.CommunicatorServer,
 * endpoint "Communicator").
 *   Start       {Command, StdinStreamId, StdoutStreamId, StderrStreamId, ResponseStreamId} -> nil.
 *               The caller accepts every id it sends (0 = no such stream); the server dials them,
 *               starts the command, replies, and when it ends closes stdout/stderr and writes a
 *               gob CommandFinished{ExitStatus} on the response stream.
 *   Upload      {Path, ReaderStreamId, FileInfo: {N, S, M} | nil} -> nil; bytes on ReaderStreamId
 *   Download    {Path, WriterStreamId} -> nil; bytes on WriterStreamId
 *   UploadDir   {Dst, Src, Exclude} -> error     DownloadDir {Dst, Src, Exclude} -> error
 * Bytes move through yamux streams with their flow control; nothing is buffered whole.
 *
 * Public API
 *   new CommunicatorClient(rpc, broker)   implements Communicator.
 *       start(cmd, signal) resolves with the exit status once the command ended and its output was
 *       copied; rejects when the command could not start, when the remote reports Packer's
 *       CmdDisconnect status, or when `signal` aborts (the local ends of the streams are reset:
 *       Packer has no Cancel for a running command). download() does not end `output`.
 *   registerCommunicator(server, comm, broker)   serves `comm` under "Communicator"
 *   CMD_DISCONNECT (2300218)                     Packer's "connection lost" exit status
 */
import type { Readable, Writable } from 'node:stream';
import type { Communicator, FileInfo, RemoteCmd } from '../../communicator.ts';
import type { MuxBroker } from '../broker.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import type { Stream } from '../yamux.ts';
import { readCommandFinished, encodeCommandFinished } from './gob.ts';
import { abortError, Endpoint, streamId, throwIfBasicError } from './wire.ts';

import { CMD_DISCONNECT } from '../../communicator.ts';

export { CMD_DISCONNECT };
/** How long a server waits for the command to fail at start before it answers Start. */
const START_GRACE_MS = 20;

const noop = (): void => {};

/** Copies `src` into `dst` without ending `dst`; resolves when `src` ended (or closed). */
function copyInto(src: Readable, dst: Writable): Promise<void> {
  return new Promise((resolve) => {
    src.on('error', noop);
    src.pipe(dst, { end: false });
    const done = (): void => { src.unpipe(dst); resolve(); };
    src.once('end', done);
    src.once('close', done);
  });
}

/** Feeds `src` into the stream `dst` (ending it at EOF); `src` is never destroyed. */
function feed(src: Readable, dst: Stream): void {
  dst.on('error', noop);
  const onError = (): void => { dst.destroy(); };
  src.once('error', onError);
  src.pipe(dst);
  dst.once('close', () => { src.unpipe(dst); src.off('error', onError); });
}

/** Half-closes a stream we are done writing (Go's Close on a yamux stream: a FIN). */
function release(s: Stream | undefined): void {
  if (!s || s.destroyed) return;
  s.resume();
  if (!s.writableEnded) s.end();
}

/** Done reading a stream: a FIN when the peer ended too, else a reset so its writer stops. */
function discard(s: Stream | undefined): void {
  if (!s || s.destroyed) return;
  if (s.readableEnded) release(s);
  else s.destroy();
}

function finishWrite(s: Stream | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!s || s.destroyed || s.writableFinished) return resolve();
    s.once('close', () => resolve());
    s.once('error', () => resolve());
    if (!s.writableEnded) s.end(() => resolve());
    else s.once('finish', () => resolve());
  });
}

export class CommunicatorClient implements Communicator {
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker) {}

  async start(cmd: RemoteCmd, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const streams: Stream[] = [];
    const accept = (id: number): Promise<Stream> => this.broker.accept(id).then((s) => { s.on('error', noop); streams.push(s); return s; });
    const args = { Command: cmd.command, StdinStreamId: 0, StdoutStreamId: 0, StderrStreamId: 0, ResponseStreamId: 0 };
    const copies: Promise<void>[] = [];
    if (cmd.stdin) {
      const stdin = cmd.stdin;
      args.StdinStreamId = this.broker.nextId();
      accept(args.StdinStreamId).then((s) => feed(stdin, s), noop);
    }
    if (cmd.stdout) {
      const out = cmd.stdout;
      args.StdoutStreamId = this.broker.nextId();
      copies.push(accept(args.StdoutStreamId).then((s) => copyInto(s, out).then(() => release(s)), noop));
    }
    if (cmd.stderr) {
      const err = cmd.stderr;
      args.StderrStreamId = this.broker.nextId();
      copies.push(accept(args.StderrStreamId).then((s) => copyInto(s, err).then(() => release(s)), noop));
    }
    args.ResponseStreamId = this.broker.nextId();
    const exit = accept(args.ResponseStreamId).then(async (s) => {
      try { return await readCommandFinished(s); } finally { release(s); }
    });
    exit.catch(noop);

    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        for (const s of streams) s.destroy();
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(noop);
    try {
      await Promise.race([this.rpc.call(`${Endpoint.Communicator}.Start`, args), aborted]);
      const [code] = await Promise.race([Promise.all([exit, ...copies]), aborted]);
      if (code === CMD_DISCONNECT) throw new Error(`remote command disconnected: ${cmd.command}`);
      return code;
    } catch (e) {
      for (const s of streams) s.destroy();
      throw e;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async upload(path: string, input: Readable, info?: FileInfo): Promise<void> {
    const id = this.broker.nextId();
    let stream: Stream | undefined;
    const accepted = this.broker.accept(id).then((s) => { stream = s; feed(input, s); }, noop);
    const FileInfo = info ? { N: info.name ?? '', S: info.size ?? 0, M: info.mode ?? 0 } : null;
    try {
      await this.rpc.call(`${Endpoint.Communicator}.Upload`, { Path: path, ReaderStreamId: id, FileInfo });
    } finally {
      void accepted.then(() => { if (stream && !stream.writableFinished) stream.destroy(); });
    }
  }

  async download(path: string, output: Writable): Promise<void> {
    const id = this.broker.nextId();
    let stream: Stream | undefined;
    const copied = this.broker.accept(id).then((s) => { stream = s; s.on('error', noop); return copyInto(s, output); });
    copied.catch(noop);
    try {
      await this.rpc.call(`${Endpoint.Communicator}.Download`, { Path: path, WriterStreamId: id });
    } catch (e) {
      void copied.then(() => stream?.destroy(), noop);
      stream?.destroy();
      throw e;
    }
    await copied;
    release(stream);
  }

  async uploadDir(dst: string, src: string, exclude: string[] = []): Promise<void> {
    throwIfBasicError(await this.rpc.call(`${Endpoint.Communicator}.UploadDir`, { Dst: dst, Src: src, Exclude: exclude }));
  }

  async downloadDir(src: string, dst: string, exclude: string[] = []): Promise<void> {
    throwIfBasicError(await this.rpc.call(`${Endpoint.Communicator}.DownloadDir`, { Dst: dst, Src: src, Exclude: exclude }));
  }
}

interface StartArgs { Command?: string; StdinStreamId?: number; StdoutStreamId?: number; StderrStreamId?: number; ResponseStreamId?: number }

export function registerCommunicator(server: RpcServer, comm: Communicator, broker: MuxBroker): void {
  server.register(Endpoint.Communicator, {
    async Start(a: StartArgs) {
      const dialed: Stream[] = [];
      const dial = async (v: unknown): Promise<Stream | undefined> => {
        const id = streamId(v);
        if (id === 0) return undefined;
        const s = await broker.dial(id);
        s.on('error', noop);
        dialed.push(s);
        return s;
      };
      let stdin: Stream | undefined, stdout: Stream | undefined, stderr: Stream | undefined, response: Stream | undefined;
      try {
        stdin = await dial(a?.StdinStreamId);
        stdout = await dial(a?.StdoutStreamId);
        stderr = await dial(a?.StderrStreamId);
        response = await dial(a?.ResponseStreamId);
      } catch (e) {
        for (const s of dialed) s.destroy();
        throw e;
      }
      const cmd: RemoteCmd = { command: String(a?.Command ?? '') };
      if (stdin) cmd.stdin = stdin;
      if (stdout) cmd.stdout = stdout;
      if (stderr) cmd.stderr = stderr;
      let started = true;
      const run = comm.start(cmd).then(
        (code) => ({ ok: true as const, code }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      const early = await Promise.race([run, new Promise<undefined>((r) => setTimeout(() => r(undefined), START_GRACE_MS))]);
      if (early && !early.ok) {
        started = false;
        for (const s of dialed) s.destroy();
        throw early.err;
      }
      void run.then(async (r) => {
        if (!started) return;
        const code = r.ok ? r.code : CMD_DISCONNECT;
        await Promise.all([finishWrite(stdout), finishWrite(stderr)]);
        release(stdout);
        release(stderr);
        discard(stdin);
        if (response && !response.destroyed) {
          response.write(encodeCommandFinished(code));
          await finishWrite(response);
          release(response);
        }
      });
      return null;
    },

    async Upload(a: { Path?: string; ReaderStreamId?: number; FileInfo?: { N?: unknown; S?: unknown; M?: unknown } | null }) {
      const s = await broker.dial(streamId(a?.ReaderStreamId));
      s.on('error', noop);
      const fi = a?.FileInfo;
      const info: FileInfo | undefined = fi ? { name: String(fi.N ?? ''), size: Number(fi.S ?? 0), mode: Number(fi.M ?? 0) } : undefined;
      try {
        await comm.upload(String(a?.Path ?? ''), s, info);
      } finally {
        discard(s);
      }
      return null;
    },

    async Download(a: { Path?: string; WriterStreamId?: number }) {
      const s = await broker.dial(streamId(a?.WriterStreamId));
      s.on('error', noop);
      try {
        await comm.download(String(a?.Path ?? ''), s);
      } catch (e) {
        s.destroy();
        throw e;
      }
      await finishWrite(s);
      release(s);
      return null;
    },

    async UploadDir(a: { Dst?: string; Src?: string; Exclude?: string[] | null }) {
      await comm.uploadDir(String(a?.Dst ?? ''), String(a?.Src ?? ''), (a?.Exclude ?? []).map(String));
      return null;
    },

    async DownloadDir(a: { Dst?: string; Src?: string; Exclude?: string[] | null }) {
      await comm.downloadDir(String(a?.Src ?? ''), String(a?.Dst ?? ''), (a?.Exclude ?? []).map(String));
      return null;
    },
  });
}
