/**
 * Starting a plugin executable and talking to it (the core's side of the handshake), as Packer's
 * packer/plugin.Client: env with the magic cookie and port range, wait for the handshake line
 * (1 minute), connect, yamux client, dial broker id 0.
 *
 * Public API
 *   startPlugin(command, args?, options?): Promise<RunningPlugin>
 *       options.env (added to process.env), options.cwd, options.startTimeoutMs (60000),
 *       options.onStderr(line) (each stderr line of the plugin), options.onStart(child) (right after
 *       spawn), options.detached (default true on POSIX: the plugin leads its own process group,
 *       recorded with trackChildGroup so that it cannot outlive this process; see children.ts)
 *   RunningPlugin
 *       child, broker, handshake
 *       exited: Promise<{ code, signal }>   settles when the process ended
 *       component(kind): Promise<BuilderClient | ProvisionerClient | PostProcessorClient> (dials id 0 once)
 *       kill(): Promise<void>   closes the connection and SIGKILLs the process (plugins ignore
 *                               SIGINT/SIGTERM); resolves once it exited
 */
import type { ChildProcess } from 'node:child_process';
import { MuxBroker } from '../rpc/broker.ts';
import {
  connectHandshake, DEFAULT_MAX_PORT, DEFAULT_MIN_PORT, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, waitForHandshake, type Handshake,
} from '../rpc/handshake.ts';
import { dialComponent, type ClientOf, type ComponentKind } from '../rpc/adapters/index.ts';
import { killChildGroup, trackChildGroup, untrackChildGroup } from '../children.ts';

/**
 * Receive window this side grants per yamux stream. Go peers start at 256 KiB;
 * granting more lets bulk transfers (uploads through the core) keep the pipe full.
 */
const STREAM_WINDOW = 8 * 1024 * 1024;

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  startTimeoutMs?: number;
  onStderr?: (line: string) => void;
  onStart?: (child: ChildProcess) => void;
  detached?: boolean;
}

export interface PluginExit { code: number | null; signal: NodeJS.Signals | null }

export interface RunningPlugin {
  child: ChildProcess;
  broker: MuxBroker;
  handshake: Handshake;
  exited: Promise<PluginExit>;
  component<K extends ComponentKind>(kind: K): Promise<ClientOf[K]>;
  kill(): Promise<void>;
}

export async function startPlugin(command: string, args: string[] = [], options: StartOptions = {}): Promise<RunningPlugin> {
  const detached = options.detached ?? process.platform !== 'win32';
  const child = process.getBuiltinModule('node:child_process').spawn(command, args, {
    env: {
      ...process.env,
      ...options.env,
      [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
      PACKER_PLUGIN_MIN_PORT: String(options.env?.PACKER_PLUGIN_MIN_PORT ?? DEFAULT_MIN_PORT),
      PACKER_PLUGIN_MAX_PORT: String(options.env?.PACKER_PLUGIN_MAX_PORT ?? DEFAULT_MAX_PORT),
    },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  const pgid = detached ? child.pid : undefined;
  trackChildGroup(pgid);
  options.onStart?.(child);
  const exited = new Promise<PluginExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      // Whatever the plugin left in its group goes with it.
      if (pgid !== undefined) { killChildGroup(pgid, 'SIGKILL'); untrackChildGroup(pgid); }
      resolve({ code, signal });
    };
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
    else {
      child.once('exit', (code, signal) => done(code, signal));
      child.once('error', () => done(child.exitCode ?? -1, child.signalCode));
    }
  });
  let acc = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    acc += d;
    let nl: number;
    while ((nl = acc.indexOf('\n')) >= 0) {
      const line = acc.slice(0, nl);
      acc = acc.slice(nl + 1);
      options.onStderr?.(line);
    }
  });
  child.stderr!.on('end', () => { if (acc !== '') { options.onStderr?.(acc); acc = ''; } });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      if (pgid === undefined || !killChildGroup(pgid, 'SIGKILL')) child.kill('SIGKILL');
    }
    await exited;
  };
  let broker: MuxBroker;
  let handshake: Handshake;
  try {
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => {});
    handshake = await Promise.race([waitForHandshake(child.stdout!, options.startTimeoutMs ?? 60_000), spawnError]);
    child.stdout!.resume();
    broker = MuxBroker.client(await connectHandshake(handshake), { maxStreamWindow: STREAM_WINDOW });
  } catch (e) {
    await kill();
    throw e;
  }
  let dialed: Promise<unknown> | undefined;
  let dialedKind: ComponentKind | undefined;
  return {
    child,
    broker,
    handshake,
    exited,
    component<K extends ComponentKind>(kind: K): Promise<ClientOf[K]> {
      if (dialed && dialedKind !== kind) return Promise.reject(new Error(`plugin already used as ${dialedKind}`));
      dialedKind = kind;
      dialed ??= dialComponent(broker, kind);
      return dialed as Promise<ClientOf[K]>;
    },
    async kill() {
      broker.close();
      await kill();
    },
  };
}
