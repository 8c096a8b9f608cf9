/**
 * How a program of the CLI runs one command once it knows which: the log and the run's id
 * (prepareRun), then the command with its Meta: the Ui, Ctrl-C / SIGTERM handling and the
 * component finder (runCommand). The whole CLI (cli.ts) and the programs of one command
 * (commandMain: dist/console.cjs, dist/fmt.cjs) share it.
 */
import { errorMessage, packerRunUUID } from '@packer-ts/sdk';
import { type BuiltinFactories, type ComponentFinder } from '@packer-ts/core';
import { log } from '@packer-ts/sdk';
import { makeUi, type Io, type Meta } from './meta.ts';
import { openLog } from './prelude.ts';
import { commandLine, takeMachineReadable } from './start.ts';
import { DEEP_THREAD_ENV, isDeepNesting, withDeepThread } from './deep-thread.ts';
import { directIo } from './direct-io.ts';

export type Command = (meta: Meta, args: string[]) => Promise<number>;

/**
 * What every command line does first: opens the log, gives the run its id (inherited by every
 * plugin and script, as Packer does) and takes `-machine-readable` out. Undefined when the log
 * cannot be opened (the run ends with 1). `watchClosedOutput` as openLog's.
 */
export function prepareRun(argv: string[], io: Io, watchClosedOutput?: boolean): { argv: string[]; machineReadable: boolean } | undefined {
  if (!openLog(argv, io, watchClosedOutput)) return undefined;
  process.env.PACKER_RUN_UUID = packerRunUUID();
  return takeMachineReadable(argv);
}

/** Runs `cmd` (the command `name`) with `args`; built-ins and plugins are found on first need. */
export async function runCommand(name: string, cmd: Command, args: string[], io: Io, machineReadable: boolean, builtins: BuiltinFactories): Promise<number> {
  const controller = new AbortController();
  const ui = makeUi(io, machineReadable);
  let finder: ComponentFinder | undefined;
  // Ctrl-C / SIGTERM: cancel every build (plugins through their Cancel calls), give plugins
  // CANCEL_GRACE_MS to finish, then kill their process groups; never hang past HARD_EXIT_MS.
  const timers: NodeJS.Timeout[] = [];
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`Received ${sig} again: killing plugins now`);
      void finder?.kill?.();
      return;
    }
    ui.error(`Cancelling build after receiving ${sig === 'SIGINT' ? 'interrupt' : 'terminated'}`);
    controller.abort(new Error('build was cancelled'));
    timers.push(setTimeout(() => {
      log('Plugins did not finish after the cancel: killing them');
      void finder?.kill?.();
    }, graceMs(io.env, 'PACKER_TS_CANCEL_GRACE_MS', 2000)));
    const hard = setTimeout(() => {
      io.stderr.write('Builds did not stop in time after being interrupted; exiting.\n');
      process.exit(1); // the 'exit' hook kills every child group we recorded
    }, graceMs(io.env, 'PACKER_TS_HARD_EXIT_MS', 8000));
    hard.unref();
    timers.push(hard);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const meta: Meta = {
    io,
    ui,
    machineReadable,
    signal: controller.signal,
    components: async (opts = {}) => {
      if (finder) return finder;
      // plugin discovery loads with the first command that asks for components (not fmt)
      const { createComponentFinder, locateSelf } = await import('./components.ts');
      if (finder) return finder;
      const self = locateSelf();
      try {
        finder = createComponentFinder({ builtins, self, exeDir: self.exeDir, env: io.env, log, releasesOnly: opts.releasesOnly });
      } catch (e) {
        // Packer prints this one on stderr (main.go), not through its Ui
        io.stderr.write(`Error loading configuration: \n\n${errorMessage(e).replace(/^Error loading configuration: /, '')}\n`);
        throw e;
      }
      return finder;
    },
  };
  try {
    return await cmd(meta, args);
  } catch (e) {
    if (isDeepNesting(e)) throw e; // the program's main runs the command again on a thread with a larger stack
    log(`[ERR] ${name}: ${errorMessage(e)}`);
    if (!(e instanceof Error && e.message.startsWith('Error loading configuration'))) ui.error(errorMessage(e));
    return 1;
  } finally {
    await finder?.close();
    for (const t of timers) clearTimeout(t);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The main of a program that runs one command (start.ts picks it for that command): this
 * process's command line, run as the whole CLI runs that command. `directStdio`: where stdin is
 * no terminal, the command writes fd 1 and 2 and may read fd 0 without node's streams
 * (direct-io.ts); not on the deep thread, whose stdio the main thread relays.
 */
export function commandMain(name: string, cmd: Command, builtins: BuiltinFactories, opts: { directStdio?: boolean } = {}): void {
  const direct = opts.directStdio === true && process.env[DEEP_THREAD_ENV] !== '1';
  const main = async (argv: string[]): Promise<number> => {
    const own = direct ? directIo(process.env) : undefined;
    const io: Io = own ?? { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
    const prepared = prepareRun(argv, io, own ? false : undefined);
    if (!prepared) return 1;
    return runCommand(name, cmd, prepared.argv.slice(1), io, prepared.machineReadable, builtins);
  };
  void withDeepThread(commandLine(process.argv[1], process.argv.slice(2)), main).then((code) => { process.exitCode = code; });
}

function graceMs(env: NodeJS.ProcessEnv, key: string, dflt: number): number {
  const v = Number.parseInt(env[key] ?? '', 10);
  return Number.isFinite(v) && v >= 0 ? v : dflt;
}
