/**
 * `packer-ts plugins SUBCOMMAND`: install, installed, remove, required (Packer 1.16's `packer plugins`,
 * same texts and exit codes). Every line goes to stdout, as Packer's Ui writes them.
 */
import { errorMessage } from '@packer-ts/sdk';
import { pluginFolder } from '@packer-ts/core';
import type { Meta } from '../meta.ts';
import { wantsHelp } from '../start.ts';

export const pluginsHelp = `Usage: packer plugins <subcommand> [options] [args]
  This command groups subcommands for interacting with Packer plugins.

Related but not under the "plugins" command :

- "packer init <path>" will install all plugins required by a config.

Subcommands:
    install      Install latest Packer plugin [matching version constraint]
    installed    List all installed Packer plugin binaries
    remove       Remove Packer plugins [matching a version]
    required     List plugins required by a config`;

type Sub = { run: (meta: Meta, args: string[]) => Promise<number>; help: () => Promise<string> };

const SUBCOMMANDS: Record<string, Sub> = {
  install: {
    run: async (m, a) => (await import('./plugins-install.ts')).pluginsInstallCommand(m, a),
    help: async () => (await import('./plugins-install.ts')).pluginsInstallHelp,
  },
  installed: {
    run: async (m, a) => (await import('./plugins-installed.ts')).pluginsInstalledCommand(m, a),
    help: async () => (await import('./plugins-installed.ts')).pluginsInstalledHelp,
  },
  required: {
    run: async (m, a) => (await import('./plugins-required.ts')).pluginsRequiredCommand(m, a),
    help: async () => (await import('./plugins-required.ts')).pluginsRequiredHelp,
  },
  remove: {
    run: async (m, a) => (await import('./plugins-remove.ts')).pluginsRemoveCommand(m, a),
    help: async () => (await import('./plugins-remove.ts')).pluginsRemoveHelp,
  },
};


/**
 * The plugin directory (PluginFolder()) as Packer loads it with its configuration, before any
 * command runs; undefined once its error is shown as Packer shows it.
 */
export function configuredPluginFolder(meta: Meta): string | undefined {
  try {
    return pluginFolder(meta.io.env);
  } catch (e) {
    meta.io.stderr.write(` Error loading configuration: \n\n${errorMessage(e)}\n`);
    return undefined;
  }
}

export async function pluginsCommand(meta: Meta, args: string[]): Promise<number> {
  if (configuredPluginFolder(meta) === undefined) return 1;
  const sub = args[0] !== undefined && Object.hasOwn(SUBCOMMANDS, args[0]) ? SUBCOMMANDS[args[0]] : undefined;
  if (!sub) {
    meta.ui.say(pluginsHelp);
    return wantsHelp(args) ? 0 : 1;
  }
  const rest = args.slice(1);
  if (wantsHelp(rest)) {
    meta.ui.say(await sub.help());
    return 0;
  }
  return sub.run(meta, rest);
}
