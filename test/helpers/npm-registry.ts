/**
 * An npm registry on 127.0.0.1 for offline install tests: it serves the packages of this
 * checkout's package-lock.json (metadata from node_modules/NAME/package.json, tarballs from the
 * npm cache that `npm ci` filled, found by their lockfile integrity; and packages a test
 * publishes, `extra`), so that `npm install
 * --registry URL` resolves dependencies as from the public npm registry, without the network.
 */
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createHash } from 'node:crypto';

interface LockEntry { version: string; resolved?: string; integrity?: string; link?: boolean; dev?: boolean }

/** The path of a cached tarball in cacache's content store, from its sha512 integrity. */
function cachedTarball(cacheDir: string, integrity: string): string | undefined {
  const m = /^sha512-(.+)$/.exec(integrity.split(' ')[0]!);
  if (!m) return undefined;
  const hex = Buffer.from(m[1]!, 'base64').toString('hex');
  const p = join(cacheDir, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
  return existsSync(p) ? p : undefined;
}

export interface LocalRegistry { url: string; close(): Promise<void>; served: string[] }

/** A package published to the registry beside the lockfile's: its versions' manifests and tarballs. */
export interface ExtraPackage {
  name: string;
  versions: Record<string, { manifest: Record<string, unknown>; tarball: Buffer; integrity?: string }>;
}

/** npm's integrity string of a tarball. */
export const integrityOf = (data: Buffer): string => `sha512-${createHash('sha512').update(data).digest('base64')}`;

/**
 * Starts the registry for the packages of `root`'s lockfile, and `extra` packages (served with
 * the integrity given, by default their tarball's).
 */
export async function startLocalRegistry(root: string, extra: ExtraPackage[] = []): Promise<LocalRegistry> {
  const cacheDir = execFileSync('npm', ['config', 'get', 'cache'], { cwd: root, encoding: 'utf8' }).trim();
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const byName = new Map<string, { entry: LockEntry; manifest: Record<string, unknown> }>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key);
    if (!m || entry.link || !entry.integrity) continue;
    const pj = join(root, key, 'package.json');
    if (!existsSync(pj)) continue;
    byName.set(m[1]!, { entry, manifest: JSON.parse(readFileSync(pj, 'utf8')) as Record<string, unknown> });
  }
  const served: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    const ex = extra.find((p) => p.name === path);
    if (ex) {
      const versions = Object.fromEntries(Object.entries(ex.versions).map(([v, e]) => [v, {
        ...e.manifest, name: ex.name, version: v, dist: { tarball: `${base}/-/extra/${ex.name}/${v}.tgz`, integrity: e.integrity ?? integrityOf(e.tarball) },
      }]));
      const latest = Object.keys(ex.versions).pop()!;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: ex.name, 'dist-tags': { latest }, versions }));
      return;
    }
    const exTgz = /^-\/extra\/(.+)\/([^/]+)\.tgz$/.exec(path);
    if (exTgz) {
      const e = extra.find((p) => p.name === exTgz[1])?.versions[exTgz[2]!];
      if (!e) { res.writeHead(404).end(); return; }
      served.push(`${exTgz[1]}@${exTgz[2]}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(e.tarball);
      return;
    }
    const tgz = /^-\/tarball\/(.+)$/.exec(path);
    const pkg = byName.get(tgz ? tgz[1]! : path.replace('%2f', '/'));
    if (!pkg) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}'); return; }
    const name = String(pkg.manifest.name);
    if (tgz) {
      const file = cachedTarball(cacheDir, pkg.entry.integrity!);
      if (!file) { res.writeHead(404).end(); return; }
      served.push(`${name}@${pkg.entry.version}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
      return;
    }
    const m = pkg.manifest;
    const version = {
      name, version: pkg.entry.version,
      dependencies: m.dependencies, optionalDependencies: m.optionalDependencies, peerDependencies: m.peerDependencies,
      bin: m.bin, engines: m.engines, os: m.os, cpu: m.cpu, scripts: m.scripts,
      dist: { tarball: `${base}/-/tarball/${name}`, integrity: pkg.entry.integrity },
    };
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name, 'dist-tags': { latest: pkg.entry.version }, versions: { [pkg.entry.version]: version } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('registry did not listen');
  base = `http://127.0.0.1:${addr.port}`;
  return {
    url: base,
    served,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
