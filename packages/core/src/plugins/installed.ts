/**
 * The installed-plugin layout of Packer 1.7+ (`plugins install`, `init`):
 * `DIR/HOST/ORG/NAME/packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH` next to its `_SHA256SUM` file
 * (bare hex). DIR is PACKER_PLUGIN_PATH (one directory), else the config directory's
 * `plugins/`: `$PACKER_CONFIG_DIR/.packer.d`, `~/.packer.d` when it exists,
 * `$XDG_CONFIG_HOME/packer`, `~/.config/packer`. A binary counts only when its checksum
 * matches, its name is canonical, and its `describe` agrees with the name (version and API
 * version); the API major must be 5 and the minor at most 0.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, sep } from 'node:path';
import { describePlugin, type PluginDescription } from './discovery.ts';
import { compareGoVersions, coreString, parseGoVersion, satisfies, versionString, type Constraints } from './goversion.ts';

/** The plugin API this core speaks (the Go SDK's APIVersionMajor/Minor). */
export const API_VERSION = { major: 5, minor: 0 };

/** PluginFolder(): where plugins are installed. Throws Packer's message for a list in PACKER_PLUGIN_PATH. */
export function pluginFolder(env: NodeJS.ProcessEnv = process.env): string {
  const p = env.PACKER_PLUGIN_PATH ?? '';
  if (p !== '') {
    if (p.includes(delimiter)) {
      throw new Error('Multiple paths are no longer supported for PACKER_PLUGIN_PATH.\n'
        + 'This should be defined as one of the following options for your environment:'
        + `\n* PACKER_PLUGIN_PATH=${p.split(delimiter).join('\n* PACKER_PLUGIN_PATH=')}`);
    }
    return p;
  }
  return join(configDir(env), 'plugins');
}

/** The SDK's pathing.ConfigDir() (Unix rules; APPDATA first on Windows). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PACKER_CONFIG_DIR) return join(env.PACKER_CONFIG_DIR, '.packer.d');
  const home = (process.platform === 'win32' ? env.APPDATA : undefined) || env.HOME || homedir();
  if (!home) throw new Error('No $HOME environment variable found, required to set Config Directory');
  try {
    statSync(join(home, '.packer.d'));
    return join(home, '.packer.d');
  } catch { /* not there */ }
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'packer');
  return join(home, '.config', 'packer');
}

/** `_OS_ARCH[.exe]` with Go's names for this machine. */
export function filenameSuffix(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  return `_${os}_${arch}${process.platform === 'win32' ? '.exe' : ''}`;
}

export interface PluginSource {
  source: string;
  /** HOST, ORG..., NAME. */
  parts: string[];
  name: string;
}

/** addrs.ParsePluginSourceString, with Packer's messages. */
export function parsePluginSource(str: string): PluginSource {
  const errs: string[] = [];
  if (str.startsWith('/')) errs.push("A source URL must not start with a '/' character.");
  if (str.endsWith('/')) errs.push("A source URL must not end with a '/' character.");
  if ((str.match(/\//g) ?? []).length < 2) errs.push('A source URL must at least contain a host and a path with 2 components');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(str)) errs.push('A source URL must not contain a scheme (e.g. https://).');
  const q = str.indexOf('?');
  const h = str.indexOf('#');
  if (q >= 0 && (h < 0 || q < h) && q < str.length - 1 && str[q + 1] !== '#') errs.push('A source URL must not contain a query (e.g. ?var=val)');
  if (h >= 0 && h < str.length - 1) errs.push('A source URL must not contain a fragment (e.g. #anchor).');
  if (errs.length > 0) {
    throw new Error(`The provided source URL is invalid.\nThe following errors have been discovered:\n${errs.map((e) => `* ${e}\n`).join('')}\nA valid source looks like "github.com/hashicorp/happycloud"`);
  }
  const name = str.slice(str.lastIndexOf('/') + 1);
  const partError = pluginPartError(name);
  if (partError) throw new Error(`Invalid plugin type ${JSON.stringify(name)} in source: ${partError}"`);
  if (name.startsWith('packer-')) {
    const suggested = name.replaceAll('packer-plugin-', '');
    if (name.startsWith('packer-plugin-') && !pluginPartError(suggested)) {
      throw new Error('Plugin source has a type with the prefix "packer-plugin-", which isn\'t valid.\n'
        + 'Although that prefix is often used in the names of version control repositories for Packer plugins, plugin source strings should not include it.\n'
        + `\nDid you mean ${JSON.stringify(suggested)}?`);
    }
    throw new Error('Plugin source has a type with the "packer-" prefix, which isn\'t valid.\n'
      + 'If you are the author of this plugin, rename it to not include the prefix.\n'
      + `Ex: ${JSON.stringify(name.replace('packer-', ''))}`);
  }
  return { source: str, parts: str.split('/').filter((p) => p !== ''), name };
}

function pluginPartError(s: string): string | undefined {
  if (s.length === 0) return 'must have at least one character';
  if (s.includes('.')) return 'dots are not allowed';
  if (s.includes('--')) return 'cannot use multiple consecutive dashes';
  if (!/^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u.test(s)) return 'must contain only letters, digits, and dashes, and may not use leading or trailing dashes';
  return undefined;
}

export interface Installation {
  binaryPath: string;
  /** `vX.Y.Z` as in the file name. */
  version: string;
  apiVersion: string;
  /** NAME of `packer-plugin-NAME_...`. */
  pluginName: string;
  description: PluginDescription;
}

export interface ListOptions {
  dir: string;
  source?: PluginSource;
  constraints?: Constraints;
  /** Skip pre-releases (install's rule). */
  releasesOnly?: boolean;
  /** Check the API version against this core's (discovery and install do, `installed` does not). */
  checkApi?: boolean;
  log?: (line: string) => void;
}

function walk(dir: string, out: string[]): void {
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** The bare-hex SHA-256 in `PATH_SHA256SUM` matches the file. */
export function checksumMatches(path: string): boolean {
  let want: string;
  try { want = readFileSync(`${path}_SHA256SUM`, 'latin1'); } catch { return false; }
  const m = /^[0-9a-fA-F]{64}/.exec(want);
  if (!m) return false;
  let got: string;
  // node:crypto loads here, not at start-up: most runs have no installed plugin to check
  const { createHash } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  try { got = createHash('sha256').update(readFileSync(path)).digest('hex'); } catch { return false; }
  return got === m[0].toLowerCase();
}

/** Requirement.ListInstallations: valid installed binaries, by plugin name then ascending version. */
export function listInstallations(o: ListOptions): Installation[] {
  const log = o.log ?? (() => {});
  const prefix = o.source ? `packer-plugin-${o.source.name}_` : 'packer-plugin-';
  const suffix = filenameSuffix();
  const root = o.source ? join(o.dir, ...o.source.parts.slice(0, -1)) : o.dir;
  const files: string[] = [];
  walk(root, files);
  const res: Installation[] = [];
  for (const path of files) {
    if (dirname(path) === o.dir) continue; // loose binaries at the root are not installations
    const fname = basename(path);
    if (!fname.startsWith(prefix) || !fname.endsWith(suffix)) continue;
    const depth = dirname(path).slice(o.dir.length).split(sep).filter((p) => p !== '').length;
    if (depth > 16) { log(`[WARN] plugin ${JSON.stringify(path)} ignored, too many levels of depth: ${depth} (max 16)`); continue; }
    if (!checksumMatches(path)) { log(`[TRACE] No checksum found for ${JSON.stringify(path)} ignoring possibly unsafe binary`); continue; }
    let rest = fname.slice(prefix.length, fname.length - suffix.length);
    const pluginName = /^packer-plugin-([^_]+)/.exec(fname)?.[1] ?? '';
    if (!o.source) { const i = rest.indexOf('_'); if (i > 0) rest = rest.slice(i + 1); }
    let description: PluginDescription;
    try { description = describePlugin(path); } catch (e) { log(`failed to call describe on ${JSON.stringify(path)}: ${(e as Error).message.split('\n')[0]}`); continue; }
    const us = rest.indexOf('_');
    if (us < 0) continue;
    const versionStr = rest.slice(0, us);
    const apiStr = rest.slice(us + 1);
    let ver;
    try { ver = parseGoVersion(versionStr); } catch { log(`found ${JSON.stringify(path)} with an incorrect ${JSON.stringify(versionStr)} version, ignoring it.`); continue; }
    if (`v${versionString(ver)}` !== versionStr) { log(`version ${JSON.stringify(versionStr)} in path is non canonical, ignoring it.`); continue; }
    if (ver.prerelease && o.releasesOnly) { log(`ignoring pre-release plugin ${JSON.stringify(path)}`); continue; }
    if (ver.metadata) continue;
    let descVer;
    try { descVer = parseGoVersion(description.version); } catch { log(`malformed reported version string ${JSON.stringify(description.version)}, ignoring`); continue; }
    if (compareGoVersions(ver, descVer) !== 0) {
      log(`plugin ${JSON.stringify(path)} reported version ${JSON.stringify(description.version)} while its name implies version ${JSON.stringify(versionStr)}, ignoring`);
      continue;
    }
    if (description.api_version !== apiStr) {
      log(`plugin ${JSON.stringify(path)} reported API version ${JSON.stringify(description.api_version)} while its name implies version ${JSON.stringify(apiStr)}, ignoring`);
      continue;
    }
    if (o.constraints && !satisfies(parseGoVersion(coreString(ver)), o.constraints)) continue;
    if (o.checkApi) {
      const m = /^x?(\d+)\.(\d+)/.exec(apiStr.trim());
      if (!m || Number(m[1]) !== API_VERSION.major || Number(m[2]) > API_VERSION.minor) {
        log(`[NOTICE] binary ${path} requires protocol version ${apiStr} that is incompatible with this version of Packer.`);
        continue;
      }
    }
    res.push({ binaryPath: path, version: versionStr, apiVersion: apiStr, pluginName, description });
  }
  // stable: equal entries keep the walk's order
  return res.map((x, i) => ({ x, i })).sort((a, b) => {
    const na = `packer-plugin-${a.x.pluginName}`;
    const nb = `packer-plugin-${b.x.pluginName}`;
    if (na !== nb) return na < nb ? -1 : 1;
    const c = compareGoVersions(parseGoVersion(a.x.version), parseGoVersion(b.x.version));
    return c !== 0 ? c : apiCompare(a.x.apiVersion, b.x.apiVersion) || a.i - b.i;
  }).map((e) => e.x);
}

function apiCompare(a: string, b: string): number {
  const p = (s: string) => s.replace(/^x/, '').split('.').map(Number);
  const [x, y] = [p(a), p(b)];
  return (x[0]! - y[0]!) || (x[1]! - y[1]!);
}

/** Removes a binary and its checksum file (when there is one). */
export function deleteInstallation(path: string, rm: (p: string) => void): void {
  rm(path);
  try { statSync(`${path}_SHA256SUM`); } catch { return; }
  rm(`${path}_SHA256SUM`);
}
