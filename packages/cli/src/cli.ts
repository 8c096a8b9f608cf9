/**
 * The packer-ts command line: picks the command, sets up the Ui, signals
 * and components, and returns the exit code.
 */
import { locateSelf } from '@packer-ts/core';
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import type { Io } from './meta.ts';
import { prepareRun, runCommand, type Command } from './run-command.ts';
import { parseCommandLine, programFor, wantsHelp } from './start.ts';
import { runVersion, versionCommand, VERSION_HELP } from './commands/version.ts';

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
  const prepared = prepareRun(argv, io);
  if (!prepared) return 1;
  const machineReadable = prepared.machineReadable;
  argv = prepared.argv;
  // mitchellh/cli's order: version (programFor above), help without a command, autocomplete, the command
  const cl = parseCommandLine(argv);
  if (cl.help && cl.command === '') {
    io.stdout.write(usage());
    return 0;
  }
  if (cl.autocomplete === 'both') return 1; // "Either the autocomplete install or uninstall flag may be specified, but not both."
  if (cl.autocomplete) {
    const { autocomplete } = await import('./complete.ts');
    return autocomplete(cl.autocomplete, 'packer-ts', locateSelf().command, io.env, io.stderr);
  }
  const name = cl.command;
  if (name === 'plugin' && argv[0] === 'plugin') {
    const { pluginCommand } = await import('./commands/plugin.ts');
    return pluginCommand(argv.slice(1), io);
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stdout.write(usage());
    return 127;
  }
  // the command's help: each command shows it for -h (meta.ts parseFlags); version's is a line
  const help = () => name === 'version'
    ? Promise.resolve(io.stdout.write(`${VERSION_HELP}\n`)).then(() => 0)
    : runCommand(name, cmd.run, helpArgs(cl.args), io, machineReadable, BUILTINS);
  if (cl.help) return help();
  if (cl.topFlags.length > 0) {
    io.stdout.write('Invalid flags before the subcommand. If these flags are for\nthe subcommand, please put them after the subcommand.\n\n');
    await help();
    return 1;
  }
  return runCommand(name, cmd.run, cl.args, io, machineReadable, BUILTINS);
}

const BUILTINS = { builders, provisioners, postProcessors, datasources };

/** A command's arguments that ask for its help (a nested command's, `plugins install`, when named). */
function helpArgs(args: string[]): string[] {
  if (wantsHelp(args)) return args;
  return args.includes('--') ? ['-h', ...args] : [...args, '-h'];
}

/** The names the shell completes after `packer-ts `. */
export function commandNames(): string[] {
  return [...Object.keys(COMMANDS), 'plugin'];
}
