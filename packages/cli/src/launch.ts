/**
 * Start-up of the bundled CLI (`bin/packer-ts` runs the CommonJS build of this file, which
 * calls `start` when it is node's main module): picks the program for the command line
 * (start.ts: dist/version.cjs, dist/plugin.cjs, dist/console.cjs, dist/fmt.cjs or the whole CLI,
 * dist/packer-ts.cjs) and runs it.
 *
 * Every plugin is a process, so start-up is paid many times per build. Node 20 has no
 * compile cache for user code (module.enableCompileCache is Node 22), so this compiles
 * `dist/packer-ts.cjs` through `vm.Script` with V8's code cache: the build makes the caches of
 * `console`, `validate` and `build` by running them (scripts/warm-caches.mjs), and the first run
 * of any other command writes the compiled code (with the functions that command ran) to a
 * cache file named after the node version, the architecture, the bundle and node's flags;
 * later runs skip parsing and compiling. V8 itself rejects a cache made by another node or
 * for other flags (`cachedDataRejected`): then the run compiles from source and rewrites it.
 * Where the cache cannot be read or written (read-only install, no HOME) it runs without.
 *
 * The bundle must not contain import(): a vm.Script gets no dynamic import on Node 20 (the
 * callback needs --experimental-vm-modules; vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER gives
 * "A dynamic import callback was not specified" on 20.20), so scripts/build.mjs has esbuild
 * turn every import() into require().
 *
 * Source maps are not loaded at start: `Error.prepareStackTrace` maps frames of the bundle
 * through `dist/packer-ts.cjs.map` the first time a stack is asked for (a crash).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type Module from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Script } from 'node:vm';
import { adoptDeferredExtraCa } from '@packer-ts/sdk';
import { commandLine, programFor, type Program } from './start.ts';

/**
 * node's CommonJS Module class: the launcher's own module's constructor where it runs as one
 * (dist/launch.cjs), which spares loading the public `node:module` (its ESM loader and source
 * map modules); node:module's where it does not (tests import this file as ESM).
 */
const ModuleClass: typeof Module = typeof module === 'object' && module !== null && typeof module.constructor === 'function' && 'wrap' in module.constructor
  ? (module.constructor as typeof Module)
  : (process.getBuiltinModule('node:module') as typeof Module);

const BUNDLES: Record<Program, string> = { version: 'version.cjs', plugin: 'plugin.cjs', console: 'console.cjs', fmt: 'fmt.cjs', cli: 'packer-ts.cjs' };

/**
 * Runs the program for this process's command line from the bundles in `distDir`. Started by
 * bin/packer-ts (a sh script), which passes what it was invoked as in PACKER_TS_ARGV0 (the
 * programs read it as process.argv[1], as when node ran the launcher through a #! line) and
 * NODE_EXTRA_CA_CERTS in PACKER_TS_EXTRA_CA_CERTS (see sdk/src/extra-ca.ts): both are put back
 * before any program runs, so that the environment every child sees is the user's.
 */
export function start(distDir: string, env: NodeJS.ProcessEnv = process.env): void {
  const argv0 = env.PACKER_TS_ARGV0;
  if (argv0 !== undefined) {
    delete env.PACKER_TS_ARGV0;
    if (argv0 !== '') process.argv[1] = resolve(argv0);
  }
  adoptDeferredExtraCa(env);
  const argv = commandLine(process.argv[1], process.argv.slice(2));
  launch(join(distDir, BUNDLES[programFor(argv, env)]), argv, env);
}

/** Where a bundle's code cache lives: beside the bundle, else in the user's cache directory. */
export function cacheDirs(distDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [join(distDir, '.cache')];
  const xdg = env.XDG_CACHE_HOME;
  let home: string | undefined;
  try { home = env.HOME || (process.getBuiltinModule('node:os') as typeof import('node:os')).homedir(); } catch { home = undefined; }
  if (xdg && xdg.startsWith('/')) dirs.push(join(xdg, 'packer-ts'));
  else if (home) dirs.push(join(home, '.cache', 'packer-ts'));
  return dirs;
}

/** Set by scripts/build.mjs: a hash of each bundle's content, by file name. */
declare const PACKER_TS_BUNDLE_IDS: Record<string, string> | undefined;

/**
 * The cache file's name: a command's cache, for one node, one bundle (its hash, else size and
 * mtime), one set of node flags (`flags`, see flagsTag): V8 rejects a cache made under other
 * flags, so the runs of `node bin/packer-ts` (no flags) and of the sh launcher (heap flags for
 * the commands that read templates) keep a cache each instead of rewriting one in turn.
 */
export function cacheName(command: string | undefined, size: number, mtimeMs: number, bundle = '', flags = ''): string {
  const cmd = command && /^[a-z][a-z0-9_-]{0,31}$/.test(command) ? command : 'other';
  const ids = typeof PACKER_TS_BUNDLE_IDS === 'object' ? PACKER_TS_BUNDLE_IDS : {};
  const file = bundle.slice(bundle.lastIndexOf('/') + 1);
  const id = Object.hasOwn(ids, file) ? ids[file] : `${size}-${Math.trunc(mtimeMs)}`;
  return `${cmd}-${process.version}-${process.arch}-${id}${flags}.v8cache`;
}

/**
 * The part of a cache's name that stands for node's flags: '' without any, else `-f` and a hash
 * (FNV-1a, 32 bits) of the command line's node options and NODE_OPTIONS. Any V8 flag changes
 * what V8 accepts; node's own options are hashed too (harmless: another name).
 */
export function flagsTag(execArgv: readonly string[], nodeOptions: string | undefined): string {
  if (execArgv.length === 0 && !nodeOptions) return '';
  const text = `${execArgv.join('\n')}\n${nodeOptions ?? ''}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `-f${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * The V8 flags that bin/packer-ts gives node for the commands that read templates (see there): the
 * young generation's size and the interrupt budget (when V8 tiers hot code up to TurboFan). The
 * launcher takes them out of process.execArgv once the cache is named: a Worker (the deep thread,
 * which passes process.execArgv on) refuses V8 flags (ERR_WORKER_INVALID_EXEC_ARGV), and they are
 * process-wide anyway.
 */
export const LAUNCHER_FLAG = /^--(?:(?:min|max)-semi-space-size|interrupt-budget)=\d+$/;

/** Runs the bundle at `bundle` as the main program, through the code cache unless `PACKER_TS_CODE_CACHE=0`. */
export function launch(bundle: string, argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): void {
  const distDir = dirname(bundle);
  // latin1: a byte per character, no UTF-8 decoding (scripts/build.mjs keeps the bundles ASCII)
  const source = readFileSync(bundle, 'latin1');
  const useCache = env.PACKER_TS_CODE_CACHE !== '0';
  let cached: Buffer | undefined;
  let name = '';
  let dirs: string[] = [];
  if (useCache) {
    const st = statSync(bundle);
    name = cacheName(argv[0], st.size, st.mtimeMs, bundle, flagsTag(process.execArgv, env.NODE_OPTIONS));
    dirs = cacheDirs(distDir, env);
    for (const d of dirs) {
      try { cached = readFileSync(join(d, name)); break; } catch { /* not there: next */ }
    }
  }
  if (process.execArgv.some((a) => LAUNCHER_FLAG.test(a))) process.execArgv = process.execArgv.filter((a) => !LAUNCHER_FLAG.test(a));
  const script = new Script(ModuleClass.wrap(source), {
    filename: bundle,
    cachedData: cached,
  });
  if (useCache && (cached === undefined || script.cachedDataRejected)) {
    // After the run, so that the cache holds the functions this command compiled; a plugin
    // that its core ends with SIGKILL (Packer does) never exits: it writes a second after start.
    let written = false;
    const write = () => { if (!written) { written = true; writeCache(script, dirs, name); } };
    process.once('exit', write);
    setTimeout(write, 1000).unref();
  }
  installLazySourceMaps(bundle);
  const mod = new ModuleClass(bundle, undefined);
  mod.filename = bundle;
  mod.paths = (ModuleClass as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(distDir);
  const req = ModuleClass.createRequire(bundle);
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, req, mod, bundle, distDir);
}

function writeCache(script: Script, dirs: string[], name: string): void {
  let data: Buffer;
  try { data = script.createCachedData(); } catch { return; }
  for (const d of dirs) {
    const tmp = join(d, `.${name}.${process.pid}.tmp`);
    try {
      mkdirSync(d, { recursive: true });
      writeFileSync(tmp, data);
      renameSync(tmp, join(d, name)); // atomic: a parallel run reads the old file or the new one
      return;
    } catch { /* read-only or missing: try the next directory */ }
  }
}

/** Maps stack frames of `bundle` to the TypeScript sources, loading the map on first need. */
function installLazySourceMaps(bundle: string): void {
  let map: Module.SourceMap | null | undefined;
  const sourceMap = (): Module.SourceMap | null => {
    if (map === undefined) {
      try {
        const { SourceMap } = process.getBuiltinModule('node:module') as typeof Module; // loads at the first stack trace
        map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as Module.SourceMapPayload);
      } catch { map = null; }
    }
    return map;
  };
  const root = dirname(dirname(bundle));
  Error.prepareStackTrace = (error, frames) => {
    const head = errorHead(error);
    const lines = frames.map((f) => {
      const text = String(f);
      if (f.getFileName() !== bundle) return `    at ${text}`;
      const line = f.getLineNumber();
      const col = f.getColumnNumber();
      const m = (line !== null && col !== null ? sourceMap()?.findEntry(line - 1, col - 1) : undefined) as Partial<Module.SourceMapping> | undefined;
      if (!m?.originalSource || m.originalLine === undefined || m.originalColumn === undefined) return `    at ${text}`;
      const src = m.originalSource.startsWith('../') ? join(root, m.originalSource.slice(3)) : m.originalSource;
      const where = `${src}:${m.originalLine + 1}:${m.originalColumn + 1}`;
      const fnName = f.getFunctionName();
      return fnName ? `    at ${fnName} (${where})` : `    at ${where}`;
    });
    return [head, ...lines].join('\n');
  };
}

function errorHead(error: Error): string {
  try {
    const msg = error.message;
    const nm = error.name ?? 'Error';
    return msg ? `${nm}: ${msg}` : String(nm);
  } catch {
    return 'Error';
  }
}
