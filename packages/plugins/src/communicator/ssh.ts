/**
 * The SSH communicator (ssh2): runs commands with their output streamed as
 * it comes, and moves files with scp (`scp -t` / `scp -f` run on the remote,
 * the default) or sftp (pipelined requests). Reconnects when the connection
 * was lost (e.g. after a reboot), like Packer's.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { Readable, Writable, type Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type {
  AgentAuthMethod, AuthMethod, Client as ClientT, ClientChannel, ConnectConfig, ExecOptions,
  KeyboardInteractiveAuthMethod, PasswordAuthMethod, PublicKeyAuthMethod, SFTPWrapper,
} from 'ssh2';
import { CMD_DISCONNECT, type Communicator, type FileInfo, type RemoteCmd } from '@packer-ts/sdk';

/**
 * ssh2 loads on first use (it costs tens of ms of start-up). The module name
 * is not a literal so the bundler leaves it out: ssh2 loads from
 * node_modules at run time, with its native crypto binding.
 */
const SSH2_MODULE = 'ssh2';
let ssh2Client: typeof import('ssh2').Client | undefined;
async function clientClass(): Promise<typeof import('ssh2').Client> {
  if (!ssh2Client) {
    const m = (await import(SSH2_MODULE)) as typeof import('ssh2') & { default?: typeof import('ssh2') };
    ssh2Client = (m.default ?? m).Client;
  }
  return ssh2Client;
}


/** How to reach one SSH server and log in. */
export interface SSHEndpoint {
  host: string;
  port: number;
  username: string;
  password?: string;
  /** Private keys (contents) tried in order. */
  privateKeys?: Buffer[];
  /** Agent socket to authenticate with (ssh_agent_auth). */
  agent?: string;
}

export interface SSHOptions extends SSHEndpoint {
  bastion?: SSHEndpoint;
  pty?: boolean;
  disableAgentForwarding?: boolean;
  /** ssh_file_transfer_method sftp. */
  useSftp?: boolean;
  /** ms; 0 disables. */
  keepAliveInterval?: number;
  /** ms; a connection idle this long is dropped; 0 disables. */
  readWriteTimeout?: number;
  /** ms (default 1 minute, as Packer). */
  handshakeTimeout?: number;
  ciphers?: string[];
  kex?: string[];
  /** Parallel sftp requests (default 32). */
  sftpConcurrency?: number;
}

/** An error establishing the connection; `auth` when the server refused every credential. */
export class SSHConnectError extends Error {
  constructor(message: string, readonly kind: 'tcp' | 'auth' | 'handshake', options?: ErrorOptions) {
    super(message, options);
  }
}

const GO_SIGNALS: Record<string, number> = {
  ABRT: 6, ALRM: 14, FPE: 8, HUP: 1, ILL: 4, INT: 2, KILL: 9, PIPE: 13, QUIT: 3, SEGV: 11, TERM: 15, USR1: 10, USR2: 12,
};

type Auth = AgentAuthMethod | PublicKeyAuthMethod | PasswordAuthMethod | KeyboardInteractiveAuthMethod;

function authMethods(ep: SSHEndpoint): Auth[] {
  const m: Auth[] = [];
  if (ep.agent) m.push({ type: 'agent', username: ep.username, agent: ep.agent });
  for (const key of ep.privateKeys ?? []) m.push({ type: 'publickey', username: ep.username, key });
  if (ep.password) {
    const password = ep.password;
    m.push({ type: 'password', username: ep.username, password });
    m.push({
      type: 'keyboard-interactive',
      username: ep.username,
      prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  return m;
}

function goMethodList(ep: SSHEndpoint): string {
  const names = ['none'];
  for (const a of authMethods(ep)) {
    const n = a.type === 'agent' ? 'publickey' : a.type;
    if (!names.includes(n)) names.push(n);
  }
  return `[${names.join(' ')}]`;
}

/** Opens a TCP connection with Nagle off (bulk sftp stalls otherwise). */
function tcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host, port, noDelay: true });
    const timer = setTimeout(() => { s.destroy(); reject(new SSHConnectError(`dial tcp ${host}:${port}: i/o timeout`, 'tcp')); }, timeoutMs);
    s.once('connect', () => { clearTimeout(timer); s.removeAllListeners('error'); resolve(s); });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const reason = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message;
      reject(new SSHConnectError(`dial tcp ${host}:${port}: ${reason}`, 'tcp', { cause: e }));
    });
  });
}

/** SSH handshake and authentication over `sock`. */
async function handshake(sock: Duplex, ep: SSHEndpoint, opts: SSHOptions): Promise<ClientT> {
  const Client = await clientClass();
  return new Promise((resolve, reject) => {
    const c = new Client();
    const agentSock = process.env.SSH_AUTH_SOCK;
    const forward = !!agentSock && !opts.disableAgentForwarding;
    const cfg: ConnectConfig = {
      sock: sock as unknown as ConnectConfig['sock'],
      username: ep.username,
      authHandler: authMethods(ep) as AuthMethod[],
      hostVerifier: () => true,
      readyTimeout: opts.handshakeTimeout ?? 60_000,
      keepaliveInterval: opts.keepAliveInterval ?? 0,
      keepaliveCountMax: 3,
    };
    if (forward) { cfg.agent = agentSock; cfg.agentForward = true; }
    if (opts.ciphers?.length || opts.kex?.length) {
      cfg.algorithms = {};
      if (opts.ciphers?.length) cfg.algorithms.cipher = opts.ciphers as never;
      if (opts.kex?.length) cfg.algorithms.kex = opts.kex as never;
    }
    let done = false;
    c.once('ready', () => { done = true; c.removeAllListeners('error'); c.on('error', () => {}); resolve(c); });
    // `on`, not `once`: ssh2 may report a second error on an abandoned attempt.
    c.on('error', (e: Error & { level?: string }) => {
      if (done) return;
      done = true;
      c.end();
      if (e.level === 'client-authentication') {
        reject(new SSHConnectError(`ssh: handshake failed: ssh: unable to authenticate, attempted methods ${goMethodList(ep)}, no supported methods remain`, 'auth', { cause: e }));
      } else if (/Timed out while waiting for handshake/.test(e.message)) {
        reject(new SSHConnectError('Timeout during SSH handshake', 'handshake', { cause: e }));
      } else {
        reject(new SSHConnectError(`ssh: handshake failed: ${e.message}`, 'handshake', { cause: e }));
      }
    });
    c.once('close', () => {
      if (done) return;
      done = true;
      reject(new SSHConnectError('ssh: handshake failed: EOF', 'handshake'));
    });
    c.connect(cfg);
  });
}

/** A connected client (through the bastion when one is set), and what to close with it. */
async function dial(opts: SSHOptions): Promise<{ client: ClientT; bastion?: ClientT }> {
  const hs = opts.handshakeTimeout ?? 60_000;
  if (opts.bastion) {
    const b = opts.bastion;
    const bsock = await tcp(b.host, b.port, hs);
    const bastion = await handshake(bsock, b, opts);
    try {
      const stream = await new Promise<ClientChannel>((resolve, reject) => {
        bastion.forwardOut('127.0.0.1', 0, opts.host, opts.port, (err, ch) => {
          if (err) reject(new SSHConnectError(`dial tcp ${opts.host}:${opts.port} through bastion ${b.host}:${b.port}: ${err.message}`, 'tcp', { cause: err }));
          else resolve(ch);
        });
      });
      const client = await handshake(stream, opts, opts);
      client.once('close', () => bastion.end());
      return { client, bastion };
    } catch (e) {
      bastion.end();
      throw e;
    }
  }
  const sock = await tcp(opts.host, opts.port, hs);
  if (opts.readWriteTimeout && opts.readWriteTimeout > 0) {
    sock.setTimeout(opts.readWriteTimeout, () => sock.destroy(new Error('i/o timeout')));
  }
  return { client: await handshake(sock, opts, opts) };
}

/** A buffered reader over a channel's stdout (Go's bufio.Reader, for the scp protocol). */
class ChannelReader {
  private chunks: Buffer[] = [];
  private len = 0;
  private ended = false;
  private wake: (() => void) | undefined;
  private static readonly HIGH = 8 << 20;

  constructor(private readonly ch: ClientChannel) {
    ch.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.len += c.length;
      if (this.len > ChannelReader.HIGH) ch.pause();
      this.notify();
    });
    ch.on('end', () => { this.ended = true; this.notify(); });
    ch.on('close', () => { this.ended = true; this.notify(); });
  }

  private notify(): void { const w = this.wake; this.wake = undefined; w?.(); }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    await new Promise<void>((r) => { this.wake = r; });
    return true;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length <= n) { this.chunks.shift(); out = first; } else { out = first.subarray(0, n); this.chunks[0] = first.subarray(n); }
    this.len -= out.length;
    if (this.len < ChannelReader.HIGH / 2 && this.ch.isPaused()) this.ch.resume();
    return out;
  }

  async readByte(): Promise<number> {
    while (this.len === 0) if (!(await this.more())) throw new Error('EOF');
    return this.take(1)[0]!;
  }

  /** Reads up to and including '\n'; the line without it. */
  async readLine(): Promise<string> {
    const parts: Buffer[] = [];
    for (;;) {
      while (this.len === 0) {
        if (!(await this.more())) {
          if (parts.length) return Buffer.concat(parts).toString();
          throw new Error('EOF');
        }
      }
      const first = this.chunks[0]!;
      const i = first.indexOf(10);
      if (i >= 0) {
        parts.push(this.take(i + 1).subarray(0, i));
        return Buffer.concat(parts).toString();
      }
      parts.push(this.take(first.length));
    }
  }

  /** Copies exactly `n` bytes into `out` (backpressure honoured). */
  async copyTo(out: Writable, n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      while (this.len === 0) if (!(await this.more())) throw new Error('unexpected EOF');
      const b = this.take(Math.min(left, this.chunks[0]!.length));
      left -= b.length;
      if (!out.write(b)) await drained(out);
    }
  }

  async rest(): Promise<string> {
    while (await this.more()) { /* wait for the end */ }
    return Buffer.concat(this.chunks.splice(0)).toString();
  }
}

function drained(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = (): void => { w.off('error', bad); w.off('close', ok); resolve(); };
    const bad = (e: Error): void => { w.off('drain', ok); w.off('close', ok); reject(e); };
    w.once('drain', ok);
    w.once('error', bad);
    w.once('close', ok);
  });
}

function writeCh(ch: ClientChannel, data: Buffer | string): Promise<void> | undefined {
  return ch.write(data) ? undefined : drained(ch);
}

async function checkSCPStatus(r: ChannelReader): Promise<void> {
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

async function scpUploadFile(name: string, src: Readable, ch: ClientChannel, r: ChannelReader, info?: FileInfo): Promise<void> {
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

async function scpUploadDirProtocol(name: string, mode: number, ch: ClientChannel, r: ChannelReader, f: () => Promise<void>): Promise<void> {
  const p = writeCh(ch, `D${(mode & 0o777).toString(8).padStart(4, '0')} 0 ${name}\n`);
  if (p) await p;
  await checkSCPStatus(r);
  await f();
  const q = writeCh(ch, 'E\n');
  if (q) await q;
}

/** Go's Readdir order is the directory's; sort for a stable transfer order. */
async function scpUploadDir(root: string, ch: ClientChannel, r: ChannelReader): Promise<void> {
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

/** The SSH communicator. Create with `SSHCommunicator.connect`. */
export class SSHCommunicator implements Communicator {
  private conn: { client: ClientT; bastion?: ClientT } | undefined;
  private alive = false;

  private constructor(readonly opts: SSHOptions) {}

  /** Connects (through the bastion when set); rejects with an `SSHConnectError`. */
  static async connect(opts: SSHOptions): Promise<SSHCommunicator> {
    const c = new SSHCommunicator(opts);
    await c.reconnect();
    return c;
  }

  private async reconnect(): Promise<void> {
    this.close();
    const conn = await dial(this.opts);
    this.conn = conn;
    this.alive = true;
    const dead = (): void => { if (this.conn === conn) this.alive = false; };
    conn.client.on('close', dead);
    conn.client.on('end', dead);
    conn.client.on('error', dead);
  }

  /** Closes the connection (a later call reconnects). */
  close(): void {
    if (!this.conn) return;
    const c = this.conn;
    this.conn = undefined;
    this.alive = false;
    c.client.end();
    c.bastion?.end();
  }

  /**
   * Opens a channel with `open`; reconnects once when the connection is gone
   * (Packer's newSession). `setup` runs inside ssh2's callback: events such as
   * 'exit' may fire before an awaiting caller would resume.
   */
  private async channel<T>(open: (c: ClientT, cb: (err: Error | undefined, v: T) => void) => void, setup?: (v: T) => void): Promise<T> {
    const attempt = (): Promise<T> => new Promise<T>((resolve, reject) => {
      if (!this.conn || !this.alive) { reject(new Error('client not available')); return; }
      try {
        open(this.conn.client, (err, v) => {
          if (err) { reject(err); return; }
          setup?.(v);
          resolve(v);
        });
      } catch (e) {
        reject(e);
      }
    });
    try {
      return await attempt();
    } catch {
      await this.reconnect();
      return attempt();
    }
  }

  private exec(command: string, pty = false, setup?: (ch: ClientChannel) => void): Promise<ClientChannel> {
    const opts: ExecOptions & { agentForward?: boolean } = {};
    if (pty) opts.pty = { term: 'xterm', rows: 40, cols: 80, modes: { ECHO: 0, TTY_OP_ISPEED: 14400, TTY_OP_OSPEED: 14400 } };
    if (process.env.SSH_AUTH_SOCK && !this.opts.disableAgentForwarding) opts.agentForward = true;
    return this.channel<ClientChannel>((c, cb) => c.exec(command, opts, cb), setup);
  }

  private sftp(): Promise<SFTPWrapper> {
    return this.channel<SFTPWrapper>((c, cb) => c.sftp(cb));
  }

  async start(cmd: RemoteCmd, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    let status: number | undefined;
    let closed = false;
    const ch = await this.exec(cmd.command, this.opts.pty, (c) => {
      c.on('exit', (code: number | null, sig?: string) => {
        if (typeof code === 'number') status = code;
        else if (sig) status = 128 + (GO_SIGNALS[sig.replace(/^SIG/, '')] ?? 0);
      });
      c.once('close', () => { closed = true; });
    });
    const client = this.conn!.client;
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const pending: Promise<void>[] = [];
      const forward = (src: Readable, dst: Writable | undefined): void => {
        if (!dst) { src.resume(); return; }
        src.pipe(dst, { end: false });
        pending.push(new Promise<void>((r) => { src.once('end', r); src.once('close', r); }));
      };
      forward(ch, cmd.stdout);
      forward(ch.stderr as unknown as Readable, cmd.stderr);
      if (cmd.stdin) cmd.stdin.pipe(ch); else ch.end();
      const finish = (): void => {
        if (settled) return;
        settled = true;
        cleanup();
        void Promise.all(pending).then(() => resolve(status ?? CMD_DISCONNECT));
      };
      const onClientGone = (): void => {
        // the connection dropped under the command: Packer's "disconnect"
        ch.destroy();
        finish();
      };
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        cleanup();
        try { ch.signal('KILL'); } catch { /* channel gone */ }
        ch.close();
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('cancelled'));
      };
      const cleanup = (): void => {
        client.off('close', onClientGone);
        signal?.removeEventListener('abort', onAbort);
      };
      client.once('close', onClientGone);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (closed) finish(); else ch.once('close', finish);
      ch.on('error', () => {});
    });
  }

  async upload(path: string, input: Readable, info?: FileInfo): Promise<void> {
    if (this.opts.useSftp) {
      await this.withSftp(async (sftp) => this.sftpUploadFile(sftp, path, input, info));
      return;
    }
    const dir = dirname(path).replace(/ /g, '\\ ');
    await this.scpSession(`scp -t ${dir}`, (ch, r) => scpUploadFile(basename(path), input, ch, r, info));
  }

  async uploadDir(dst: string, src: string): Promise<void> {
    if (this.opts.useSftp) {
      await this.withSftp((sftp) => this.sftpUploadDir(sftp, dst, src));
      return;
    }
    await this.scpSession(`scp -rt ${dst}`, async (ch, r) => {
      if (!src.endsWith('/')) {
        const st = await stat(src);
        await scpUploadDirProtocol(basename(src), st.mode, ch, r, () => scpUploadDir(src, ch, r));
      } else {
        await scpUploadDir(src, ch, r);
      }
    });
  }

  async download(path: string, output: Writable): Promise<void> {
    if (this.opts.useSftp) {
      await this.withSftp(async (sftp) => {
        const handle = await new Promise<Buffer>((res, rej) => sftp.open(path, 'r', (e, h) => (e ? rej(e) : res(h))));
        try {
          await sftpReadAll(sftp, handle, output, this.opts.sftpConcurrency ?? 32);
        } finally {
          await new Promise<void>((res) => sftp.close(handle, () => res()));
        }
      });
      return;
    }
    const quoted = path.includes(' ') ? JSON.stringify(path) : path;
    await this.scpSession(`scp -f ${quoted}`, async (ch, r) => {
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
    });
  }

  async downloadDir(src: string, dst: string): Promise<void> {
    await this.scpSession(`scp -rf ${src}`, async (ch, r) => {
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
    });
  }

  private async scpSession(command: string, f: (ch: ClientChannel, r: ChannelReader) => Promise<void>): Promise<void> {
    let stderr = '';
    let status: number | undefined;
    let r!: ChannelReader;
    let closed!: Promise<void>;
    const ch = await this.exec(command, false, (c) => {
      r = new ChannelReader(c);
      c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      c.on('exit', (code: number | null) => { if (typeof code === 'number') status = code; });
      closed = new Promise<void>((res) => c.once('close', () => res()));
    });
    ch.on('error', () => {});
    try {
      await f(ch, r);
    } catch (e) {
      if ((e as Error).message !== 'EOF') { ch.destroy(); throw e; }
    }
    ch.end();
    await closed;
    if (status !== undefined && status !== 0) {
      if (status === 127) throw new Error('SCP failed to start. This usually means that SCP is not\nproperly installed on the remote system.');
      const detail = stderr.trim().split('\n').filter((l) => !l.startsWith('debug') && !l.startsWith('Sink:') && !l.startsWith('Executing')).join('\n');
      throw new Error(`Process exited with status ${status}${detail ? `: ${detail}` : ''}`);
    }
  }

  private async withSftp<T>(f: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    let sftp: SFTPWrapper;
    try {
      sftp = await this.sftp();
    } catch (e) {
      throw new Error(`sftpSession error: ${(e as Error).message}`, { cause: e });
    }
    try {
      return await f(sftp);
    } finally {
      sftp.end();
    }
  }

  private async sftpUploadFile(sftp: SFTPWrapper, path: string, input: Readable, info?: FileInfo): Promise<void> {
    const handle = await new Promise<Buffer>((res, rej) => sftp.open(path, 'w', (e, h) => (e ? rej(e) : res(h))));
    try {
      await sftpWriteAll(sftp, handle, input, this.opts.sftpConcurrency ?? 32);
    } finally {
      await new Promise<void>((res) => sftp.close(handle, () => res()));
    }
    if (info?.mode !== undefined) {
      const mode = info.mode & 0o777;
      await new Promise<void>((res, rej) => sftp.chmod(path, mode, (e) => (e ? rej(e) : res())));
    }
  }

  private async sftpUploadDir(sftp: SFTPWrapper, dst: string, src: string): Promise<void> {
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
            await this.sftpUploadFile(sftp, finalDst, rs, { size: st.size, mode: st.mode });
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
}
