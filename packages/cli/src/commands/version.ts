/**
 * `packer-ts version` (also `-v`, `-version`, `--version`). Its own program (dist/version.cjs,
 * entry/version.ts) as well as a command of the CLI: it loads the log, the Ui and nothing else.
 */
import { VERSION, PACKER_COMPAT_VERSION } from '@packer-ts/core';
import { makeUi, type Io } from '../meta.ts';
import type { Ui } from '@packer-ts/sdk';
import { openLog } from '../prelude.ts';
import { takeMachineReadable } from '../start.ts';

export async function versionCommand(meta: { ui: Ui }): Promise<number> {
  meta.ui.say(`packer-ts v${VERSION} (Packer v${PACKER_COMPAT_VERSION} compatible)`);
  meta.ui.machine('version', PACKER_COMPAT_VERSION);
  return 0;
}

/** The whole run of a `version` command line (start.ts isVersion): as the CLI runs it, without the rest. */
export async function runVersion(argv: string[], io: Io): Promise<number> {
  if (!openLog(argv, io)) return 1;
  const { machineReadable } = takeMachineReadable(argv);
  return versionCommand({ ui: makeUi(io, machineReadable) });
}
