/**
 * Plugins published as npm packages. The source `npmjs.com/SCOPE/NAME` names the package
 * `@SCOPE/packer-plugin-NAME`, whose `bin` (a string, or the `packer-plugin-NAME` entry) is a
 * node script that runs the plugin (`describe`, `start ...`). Installing one:
 *
 *   1. `npm view PKG versions --json`: the highest release matching the constraint;
 *   2. `npm install --ignore-scripts --omit=dev PKG@VERSION` in a staging directory under the
 *      plugin's folder: npm's own resolution, registry settings (~/.npmrc, NPM_CONFIG_*, and a
 *      `.npmrc` of the current directory, copied in) and the tarballs' integrity check, with
 *      the package-lock.json it writes kept next to the tree;
 *   3. the script's `describe` must report that version and an API version this core speaks;
 *   4. the tree is renamed to `DIR/npmjs.com/SCOPE/NAME/packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH.npm/`,
 *      then a launcher `packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH` (a sh script running node on the
 *      package's bin) and its `_SHA256SUM` are renamed into place, last: until then nothing is
 *      installed, and a failure removes the staging directory.
 *
 * The result is an ordinary installation of the layout: Packer 1.7+ lists, selects and starts
 * it like any other (`plugins remove` also deletes its `.npm` tree).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareGoVersions, parseGoVersion, satisfies, versionString, type Constraints, type GoVersion } from './goversion.ts';
import { API_VERSION, filenameSuffix, listInstallations, placeBinary, type PluginSource } from './installed.ts';
import { MultiError } from '@packer-ts/sdk';
import type { NewInstallation } from './getter.ts';

/** The source host that means "an npm package". */
export const NPM_HOST = 'npmjs.com';

/** `npmjs.com/SCOPE/NAME` -> `@SCOPE/packer-plugin-NAME`. */
export function npmPackageName(source: PluginSource): string {
  if (source.parts.length !== 3 || source.parts[0] !== NPM_HOST) {
    throw new Error(`Invalid npm plugin source ${JSON.stringify(source.source)}: an npm source must be in the ${NPM_HOST}/<scope>/<name> format (package @<scope>/packer-plugin-<name>).`);
  }
  return `@${source.parts[1]}/packer-plugin-${source.parts[2]}`;
}

export interface NpmInstallOptions {
  dir: string;
  source: PluginSource;
  constraints?: Constraints;
  constraintText?: string;
  force?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The npm executable (default `npm` from PATH). */
  npm?: string;
  log?: (line: string) => void;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return res(stdout);
      const code = (err as { code?: unknown }).code;
      const why = typeof code === 'number' ? `exit status ${code}` : err.message;
      const detail = stderr.split('\n').filter((l) => /npm (error|ERR!)/.test(l)).map((l) => l.replace(/^npm (error|ERR!) ?/, '')).join('\n') || stderr.trim();
      rej(new Error(`${cmd} ${args.join(' ')}: ${why}${detail ? `\n${detail}` : ''}`));
    });
  });
}

/** The installed launcher's text: node on the package's bin inside the `.npm` tree next to it. */
function launcher(binRel: string): string {
  return `#!/bin/sh\n# A Packer plugin installed from npm by packer-ts; the package is in "$0.npm".\nexec node "$0.npm/${binRel}" "$@"\n`;
}

/** Installs the highest matching release of an npm-published plugin; undefined when already installed. */
export async function installFromNpm(o: NpmInstallOptions): Promise<NewInstallation | undefined> {
  const env = o.env ?? process.env;
  const npm = o.npm ?? 'npm';
  const cwd = o.cwd ?? process.cwd();
  const log = o.log ?? (() => {});
  const errs: string[] = [];
  let pkg: string;
  try { pkg = npmPackageName(o.source); } catch (e) { throw new MultiError([(e as Error).message]); }

  let listed: unknown;
  try {
    listed = JSON.parse(await run(npm, ['view', pkg, 'versions', '--json'], cwd, env));
  } catch (e) {
    throw new MultiError([`could not list the versions of ${pkg}: ${(e as Error).message}`]);
  }
  const tags = (Array.isArray(listed) ? listed : [listed]).filter((v): v is string => typeof v === 'string');
  const versions: GoVersion[] = [];
  for (const t of tags) {
    let v: GoVersion;
    try { v = parseGoVersion(t); } catch { continue; }
    if (v.prerelease !== '' || v.metadata !== '') continue;
    if (!o.constraints || satisfies(v, o.constraints)) versions.push(v);
  }
  if (versions.length === 0) {
    throw new MultiError(tags.length === 0 ? ['no release found'] : [`no matching version found in releases. In [${tags.map((t) => `{${t}}`).join(' ')}]`]);
  }
  versions.sort((a, b) => compareGoVersions(b, a));
  const version = versions[0]!;
  const vs = versionString(version);
  const outputFolder = join(o.dir, ...o.source.parts);

  if (!o.force) {
    const have = listInstallations({ dir: o.dir, source: o.source, constraints: [{ op: '=', version }], checkApi: true });
    if (have.length > 0) {
      log(`[INFO] ${o.source.source} v${vs} plugin is already correctly installed in ${JSON.stringify(have[have.length - 1]!.binaryPath)}`);
      return undefined;
    }
  }

  mkdirSync(outputFolder, { recursive: true, mode: 0o755 });
  const staging = mkdtempSync(join(outputFolder, '.npm-staging-'));
  try {
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'packer-ts-plugin-install', private: true, dependencies: { [pkg]: vs } }, null, 2));
    if (existsSync(join(cwd, '.npmrc'))) copyFileSync(join(cwd, '.npmrc'), join(staging, '.npmrc'));
    try {
      await run(npm, ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'], staging, env);
    } catch (e) {
      errs.push(`could not install ${pkg}@${vs} with npm: ${(e as Error).message}`);
      throw new MultiError(errs);
    }
    const pkgDir = join(staging, 'node_modules', ...pkg.split('/'));
    let manifest: { bin?: unknown; version?: unknown };
    try { manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as typeof manifest; } catch (e) {
      errs.push(`${pkg}@${vs}: no package.json after npm install: ${(e as Error).message}`);
      throw new MultiError(errs);
    }
    const binName = `packer-plugin-${o.source.parts[2]}`;
    const bin = typeof manifest.bin === 'string' ? manifest.bin
      : manifest.bin && typeof manifest.bin === 'object' ? (manifest.bin as Record<string, unknown>)[binName] : undefined;
    if (typeof bin !== 'string' || bin === '') {
      errs.push(`${pkg}@${vs} has no "bin" (a string, or a ${JSON.stringify(binName)} entry) to run the plugin with`);
      throw new MultiError(errs);
    }
    const binRel = ['node_modules', ...pkg.split('/'), bin.replace(/^\.\//, '')].join('/');
    let desc: { version?: unknown; api_version?: unknown };
    try {
      desc = JSON.parse(await run(process.execPath, [join(staging, binRel), 'describe'], staging, env)) as typeof desc;
    } catch (e) {
      errs.push(`failed to describe plugin binary ${JSON.stringify(join(staging, binRel))}: ${(e as Error).message}`);
      throw new MultiError(errs);
    }
    const reported = String(desc.version ?? '');
    let rv: GoVersion | undefined;
    try { rv = parseGoVersion(reported); } catch { /* reported below */ }
    if (!rv || compareGoVersions(rv, version) !== 0 || rv.prerelease !== '') {
      errs.push(`binary reported version (${JSON.stringify(reported)}) is different from the expected ${JSON.stringify(vs)}, skipping`);
      throw new MultiError(errs);
    }
    const api = String(desc.api_version ?? '');
    const m = /^x(\d+)\.(\d+)$/.exec(api);
    if (!m || Number(m[1]) !== API_VERSION.major || Number(m[2]) > API_VERSION.minor) {
      errs.push(`${pkg}@${vs} speaks plugin API ${JSON.stringify(api)}; this version of packer-ts speaks x${API_VERSION.major}.${API_VERSION.minor}`);
      throw new MultiError(errs);
    }
    const binaryPath = join(outputFolder, `${binName}_v${vs}_${api}${filenameSuffix()}`);
    try {
      rmSync(`${binaryPath}.npm`, { recursive: true, force: true });
      renameSync(staging, `${binaryPath}.npm`);
      placeBinary(binaryPath, launcher(binRel));
    } catch (e) {
      rmSync(`${binaryPath}.npm`, { recursive: true, force: true });
      errs.push(`could not write final plugin binary file: ${(e as Error).message}`);
      throw new MultiError(errs);
    }
    return { binaryPath, version: `v${vs}` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
