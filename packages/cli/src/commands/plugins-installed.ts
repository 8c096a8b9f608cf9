/** `packer-ts plugins installed`: every valid installed binary for this OS and architecture. */
import { listInstallations, pluginFolder } from '@packer-ts/core';
import type { Meta } from '../meta.ts';

export const pluginsInstalledHelp = `Usage: packer plugins installed

  This command lists all installed plugin binaries that match with the current
  OS and architecture. Packer's API version will be ignored.`;

export async function pluginsInstalledCommand(meta: Meta, _args: string[]): Promise<number> {
  const dir = pluginFolder(meta.io.env);
  for (const inst of listInstallations({ dir })) meta.ui.message(inst.binaryPath);
  return 0;
}
