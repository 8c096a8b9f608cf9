/** `packer-ts plugins remove SOURCE [CONSTRAINT]` or `remove /ABSOLUTE/PATH`. */
import { rmSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { errorMessage, pathError } from '@packer-ts/sdk';
import { deleteInstallation, listInstallations, parseConstraints, parsePluginSource, pluginFolder, type Constraints } from '@packer-ts/core';
import { diagnostic, type Meta } from '../meta.ts';

export const pluginsRemoveHelp = `Usage: packer plugins remove <plugin> [<version constraint>]

  This command will remove one or more installed Packer plugins.

  To remove a plugin matching a version constraint for the current OS and architecture.

      packer plugins remove github.com/hashicorp/happycloud v1.2.3

  To remove all versions of a plugin for the current OS and architecture omit the version constraint.

      packer plugins remove github.com/hashicorp/happycloud

  To remove a single plugin binary from the Packer plugin directory specify the absolute path to an installed binary. This syntax does not allow for version matching.

      packer plugins remove ~/.config/plugins/github.com/hashicorp/happycloud/packer-plugin-happycloud_v1.0.0_x5.0_linux_amd64`;

/** Go's %q of an error's text. */
const q = (s: string): string => JSON.stringify(s);

export async function pluginsRemoveCommand(meta: Meta, args: string[]): Promise<number> {
  if (args.length < 1 || args.length > 2) {
    meta.ui.say(pluginsRemoveHelp);
    return 1;
  }
  let dir: string;
  try {
    dir = pluginFolder(meta.io.env);
  } catch (e) {
    meta.ui.error(diagnostic('Error', 'Failed to get the plugin directory', `The directory in which plugins are installed could not be fetched from the environment. This is likely a Packer bug. Error: ${errorMessage(e)}`));
    return 1;
  }
  const rm = (p: string) => rmSync(p);
  if (isAbsolute(args[0]!)) {
    if (args.length !== 1) {
      meta.ui.error('Unsupported: no version constraint may be specified with a local plugin path.\n');
      meta.ui.say(pluginsRemoveHelp);
      return 1;
    }
    if (!args[0]!.includes(dir)) {
      meta.ui.error(diagnostic('Error', 'Invalid plugin location', `The path ${q(args[0]!)} is not under the plugin directory inferred by Packer (${dir}) and will not be removed.`));
      return 1;
    }
    try {
      deleteInstallation(args[0]!, rm);
    } catch (e) {
      meta.ui.error(diagnostic('Error', 'Failed to delete plugin', `The plugin ${q(args[0]!)} failed to be deleted with the following error: ${q(pathError('remove', args[0]!, e).message)}`));
      return 1;
    }
    meta.ui.say(args[0]!);
    return 0;
  }
  let source;
  try {
    source = parsePluginSource(args[0]!);
  } catch (e) {
    meta.ui.error(`Invalid source string ${q(args[0]!)}: ${errorMessage(e)}`);
    return 1;
  }
  let constraints: Constraints | undefined;
  if (args.length > 1) {
    try {
      constraints = parseConstraints(args[1]!);
    } catch (e) {
      meta.ui.error(errorMessage(e));
      return 1;
    }
  }
  const installations = listInstallations({ dir, source, constraints });
  for (const inst of installations) {
    try {
      deleteInstallation(inst.binaryPath, rm);
    } catch (e) {
      meta.ui.error(`Failed to remove plugin ${q(inst.binaryPath)}: ${q(pathError('remove', inst.binaryPath, e).message)}`);
      continue;
    }
    meta.ui.message(inst.binaryPath);
  }
  if (installations.length === 0) {
    meta.ui.error(`No installed plugin found matching the plugin constraints ${args.slice(0, 2).join(' ')}`);
    return 1;
  }
  return 0;
}

