/**
 * Starting a plugin executable and talking to it (the core's side of the handshake), as Packer's
 * packer/plugin.Client: env with the magic cookie and port range, wait for the handshake line,
 * connect, yamux client, dial broker id 0 (the plugin's first answer). All of that falls under
 * one start timeout (1 minute): a plugin that never prints, never accepts or never answers fails
 * with an error saying which of these it did not do; one that sends bytes that are not the
 * protocol fails with "protocol error: ...".
 *
 * Public API
 *   startPlugin(command, args?, options?): Promise<RunningPlugin>
 *       options.env (added to process.env), options.cwd, options.startTimeoutMs (60000),
 *       options.onStderr(line) (each stderr line of the plugin), options.onStart(child) (right after
 *       spawn), options.detached (default true on POSIX: the plugin leads its own process group,
 *       recorded with trackChildGroup so that it cannot outlive this process; see children.ts),
 *       options.encoding ('gob', or 'protobuf' for a plugin started with --protobuf: ConfigSpec,
 *       OutputSpec and datasource values then travel as protobuf and cty msgpack)
 *   RunningPlugin
 *       child, broker, handshake
 *       exited: Promise<{ code, signal }>   settles when the process ended
 *       component(kind): Promise<BuilderClient | ProvisionerClient | PostProcessorClient | DatasourceClient>
 *                               (dials id 0 once)
 *       kill(): Promise<void>   closes the connection and SIGKILLs the process (plugins ignore
 *                               SIGINT/SIGTERM); resolves once it exited
 */
import type { ChildProcess } from 'node:child_process';
import { BrokerError, MuxBroker } from '../rpc/broker.ts';
import {
  connectHandshake, DEFAULT_MAX_PORT, DEFAULT_MIN_PORT, goErrno, HandshakeError, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, waitForHandshake, type Handshake,
} from '../rpc/handshake.ts';
import { MsgpackError } from '../rpc/codec.ts';
import { RpcClient } from '../rpc/netrpc.ts';
import { YamuxError } from '../rpc/yamux.ts';
import { componentClient, type ClientOf, type ComponentKind } from '../rpc/adapters/index.ts';
import type { Encoding } from '../rpc/methods.ts';
import { killChildGroup, prepareChildGroups, trackChildGroup, untrackChildGroup } from '../children.ts';

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
  encoding?: Encoding;
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
  prepareChildGroups(); // before the spawn: see children.ts
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
  let broker: MuxBroker | undefined;
  let handshake: Handshake | undefined;
  let rpc0: RpcClient;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  /** `p`, or a HandshakeError saying what the plugin did not do in time. */
  const inTime = <T>(p: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandshakeError(`timeout while ${what} (start timeout ${timeoutMs} ms)`)), Math.max(0, deadline - Date.now()));
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  };
  try {
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => {});
    handshake = await Promise.race([waitForHandshake(child.stdout!, timeoutMs), spawnError]);
    child.stdout!.resume();
    const where = `${handshake.network} ${handshake.address}`;
    const sock = await inTime(connectHandshake(handshake), `connecting to the plugin at ${where}`);
    broker = MuxBroker.client(sock, { maxStreamWindow: STREAM_WINDOW });
    rpc0 = RpcClient.over(await inTime(broker.dial(0), `waiting for the plugin to answer on its RPC connection (${where})`));
  } catch (e) {
    broker?.close();
    const exit = await Promise.race([exited, new Promise<undefined>((r) => { setTimeout(() => r(undefined), 200).unref(); })]);
    await kill();
    throw startFailure(e, exit, handshake);
  }
  let dialed: unknown;
  let dialedKind: ComponentKind | undefined;
  return {
    child,
    broker,
    handshake,
    exited,
    component<K extends ComponentKind>(kind: K): Promise<ClientOf[K]> {
      if (dialed && dialedKind !== kind) return Promise.reject(new Error(`plugin already used as ${dialedKind}`));
      dialedKind = kind;
      dialed ??= componentClient(rpc0, broker!, kind, options.encoding ?? 'gob');
      return Promise.resolve(dialed as ClientOf[K]);
    },
    async kill() {
      broker!.close();
      await kill();
    },
  };
}

/** What went wrong while starting, in words: the plugin's exit, a protocol error, or `e` itself. */
function startFailure(e: unknown, exit: PluginExit | undefined, h: Handshake | undefined): unknown {
  if (e instanceof HandshakeError && e.message.startsWith('timeout')) return e;
  const protocol = (e instanceof YamuxError && e.code === 'PROTOCOL') || e instanceof MsgpackError || (e instanceof BrokerError && e.message.startsWith('bad ack'));
  if (protocol) return new HandshakeError(`protocol error: ${(e as Error).message}`);
  if (h && exit) {
    const how = exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code}`;
    return new HandshakeError(`the plugin exited (${how}) before answering on its RPC connection (${h.network} ${h.address})`);
  }
  if (h && e instanceof YamuxError) return new HandshakeError(`the plugin closed its RPC connection (${h.network} ${h.address}) before answering: ${e.message}`);
  if (h && e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && !(e instanceof HandshakeError)) {
    return new HandshakeError(`the plugin closed its RPC connection (${h.network} ${h.address}) before answering: ${goErrno(e as NodeJS.ErrnoException)}`);
  }
  return e;
}
