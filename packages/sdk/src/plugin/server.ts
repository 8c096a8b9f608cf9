/**
 * The plugin author's side of Packer's plugin protocol (API version 5, as Packer 1.6.6 plugins).
 *
 *   import { server } from '@packer-ts/sdk/plugin';
 *   const s = await server();           // without PACKER_PLUGIN_MAGIC_COOKIE: Packer's message, exit 1
 *   s.registerBuilder(new MyBuilder()); // or registerProvisioner / registerPostProcessor: one per process
 *   await s.serve();                    // listen, print `5|unix|/path`, accept ONE connection, serve
 *
 * Listening: a unix socket `plugin.sock` (mode 0600) in a private directory made with mkdtemp under
 * TMPDIR (`packer-plugin*`); TCP on 127.0.0.1 within PACKER_PLUGIN_MIN_PORT..PACKER_PLUGIN_MAX_PORT
 * when unix sockets fail or when PACKER_PLUGIN_TCP=1 (Packer 1.6.6 has no such variable: it uses TCP
 * on Windows only). SIGINT/SIGTERM are ignored (the core cancels through X.Cancel calls). The process
 * exits with code 0 when the core closes the connection or the parent process goes away (its ppid
 * changes); the socket directory is removed once connected and on exit.
 *
 * Public API
 *   server(options?): Promise<PluginServer>
 *       options.env (default process.env); options.exit (default true: serve() ends the process);
 *       options.stdout (where the handshake line goes, default process.stdout)
 *   PluginServer: registerBuilder(b) / registerProvisioner(p) / registerPostProcessor(pp) / serve()
 *       address (after listen); kind
 *   serveComponent(kind, impl, options?)   server() + register + serve()
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Builder } from '../builder.ts';
import type { PostProcessor } from '../postprocessor.ts';
import type { Provisioner } from '../provisioner.ts';
import { adoptDeferredExtraCa } from '../extra-ca.ts';
import { MuxBroker } from '../rpc/broker.ts';
import {
  DEFAULT_MAX_PORT, DEFAULT_MIN_PORT, formatHandshake, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, MANUALLY_STARTED_MESSAGE,
} from '../rpc/handshake.ts';
import { serveComponentOn, type ComponentKind, type ComponentOf } from '../rpc/adapters/index.ts';
import type { Encoding } from '../rpc/methods.ts';

/**
 * Receive window this side grants per yamux stream. Go peers start at 256 KiB;
 * granting more lets bulk transfers (uploads through the core) keep the pipe full.
 */
const STREAM_WINDOW = 8 * 1024 * 1024;

export const TCP_ENV = 'PACKER_PLUGIN_TCP';

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
  /** End the process when serving is over (default true). */
  exit?: boolean;
  stdout?: Writable;
  /** How often the parent process is checked, ms (default 1000). */
  parentPollMs?: number;
  /** Minor API version to print ('0': the `5|0|unix|PATH` line of multi-component plugins); none: Packer 1.6's `5|unix|PATH`. */
  apiMinor?: string;
  /** Payload encoding of ConfigSpec/OutputSpec/Execute: 'protobuf' when started with --protobuf. */
  encoding?: Encoding;
  /**
   * Called once the core connected, to pick the component to serve (a multi-component plugin
   * checks the kind and name only then, as the Go SDK). A throw ends the process: its message on
   * stderr, exit code 1.
   */
  resolve?: () => { kind: ComponentKind; impl: unknown };
}

const ignoreSignal = (): void => {};

export class PluginServer {
  kind: ComponentKind | undefined;
  private impl: unknown;
  address: { network: 'unix' | 'tcp'; address: string } | undefined;
  private dir: string | undefined;

  constructor(private readonly opts: ServerOptions = {}) {}

  registerBuilder(b: Builder): void { this.register('builder', b); }
  registerProvisioner(p: Provisioner): void { this.register('provisioner', p); }
  registerPostProcessor(pp: PostProcessor): void { this.register('post-processor', pp); }

  register<K extends ComponentKind>(kind: K, impl: ComponentOf[K]): void {
    if (this.kind) throw new Error(`a ${this.kind} is already registered: a plugin process serves one component`);
    this.kind = kind;
    this.impl = impl;
  }

  /** Listens, prints the handshake line, serves one connection until the core leaves. */
  async serve(): Promise<void> {
    if (!this.kind && !this.opts.resolve) throw new Error('nothing registered: call registerBuilder, registerProvisioner or registerPostProcessor first');
    const env = this.opts.env ?? process.env;
    process.on('SIGINT', ignoreSignal);
    process.on('SIGTERM', ignoreSignal);
    const cleanup = (): void => this.removeDir();
    process.on('exit', cleanup);
    const ppid = process.ppid;
    let poll: NodeJS.Timeout | undefined;
    let listener: net.Server | undefined;
    try {
      listener = await this.listen(env);
      const l = listener;
      const conn = await new Promise<net.Socket>((resolve, reject) => {
        l.once('connection', resolve);
        l.once('error', reject);
        poll = setInterval(() => {
          if (process.ppid !== ppid) reject(new Error('parent process exited'));
        }, this.opts.parentPollMs ?? 1000);
        poll.unref();
        const line = formatHandshake(this.address!.network, this.address!.address, this.opts.apiMinor) + '\n';
        (this.opts.stdout ?? process.stdout).write(line);
      });
      listener.close();
      this.removeDir();
      if (this.opts.resolve) {
        try {
          const r = this.opts.resolve();
          this.kind = r.kind;
          this.impl = r.impl;
        } catch (e) {
          process.stderr.write(`${(e as Error).message}\n`);
          conn.destroy();
          process.exit(1);
        }
      }
      if (this.address!.network === 'tcp') conn.setNoDelay(true);
      const broker = MuxBroker.server(conn, { maxStreamWindow: STREAM_WINDOW });
      const parentGone = new Promise<void>((resolve) => {
        clearInterval(poll);
        poll = setInterval(() => { if (process.ppid !== ppid) resolve(); }, this.opts.parentPollMs ?? 1000);
        poll.unref();
      });
      const serving = serveComponentOn(broker, this.kind!, this.impl as never, 60_000, this.opts.encoding).catch(() => {});
      await Promise.race([broker.session.closed, parentGone, serving.then(() => broker.session.closed)]);
      broker.close();
      conn.destroy();
    } catch (e) {
      // The core went away before it connected: nothing to serve, and nobody to tell.
      if ((e as Error).message === 'parent process exited' && this.opts.exit !== false) process.exit(1);
      throw e;
    } finally {
      listener?.close();
      clearInterval(poll);
      this.removeDir();
      process.off('exit', cleanup);
      process.off('SIGINT', ignoreSignal);
      process.off('SIGTERM', ignoreSignal);
    }
    if (this.opts.exit !== false) process.exit(0);
  }

  private removeDir(): void {
    if (!this.dir) return;
    try { fs.rmSync(this.dir, { recursive: true, force: true }); } catch { /* gone already */ }
    this.dir = undefined;
  }

  private async listen(env: NodeJS.ProcessEnv): Promise<net.Server> {
    if (env[TCP_ENV] !== '1' && process.platform !== 'win32') {
      try {
        return await this.listenUnix();
      } catch {
        this.removeDir();
      }
    }
    return this.listenTcp(env);
  }

  private listenUnix(): Promise<net.Server> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'packer-plugin'));
    fs.chmodSync(this.dir, 0o700);
    const sock = path.join(this.dir, 'plugin.sock');
    return new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(sock, () => {
        srv.off('error', reject);
        fs.chmodSync(sock, 0o600);
        this.address = { network: 'unix', address: sock };
        resolve(srv);
      });
    });
  }

  private async listenTcp(env: NodeJS.ProcessEnv): Promise<net.Server> {
    const min = Number.parseInt(env.PACKER_PLUGIN_MIN_PORT ?? '', 10);
    const max = Number.parseInt(env.PACKER_PLUGIN_MAX_PORT ?? '', 10);
    const lo = Number.isFinite(min) ? min : DEFAULT_MIN_PORT;
    const hi = Number.isFinite(max) ? max : DEFAULT_MAX_PORT;
    for (let port = lo; port <= hi; port++) {
      const srv = await new Promise<net.Server | undefined>((resolve) => {
        const s = net.createServer();
        s.once('error', () => resolve(undefined));
        s.listen(port, '127.0.0.1', () => resolve(s));
      });
      if (srv) {
        this.address = { network: 'tcp', address: `127.0.0.1:${port}` };
        return srv;
      }
    }
    throw new Error("Couldn't bind plugin TCP listener");
  }
}

/** Checks the magic cookie (else prints Packer's message on stderr and exits 1) and returns a server. */
export async function server(options: ServerOptions = {}): Promise<PluginServer> {
  adoptDeferredExtraCa();
  const env = options.env ?? process.env;
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(MANUALLY_STARTED_MESSAGE + '\n');
    process.exit(1);
  }
  return new PluginServer(options);
}

/** server() + register + serve(). */
export async function serveComponent<K extends ComponentKind>(kind: K, impl: ComponentOf[K], options?: ServerOptions): Promise<void> {
  const s = await server(options);
  s.register(kind, impl);
  await s.serve();
}
