/**
 * Reaching an SSH server: ssh2 loaded on first use, TCP with Nagle off,
 * the handshake and authentication (agent, key, password, keyboard-
 * interactive), through a bastion when one is set.
 */
import { connect as netConnect, isIPv4, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { dialErrorText } from '@packer-ts/sdk';
import type { Tunnel } from './tunnel.ts';
import type {
  AgentAuthMethod, AuthMethod, Client as ClientT, ClientChannel, ConnectConfig,
  KeyboardInteractiveAuthMethod, PasswordAuthMethod, PublicKeyAuthMethod,
} from 'ssh2';

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
  /** Answers keyboard-interactive questions (ssh_bastion_interactive), tried first. */
  answer?: (questions: string[]) => Promise<string[]>;
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
  /** ssh_local_tunnels / ssh_remote_tunnels, opened on every connection. */
  tunnels?: Tunnel[];
  /** ssh_proxy_host: a SOCKS5 proxy the connection goes through (Packer's proxy.SOCKS5). */
  proxy?: { host: string; port: number; username?: string; password?: string };
}

/** An error establishing the connection; `auth` when the server refused every credential. */
export class SSHConnectError extends Error {
  constructor(message: string, readonly kind: 'tcp' | 'auth' | 'handshake', options?: ErrorOptions) {
    super(message, options);
  }
}

type Auth = AgentAuthMethod | PublicKeyAuthMethod | PasswordAuthMethod | KeyboardInteractiveAuthMethod;

function authMethods(ep: SSHEndpoint): Auth[] {
  const m: Auth[] = [];
  if (ep.answer) {
    const answer = ep.answer;
    m.push({
      type: 'keyboard-interactive',
      username: ep.username,
      prompt: (_n, _i, _l, prompts, finish) => {
        // an empty challenge is answered at once (Packer's KeyboardInteractive)
        if (prompts.length === 0) { finish([]); return; }
        answer(prompts.map((p) => p.prompt)).then(finish, () => finish([]));
      },
    });
  }
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
    const timer = setTimeout(() => { s.destroy(); reject(new SSHConnectError(dialErrorText({ code: 'ETIMEDOUT' }, host, port), 'tcp')); }, timeoutMs);
    s.once('connect', () => { clearTimeout(timer); s.removeAllListeners('error'); resolve(s); });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new SSHConnectError(dialErrorText(e, host, port), 'tcp', { cause: e }));
    });
  });
}

/** Reads exactly `n` bytes of `s` (a SOCKS reply), within the dial's time. */
function readBytes(s: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const onData = (d: Buffer): void => {
      parts.push(d);
      have += d.length;
      if (have < n) return;
      s.off('data', onData);
      s.off('close', onClose);
      s.off('error', onError);
      const all = Buffer.concat(parts);
      if (all.length > n) s.unshift(all.subarray(n));
      s.pause();
      resolve(all.subarray(0, n));
    };
    const onClose = (): void => { s.off('data', onData); s.off('error', onError); reject(new Error('EOF')); };
    const onError = (e: Error): void => { s.off('data', onData); s.off('close', onClose); reject(e); };
    s.on('data', onData);
    s.once('close', onClose);
    s.once('error', onError);
    s.resume();
  });
}

/**
 * A TCP connection to `host:port` through the SOCKS5 proxy `p` (RFC 1928, with RFC 1929's
 * username and password when given), as golang.org/x/net/proxy's SOCKS5 dialer makes it.
 */
async function socks5(p: NonNullable<SSHOptions['proxy']>, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const sock = await tcp(p.host, p.port, timeoutMs);
  const fail = (why: string): never => {
    sock.destroy();
    throw new SSHConnectError(`socks connect tcp ${p.host}:${p.port}->${host}:${port}: ${why}`, 'tcp');
  };
  const timer = setTimeout(() => sock.destroy(new Error('i/o timeout')), timeoutMs);
  try {
    const auth = p.username !== undefined && p.username !== '';
    sock.write(Buffer.from(auth ? [5, 2, 0, 2] : [5, 1, 0]));
    const [ver, method] = await readBytes(sock, 2).catch((e: Error) => fail(e.message));
    if (ver !== 5) fail(`unexpected protocol version ${ver}`);
    if (method === 2) {
      const u = Buffer.from(p.username ?? '');
      const pw = Buffer.from(p.password ?? '');
      sock.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([pw.length]), pw]));
      const [, status] = await readBytes(sock, 2).catch((e: Error) => fail(e.message));
      if (status !== 0) fail('username/password authentication failed');
    } else if (method !== 0) fail('no acceptable authentication methods');
    const h = Buffer.from(host);
    const ip4 = isIPv4(host) ? host.split('.').map(Number) : undefined;
    const addr = ip4 ? Buffer.from([1, ...ip4]) : Buffer.concat([Buffer.from([3, h.length]), h]);
    const portBytes = Buffer.from([port >> 8, port & 0xff]);
    sock.write(Buffer.concat([Buffer.from([5, 1, 0]), addr, portBytes]));
    const head = await readBytes(sock, 5).catch((e: Error) => fail(e.message));
    if (head[1] !== 0) fail(SOCKS_REPLIES[head[1]!] ?? `unknown error ${head[1]}`);
    // the bound address: IPv4 (4), a name (its length), IPv6 (16); then the port
    const rest = head[3] === 1 ? 3 + 2 : head[3] === 4 ? 15 + 2 : head[4]! + 2;
    await readBytes(sock, rest).catch((e: Error) => fail(e.message));
    return sock;
  } finally {
    clearTimeout(timer);
  }
}

const SOCKS_REPLIES: Record<number, string> = {
  1: 'general SOCKS server failure', 2: 'connection not allowed by ruleset', 3: 'network unreachable',
  4: 'host unreachable', 5: 'connection refused', 6: 'TTL expired', 7: 'command not supported', 8: 'address type not supported',
};

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
export async function dial(opts: SSHOptions): Promise<{ client: ClientT; bastion?: ClientT }> {
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
  const sock = opts.proxy ? await socks5(opts.proxy, opts.host, opts.port, hs) : await tcp(opts.host, opts.port, hs);
  if (opts.readWriteTimeout && opts.readWriteTimeout > 0) {
    sock.setTimeout(opts.readWriteTimeout, () => sock.destroy(new Error('i/o timeout')));
  }
  return { client: await handshake(sock, opts, opts) };
}
