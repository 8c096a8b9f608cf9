/**
 * `packer-ts plugins install [-path BINARY] [-force] SOURCE [CONSTRAINT]`. With -path the
 * binary is described, copied to DIR/SOURCE/packer-plugin-NAME_vVERSION_APIVERSION_OS_ARCH and
 * its bare-hex `_SHA256SUM` written next to it (through temporary files renamed into place,
 * so a failure leaves nothing half-written). Without -path the highest matching release is
 * installed from the source's getter (install-remote.ts).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorMessage, fileError } from '@packer-ts/sdk';
import { ColoredUi, coreString, filenameSuffix, parseConstraints, parsePluginSource, parseSemver, placeBinary, scanJson } from '@packer-ts/core';
import { hasPrerelease } from '@packer-ts/core/plugins-install';
import { installRemote } from './install-remote.ts';
import { configuredPluginFolder } from './plugins.ts';
import { FlagError, FlagSet } from '../flags.ts';
import { diagnostic, type Meta } from '../meta.ts';

export const pluginsInstallHelp = `Usage: packer plugins install [OPTIONS...] <plugin> [<version constraint>]

  This command will install the most recent compatible Packer plugin matching
  version constraint.
  When the version constraint is omitted, the most recent version will be
  installed.

  Ex: packer plugins install github.com/hashicorp/happycloud v1.2.3
      packer plugins install --path ./packer-plugin-happycloud "github.com/hashicorp/happycloud"

Options:
  -path <path>                  Install the plugin from a locally-sourced plugin binary.
                                This installs the plugin where a normal invocation would, but will
                                not try to download it from a remote location, and instead
                                install the binary in the Packer plugins path. This option cannot
                                be specified with a version constraint.
  -force                        Forces reinstallation of plugins, even if already installed.`;

export async function pluginsInstallCommand(meta: Meta, argv: string[]): Promise<number> {
  let path = '';
  let force = false;
  // with -path, -force changes nothing (Packer 1.16 always overwrites then)
  const flags = new FlagSet().string('path', (v) => { path = v; }).bool('force', (v) => { force = v; });
  try {
    flags.parse(argv);
  } catch (e) {
    meta.ui.error(`Failed to parse options: ${e instanceof FlagError ? e.message : errorMessage(e)}`);
    return 1;
  }
  const args = flags.args;
  if (args.length < 1 || args.length > 2) {
    meta.ui.error(`Invalid arguments, expected either 1 or 2 positional arguments, got ${args.length}`);
    meta.ui.say(pluginsInstallHelp);
    return 1;
  }
  // Packer 1.16 accepts (and ignores) a constraint given with -path.
  const dir = configuredPluginFolder(meta);
  if (dir === undefined) return 1;
  let source;
  try {
    source = parsePluginSource(args[0]!);
  } catch (e) {
    meta.ui.error(`Invalid source string ${JSON.stringify(args[0])}: ${errorMessage(e)}`);
    return 1;
  }
  if (path === '') {
    let constraints;
    if (args[1] !== undefined) {
      try { constraints = parseConstraints(args[1]); } catch (e) { meta.ui.error(errorMessage(e)); return 1; }
      if (hasPrerelease(constraints)) { meta.ui.error(`Unsupported prerelease for constraint ${JSON.stringify(args[1])}`); return 1; }
    }
    let inst;
    try {
      inst = await installRemote(meta, { dir, source, constraints, constraintText: args[1] ?? '', force });
    } catch (e) {
      meta.ui.error(errorMessage(e));
      return 1;
    }
    if (inst) new ColoredUi(36, meta.ui).say(`Installed plugin ${source.source} ${inst.version} in ${JSON.stringify(inst.binaryPath)}`);
    return 0;
  }
  const fail = (summary: string, detail: string): number => {
    meta.ui.error(diagnostic('Error', summary, detail));
    return 1;
  };
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch (e) {
    return fail('Unable to find plugin to promote', `The plugin ${JSON.stringify(source.source)} failed to be opened because of an error: ${fileError(e, abs).message}`);
  }
  if (st.isDirectory()) return fail('Plugin to promote cannot be a directory', 'The packer plugin promote command can only install binaries, not directories');
  let out: string;
  try {
    out = await describeOutput(abs);
  } catch (e) {
    return fail('Failed to describe the plugin', `Packer failed to run ${abs} describe: ${errorMessage(e)}`);
  }
  let desc: { version?: unknown; api_version?: unknown };
  try {
    const v = scanJson(out).value;
    desc = typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
  } catch (e) {
    return fail('Failed to decode plugin describe info', `'${abs} describe' produced information that Packer couldn't decode: ${errorMessage(e)}`);
  }
  const version = typeof desc.version === 'string' ? desc.version : '';
  const apiVersion = typeof desc.api_version === 'string' ? desc.api_version : '';
  let semver;
  try {
    semver = parseSemver(version);
  } catch (e) {
    return fail('Invalid version', `Plugin's reported version (${JSON.stringify(version)}) is not semver-compatible: ${errorMessage(e)}`);
  }
  if (semver.prerelease !== '' && semver.prerelease !== 'dev') {
    return fail('Invalid version', `Packer can only install plugin releases with this command (ex: 1.0.0) or development pre-releases (ex: 1.0.0-dev), the binary's reported version is ${JSON.stringify(version)}`);
  }
  let contents: Buffer;
  try {
    contents = readFileSync(abs);
  } catch (e) {
    return fail("Failed to read plugin binary's contents", `Failed to read plugin binary from ${JSON.stringify(abs)}: ${fileError(e, abs).message}`);
  }
  const installDir = join(dir, ...source.parts);
  try {
    mkdirSync(installDir, { recursive: true, mode: 0o755 });
  } catch (e) {
    return fail('Failed to create output directory', `The installation directory ${JSON.stringify(installDir)} failed to be created because of an error: ${fileError(e, installDir).message}`);
  }
  const noMeta = coreString(semver) + (semver.prerelease ? `-${semver.prerelease}` : '');
  const binaryPath = join(installDir, `packer-plugin-${source.name}_v${noMeta}_${apiVersion}${filenameSuffix()}`);
  try {
    placeBinary(binaryPath, contents);
  } catch (e) {
    return fail('Failed to create plugin binary', `Failed to create plugin binary at ${JSON.stringify(binaryPath)}: ${fileError(e, binaryPath).message}`);
  }
  meta.ui.say(`Successfully installed plugin ${source.source} from ${abs} to ${binaryPath}`);
  return 0;
}

/** `BINARY describe`'s stdout; a failure worded as Go's exec errors. */
function describeOutput(path: string): Promise<string> {
  return new Promise((res, rej) => {
    execFile(path, ['describe'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout) => {
      if (!err) return res(stdout);
      const e = err as NodeJS.ErrnoException & { code?: unknown; signal?: string | null };
      if (typeof e.code === 'number') return rej(new Error(`exit status ${e.code}`));
      if (e.signal) return rej(new Error(`signal: ${e.signal === 'SIGKILL' ? 'killed' : e.signal}`));
      rej(new Error(`fork/exec ${path}: ${e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOEXEC' ? 'exec format error' : errorMessage(e)}`));
    });
  });
}
