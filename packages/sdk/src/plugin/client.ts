/**
 * Starting a plugin executable and talking to it (the core's side of the handshake), as Packer's
 * packer/plugin.Client: env with the magic cookie and port range, wait for the handshake line
 * (1 minute), connect, yamux client, dial broker id 0.
 *
 * Public API
 *   startPlugin(command, args?, options?): Promise<RunningPlugin>
 *       options.env (added to process.env), options.cwd, options.startTimeoutMs (60000),
 *       options.onStderr(line) (each stderr line of the plugin)
 *   RunningPlugin
 *       child, broker, handshake
 *       component(kind): Promise<BuilderClient | ProvisionerClient | PostProcessorClient> (dials id 0 once)
 *       kill(): Promise<void>   closes the connection and SIGKILLs the process (plugins ignore
 *                               SIGINT/SIGTERM); resolves once it exited
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { MuxBroker } from '../rpc/broker.ts';
import {
  connectHandshake, DEFAULT_MAX_PORT, DEFAULT_MIN_PORT, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, waitForHandshake, type Handshake,
} from '../rpc/handshake.ts';
import { dialComponent, type ClientOf, type ComponentKind } from '../rpc/adapters/index.ts';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  startTimeoutMs?: number;
  onStderr?: (line: string) => void;
}

export interface RunningPlugin {
  child: ChildProcess;
  broker: MuxBroker;
  handshake: Handshake;
  component<K extends ComponentKind>(kind: K): Promise<ClientOf[K]>;
  kill(): Promise<void>;
}

export async function startPlugin(command: string, args: string[] = [], options: StartOptions = {}): Promise<RunningPlugin> {
  const child = spawn(command, args, {
    env: {
      ...process.env,
      ...options.env,
      [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
      PACKER_PLUGIN_MIN_PORT: String(options.env?.PACKER_PLUGIN_MIN_PORT ?? DEFAULT_MIN_PORT),
      PACKER_PLUGIN_MAX_PORT: String(options.env?.PACKER_PLUGIN_MAX_PORT ?? DEFAULT_MAX_PORT),
    },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
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
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  let broker: MuxBroker;
  let handshake: Handshake;
  try {
    handshake = await waitForHandshake(child.stdout!, options.startTimeoutMs ?? 60_000);
    child.stdout!.resume();
    broker = MuxBroker.client(await connectHandshake(handshake));
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
