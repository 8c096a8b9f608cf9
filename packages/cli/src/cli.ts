/**
 * The packer-ts command line: picks the command, sets up the Ui, signals
 * and components, and returns the exit code.
 */
import { errorMessage, packerRunUUID } from '@packer-ts/sdk';
import { createComponentFinder, locateSelf, log, type ComponentFinder } from '@packer-ts/core';
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import { makeUi, type Io, type Meta } from './meta.ts';
import { openLog } from './prelude.ts';
import { autocompleteAction, programFor, takeMachineReadable } from './start.ts';
import { runVersion, versionCommand } from './commands/version.ts';
import { isDeepNesting } from './deep-thread.ts';

type Command = (meta: Meta, args: string[]) => Promise<number>;

// Commands load on demand: a process pays only for the command it runs.
const COMMANDS: Record<string, { run: Command; synopsis: string }> = {
  build: { run: async (m, a) => (await import('./commands/build.ts')).buildCommand(m, a), synopsis: 'build image(s) from template' },
  console: { run: async (m, a) => (await import('./commands/console.ts')).consoleCommand(m, a), synopsis: 'creates a console for testing variable interpolation' },
  fix: { run: async (m, a) => (await import('./commands/fix.ts')).fixCommand(m, a), synopsis: 'fixes templates from old versions of packer' },
  fmt: { run: async (m, a) => (await import('./commands/fmt.ts')).fmtCommand(m, a), synopsis: 'Rewrites HCL2 config files to canonical format' },
  hcl2_upgrade: { run: async (m, a) => (await import('./commands/hcl2-upgrade.ts')).hcl2UpgradeCommand(m, a), synopsis: 'transform a JSON template into an HCL2 configuration' },
  plugins: { run: async (m, a) => (await import('./commands/plugins.ts')).pluginsCommand(m, a), synopsis: 'Interact with Packer plugins and catalog' },
  init: { run: async (m, a) => (await import('./commands/init.ts')).initCommand(m, a), synopsis: 'Install missing plugins or upgrade plugins' },
  inspect: { run: async (m, a) => (await import('./commands/inspect.ts')).inspectCommand(m, a), synopsis: 'see components of a template' },
  validate: { run: async (m, a) => (await import('./commands/validate.ts')).validateCommand(m, a), synopsis: 'check that a template is valid' },
  version: { run: versionCommand, synopsis: 'Prints the Packer version' },
};

export function usage(): string {
  const names = Object.keys(COMMANDS).sort();
  const lines = names.map((n) => `    ${n.padEnd(15)} ${COMMANDS[n]!.synopsis}`);
  return `Usage: packer-ts [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${lines.join('\n')}\n\n`;
}

/** Runs the CLI with `argv` (without node and script). */
export async function run(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }): Promise<number> {
  // The shell asks for completions (complete -C): answer and nothing else.
  if (io.env.COMP_LINE !== undefined) {
    const { answerCompletion } = await import('./complete.ts');
    return answerCompletion(io.env, commandNames(), io.stdout);
  }
  // `version` alone loads nothing more (also its own program: dist/version.cjs).
  if (programFor(argv, io.env) === 'version') return runVersion(argv, io);
  if (!openLog(argv, io)) return 1;
  // One id per run, inherited by every plugin and script (Packer sets it too).
  process.env.PACKER_RUN_UUID = packerRunUUID();
  const mr = takeMachineReadable(argv);
  const machineReadable = mr.machineReadable;
  argv = mr.argv;
  const ac = autocompleteAction(argv);
  if (ac) {
    const { autocomplete } = await import('./complete.ts');
    return autocomplete(ac, 'packer-ts', locateSelf().command, io.env, io.stderr);
  }
  const name = argv[0];
  if (name === undefined || name === '--help' || name === '-help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name === undefined ? 127 : 0;
  }
  if (name === 'plugin') {
    const { pluginCommand } = await import('./commands/plugin.ts');
    return pluginCommand(argv.slice(1), io);
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stdout.write(usage());
    return 127;
  }

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
    components: async () => {
      if (finder) return finder;
      const self = locateSelf();
      try {
        finder = createComponentFinder({ builtins: { builders, provisioners, postProcessors, datasources }, self, exeDir: self.exeDir, env: io.env, log });
      } catch (e) {
        // Packer prints this one on stderr (main.go), not through its Ui
        io.stderr.write(`Error loading configuration: \n\n${errorMessage(e).replace(/^Error loading configuration: /, '')}\n`);
        throw e;
      }
      return finder;
    },
  };
  try {
    return await cmd.run(meta, argv.slice(1));
  } catch (e) {
    if (isDeepNesting(e)) throw e; // main.ts runs the command again on a thread with a larger stack
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

/** The names the shell completes after `packer-ts `. */
export function commandNames(): string[] {
  return [...Object.keys(COMMANDS), 'plugin'];
}

function graceMs(env: NodeJS.ProcessEnv, key: string, dflt: number): number {
  const v = Number.parseInt(env[key] ?? '', 10);
  return Number.isFinite(v) && v >= 0 ? v : dflt;
}
