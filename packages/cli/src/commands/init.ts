/**
 * `packer-ts init [-upgrade] [-force] PATH`: installs every plugin the template's
 * `required_plugins` names and that is not installed yet (-upgrade: also newer matching
 * releases; -force: reinstall), as Packer 1.16 does.
 */
import { ColoredUi, listInstallations, parseConstraints, parseGoVersion } from '@packer-ts/core';
import { errorMessage } from '@packer-ts/sdk';
import { FlagSet } from '../flags.ts';
import { parseFlags, type Meta } from '../meta.ts';
import { installRemote } from './install-remote.ts';
import { configuredPluginFolder } from './plugins.ts';
import { loadRequirements, NO_REQUIREMENTS } from './required-config.ts';

export const initHelp = `Usage: packer init [options] TEMPLATE

  Install all the missing plugins required in a Packer config. Note that Packer
  does not have a state.

  This is the first command that should be executed when working with a new
  or existing template.

  This command is always safe to run multiple times. Though subsequent runs may
  give errors, this command will never delete anything.

Options:
  -upgrade                     On top of installing missing plugins, update
                               installed plugins to the latest available
                               version, if there is a new higher one. Note that
                               this still takes into consideration the version
                               constraint of the config.
  -force                       Forces reinstallation of plugins, even if already
                               installed.`;

export async function initCommand(meta: Meta, argv: string[]): Promise<number> {
  let upgrade = false;
  let force = false;
  const flags = new FlagSet().bool('upgrade', (v) => { upgrade = v; }).bool('force', (v) => { force = v; });
  const stop = parseFlags(meta, flags, argv, initHelp);
  if (stop !== undefined) return stop;
  const reqs = loadRequirements(meta, flags.args[0]!);
  if (typeof reqs === 'number') return reqs;
  if (reqs.length === 0) meta.ui.message(NO_REQUIREMENTS);
  const dir = configuredPluginFolder(meta);
  if (dir === undefined) return 1;
  const ui = new ColoredUi(36, meta.ui);
  let ret = 0;
  for (const req of reqs) {
    let constraints = req.constraints;
    let constraintText = req.versionText;
    const installs = listInstallations({ dir, source: req.source, constraints, checkApi: true, releasesOnly: true });
    if (installs.length > 0) {
      if (!force && !upgrade) continue;
      if (force && !upgrade) {
        // reinstall the installed release, not a newer one
        const release = installs.filter((i) => parseGoVersion(i.version).prerelease === '').pop();
        if (release) { constraintText = `=${release.version.replace(/^v/, '')}`; constraints = parseConstraints(constraintText); }
      }
    }
    try {
      const inst = await installRemote(meta, { dir, source: req.source, constraints, constraintText, force });
      if (inst) ui.say(`Installed plugin ${req.source.source} ${inst.version} in ${JSON.stringify(inst.binaryPath)}`);
    } catch (e) {
      meta.ui.error(`Failed getting the ${JSON.stringify(req.source.source)} plugin:`);
      meta.ui.error(errorMessage(e));
      ret = 1;
    }
  }
  return ret;
}
