/**
 * Which program a command line starts. The launcher (launch.ts) asks before it reads any
 * bundle, so that a start pays only for what it runs:
 *   'version'  dist/version.cjs   `version`, `-v`, `--version`, `-version` (entry/version.ts)
 *   'plugin'   dist/plugin.cjs    `plugin packer-TYPE-NAME`, or started as packer-TYPE-NAME with no
 *                                 arguments (how Packer 1.6 runs what it finds in its plugin
 *                                 directories): a built-in served as a plugin (entry/plugin.ts)
 *   'console'  dist/console.cjs   `console` (entry/console.ts)
 *   'fmt'      dist/fmt.cjs       `fmt` (entry/fmt.ts)
 *   'cli'      dist/packer-ts.cjs everything else (main.ts), which also answers all of the above
 * Nothing here may import more than node's own modules: it is bundled into the launcher.
 */

export type Program = 'version' | 'plugin' | 'console' | 'fmt' | 'cli';

const PLUGIN_EXE = /^packer-(builder|provisioner|post-processor|datasource)-[^/]+$/;

/** The arguments a process was started with: `plugin NAME` when started as packer-TYPE-NAME alone. */
export function commandLine(script: string | undefined, args: string[]): string[] {
  const invokedAs = (script ?? '').slice((script ?? '').lastIndexOf('/') + 1);
  return PLUGIN_EXE.test(invokedAs) && args.length === 0 ? ['plugin', invokedAs] : args;
}

/** The program for `argv` (after commandLine). */
export function programFor(argv: string[], env: NodeJS.ProcessEnv): Program {
  if (env.COMP_LINE !== undefined) return 'cli'; // the shell asking for completions
  if (argv[0] === 'plugin') return 'plugin';
  if (isVersion(argv) && autocompleteAction(argv) === undefined) return 'version';
  const command = commandName(argv);
  if (command === 'console' || command === 'fmt') return command;
  return 'cli';
}

/** `version` and its flag spellings, after an optional -machine-readable. */
export function isVersion(argv: string[]): boolean {
  const first = argv.find((a) => a !== '-machine-readable');
  return first === 'version' || first === '--version' || first === '-version' || first === '-v';
}

/** The command the CLI runs for `argv`: its first word once `-machine-readable` is taken out (takeMachineReadable). */
export function commandName(argv: string[]): string | undefined {
  const mr = argv.indexOf('-machine-readable');
  return mr === 0 ? argv[1] : argv[0];
}

/** `-autocomplete-install` / `-autocomplete-uninstall` before the command (mitchellh/cli's rule). */
export function autocompleteAction(argv: string[]): 'install' | 'uninstall' | undefined {
  for (const a of argv) {
    if (a === '-autocomplete-install' || a === '--autocomplete-install') return 'install';
    if (a === '-autocomplete-uninstall' || a === '--autocomplete-uninstall') return 'uninstall';
    if (!a.startsWith('-')) return undefined;
  }
  return undefined;
}

/** `-machine-readable` anywhere in argv: taken out (Packer's rule); sets PACKER_NO_COLOR as Packer does. */
export function takeMachineReadable(argv: string[]): { argv: string[]; machineReadable: boolean } {
  const mr = argv.indexOf('-machine-readable');
  if (mr < 0) return { argv, machineReadable: false };
  process.env.PACKER_NO_COLOR = '1';
  return { argv: [...argv.slice(0, mr), ...argv.slice(mr + 1)], machineReadable: true };
}

/**
 * mitchellh/cli's rule: `-h`, `-help` or `--help` anywhere among a command's
 * arguments (before `--`) asks for the command's help, printed on stdout with exit 0.
 */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '-h' || a === '-help' || a === '--help') return true;
  }
  return false;
}
