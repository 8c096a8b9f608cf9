/**
 * `packer-ts version` (also `-v`, `-version`, `--version`). Its own program (dist/version.cjs,
 * entry/version.ts) as well as a command of the CLI: it loads the log, the Ui and nothing else.
 */
import { BasicUi, MachineReadableUi, syncOutput, VERSION, PACKER_COMPAT_VERSION } from '@packer-ts/core';
import { log } from '@packer-ts/sdk';
import type { Io } from '../meta.ts';
import type { Ui } from '@packer-ts/sdk';
import { openLog } from '../prelude.ts';
import { parseCommandLine, takeMachineReadable } from '../start.ts';

/** `version -h`. */
export const VERSION_HELP = 'Prints the Packer version, and checks for new release.';

export async function versionCommand(meta: { ui: Ui }): Promise<number> {
  // Packer's records first (a release has no prerelease and, in Debian's build, no commit)
  meta.ui.machine('version', PACKER_COMPAT_VERSION);
  meta.ui.machine('version-prelease', '');
  meta.ui.machine('version-commit', '');
  meta.ui.say(`packer-ts v${VERSION} (Packer v${PACKER_COMPAT_VERSION} compatible)`);
  return 0;
}

/**
 * The whole run of a `version` command line (start.ts isVersion): as the CLI runs it, without
 * the rest. With no `io` (dist/version.cjs), fd 1 and 2 are written synchronously and
 * process.stdin/stdout/stderr are never created (each loads node's stream modules).
 */
export async function runVersion(argv: string[], io?: Io): Promise<number> {
  const out = io?.stdout ?? syncOutput(1);
  if (!(io ? openLog(argv, io) : openLog(argv, { stdout: out, stderr: syncOutput(2), env: process.env }, false))) return 1;
  const { machineReadable, argv: rest } = takeMachineReadable(argv);
  const cl = parseCommandLine(rest);
  // the -v/-version/--version flag: mitchellh/cli prints the bare version, which scripts compare
  if (cl.version) {
    out.write(`${PACKER_COMPAT_VERSION}\n`);
    return 0;
  }
  // `version -h`: mitchellh/cli shows the command's help (on stdout, also with -machine-readable)
  if (cl.help) {
    out.write(`${VERSION_HELP}\n`);
    return 0;
  }
  // the Ui of makeUi (meta.ts), without input: `version` asks nothing
  return versionCommand({ ui: machineReadable ? new MachineReadableUi(out, log) : new BasicUi(out, out, null, log) });
}
