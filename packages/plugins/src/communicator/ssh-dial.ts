/**
 * Reaching an SSH server: ssh2 loaded on first use, TCP with Nagle off,
 * the handshake and authentication (agent, key, password, keyboard-
 * interactive), through a bastion when one is set.
 */
import { connect as netConnect, type Socket } from 'node:net';
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
  const sock = await tcp(opts.host, opts.port, hs);
  if (opts.readWriteTimeout && opts.readWriteTimeout > 0) {
    sock.setTimeout(opts.readWriteTimeout, () => sock.destroy(new Error('i/o timeout')));
  }
  return { client: await handshake(sock, opts, opts) };
}
