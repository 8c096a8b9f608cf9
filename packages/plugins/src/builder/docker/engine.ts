/**
 * A minimal Docker Engine API client over the daemon's socket (node:http, no dependency):
 * the container calls the docker builder makes many times per build (exec, archive up and
 * down, inspect, commit, tag, kill, remove) go straight to the daemon instead of starting a
 * `docker` process each (tens of milliseconds apiece). Used only where the environment names a
 * plain endpoint: DOCKER_HOST=unix://PATH, DOCKER_HOST=tcp://HOST:PORT without TLS, or no
 * DOCKER_HOST/DOCKER_CONTEXT and no CLI context in the CLI's config (then /var/run/docker.sock).
 * Everything else (TLS, ssh://, contexts) goes through the `docker` command, as in Packer.
 */
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Socket } from 'node:net';

export type Endpoint = { socketPath: string } | { host: string; port: number };

/** The daemon endpoint the environment names, when it is one this client speaks to. */
export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint | undefined {
  if (env.PACKER_TS_DOCKER_CLI === '1') return undefined;
  const h = env.DOCKER_HOST;
  if (h) {
    if (h.startsWith('unix://')) return { socketPath: h.slice('unix://'.length) };
    const m = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(h);
    if (m && !env.DOCKER_TLS_VERIFY && !env.DOCKER_TLS) return { host: m[1]!, port: Number(m[2]) };
    return undefined;
  }
  if (env.DOCKER_CONTEXT) return undefined;
  try {
    const cfg = JSON.parse(readFileSync(join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json'), 'utf8')) as { currentContext?: string };
    if (cfg.currentContext && cfg.currentContext !== 'default') return undefined;
  } catch { /* no config: the default socket */ }
  return { socketPath: '/var/run/docker.sock' };
}

/** An error answer of the daemon, worded as the docker command prints it. */
export class EngineError extends Error {
  constructor(readonly status: number, message: string) { super(`Error response from daemon: ${message}`); }
}

export interface EngineResponse { status: number; body: Buffer }

export class Engine {
  constructor(readonly endpoint: Endpoint) {}

  private options(method: string, path: string, headers: Record<string, string> = {}): RequestOptions {
    return { ...this.endpoint, method, path, headers: { Host: 'docker', ...headers } };
  }

  /** One request; `body` is JSON (an object), bytes or a stream. Rejects with EngineError on a status >= 400. */
  async call(method: string, path: string, body?: unknown, out?: Writable): Promise<EngineResponse> {
    const stream = body !== null && typeof body === 'object' && typeof (body as Readable).pipe === 'function' ? body as Readable : undefined;
    const data = stream || body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (stream) headers['Content-Type'] = 'application/x-tar';
    else if (data) { headers['Content-Type'] = Buffer.isBuffer(body) ? 'application/x-tar' : 'application/json'; headers['Content-Length'] = String(data.length); }
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(this.options(method, path, headers), resolve);
      req.on('error', reject);
      if (stream) {
        stream.on('error', (e) => req.destroy(e));
        stream.pipe(req);
      } else req.end(data);
    });
    const status = res.statusCode ?? 0;
    if (out && status < 400) {
      await new Promise<void>((resolve, reject) => {
        res.on('error', reject);
        res.on('end', () => resolve());
        res.pipe(out, { end: false });
      });
      return { status, body: Buffer.alloc(0) };
    }
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const buf = Buffer.concat(chunks);
    if (status >= 400) {
      let msg = buf.toString('utf8').trim();
      try { msg = (JSON.parse(msg) as { message?: string }).message ?? msg; } catch { /* plain text */ }
      throw new EngineError(status, msg);
    }
    return { status, body: buf };
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call(method, path, body);
    return JSON.parse(r.body.toString('utf8') || 'null') as T;
  }

  /**
   * Runs `cmd` in a running container (exec create + start over the upgraded connection,
   * stdout/stderr demultiplexed) and resolves with its exit status (-1 when cut off by `signal`).
   */
  async exec(containerId: string, cmd: string[], o: { user?: string; tty?: boolean; stdin?: Readable; stdout?: Writable; stderr?: Writable; signal?: AbortSignal }): Promise<number> {
    const { Id } = await this.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(containerId)}/exec`, {
      AttachStdin: !!o.stdin, AttachStdout: true, AttachStderr: true, Tty: !!o.tty, User: o.user ?? '', Cmd: cmd,
    });
    const socket = await new Promise<Socket>((resolve, reject) => {
      const body = JSON.stringify({ Detach: false, Tty: !!o.tty });
      const req = request(this.options('POST', `/exec/${Id}/start`, {
        'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'Upgrade', Upgrade: 'tcp',
      }));
      req.on('upgrade', (_res, sock, head) => { if (head.length) sock.unshift(head); resolve(sock); });
      req.on('response', async (res) => {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        reject(new EngineError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8').trim()));
      });
      req.on('error', reject);
      req.end(body);
    });
    let aborted = false;
    const onAbort = (): void => { aborted = true; socket.destroy(); };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (o.stdin) {
        o.stdin.pipe(socket, { end: false });
        o.stdin.on('end', () => socket.end());
      }
      await demux(socket, o.tty ? undefined : o.stderr, o.stdout);
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
    }
    if (aborted) return -1;
    for (let i = 0; i < 200; i++) {
      const st = await this.json<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${Id}/json`);
      if (!st.Running && st.ExitCode !== null) return st.ExitCode;
      await new Promise((r) => setTimeout(r, 10));
    }
    return -1;
  }
}

/** Copies the exec stream: 8-byte frame headers (stream, 0, 0, 0, size) unless a tty (`stderr` undefined: raw). */
function demux(socket: Socket, stderr: Writable | undefined, stdout: Writable | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    const write = (w: Writable | undefined, b: Buffer) => { if (w && b.length) w.write(b); };
    socket.on('data', (chunk: Buffer) => {
      if (!stderr) { write(stdout, chunk); return; }
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const frame = pending.subarray(8, 8 + size);
        write(pending[0] === 2 ? stderr : stdout, frame);
        pending = pending.subarray(8 + size);
      }
    });
    socket.on('end', () => resolve());
    socket.on('close', () => resolve());
    socket.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
  });
}

/** `repo:tag` split as the docker command does (a ':' after the last '/'); tag "" when absent. */
export function splitRepoTag(ref: string): { repo: string; tag: string } {
  const i = ref.lastIndexOf(':');
  if (i > ref.lastIndexOf('/')) return { repo: ref.slice(0, i), tag: ref.slice(i + 1) };
  return { repo: ref, tag: '' };
}
