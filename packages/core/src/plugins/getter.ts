/**
 * Installing a plugin release (Packer 1.16's plugin-getter InstallLatest): list the releases,
 * take the versions matching the constraint from the highest down, fetch that version's
 * `packer-plugin-NAME_vX.Y.Z_SHA256SUMS`, pick the zip for this OS/arch and API version, download
 * it to a temporary file, check its SHA-256, extract `packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH`,
 * `describe` it (its version must be the release's), and only then rename the binary and its
 * `_SHA256SUM` into place. A failure at any step leaves the plugin directory as it was.
 *
 * Release sources (getters), tried in order:
 *   releasesGetter the official HashiCorp release site (Packer 1.16's release.Getter), tried first
 *                  for every `github.com/NS/NAME` source (Packer asks it by NAME alone, whatever
 *                  NS is): `GET BASE/packer-plugin-NAME/index.json` (`{"versions": {"X.Y.Z":
 *                  {"version": "X.Y.Z"}}}`), `BASE/packer-plugin-NAME/X.Y.Z/packer-plugin-NAME_X.Y.Z_SHA256SUMS`,
 *                  `..._manifest.json` (`{"metadata": {"protocol_version": "5.0"}}`, the API
 *                  version) and the zip `packer-plugin-NAME_X.Y.Z_OS_ARCH.zip`, which holds
 *                  `packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH`. BASE is https://releases.hashicorp.com/
 *                  (PACKER_TS_HASHICORP_RELEASES_URL, a packer-ts-only override; Packer has none).
 *                  No signature is checked (Packer does not fetch `_SHA256SUMS.sig`). A failed
 *                  request (no connection, status >= 400) of the index means "not there": the
 *                  next getter is asked; of a checksum file or zip, the install stops with
 *                  Packer's "http call failed to releases.hashicorp.com failed"; of a manifest,
 *                  that file is skipped.
 *   githubGetter   a GitHub-style release server: `GET API/repos/NS/packer-plugin-NAME/git/matching-refs/tags`,
 *                  `WEB/NS/packer-plugin-NAME/releases/download/vX.Y.Z/FILE`. API is
 *                  PACKER_TS_GITHUB_API_URL (default https://api.github.com), WEB is
 *                  PACKER_TS_GITHUB_URL (default https://github.com); PACKER_GITHUB_API_TOKEN is
 *                  sent (Bearer) to the API host only. Sources must be `github.com/NS/NAME`.
 *   mirrorGetter   an offline mirror directory (PACKER_TS_PLUGIN_MIRROR): the release files of
 *                  each version under `DIR/HOST/NS/NAME/vX.Y.Z/` (what the release page offers:
 *                  the `_SHA256SUMS` file and the zips), for any host. When set, it is the only getter.
 */
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { compareGoVersions, coreString, parseGoVersion, parseSemver, satisfies, versionString, type Constraints, type GoVersion } from './goversion.ts';
import { MultiError, requestDialError, useExtraCaCertificates, type DialFailure } from '@packer-ts/sdk';
import { API_VERSION, checksumMatches, filenameSuffix, placeBinary, type PluginSource } from './installed.ts';

/** What a getter fetches; each returns a readable body, or throws a Go-worded error (or HttpFailure). */
export interface Getter {
  name: string;
  /** Release versions (tag names) of the plugin. */
  releases(source: PluginSource): Promise<string[]>;
  /** The `_SHA256SUMS` file's text of release `v` (vX.Y.Z). */
  checksums(source: PluginSource, v: string): Promise<string>;
  /** The zip `file` of release `v`, and its size when known. */
  zip(source: PluginSource, v: string, file: string): Promise<{ body: Readable; size: number }>;
  /** Init: the parts of a checksum file's entry, or why it cannot be read (default: GitHub's names). */
  parseEntry?(prefix: string, filename: string): SumParts | string;
  /** Validate: the API version (`x5.0`) of an entry to install, or undefined to skip it (default: GitHub's). */
  validate?(source: PluginSource, version: GoVersion, entry: SumParts, system: { os: string; arch: string }): Promise<string | undefined>;
}

/** A checksum file entry's name, split (Packer's ChecksumFileEntry). */
export interface SumParts { binVersion: string; protVersion: string; os: string; arch: string }

/**
 * Packer's plugingetter.HTTPFailure: a getter's request failed. Of a release list it sends
 * InstallLatest to the next getter; of a checksum file or zip it ends the install with this message.
 */
export class HttpFailure extends Error {
  constructor() { super('http call failed to releases.hashicorp.com failed'); }
}

/** A request that did not answer 2xx, worded as go-github's ErrorResponse. */
async function httpGet(url: string, headers: Record<string, string>): Promise<Response> {
  let res: Response;
  useExtraCaCertificates(); // a redirect may lead to https
  try {
    res = await fetch(url, { headers, redirect: 'follow' });
  } catch (e) {
    const cause = (e as { cause?: DialFailure }).cause;
    // fetch's own failure (a bad URL, ...) where no connection was tried
    throw new Error(cause?.code || cause?.errors ? requestDialError('Get', url, cause) : `Get ${JSON.stringify(url)}: ${cause?.message ?? (e as Error).message}`, { cause: e });
  }
  if (res.status < 200 || res.status > 299) {
    let message = '';
    try { const j = JSON.parse(await res.text()) as { message?: unknown }; if (typeof j.message === 'string') message = j.message; } catch { /* not JSON */ }
    throw new Error(`GET ${url}: ${res.status} ${message} []`);
  }
  return res;
}

export interface GithubOptions {
  env?: NodeJS.ProcessEnv;
  userAgent?: string;
  log?: (line: string) => void;
}

/** NewGithubPlugin's check of a `github.com/NS/NAME` source, and its PluginType `packer-plugin-NAME`. */
function githubPluginType(s: PluginSource): string {
  if (s.parts.length !== 3) throw new Error(`Invalid github.com URI ${JSON.stringify(s.source)}: a Github-compatible source must be in the github.com/<namespace>/<name> format.`);
  if (s.parts[0] !== 'github.com') throw new Error(`${JSON.stringify(s.source)} doesn't appear to be a valid "github.com" source address; check source and try again.`);
  return `packer-plugin-${s.parts[2]!.replace('packer-plugin-', '')}`;
}

/** Where releasesGetter looks: https://releases.hashicorp.com/, or PACKER_TS_HASHICORP_RELEASES_URL. */
export const RELEASES_URL_ENV = 'PACKER_TS_HASHICORP_RELEASES_URL';

/** `text` as JSON, with Go's json.Decoder error words for an empty body and a body that is not JSON. */
function decodeGoJson(text: string): unknown {
  const t = text.replace(/^[ \t\r\n]+/, '');
  if (t === '') throw new Error('EOF');
  try {
    return JSON.parse(t);
  } catch {
    if (!'{["-0123456789tfn'.includes(t[0]!)) throw new Error(`invalid character ${JSON.stringify(t[0]).replace(/^"|"$/g, "'")} looking for beginning of value`);
    throw new Error('unexpected EOF');
  }
}

/** The official HashiCorp release site (Packer 1.16's release.Getter; layout in this file's header). */
export function releasesGetter(o: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Getter {
  const env = o.env ?? process.env;
  const base = (env[RELEASES_URL_ENV] || 'https://releases.hashicorp.com/').replace(/\/*$/, '/');
  const get = async (url: string): Promise<Response> => {
    o.log?.(`[DEBUG] release-getter: getting ${JSON.stringify(url)}`);
    useExtraCaCertificates();
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow' });
    } catch (e) {
      o.log?.(`[ERROR] Got error while trying getting data from releases.hashicorp.com, ${(e as Error).message}`);
      throw new HttpFailure();
    }
    if (res.status >= 400) {
      await res.body?.cancel();
      o.log?.(`[ERROR] Got error while trying getting data from releases.hashicorp.com, ${res.status}`);
      throw new HttpFailure();
    }
    return res;
  };
  const dir = (s: PluginSource, v: string): string => `${base}${githubPluginType(s)}/${v.replace(/^v/, '')}/`;
  return {
    name: 'releases.hashicorp.com',
    async releases(s) {
      const type = githubPluginType(s);
      const text = await (await get(`${base}${type}/index.json`)).text();
      const m = decodeGoJson(text);
      if (m === null) return [];
      if (typeof m !== 'object' || Array.isArray(m)) throw new Error(`json: cannot unmarshal ${Array.isArray(m) ? 'array' : typeof m === 'string' ? 'string' : typeof m === 'boolean' ? 'bool' : 'number'} into Go value of type github.PluginMetadata`);
      const versions = (m as { versions?: unknown }).versions;
      if (versions === undefined || versions === null) return [];
      if (typeof versions !== 'object' || Array.isArray(versions)) throw new Error('json: cannot unmarshal into Go struct field PluginMetadata.versions of type map[string]github.PluginVersion');
      return Object.values(versions as Record<string, unknown>).map((pv) => {
        const v = pv !== null && typeof pv === 'object' ? (pv as { version?: unknown }).version : undefined;
        if (v !== undefined && v !== null && typeof v !== 'string') throw new Error('json: cannot unmarshal into Go struct field PluginVersion.versions.version of type string');
        return `v${v ?? ''}`;
      });
    },
    async checksums(s, v) {
      const type = githubPluginType(s);
      return (await get(`${dir(s, v)}${type}_${v.replace(/^v/, '')}_SHA256SUMS`)).text();
    },
    async zip(s, v, file) {
      // Packer reads the whole zip into memory first (and panics if that read fails); it is
      // streamed here, like GitHub's, so that the progress bar moves and a broken download is
      // an ordinary "Error getting plugin" that leaves nothing installed.
      const res = await get(`${dir(s, v)}${file}`);
      if (!res.body) throw new HttpFailure();
      return { body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), size: Number(res.headers.get('content-length') ?? 0) };
    },
    parseEntry(prefix, filename) {
      let res = filename.startsWith(prefix) ? filename.slice(prefix.length) : filename;
      res = res.slice(0, res.length - goExt(res).length);
      const parts = res.split('_');
      if (parts.length < 3) return `malformed filename expected ${prefix}{version}_{os}_{arch}`;
      return { binVersion: parts[0]!.replace(/^v/, ''), protVersion: '', os: parts[1]!, arch: parts[2]! };
    },
    async validate(s, version, e, sys) {
      const vs = versionString(version);
      if (e.binVersion !== vs || e.os !== sys.os || e.arch !== sys.arch) return undefined;
      let meta: unknown;
      try {
        meta = JSON.parse(await (await get(`${dir(s, vs)}${githubPluginType(s)}_${vs}_manifest.json`)).text());
      } catch (err) {
        o.log?.(`Failed to unmarshal manifest json: ${(err as Error).message}`);
        return undefined;
      }
      const md = meta !== null && typeof meta === 'object' ? (meta as { metadata?: unknown }).metadata : undefined;
      const pv = md !== null && typeof md === 'object' ? (md as { protocol_version?: unknown }).protocol_version : undefined;
      if (pv !== undefined && pv !== null && typeof pv !== 'string') return undefined;
      const protocol = typeof pv === 'string' ? pv : '';
      if (apiVersionError(`x${protocol}`)) return undefined;
      const [major, minor] = protocol.split('.');
      return `x${major}.${minor}`;
    },
  };
}

/** CheckProtocolVersion over NewAPIVersion's parse (a manifest's `x` + protocol_version): why it is refused, or undefined. */
function apiVersionError(remote: string): string | undefined {
  const parts = remote.trim().replace(/^x/, '').split('.');
  if (parts.length < 2) return `Invalid remote protocol: ${JSON.stringify(remote)}`;
  if (!/^[+-]?\d+$/.test(parts[0]!) || !/^[+-]?\d+$/.test(parts[1]!)) return 'strconv.Atoi: invalid syntax';
  if (Number(parts[0]) !== API_VERSION.major) return 'unsupported remote protocol MAJOR version';
  if (Number(parts[1]) > API_VERSION.minor) return 'unsupported remote protocol MINOR version';
  return undefined;
}

/** The github.com release getter (a GitHub-style server at a configurable address). */
export function githubGetter(o: GithubOptions = {}): Getter {
  const env = o.env ?? process.env;
  const api = (env.PACKER_TS_GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const web = (env.PACKER_TS_GITHUB_URL || 'https://github.com').replace(/\/+$/, '');
  const token = env.PACKER_GITHUB_API_TOKEN ?? '';
  const ua = o.userAgent ?? 'packer-github-plugin-getter';
  if (!token) o.log?.('[WARNING] github-getter: no GitHub token set, if you intend to install plugins often, please set the PACKER_GITHUB_API_TOKEN env var');
  const repo = (s: PluginSource): string => `${s.parts[1]}/${githubPluginType(s)}`;
  const apiHeaders = (): Record<string, string> => ({ 'user-agent': ua, accept: 'application/vnd.github.v3+json', ...(token ? { authorization: `Bearer ${token}` } : {}) });
  return {
    name: 'github.com',
    async releases(s) {
      const url = `${api}/repos/${repo(s)}/git/matching-refs/tags`;
      o.log?.(`[DEBUG] github-getter: getting ${JSON.stringify(url)}`);
      const res = await httpGet(url, apiHeaders());
      const refs = JSON.parse(await res.text()) as Array<{ ref?: unknown }>;
      if (!Array.isArray(refs)) throw new Error('json: cannot unmarshal object into Go value of type []struct { Ref string "json:\\"ref\\"" }');
      return refs.map((r) => String(r.ref ?? '').replace(/^refs\/tags\//, ''));
    },
    async checksums(s, v) {
      const url = `${web}/${repo(s)}/releases/download/${v}/packer-plugin-${s.name}_${v}_SHA256SUMS`;
      o.log?.(`[DEBUG] github-getter: getting ${JSON.stringify(url)}`);
      return (await httpGet(url, { 'user-agent': ua })).text();
    },
    async zip(s, v, file) {
      const url = `${web}/${repo(s)}/releases/download/${v}/${file}`;
      o.log?.(`[DEBUG] github-getter: getting ${JSON.stringify(url)}`);
      const res = await httpGet(url, { 'user-agent': ua });
      if (!res.body) throw new Error(`GET ${url}: empty body`);
      return { body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), size: Number(res.headers.get('content-length') ?? 0) };
    },
  };
}

/** The offline mirror getter: `DIR/HOST/NS/NAME/vX.Y.Z/{packer-plugin-NAME_vX.Y.Z_SHA256SUMS, *.zip}`. */
export function mirrorGetter(dir: string): Getter {
  const base = (s: PluginSource): string => join(dir, ...s.parts);
  const read = (path: string): Buffer => {
    try { return readFileSync(path); } catch (e) {
      throw new Error(`open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  };
  return {
    name: `mirror ${dir}`,
    async releases(s) {
      try {
        return readdirSync(base(s), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
      } catch {
        throw new Error(`no release of ${s.source} in the plugin mirror ${dir} (expected ${base(s)}/vX.Y.Z/)`);
      }
    },
    async checksums(s, v) {
      return read(join(base(s), v, `packer-plugin-${s.name}_${v}_SHA256SUMS`)).toString('utf8');
    },
    async zip(s, v, file) {
      const path = join(base(s), v, file);
      const data = read(path);
      return { body: Readable.from([data]), size: data.length };
    },
  };
}

/** The getters for this environment: the mirror alone when PACKER_TS_PLUGIN_MIRROR is set, else HashiCorp's release site, then GitHub. */
export function defaultGetters(env: NodeJS.ProcessEnv = process.env, log?: (line: string) => void, userAgent?: string): Getter[] {
  if (env.PACKER_TS_PLUGIN_MIRROR) return [mirrorGetter(env.PACKER_TS_PLUGIN_MIRROR)];
  return [releasesGetter({ env, log }), githubGetter({ env, log, userAgent })];
}

export interface InstallOptions {
  dir: string;
  source: PluginSource;
  constraints?: Constraints;
  /** The constraint as written ("" for none). */
  constraintText?: string;
  getters: Getter[];
  force?: boolean;
  log?: (line: string) => void;
  /** Draws a bar for the zip download (a terminal Ui's trackProgress). */
  trackProgress?: (src: string, current: number, total: number, stream: NodeJS.ReadableStream) => NodeJS.ReadableStream;
}

export interface NewInstallation {
  binaryPath: string;
  /** vX.Y.Z */
  version: string;
}

interface SumEntry { checksum: string; filename: string }

/** The `_SHA256SUMS` text as Packer reads it: "HEX  FILENAME" lines; others skipped. */
function parseSums(text: string): SumEntry[] {
  const out: SumEntry[] = [];
  const lines = text.split('\n');
  // a last line without its newline is not read (bufio ReadString stops at EOF)
  lines.pop();
  for (const line of lines) {
    const parts = line.trim().split(/\s+/).filter((p) => p !== '');
    if (parts.length === 2) out.push({ checksum: parts[0]!, filename: parts[1]! });
  }
  return out;
}

/** The extension of a name as Go's filepath.Ext: from the last dot. */
function goExt(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot) : '';
}

/** GitHub's Init: `PREFIX vX.Y.Z_x5.0_OS_ARCH.zip`. */
function githubEntry(prefix: string, filename: string): SumParts | string {
  let res = filename.startsWith(prefix) ? filename.slice(prefix.length) : filename;
  res = res.slice(0, res.length - goExt(res).length);
  const parts = res.split('_');
  if (parts.length < 4) return `malformed filename expected ${prefix}{version}_x{protocol-version}_{os}_{arch}`;
  return { binVersion: parts[0]!, protVersion: parts[1]!, os: parts[2]!, arch: parts[3]! };
}

/** GitHub's Validate: the tag's version, this system, an API version we speak (from the file name). */
async function githubValidate(_s: PluginSource, version: GoVersion, e: SumParts, sys: { os: string; arch: string }): Promise<string | undefined> {
  if (e.binVersion !== `v${versionString(version)}` || e.os !== sys.os || e.arch !== sys.arch || protocolError(e.protVersion)) return undefined;
  return e.protVersion;
}

/** CheckProtocolVersion: `x5.0`-style, major 5 and minor at most ours. */
function protocolError(v: string): string | undefined {
  const m = /^x(\d+)\.(\d+)$/.exec(v);
  if (!m) return `Invalid version ${JSON.stringify(v)}, expected 'x<major>.<minor>'`;
  if (Number(m[1]) !== API_VERSION.major) return `Unsupported remote protocol MAJOR version ${m[1]}. The current MAJOR protocol version is ${API_VERSION.major}. This version of Packer can only communicate with plugins using that version.`;
  if (Number(m[2]) > API_VERSION.minor) return `Unsupported remote protocol MINOR version ${m[2]}. The supported MINOR protocol versions are version ${API_VERSION.minor} and below. Please upgrade Packer or use an older version of the plugin if possible.`;
  return undefined;
}

/** Requirement.InstallLatest. Resolves undefined when the matching version is already installed (and not forced). */
export async function installLatest(o: InstallOptions): Promise<NewInstallation | undefined> {
  const log = o.log ?? (() => {});
  const errs: string[] = [];
  const versions: GoVersion[] = [];
  const suffix = filenameSuffix();
  const [os, arch] = suffix.replace(/\.exe$/, '').slice(1).split('_') as [string, string];
  const ext = suffix.endsWith('.exe') ? '.exe' : '';
  const outputFolder = join(o.dir, ...o.source.parts);
  const prefix = `packer-plugin-${o.source.name}_`;
  for (const getter of o.getters) {
    let tags: string[];
    try {
      tags = await getter.releases(o.source);
    } catch (e) {
      if (e instanceof HttpFailure) continue;
      errs.push((e as Error).message);
      throw new MultiError(errs);
    }
    if (tags.length === 0) { errs.push('no release found'); continue; }
    for (const tag of tags) {
      let v: GoVersion;
      try { v = parseGoVersion(tag); } catch (e) { errs.push(`could not parse release version ${tag}. ${(e as Error).message}`); continue; }
      if (!o.constraints || satisfies(v, o.constraints)) versions.push(v);
    }
    if (versions.length === 0) {
      errs.push(`no matching version found in releases. In [${tags.map((t) => `{${t}}`).join(' ')}]`);
      continue;
    }
    versions.sort((a, b) => compareGoVersions(b, a));
    log(`[DEBUG] will try to install: [${versions.map(versionString).join(' ')}]`);
    for (const version of versions) {
      const vs = `v${versionString(version)}`;
      let sums: SumEntry[];
      try {
        sums = parseSums(await getter.checksums(o.source, vs));
      } catch (e) {
        if (e instanceof HttpFailure) throw e;
        errs.push(`could not get sha256 checksum file for ${o.source.source} version ${versionString(version)}. Is the file present on the release and correctly named ? ${(e as Error).message}`);
        continue;
      }
      for (const entry of sums) {
        if (entry.filename.endsWith('.json')) continue;
        const parts = (getter.parseEntry ?? githubEntry)(prefix, entry.filename);
        if (typeof parts === 'string') {
          errs.push(`could not parse checksum filename ${entry.filename}. Is it correctly formatted ? ${parts}`);
          continue;
        }
        const api = await (getter.validate ?? githubValidate)(o.source, version, parts, { os, arch });
        if (api === undefined) continue;
        if (!/^[0-9a-fA-F]{64}$/.test(entry.checksum)) {
          errs.push(`could not parse sha256 checksum: encoding/hex: invalid byte. Make sure the checksum file contains the checksum and only the checksum`);
          continue;
        }
        const binName = `packer-plugin-${o.source.parts[2] ?? o.source.name}_${vs}_${api}_${parts.os}_${parts.arch}${ext}`;
        const outputFile = join(outputFolder, binName);
        if (!o.force && checksumMatches(outputFile)) {
          log(`[INFO] ${o.source.source} ${vs} plugin is already correctly installed in ${JSON.stringify(outputFile)}`);
          return undefined;
        }
        const result = await fetchAndPlace(getter, o, vs, entry, binName, outputFolder, version, errs);
        if (result === 'continue') continue;
        return result;
      }
    }
  }
  if (versions.length === 0) {
    if (errs.length === 0) errs.push(`no release version found for constraints: ${JSON.stringify(o.constraintText ?? '')}`);
    throw new MultiError(errs);
  }
  if (errs.length === 0) errs.push(`could not find a local nor a remote checksum for plugin ${JSON.stringify(o.source.source)} ${JSON.stringify(o.constraintText ?? '')}`);
  errs.push(`could not install any compatible version of plugin ${JSON.stringify(o.source.source)}`);
  throw new MultiError(errs);
}

/** Download, verify, extract, describe, rename into place. */
async function fetchAndPlace(getter: Getter, o: InstallOptions, vs: string, entry: SumEntry, binName: string, outputFolder: string, version: GoVersion, errs: string[]): Promise<NewInstallation | 'continue'> {
  const work = mkdtempSync(join(tmpdir(), 'packer-plugin-'));
  try {
    let zip;
    try {
      zip = await getter.zip(o.source, vs, entry.filename);
    } catch (e) {
      if (e instanceof HttpFailure) throw e;
      errs.push(`could not get binary for ${o.source.source} version ${versionString(version)}. Is the file present on the release and correctly named ? ${(e as Error).message}`);
      return 'continue';
    }
    const zipPath = join(work, 'plugin.zip');
    // node:crypto loads when a plugin is installed, not at start-up
    const hash = (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).createHash('sha256');
    let body: NodeJS.ReadableStream = zip.body;
    if (o.trackProgress) body = o.trackProgress(entry.filename, 0, zip.size, body);
    try {
      await pipeline(body, async function* (src: AsyncIterable<Buffer | string>) { for await (const c of src) { hash.update(c); yield c; } }, createWriteStream(zipPath));
    } catch (e) {
      errs.push(`Error getting plugin, trying another getter: ${(e as Error).message}`);
      return 'continue';
    }
    const got = hash.digest('hex');
    if (got !== entry.checksum.toLowerCase()) {
      errs.push(`Checksums (*sha256.digest) did not match.\nExpected: ${entry.checksum.toLowerCase()}\nGot     : ${got}\n. Is the checksum file correct ? Is the binary file correct ?`);
      return 'continue';
    }
    let data: Buffer;
    try {
      data = await extractEntry(zipPath, binName);
    } catch (e) {
      errs.push((e as Error).message);
      throw new MultiError(errs);
    }
    const tmpBin = join(work, binName);
    writeFileSync(tmpBin, data, { mode: 0o755 });
    const versionError = await checkVersion(tmpBin, o.source.source, version);
    if (versionError) {
      errs.push(versionError.message);
      if (versionError.continuable) return 'continue';
      throw new MultiError(errs);
    }
    try {
      mkdirSync(outputFolder, { recursive: true, mode: 0o755 });
    } catch (e) {
      errs.push(`could not create plugin folder ${JSON.stringify(outputFolder)}: ${(e as Error).message}`);
      throw new MultiError(errs);
    }
    const outputFile = join(outputFolder, binName);
    try {
      placeBinary(outputFile, data);
    } catch (e) {
      errs.push(`could not write final plugin binary file: ${(e as Error).message}`);
      throw new MultiError(errs);
    }
    return { binaryPath: outputFile, version: `v${versionString(version)}` };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The bytes of `name` in the zip at `path`. */
async function extractEntry(path: string, name: string): Promise<Buffer> {
  const yauzl = await import('yauzl');
  let zf: import('yauzl').ZipFile;
  try {
    zf = await new Promise((res, rej) => yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, z) => (err ? rej(err) : res(z!))));
  } catch (e) {
    throw new Error(`zip : ${(e as Error).message}`);
  }
  try {
    return await new Promise<Buffer>((res, rej) => {
      zf.on('entry', (entry: import('yauzl').Entry) => {
        if (entry.fileName !== name) { zf.readEntry(); return; }
        zf.openReadStream(entry, (err, stream) => {
          if (err || !stream) { rej(new Error(`failed to open temp file: ${err?.message}`)); return; }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (e) => rej(new Error(`extract file: ${e.message}`)));
          stream.on('end', () => res(Buffer.concat(chunks)));
        });
      });
      zf.on('end', () => rej(new Error(`could not find a ${JSON.stringify(name)} file in zipfile`)));
      zf.on('error', (e: Error) => rej(new Error(`zip : ${e.message}`)));
      zf.readEntry();
    });
  } finally {
    zf.close();
  }
}

/** checkVersion: the extracted binary must describe the release's version, not a pre-release. */
async function checkVersion(bin: string, identifier: string, version: GoVersion): Promise<{ message: string; continuable: boolean } | undefined> {
  let out: string;
  try {
    out = await new Promise((res, rej) => execFile(bin, ['describe'], { encoding: 'utf8', timeout: 60_000 }, (err, stdout) => (err ? rej(err) : res(stdout))));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return { message: `Continuing to next available version: failed to describe plugin binary ${JSON.stringify(bin)}: ${typeof code === 'number' ? `exit status ${code}` : (e as Error).message}`, continuable: true };
  }
  let reported = '';
  try { reported = String((JSON.parse(out) as { version?: unknown }).version ?? ''); } catch (e) {
    return { message: `Continuing to next available version: failed to describe plugin binary ${JSON.stringify(bin)}: ${(e as Error).message}`, continuable: true };
  }
  let desc: GoVersion;
  try { desc = parseSemver(reported); } catch (e) {
    return { message: `Continuing to next available version: invalid self-reported version ${JSON.stringify(reported)}: ${(e as Error).message}`, continuable: true };
  }
  if (coreString(desc) !== coreString(version)) {
    return { message: `Continuing to next available version: binary reported version (${JSON.stringify(reported)}) is different from the expected ${JSON.stringify(versionString(version))}, skipping`, continuable: true };
  }
  const pre = version.prerelease ? versionString(version) : desc.prerelease ? versionString(desc) : '';
  if (pre) {
    return {
      message: `binary reported a pre-release version of ${pre}\nRemote installation of pre-release plugin versions is unsupported.\n`
        + 'This is likely an upstream issue, which should be reported.\n'
        + 'If you require this specific version of the plugin, download the binary and install it manually.\n'
        + `\npacker plugins install --path '<plugin_binary>' ${identifier}`,
      continuable: false,
    };
  }
  return undefined;
}

