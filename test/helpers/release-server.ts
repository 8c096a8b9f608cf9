/**
 * A GitHub-style plugin release server on 127.0.0.1 for install tests:
 *   GET /repos/NS/packer-plugin-NAME/git/matching-refs/tags      [{"ref": "refs/tags/vX.Y.Z"}, ...]
 *   GET /NS/packer-plugin-NAME/releases/download/vX.Y.Z/FILE     the release's files
 * (what api.github.com and github.com answer), anything else 404 {"message": "Not Found"}.
 * packer-ts reaches it through PACKER_TS_GITHUB_API_URL / PACKER_TS_GITHUB_URL (`env()`).
 * It also serves HashiCorp's release site (`hashicorp` releases, made by hashicorpReleaseOf):
 *   GET /packer-plugin-NAME/index.json                          {"name": ..., "versions": {"X.Y.Z": {...}}}
 *   GET /packer-plugin-NAME/X.Y.Z/FILE                          the release's files
 * for requests to the host releases.hashicorp.com (through the proxy) and to the path prefix
 * /releases.hashicorp.com/ (packer-ts's PACKER_TS_HASHICORP_RELEASES_URL in `env()`); both are
 * recorded with the host releases.hashicorp.com and the path after the prefix.
 *
 * packer-1.16 cannot be given another address, so the server is also an HTTPS proxy
 * (`proxyEnv()`: HTTPS_PROXY and SSL_CERT_FILE, which Go's net/http and crypto/x509 read):
 * it answers CONNECT for any host with TLS under a certificate for api.github.com, github.com
 * and releases.hashicorp.com signed by a CA made for the run (openssl), and serves the same
 * routes by Host.
 * `httpsEnv()` starts the same routes over TLS on 127.0.0.1 (the certificate also names
 * IP 127.0.0.1) and gives packer-ts's address variables for it, with the CA's file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, TLSSocket, type Server as TlsServer } from 'node:tls';

export interface Release {
  /** `NS/NAME` of `github.com/NS/NAME`. */
  plugin: string;
  tag: string;
  files: Record<string, Buffer>;
}

export interface Request { host: string; path: string; authorization?: string; userAgent?: string }

/** A release of `packer-plugin-NAME` version X.Y.Z on HashiCorp's release site. */
export interface HashicorpRelease { name: string; version: string; files: Record<string, Buffer> }

export interface ReleaseServer {
  url: string;
  /** Every request served, in order. */
  requests: Request[];
  releases: Release[];
  /** The release site's releases; `hashicorpIndex` replaces a plugin's index.json text (by NAME). */
  hashicorp: HashicorpRelease[];
  hashicorpIndex: Map<string, string>;
  /** Sends the first `bytes` of FILE (a GitHub or release-site file) then stalls (the connection stays open) while set. */
  stall: Map<string, number>;
  /** Resolves when a stalled response has sent its bytes. */
  stalled: Promise<void>;
  env(): NodeJS.ProcessEnv;
  proxyEnv(): NodeJS.ProcessEnv;
  /** PACKER_TS_GITHUB_API_URL/_URL of an https listener, and `ca`: the file of the CA that signed its certificate. */
  httpsEnv(): Promise<{ env: NodeJS.ProcessEnv; ca: string }>;
  close(): Promise<void>;
}

/** A shell script that answers `describe` like a plugin of `version` (API `api`). */
export function describingPlugin(version: string, api = 'x5.0'): Buffer {
  const d = { version, sdk_version: '0.6.4', api_version: api, builders: ['b'], post_processors: [], provisioners: [], datasources: [], protocol_version: 'v2' };
  return Buffer.from(`#!/bin/sh\necho '${JSON.stringify(d)}'\n`);
}

/** The zip of one file (made with Info-ZIP's zip, an implementation independent of ours). */
export function zipOf(name: string, data: Buffer, more: Record<string, Buffer> = {}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-zip-'));
  try {
    writeFileSync(join(dir, name), data, { mode: 0o755 });
    for (const [f, d] of Object.entries(more)) writeFileSync(join(dir, f), d);
    execFileSync('zip', ['-q', '-X', 'out.zip', name, ...Object.keys(more)], { cwd: dir });
    return readFileSync(join(dir, 'out.zip'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('zip is not installed: apt-get install zip (scripts/test-deps.apt)');
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A release of `binary` as `github.com/PLUGIN` version TAG for this machine: the zip and its _SHA256SUMS. */
export function releaseOf(plugin: string, tag: string, binary: Buffer, o: { api?: string; os?: string; arch?: string; extra?: Record<string, Buffer>; sums?: (text: string) => string } = {}): Release {
  const name = plugin.split('/')[1]!;
  const os = o.os ?? 'linux';
  const arch = o.arch ?? (process.arch === 'x64' ? 'amd64' : process.arch);
  const bin = `packer-plugin-${name}_${tag}_${o.api ?? 'x5.0'}_${os}_${arch}`;
  const zip = zipOf(bin, binary);
  const files: Record<string, Buffer> = { [`${bin}.zip`]: zip, ...o.extra };
  let sums = Object.entries(files).map(([f, d]) => `${createHash('sha256').update(d).digest('hex')}  ${f}\n`).join('');
  if (o.sums) sums = o.sums(sums);
  files[`packer-plugin-${name}_${tag}_SHA256SUMS`] = Buffer.from(sums);
  return { plugin, tag, files };
}

/**
 * A release of `binary` on HashiCorp's release site, laid out as releases.hashicorp.com lays out
 * packer plugins: `packer-plugin-NAME_X.Y.Z_OS_ARCH.zip` (holding `packer-plugin-NAME_vX.Y.Z_x5.0_OS_ARCH`
 * and a LICENSE.txt) for this machine and darwin_arm64, `packer-plugin-NAME_X.Y.Z_manifest.json`
 * (`protocol: null` leaves it out), and `packer-plugin-NAME_X.Y.Z_SHA256SUMS` (over all of them) with
 * its `.sig` (which nothing checks).
 */
export function hashicorpReleaseOf(name: string, version: string, binary: Buffer, o: { protocol?: string | null; entry?: string; sums?: (text: string) => string } = {}): HashicorpRelease {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const files: Record<string, Buffer> = {};
  for (const [os, a] of [['darwin', 'arm64'], ['linux', arch]] as const) {
    const bin = o.entry ?? `packer-plugin-${name}_v${version}_x5.0_${os}_${a}`;
    files[`packer-plugin-${name}_${version}_${os}_${a}.zip`] = zipOf(bin, binary, { 'LICENSE.txt': Buffer.from('Copyright (c) HashiCorp\n') });
  }
  if (o.protocol !== null) files[`packer-plugin-${name}_${version}_manifest.json`] = Buffer.from(JSON.stringify({ version: 1, metadata: { protocol_version: o.protocol ?? '5.0' } }));
  let sums = Object.keys(files).sort().map((f) => `${createHash('sha256').update(files[f]!).digest('hex')}  ${f}\n`).join('');
  if (o.sums) sums = o.sums(sums);
  files[`packer-plugin-${name}_${version}_SHA256SUMS`] = Buffer.from(sums);
  files[`packer-plugin-${name}_${version}_SHA256SUMS.sig`] = Buffer.from('not a signature');
  return { name, version, files };
}

function makeCerts(dir: string): { ca: string; key: Buffer; cert: Buffer } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=packer-ts test CA']);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed: apt-get install openssl (scripts/test-deps.apt)');
    throw e;
  }
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=github.com']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:api.github.com,DNS:github.com,DNS:releases.hashicorp.com,IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'ext.cnf']);
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')) };
}

export async function startReleaseServer(releases: Release[] = [], hashicorp: HashicorpRelease[] = []): Promise<ReleaseServer> {
  const certDir = mkdtempSync(join(tmpdir(), 'packer-ts-certs-'));
  let certs: ReturnType<typeof makeCerts> | undefined;
  const requests: Request[] = [];
  const stall = new Map<string, number>();
  let stalledResolve!: () => void;
  const stalled = new Promise<void>((r) => { stalledResolve = r; });
  const open = new Set<Socket>();
  let secure: TlsServer | undefined;
  const notFound = (res: ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}');

  const releaseSite = (path: string, res: ServerResponse) => {
    const index = /^\/packer-plugin-([^/]+)\/index\.json$/.exec(path);
    if (index) {
      const raw = server.hashicorpIndex.get(index[1]!);
      if (raw !== undefined) return res.writeHead(200, { 'content-type': 'application/json' }).end(raw);
      const rs = server.hashicorp.filter((r) => r.name === index[1]);
      if (rs.length === 0) return res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      const product = `packer-plugin-${index[1]}`;
      const versions = Object.fromEntries(rs.map((r) => [r.version, {
        name: product, version: r.version, shasums: `${product}_${r.version}_SHA256SUMS`, shasums_signature: `${product}_${r.version}_SHA256SUMS.sig`,
        builds: Object.keys(r.files).filter((f) => f.endsWith('.zip')).map((f) => {
          const [, os, arch] = /_([^_]+)_([^_]+)\.zip$/.exec(f)!;
          return { name: product, version: r.version, os, arch, filename: f, url: `https://releases.hashicorp.com/${product}/${r.version}/${f}` };
        }),
      }]));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: product, versions }));
    }
    const file = /^\/packer-plugin-([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    const data = file && server.hashicorp.find((r) => r.name === file[1] && r.version === file[2])?.files[file[3]!];
    if (!data) return res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
    const cut = stall.get(file![3]!);
    if (cut !== undefined) {
      res.write(data.subarray(0, cut), () => stalledResolve());
      return; // never ends
    }
    res.end(data);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, host: string) => {
    let path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/releases.hashicorp.com/')) { host = 'releases.hashicorp.com'; path = path.slice('/releases.hashicorp.com'.length); }
    requests.push({ host, path, authorization: req.headers.authorization, userAgent: req.headers['user-agent'] });
    if (host.startsWith('releases.hashicorp.com')) return releaseSite(path, res);
    const tags = /^\/repos\/([^/]+)\/packer-plugin-([^/]+)\/git\/matching-refs\/tags$/.exec(path);
    if (tags) {
      const rs = server.releases.filter((r) => r.plugin === `${tags[1]}/${tags[2]}`);
      if (rs.length === 0) return notFound(res);
      const body = rs.map((r) => ({ ref: `refs/tags/${r.tag}`, node_id: 'x', url: '', object: { sha: '0', type: 'commit', url: '' } }));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    const dl = /^\/([^/]+)\/packer-plugin-([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(path);
    const rel = dl && server.releases.find((r) => r.plugin === `${dl[1]}/${dl[2]}` && r.tag === dl[3]);
    const data = dl && rel ? rel.files[dl[4]!] : undefined;
    if (!data) return notFound(res);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
    const cut = stall.get(dl![4]!);
    if (cut !== undefined) {
      res.write(data.subarray(0, cut), () => stalledResolve());
      return; // never ends
    }
    res.end(data);
  };

  const inner: Server = createServer((req, res) => handle(req, res, String(req.headers.host ?? '')));
  const outer: Server = createServer((req, res) => handle(req, res, '127.0.0.1'));
  outer.on('connection', (s) => { open.add(s); s.on('close', () => open.delete(s)); });
  // A TLS connection (a proxy tunnel's, or the https listener's) served by the same routes.
  const serveTls = (tls: TLSSocket, raw: Socket = tls) => {
    open.add(tls);
    tls.on('close', () => open.delete(tls));
    tls.on('error', () => raw.destroy());
    inner.emit('connection', tls);
  };
  outer.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    certs ??= makeCerts(certDir);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    serveTls(new TLSSocket(socket, { isServer: true, key: certs.key, cert: certs.cert }), socket);
  });
  outer.listen(0, '127.0.0.1');
  await once(outer, 'listening');
  const addr = outer.address();
  if (!addr || typeof addr === 'string') throw new Error('release server did not listen');
  const url = `http://127.0.0.1:${addr.port}`;
  const server: ReleaseServer = {
    url, requests, releases, hashicorp, hashicorpIndex: new Map(), stall, stalled,
    env: () => ({ PACKER_TS_GITHUB_API_URL: url, PACKER_TS_GITHUB_URL: url, PACKER_TS_HASHICORP_RELEASES_URL: `${url}/releases.hashicorp.com/` }),
    proxyEnv: () => {
      certs ??= makeCerts(certDir);
      return { HTTPS_PROXY: url, https_proxy: url, NO_PROXY: '', no_proxy: '', SSL_CERT_FILE: certs.ca, CHECKPOINT_DISABLE: '1' };
    },
    httpsEnv: async () => {
      certs ??= makeCerts(certDir);
      if (!secure) {
        secure = createTlsServer({ key: certs.key, cert: certs.cert }, (tls) => serveTls(tls));
        secure.listen(0, '127.0.0.1');
        await once(secure, 'listening');
      }
      const a = secure.address();
      if (!a || typeof a === 'string') throw new Error('release server did not listen over TLS');
      const https = `https://127.0.0.1:${a.port}`;
      return { env: { PACKER_TS_GITHUB_API_URL: https, PACKER_TS_GITHUB_URL: https, PACKER_TS_HASHICORP_RELEASES_URL: `${https}/releases.hashicorp.com/` }, ca: certs.ca };
    },
    close: async () => {
      for (const s of open) s.destroy();
      if (secure) await new Promise<void>((r) => secure!.close(() => r()));
      inner.close();
      await new Promise<void>((r) => { outer.closeAllConnections(); outer.close(() => r()); });
      rmSync(certDir, { recursive: true, force: true });
    },
  };
  return server;
}
