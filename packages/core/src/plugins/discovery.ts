/**
 * Finding plugin executables (Packer 1.6's discovery): `packer-builder-NAME`,
 * `packer-provisioner-NAME`, `packer-post-processor-NAME` in, in order (later
 * wins): the directory of the packer-ts executable, ~/.packer.d/plugins,
 * %APPDATA%/packer.d/plugins and %USERPROFILE%/packer.d/plugins (Windows),
 * the current directory, then each PACKER_PLUGIN_PATH entry. The config file
 * (PACKER_CONFIG, else ~/.packerconfig) names plugins by absolute path and
 * wins over discovery.
 *
 * Multi-component plugins (`packer-plugin-NAME`, Packer 1.7+) found as loose binaries in the same
 * directories are described once (`describe`, cached per path, size and mtime across commands:
 * describe-cache.ts) and provide their components as Packer 1.7+ names them: `NAME-COMPONENT`, and
 * `NAME` for the default name; each is started with `start KIND [--protobuf] COMPONENT` (protocol.ts
 * chooses the flag).
 *
 * Before all of these come the plugins installed in Packer 1.7+'s layout (installed.ts): the
 * highest valid version of each plugin name, its components named the same way.
 */
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { fileError, log } from '@packer-ts/sdk';
import { jsonKind } from '../template/json.ts';
import type { ComponentKind } from '../components.ts';
import { listInstallations, pluginFolder } from './installed.ts';
import { describePlugin, type PluginDescription } from './describe-cache.ts';

export interface PluginRef {
  kind: ComponentKind;
  name: string;
  /** Absolute path of the executable. */
  path: string;
  /** Arguments to run it with (e.g. `plugin packer-builder-file` for a multiplexed binary). */
  args: string[];
  /** Where it was found: a directory, or the config file. */
  source: string;
  /** A multi-component plugin's component: its `describe` (protocol_version) and the component name. */
  multi?: { component: string; protocolVersion: string | undefined };
  /** How the plugin is spoken to: 'protobuf' when started with `--protobuf` (protocol.ts). */
  encoding?: 'gob' | 'protobuf';
}

export type PluginMap = Record<ComponentKind, Map<string, PluginRef>>;

const PREFIXES: [string, ComponentKind][] = [
  ['packer-builder-', 'builder'],
  ['packer-provisioner-', 'provisioner'],
  ['packer-post-processor-', 'post-processor'],
];

/** Kind and name of a plugin file name, or undefined. Extensions (".exe") are dropped. */
export function parsePluginFileName(file: string): { kind: ComponentKind; name: string } | undefined {
  let base = basename(file);
  const dot = base.indexOf('.');
  if (dot >= 0) base = base.slice(0, dot);
  for (const [prefix, kind] of PREFIXES) {
    if (base.startsWith(prefix) && base.length > prefix.length) return { kind, name: base.slice(prefix.length) };
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform === 'win32') return path.toLowerCase().endsWith('.exe');
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface DiscoveryOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory of the packer-ts executable. */
  exeDir?: string;
  cwd?: string;
  home?: string;
  /** Debug log. */
  log?: (line: string) => void;
  /** Installed versions with a pre-release part are left out (-ignore-prerelease-plugins). */
  releasesOnly?: boolean;
}

/** The discovery directories, in order (later wins). */
export function discoveryDirs(o: DiscoveryOptions = {}): string[] {
  const env = o.env ?? process.env;
  const home = o.home ?? env.HOME ?? homedir();
  const dirs: string[] = [];
  if (o.exeDir) dirs.push(o.exeDir);
  dirs.push(join(home, '.packer.d', 'plugins'));
  if (process.platform === 'win32') {
    if (env.APPDATA) dirs.push(join(env.APPDATA, 'packer.d', 'plugins'));
    if (env.USERPROFILE) dirs.push(join(env.USERPROFILE, 'packer.d', 'plugins'));
  }
  dirs.push(o.cwd ?? process.cwd());
  for (const p of (env.PACKER_PLUGIN_PATH ?? '').split(delimiter)) if (p !== '') dirs.push(resolve(p));
  return dirs;
}

function emptyMap(): PluginMap {
  return { builder: new Map(), provisioner: new Map(), 'post-processor': new Map(), datasource: new Map() };
}

const MULTI_PREFIX = 'packer-plugin-';
/** The default component name of a multi-component plugin (the Go SDK's plugin.DEFAULT_NAME). */
export const DEFAULT_COMPONENT_NAME = '-packer-default-plugin-name-';

/** The NAME of a `packer-plugin-NAME` file name (extensions dropped), or undefined. */
export function parseMultiPluginFileName(file: string): string | undefined {
  let base = basename(file);
  const dot = base.indexOf('.');
  if (dot >= 0) base = base.slice(0, dot);
  return base.startsWith(MULTI_PREFIX) && base.length > MULTI_PREFIX.length ? base.slice(MULTI_PREFIX.length) : undefined;
}

export { describePlugin, type PluginDescription };

/** The components of a multi-component plugin, named as Packer 1.7+ names them. */
export function multiPluginRefs(pluginName: string, path: string, d: PluginDescription, source: string): PluginRef[] {
  const refs: PluginRef[] = [];
  const kinds: [ComponentKind, string[]][] = [['builder', d.builders], ['provisioner', d.provisioners], ['post-processor', d.post_processors], ['datasource', d.datasources]];
  for (const [kind, names] of kinds) {
    for (const c of names) {
      const name = c === DEFAULT_COMPONENT_NAME ? pluginName : `${pluginName}-${c}`;
      refs.push({ kind, name, path, args: ['start', kind, c], source, multi: { component: c, protocolVersion: d.protocol_version } });
    }
  }
  return refs;
}

/** Scans the discovery directories. */
export function discoverPlugins(o: DiscoveryOptions = {}): PluginMap {
  const found = emptyMap();
  addInstalled(found, o);
  for (const dir of discoveryDirs(o)) {
    let entries: string[];
    try { entries = readdirSync(dir); } catch { continue; }
    for (const file of entries.sort()) {
      const multi = parseMultiPluginFileName(file);
      if (multi !== undefined) {
        const path = join(dir, file);
        if (!isExecutableFile(path)) continue;
        let d: PluginDescription;
        try {
          d = describePlugin(path, o.env);
        } catch (e) {
          o.log?.(`[WARN] could not describe plugin ${path}: ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        if (d.api_version !== 'x5.0') {
          o.log?.(`[WARN] plugin ${path} speaks API ${JSON.stringify(d.api_version)}, not x5.0: ignored`);
          continue;
        }
        for (const ref of multiPluginRefs(multi, path, d, dir)) {
          o.log?.(`[DEBUG] Discovered plugin: ${ref.name} = ${path} ${ref.args.join(' ')}`);
          found[ref.kind].set(ref.name, ref);
        }
        continue;
      }
      const parsed = parsePluginFileName(file);
      if (!parsed) continue;
      const path = join(dir, file);
      if (!isExecutableFile(path)) continue;
      o.log?.(`[DEBUG] Discovered plugin: ${parsed.name} = ${path}`);
      found[parsed.kind].set(parsed.name, { ...parsed, path, args: [], source: dir });
    }
  }
  return found;
}

/** The installed layout's components: per plugin name the highest version (the last listed). */
function addInstalled(found: PluginMap, o: DiscoveryOptions): void {
  const env = o.env ?? process.env;
  let dir: string;
  try {
    dir = pluginFolder(o.home !== undefined && env.HOME === undefined ? { ...env, HOME: o.home } : env);
  } catch (e) {
    o.log?.(`[WARN] installed plugins not loaded: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const latest = new Map<string, { path: string; d: PluginDescription }>();
  for (const inst of listInstallations({ dir, checkApi: true, log: o.log, env, releasesOnly: o.releasesOnly })) latest.set(inst.pluginName, { path: inst.binaryPath, d: inst.description });
  for (const [name, { path, d }] of latest) {
    for (const ref of multiPluginRefs(name, path, d, dir)) {
      o.log?.(`[DEBUG] Discovered plugin: ${ref.name} = ${path} ${ref.args.join(' ')}`);
      found[ref.kind].set(ref.name, ref);
    }
  }
}

export interface PackerConfigFile {
  path: string;
  builders: Record<string, string>;
  provisioners: Record<string, string>;
  'post-processors': Record<string, string>;
  disable_checkpoint?: boolean;
}

/** Path of the config file: PACKER_CONFIG, else ~/.packerconfig. */
export function configFilePath(o: DiscoveryOptions = {}): string {
  const env = o.env ?? process.env;
  if (env.PACKER_CONFIG) return env.PACKER_CONFIG;
  return join(o.home ?? env.HOME ?? homedir(), process.platform === 'win32' ? 'packer.config' : '.packerconfig');
}

/**
 * Reads the config file; a missing one is fine, also where PACKER_CONFIG names it (Packer logs
 * a warning), one that cannot be read or decoded is an error naming it.
 */
export function readConfigFile(o: DiscoveryOptions = {}): PackerConfigFile | undefined {
  const path = configFilePath(o);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      log(`[WARN] Config file doesn't exist: ${path}`);
      return undefined;
    }
    throw new Error(`Error loading configuration: ${fileError(e, path).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`Error loading configuration: ${path}: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`Error loading configuration: ${path}: not a JSON object`);
  const r = raw as Record<string, unknown>;
  // encoding/json: a key matches its field exactly, else without regard to case
  const field = (k: string): unknown => {
    if (Object.hasOwn(r, k)) return r[k];
    const other = Object.keys(r).find((x) => x.toLowerCase() === k);
    return other === undefined ? undefined : r[other];
  };
  for (const k of ['disable_checkpoint', 'disable_checkpoint_signature']) {
    const v = field(k);
    if (v !== undefined && v !== null && typeof v !== 'boolean') {
      throw new Error(`Error loading configuration: ${path}: json: cannot unmarshal ${jsonKind(v)} into Go struct field config.${k} of type bool`);
    }
  }
  const section = (k: string): Record<string, string> => {
    const v = field(k);
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw new Error(`Error loading configuration: ${path}: "${k}" must map names to executable paths`);
    }
    return v as Record<string, string>;
  };
  return { path, builders: section('builders'), provisioners: section('provisioners'), 'post-processors': section('post-processors'), disable_checkpoint: field('disable_checkpoint') === true };
}

/** Discovery, overridden by the config file's entries. */
export function findPlugins(o: DiscoveryOptions = {}): PluginMap {
  const found = discoverPlugins(o);
  const cfg = readConfigFile(o);
  if (cfg) {
    const sections: [ComponentKind, Record<string, string>][] = [['builder', cfg.builders], ['provisioner', cfg.provisioners], ['post-processor', cfg['post-processors']]];
    for (const [kind, entries] of sections) {
      for (const [name, path] of Object.entries(entries)) {
        if (!isExecutableFile(path)) {
          o.log?.(`error loading plugin ${JSON.stringify(path)}: not an executable file`);
          continue;
        }
        found[kind].set(name, { kind, name, path, args: [], source: cfg.path });
      }
    }
  }
  return found;
}
