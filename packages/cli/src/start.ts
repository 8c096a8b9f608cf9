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

/**
 * A command line as mitchellh/cli's processArgs reads it (Packer's takes `-machine-readable`
 * out first): `-h`/`-help`/`--help` anywhere before `--` ask for help;
 * `-autocomplete-(un)install` anywhere; before the command, `-v`/`-version`/`--version` ask
 * for the version and any other flag is a top flag (an error); the first word that is not a
 * flag is the command, and what follows it its arguments.
 */
export interface CommandLine {
  help: boolean;
  version: boolean;
  autocomplete?: 'install' | 'uninstall' | 'both';
  topFlags: string[];
  command: string;
  args: string[];
}

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const cl: CommandLine = { help: false, version: false, topFlags: [], command: '', args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '-h' || a === '-help' || a === '--help') { cl.help = true; continue; }
    const ac = a === '-autocomplete-install' || a === '--autocomplete-install' ? 'install'
      : a === '-autocomplete-uninstall' || a === '--autocomplete-uninstall' ? 'uninstall' : undefined;
    if (ac) { cl.autocomplete = cl.autocomplete && cl.autocomplete !== ac ? 'both' : ac; continue; }
    if (cl.command === '') {
      if (a === '-v' || a === '-version' || a === '--version') { cl.version = true; continue; }
      if (a.startsWith('-')) cl.topFlags.push(a);
      else if (a !== '') { cl.command = a; cl.args = argv.slice(i + 1); }
    }
  }
  return cl;
}

/** The program for `argv` (after commandLine). */
export function programFor(argv: string[], env: NodeJS.ProcessEnv): Program {
  if (env.COMP_LINE !== undefined) return 'cli'; // the shell asking for completions
  if (argv[0] === 'plugin') return 'plugin';
  const cl = parseCommandLine(argv.filter((a) => a !== '-machine-readable'));
  if (cl.version) return 'version';
  if (cl.help || cl.autocomplete || cl.topFlags.length > 0) return 'cli';
  if (cl.command === 'version') return 'version';
  if (cl.command === 'console' || cl.command === 'fmt') return cl.command;
  return 'cli';
}

/** `-machine-readable` anywhere in argv: taken out (Packer's rule); sets PACKER_NO_COLOR as Packer does. */
export function takeMachineReadable(argv: string[]): { argv: string[]; machineReadable: boolean } {
  const mr = argv.indexOf('-machine-readable');
  if (mr < 0) return { argv, machineReadable: false };
  process.env.PACKER_NO_COLOR = '1';
  return { argv: [...argv.slice(0, mr), ...argv.slice(mr + 1)], machineReadable: true };
}

/** Whether `argv` asks for help (parseCommandLine's rule): shown on stdout with exit 0. */
export function wantsHelp(argv: readonly string[]): boolean {
  return parseCommandLine(argv).help;
}
