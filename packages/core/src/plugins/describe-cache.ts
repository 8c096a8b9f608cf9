/**
 * What a plugin binary says about itself (`describe`) and whether it matches its `_SHA256SUM`
 * file, remembered across commands. Packer runs every installed binary's `describe` and hashes
 * every binary on every command; with many installed versions that is most of a command's time.
 * Both answers only change when the file does, so they are kept per absolute path with the
 * file's size and mtime (and, for the checksum, the expected hex read from `_SHA256SUM`), and
 * an entry whose file changed is recomputed.
 *
 * The cache file is `$XDG_CACHE_HOME/packer-ts/plugin-descriptions.json` (else
 * `~/.cache/packer-ts/`); `PACKER_TS_DESCRIBE_CACHE` names another file, `0` turns it off. It is
 * read once per process, written (temporary file + rename) after a command that learnt
 * something; a file that is not valid JSON of the expected shape is ignored and replaced, and a
 * cache that cannot be written is simply not kept.
 *
 * Public API
 *   describeCacheFile(env?): string | undefined        where the cache lives (undefined: off)
 *   describePlugin(path, env?): PluginDescription       `PATH describe`, cached
 *   checksumMatches(path, env?): boolean                 the bare hex of `PATH_SHA256SUM` is the file's SHA-256, cached
 *   flushDescribeCache(): void                           writes what this process learnt (also at exit)
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface PluginDescription {
  version: string;
  api_version: string;
  builders: string[];
  provisioners: string[];
  post_processors: string[];
  datasources: string[];
  protocol_version?: string;
}

interface Entry {
  size: number;
  mtimeMs: number;
  describe?: PluginDescription;
  /** The expected hex the file was found to match. */
  sha256?: string;
}

const VERSION = 1;

export function describeCacheFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.PACKER_TS_DESCRIBE_CACHE;
  if (named === '0') return undefined;
  if (named) return resolve(named);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'packer-ts', 'plugin-descriptions.json');
  let home: string | undefined;
  try { home = env.HOME || homedir(); } catch { home = undefined; }
  return home ? join(home, '.cache', 'packer-ts', 'plugin-descriptions.json') : undefined;
}

class Store {
  private entries = new Map<string, Entry>();
  dirty = false;

  constructor(readonly file: string | undefined) {
    if (!file) return;
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown; entries?: unknown };
      if (raw?.version !== VERSION || raw.entries === null || typeof raw.entries !== 'object' || Array.isArray(raw.entries)) return;
      for (const [path, e] of Object.entries(raw.entries as Record<string, unknown>)) {
        if (validEntry(e)) this.entries.set(path, e);
      }
    } catch { /* missing or corrupt: start empty */ }
  }

  /** The entry of `path` if the file still has the size and mtime it had then; else a fresh one. */
  entry(path: string): Entry {
    const st = statSync(path);
    const e = this.entries.get(path);
    if (e && e.size === st.size && e.mtimeMs === st.mtimeMs) return e;
    const fresh: Entry = { size: st.size, mtimeMs: st.mtimeMs };
    this.entries.set(path, fresh);
    return fresh;
  }

  save(): void {
    if (!this.dirty || !this.file) return;
    this.dirty = false;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify({ version: VERSION, entries: Object.fromEntries(this.entries) }));
      renameSync(tmp, this.file);
    } catch { /* not kept */ }
  }
}

function validEntry(e: unknown): e is Entry {
  if (e === null || typeof e !== 'object') return false;
  const x = e as Record<string, unknown>;
  if (typeof x.size !== 'number' || typeof x.mtimeMs !== 'number') return false;
  if (x.sha256 !== undefined && typeof x.sha256 !== 'string') return false;
  if (x.describe !== undefined) {
    const d = x.describe as Record<string, unknown> | null;
    if (d === null || typeof d !== 'object' || typeof d.version !== 'string' || typeof d.api_version !== 'string') return false;
    for (const k of ['builders', 'provisioners', 'post_processors', 'datasources']) if (!Array.isArray(d[k])) return false;
  }
  return true;
}

const stores = new Map<string, Store>();
let exitHook = false;

function store(env: NodeJS.ProcessEnv): Store {
  const file = describeCacheFile(env);
  const key = file ?? '';
  let s = stores.get(key);
  if (!s) {
    s = new Store(file);
    stores.set(key, s);
    if (!exitHook) { exitHook = true; process.once('exit', flushDescribeCache); }
  }
  return s;
}

export function flushDescribeCache(): void {
  for (const s of stores.values()) s.save();
}

/** Runs `PATH describe` (unless the cache knows the answer for this file) and parses its JSON. */
export function describePlugin(path: string, env: NodeJS.ProcessEnv = process.env): PluginDescription {
  const s = store(env);
  const e = s.entry(path);
  if (e.describe) return e.describe;
  const out = (process.getBuiltinModule('node:child_process') as typeof import('node:child_process')).execFileSync(path, ['describe'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const raw = JSON.parse(out) as Partial<PluginDescription>;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const d: PluginDescription = {
    version: String(raw.version ?? ''), api_version: String(raw.api_version ?? ''),
    builders: list(raw.builders), provisioners: list(raw.provisioners), post_processors: list(raw.post_processors), datasources: list(raw.datasources),
  };
  if (typeof raw.protocol_version === 'string') d.protocol_version = raw.protocol_version;
  e.describe = d;
  s.dirty = true;
  return d;
}

/** The bare-hex SHA-256 in `PATH_SHA256SUM` matches the file (a match is remembered; a mismatch is checked again). */
export function checksumMatches(path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let want: string;
  try { want = readFileSync(`${path}_SHA256SUM`, 'latin1'); } catch { return false; }
  const m = /^[0-9a-fA-F]{64}/.exec(want);
  if (!m) return false;
  const hex = m[0].toLowerCase();
  const s = store(env);
  let e: Entry;
  try { e = s.entry(path); } catch { return false; }
  if (e.sha256 === hex) return true;
  let got: string;
  // node:crypto loads here, not at start-up: most runs have no installed plugin to check
  const { createHash } = process.getBuiltinModule('node:crypto') as typeof import('node:crypto');
  try { got = createHash('sha256').update(readFileSync(path)).digest('hex'); } catch { return false; }
  if (got !== hex) return false;
  e.sha256 = hex;
  s.dirty = true;
  return true;
}
