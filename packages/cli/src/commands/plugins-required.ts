/** `packer-ts plugins required PATH`: each requirement and the installed binaries matching it. */
import { listInstallations, pluginFolder } from '@packer-ts/core';
import type { Meta } from '../meta.ts';
import { loadRequirements, NO_REQUIREMENTS } from './required-config.ts';

export const pluginsRequiredHelp = `Usage: packer plugins required <path>

  This command will list every Packer plugin required by a Packer config, in
  packer.required_plugins blocks. All binaries matching the required version
  constrain and the current OS and Architecture will be listed. The most recent
  version (and the first of the list) will be the one picked by Packer during a
  build.

  Ex: packer plugins required require.pkr.hcl
  Ex: packer plugins required path/to/folder/`;

export async function pluginsRequiredCommand(meta: Meta, args: string[]): Promise<number> {
  if (args.length !== 1) {
    meta.ui.say(pluginsRequiredHelp);
    return 1;
  }
  const reqs = loadRequirements(meta, args[0]!);
  if (typeof reqs === 'number') return reqs;
  const dir = pluginFolder(meta.io.env);
  for (const r of reqs) {
    let line = `${r.name} ${r.source.source} ${JSON.stringify(r.versionText)}`;
    for (const inst of listInstallations({ dir, source: r.source, constraints: r.constraints, checkApi: true })) line += ` ${inst.binaryPath}`;
    meta.ui.message(line);
  }
  if (reqs.length === 0) meta.ui.message(NO_REQUIREMENTS);
  return 0;
}
