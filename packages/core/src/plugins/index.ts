/**
 * The core's components: plugins found by discovery or named in the config file, layered above the
 * built-ins (a plugin of the same name wins, built-ins fill the gaps, as in Packer 1.6), except that
 * a multi-component plugin's component named like a built-in Packer 1.16 has too is dropped, as
 * Packer 1.16 registers its built-ins first (protocol.ts takenByBuiltin).
 *
 * Built-ins run in-process by default. With PACKER_TS_BUILTINS=plugin each built-in is started as a
 * sub-process instead, `packer-ts plugin packer-TYPE-NAME` (as Packer 1.6 runs its own built-ins),
 * which exercises the whole plugin path.
 *
 * Public API
 *   new PluginStore(kind, refs, manager, encoding?)  a ComponentStore whose start() spawns a plugin
 *       process (with encoding(): multi-component plugins started for that encoding at start time)
 *   createComponentFinder(setup): PluginComponentFinder
 *       setup.builtins {builders, provisioners, postProcessors, datasources?}: factory maps
 *       (the finder's `datasources` store serves `data` blocks; `encoding` says whether plugins run
 *       with --protobuf, chosen by protocol.ts over the plugins that provide the components in
 *       effect: discovery's, then required_plugins' selection once usePlugins has run)
 *       setup.self {command, args}: how to run this program (for PACKER_TS_BUILTINS=plugin)
 *       setup.exeDir (first discovery directory), setup.env, setup.cwd, setup.home, setup.log
 *       finder.usePlugins(refs): these components (required_plugins' selection) win over discovery's
 *   locateSelf(script = process.argv[1]): { command, args, exeDir }
 *       bin/packer-ts when the script is that launcher or a bundle in dist/ next to it
 *
 * required_plugins, the getters and the npm installer are not re-exported here (they load
 * packages/hcl): `@packer-ts/core/plugins-install` (./install.ts) serves them.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Builder, Datasource, PostProcessor, Provisioner } from '@packer-ts/sdk';
import { FactoryStore, LayeredStore, type ComponentFinder, type ComponentKind, type ComponentStore } from '../components.ts';
import { findPlugins, type PluginRef } from './discovery.ts';
import { PluginManager } from './manager.ts';
import { chooseEncoding, takenByBuiltin, withEncoding } from './protocol.ts';

export * from './discovery.ts';
export * from './manager.ts';
export * from './installed.ts';
export * from './goversion.ts';
export * from './protocol.ts';
export { describeCacheFile, flushDescribeCache } from './describe-cache.ts';

export const BUILTINS_ENV = 'PACKER_TS_BUILTINS';

export class PluginStore<T> implements ComponentStore<T> {
  constructor(readonly kind: ComponentKind, readonly refs: Map<string, PluginRef>, readonly manager: PluginManager,
    private readonly encoding?: () => 'gob' | 'protobuf') {}
  has(name: string): boolean { return this.refs.has(name); }
  list(): string[] { return [...this.refs.keys()].sort(); }
  async start(name: string): Promise<T> {
    const ref = this.refs.get(name);
    if (!ref) throw new Error(`Unknown ${this.kind} ${name}`);
    return (await this.manager.start(this.encoding ? withEncoding(ref, this.encoding()) : ref)) as unknown as T;
  }
}

/** Logs Packer's "Loading builder: NAME" before delegating. */
class LoggedStore<T> implements ComponentStore<T> {
  constructor(private readonly inner: ComponentStore<T>, private readonly label: string, private readonly log: (l: string) => void) {}
  has(name: string): boolean { return this.inner.has(name); }
  list(): string[] { return this.inner.list(); }
  start(name: string): Promise<T> {
    this.log(`Loading ${this.label}: ${name}`);
    return this.inner.start(name);
  }
}

export interface BuiltinFactories {
  builders: Record<string, () => Builder | Promise<Builder>>;
  provisioners: Record<string, () => Provisioner | Promise<Provisioner>>;
  postProcessors: Record<string, () => PostProcessor | Promise<PostProcessor>>;
  datasources?: Record<string, () => Datasource | Promise<Datasource>>;
}

export interface ComponentSetup {
  builtins: BuiltinFactories;
  self?: { command: string; args: string[] };
  exeDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
  log?: (line: string) => void;
  /** Packer 1.16's -ignore-prerelease-plugins: installed versions with a pre-release part are not used. */
  releasesOnly?: boolean;
}

export interface PluginComponentFinder extends ComponentFinder {
  manager: PluginManager;
  plugins: ReturnType<typeof findPlugins>;
  datasources: ComponentStore<Datasource>;
  /** How multi-component plugins are started (protocol.ts). */
  encoding: 'gob' | 'protobuf';
}

export function locateSelf(script: string | undefined = process.argv[1]): { command: string; args: string[]; exeDir: string | undefined } {
  if (!script) return { command: process.execPath, args: [], exeDir: undefined };
  const abs = resolve(script);
  const dir = dirname(abs);
  // The launcher itself (bin/packer-ts, run by node through its #! line) is the command.
  if (basename(abs) === 'packer-ts' && basename(dir) === 'bin') return { command: abs, args: [], exeDir: dir };
  if (basename(dir) === 'dist') {
    const bin = join(dir, '..', 'bin', 'packer-ts');
    if (existsSync(bin)) return { command: resolve(bin), args: [], exeDir: dirname(resolve(bin)) };
  }
  return { command: process.execPath, args: [abs], exeDir: dir };
}

function builtinRefs(kind: ComponentKind, names: string[], self: { command: string; args: string[] }): Map<string, PluginRef> {
  const m = new Map<string, PluginRef>();
  for (const name of names) {
    m.set(name, { kind, name, path: self.command, args: [...self.args, 'plugin', `packer-${kind}-${name}`], source: 'built-in' });
  }
  return m;
}

/** Plugins (discovery, config file) above the built-ins. Throws on a bad config file. */
export function createComponentFinder(setup: ComponentSetup): PluginComponentFinder {
  const env = setup.env ?? process.env;
  const log = setup.log ?? (() => {});
  // The refs as found; the encoding is applied when a component starts, because required_plugins'
  // selection (usePlugins) can change which plugins provide components, and so the encoding.
  const plugins = findPlugins({ env, exeDir: setup.exeDir, cwd: setup.cwd, home: setup.home, log, releasesOnly: setup.releasesOnly });
  const builtinNames: Record<ComponentKind, string[]> = {
    builder: Object.keys(setup.builtins.builders),
    provisioner: Object.keys(setup.builtins.provisioners),
    'post-processor': Object.keys(setup.builtins.postProcessors),
    datasource: Object.keys(setup.builtins.datasources ?? {}),
  };
  const shadowed = (r: PluginRef): boolean => {
    if (!takenByBuiltin(r, builtinNames[r.kind])) return false;
    log(`[INFO] ${r.kind} ${r.name}: the built-in is used, not the one of plugin ${r.path}`);
    return true;
  };
  for (const refs of Object.values(plugins)) for (const [name, r] of refs) if (shadowed(r)) refs.delete(name);
  let encoding = chooseEncoding(plugins, env, log);
  const currentEncoding = (): 'gob' | 'protobuf' => encoding;
  const manager = new PluginManager({ env, log });
  const asPlugins = env[BUILTINS_ENV] === 'plugin';
  if (env[BUILTINS_ENV] !== undefined && env[BUILTINS_ENV] !== '' && env[BUILTINS_ENV] !== 'plugin' && env[BUILTINS_ENV] !== 'in-process') {
    log(`[WARN] ${BUILTINS_ENV}=${env[BUILTINS_ENV]} is not one of "in-process", "plugin": using in-process built-ins`);
  }
  const self = setup.self ?? locateSelf();
  const layer = <T>(kind: ComponentKind, factories: Record<string, () => T | Promise<T>>, label: string): ComponentStore<T> => {
    const builtin: ComponentStore<T> = asPlugins
      ? new PluginStore<T>(kind, builtinRefs(kind, Object.keys(factories), self), manager)
      : new FactoryStore<T>(kind, factories);
    return new LoggedStore(new LayeredStore<T>(kind, [new PluginStore<T>(kind, plugins[kind], manager, currentEncoding), builtin]), label, log);
  };
  return {
    builders: layer<Builder>('builder', setup.builtins.builders, 'builder'),
    provisioners: layer<Provisioner>('provisioner', setup.builtins.provisioners, 'provisioner'),
    postProcessors: layer<PostProcessor>('post-processor', setup.builtins.postProcessors, 'post-processor'),
    datasources: layer<Datasource>('datasource', setup.builtins.datasources ?? {}, 'datasource'),
    get encoding() { return encoding; },
    releasesOnly: setup.releasesOnly ?? false,
    usePlugins: (refs) => {
      for (const r of refs) {
        if (shadowed(r)) continue;
        log(`[INFO] ${r.kind} ${r.name}: using required plugin ${r.path}`);
        plugins[r.kind].set(r.name, r);
      }
      encoding = chooseEncoding(plugins, env, log);
    },
    close: () => manager.close(),
    kill: () => manager.kill(),
    manager,
    plugins,
  };
}
