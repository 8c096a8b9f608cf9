/**
 * Plugin processes started by the core (Packer's packer/plugin Client and CleanupClients).
 *
 * Every start is a new process, as in Packer: `PluginManager.start(ref)` spawns the executable in
 * its own process group (recorded in the SDK's children registry, so a watchdog kills it if the
 * core dies), waits for the handshake (1 minute, or PACKER_TS_PLUGIN_START_TIMEOUT ms), checks the
 * API version and returns the component's client proxy, guarded so that a failure caused by the
 * plugin dying names the plugin and shows the last lines of its stderr.
 *
 * Logs (PACKER_LOG), in Packer's words: `Starting plugin: PATH []string{...}`, `Waiting for RPC
 * address for: PATH`, `Received unix RPC address for PATH: addr is ADDR`, `PATH: plugin process
 * exited`, and each stderr line as `PREFIX plugin: LINE` (PREFIX: the executable's name, or the last
 * argument when the executable is packer / packer-ts itself). Without PACKER_LOG the stderr of a
 * plugin stays out of the terminal; its last lines are kept for error messages.
 *
 * Public API
 *   new PluginManager(options?)   options.env, options.log, options.startTimeoutMs, options.tailLines (20)
 *   start(ref): Promise<ClientOf[kind]>
 *   running: number               plugin processes alive
 *   kill(): Promise<void>         SIGKILL to every plugin's process group now
 *   close(graceMs = 2000)         closes every connection (a plugin exits when the core leaves), waits
 *                                 up to graceMs, then kills what is left. Safe to call twice.
 *
 * The plugin client and the RPC layer load on the first start: a command that only looks
 * components up (console, validate of a template whose components are built-ins) never pays them.
 */
import { basename } from 'node:path';
import { errorMessage } from '@packer-ts/sdk';
import type { PluginExit, RunningPlugin } from '@packer-ts/sdk/plugin';
import type { ArtifactClient as ArtifactClientType, ClientOf } from '@packer-ts/sdk/rpc';
import type { PluginRef } from './discovery.ts';

export interface PluginManagerOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  tailLines?: number;
}

/** An error caused by a plugin process: which plugin, what happened, its last stderr lines. */
export class PluginError extends Error {
  constructor(message: string, readonly plugin: string, readonly stderrTail: string[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PluginError';
  }
}

/** Go's %#v of a []string. */
function goStrings(list: string[]): string {
  return `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** The name Packer puts before a plugin's stderr lines. */
export function logPrefix(ref: Pick<PluginRef, 'path' | 'args'>): string {
  const base = basename(ref.path);
  if ((base === 'packer' || base === 'packer-ts' || base === 'node') && ref.args.length > 0) return ref.args[ref.args.length - 1]!;
  return base;
}

function describeExit(e: PluginExit): string {
  return e.signal ? `killed by ${e.signal}` : `exit status ${e.code}`;
}

type Rpc = typeof import('@packer-ts/sdk/rpc');
/** The RPC layer, loaded by the first start (errors and results are classified after it). */
let rpc: Rpc | undefined;

class Managed {
  readonly tail: string[] = [];
  exit: PluginExit | undefined;
  running: RunningPlugin | undefined;
  closing = false;

  constructor(readonly ref: PluginRef, readonly prefix: string, private readonly max: number) {}

  remember(line: string): void {
    this.tail.push(line);
    if (this.tail.length > this.max) this.tail.shift();
  }

  tailText(): string {
    return this.tail.length === 0 ? '' : `\nLast lines of its stderr:\n${this.tail.map((l) => `  ${l}`).join('\n')}`;
  }
}

export class PluginManager {
  private readonly plugins = new Set<Managed>();
  private closed: Promise<void> | undefined;

  constructor(private readonly opts: PluginManagerOptions = {}) {}

  get running(): number {
    let n = 0;
    for (const p of this.plugins) if (!p.exit) n++;
    return n;
  }

  private log(line: string): void { this.opts.log?.(line); }

  private startTimeout(): number {
    if (this.opts.startTimeoutMs !== undefined) return this.opts.startTimeoutMs;
    const v = Number.parseInt((this.opts.env ?? process.env).PACKER_TS_PLUGIN_START_TIMEOUT ?? '', 10);
    return Number.isFinite(v) && v > 0 ? v : 60_000;
  }

  async start<K extends PluginRef['kind']>(ref: PluginRef & { kind: K }): Promise<ClientOf[K]> {
    if (this.closed) throw new Error(`cannot start plugin ${ref.path}: shutting down`);
    const m = new Managed(ref, logPrefix(ref), this.opts.tailLines ?? 20);
    this.plugins.add(m);
    this.log(`Starting plugin: ${ref.path} ${goStrings([ref.path, ...ref.args])}`);
    const [{ startPlugin }, loaded] = await Promise.all([import('@packer-ts/sdk/plugin'), import('@packer-ts/sdk/rpc')]);
    rpc = loaded;
    let running: RunningPlugin;
    try {
      running = await startPlugin(ref.path, ref.args, {
        env: this.opts.env,
        encoding: ref.encoding,
        startTimeoutMs: this.startTimeout(),
        onStart: () => this.log(`Waiting for RPC address for: ${ref.path}`),
        onStderr: (line) => {
          const l = line.trimEnd();
          m.remember(l);
          this.log(`${m.prefix} plugin: ${l}`);
        },
      });
    } catch (e) {
      this.plugins.delete(m);
      this.log(`${ref.path}: plugin process exited`);
      throw this.startError(m, e);
    }
    m.running = running;
    void running.exited.then((exit) => {
      m.exit = exit;
      this.log(`${ref.path}: plugin process exited`);
    });
    const h = running.handshake;
    this.log(`Received ${h.network} RPC address for ${ref.path}: addr is ${h.address}`);
    let client: ClientOf[K];
    try {
      client = await running.component(ref.kind);
    } catch (e) {
      m.closing = true;
      await running.kill();
      throw new PluginError(`Error starting ${ref.kind} plugin ${ref.path}: ${errorMessage(e)}${m.tailText()}`, m.prefix, [...m.tail], { cause: e });
    }
    return this.guard(m, client);
  }

  private startError(m: Managed, e: unknown): Error {
    const what = `${m.ref.kind} plugin ${m.ref.path}`;
    const { API_VERSION, HandshakeError } = rpc!;
    if (e instanceof HandshakeError && e.message.startsWith('Incompatible API version')) {
      return new PluginError(
        `Error starting ${what}: ${e.message}\n` +
        `packer-ts speaks Packer's plugin protocol version ${API_VERSION} (Packer 1.6.x plugins). ` +
        `To fix this, use a release of the plugin made for Packer 1.6 (packer-${m.ref.kind}-${m.ref.name} executables), ` +
        `or rebuild it with @packer-ts/sdk or Packer 1.6's plugin SDK.` + m.tailText(),
        m.prefix, [...m.tail], { cause: e },
      );
    }
    const line = e instanceof HandshakeError && e.line !== undefined ? ` (its handshake line: ${JSON.stringify(e.line)})` : '';
    return new PluginError(`Error starting ${what}: ${errorMessage(e)}${line}${m.tailText()}`, m.prefix, [...m.tail], { cause: e });
  }

  /** The error to report for a failed call: enriched when the plugin died or the connection broke. */
  private async failure(m: Managed, e: unknown, method: string): Promise<unknown> {
    if (e instanceof PluginError || m.closing) return e;
    const { RpcConnectionError, YamuxError } = rpc!;
    const sessionError = m.running?.broker.session.closeError;
    if (sessionError instanceof YamuxError && sessionError.code === 'PROTOCOL') {
      // The session ended on bytes that are not the protocol: say so, and end the plugin.
      m.closing = true;
      void m.running?.kill();
      return new PluginError(`protocol error from ${m.prefix} plugin during ${method}: ${sessionError.message}${m.tailText()}`, m.prefix, [...m.tail], { cause: e });
    }
    const broken = e instanceof RpcConnectionError;
    if (!broken && !m.exit) return e;
    // The connection usually breaks a moment before the exit is reported.
    const exit = m.exit ?? await Promise.race([m.running?.exited, new Promise<undefined>((r) => { setTimeout(() => r(undefined), 300).unref(); })]);
    if (!exit && !broken) return e;
    const how = exit ? `exited unexpectedly (${describeExit(exit)})` : 'stopped answering (connection lost)';
    return new PluginError(`${m.prefix} plugin ${how} during ${method}: ${errorMessage(e)}${m.tailText()}`, m.prefix, [...m.tail], { cause: e });
  }

  /** A proxy whose async methods report plugin deaths clearly; artifacts it returns are guarded too. */
  private guard<T extends object>(m: Managed, target: T): T {
    const cache = new Map<PropertyKey, unknown>();
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const v = Reflect.get(t, prop, receiver) as unknown;
        if (typeof v !== 'function' || prop === 'constructor') return v;
        let w = cache.get(prop);
        if (!w) {
          const fn = v as (...a: unknown[]) => unknown;
          const method = String(prop);
          w = (...args: unknown[]) => {
            const r = fn.apply(t, args);
            if (!(r instanceof Promise)) return r;
            return r.then(
              (value: unknown) => this.guardResult(m, value),
              async (e: unknown) => { throw await this.failure(m, e, method); },
            );
          };
          cache.set(prop, w);
        }
        return w;
      },
    });
  }

  private guardResult(m: Managed, value: unknown): unknown {
    const { ArtifactClient } = rpc!;
    if (value instanceof ArtifactClient) return this.guard(m, value);
    if (value && typeof value === 'object' && 'artifact' in value && (value as { artifact: unknown }).artifact instanceof ArtifactClient) {
      return { ...(value as object), artifact: this.guard(m, (value as { artifact: ArtifactClientType }).artifact) };
    }
    return value;
  }

  async kill(): Promise<void> {
    await Promise.all([...this.plugins].map(async (m) => {
      m.closing = true;
      await m.running?.kill();
    }));
  }

  close(graceMs = 2000): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.plugins].map(async (m) => {
        const r = m.running;
        if (!r || m.exit) return;
        m.closing = true;
        r.broker.close();
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([
          r.exited.then(() => true),
          new Promise<boolean>((res) => { timer = setTimeout(() => res(false), graceMs); }),
        ]);
        clearTimeout(timer);
        if (!inTime) this.log(`${m.ref.path}: plugin did not exit within ${graceMs} ms, killing it`);
        await r.kill();
      }));
      this.log('waiting for all plugin processes to complete...');
    })();
    return this.closed;
  }
}
