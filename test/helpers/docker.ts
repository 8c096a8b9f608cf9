/**
 * A private Docker daemon and a local registry for the docker tests: test/docker/start-dockerd.sh
 * (own data root, exec root and socket in a temp dir; no bridge, no iptables), the tiny busybox
 * image from test/docker/make-tiny-image.sh, Debian's docker-registry on 127.0.0.1. stop()
 * ends the daemon (and its containerd), then removes every file: no container, image or
 * process is left. A missing tool fails the test with what to install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, type RunResult } from './run.ts';

export const DOCKER_FIXTURES = join(ROOT, 'test/docker');

/** Fails with what to install when `cmd` is missing. */
export function requireTool(cmd: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0 && !existsSync(cmd)) {
    throw new Error(`${cmd} is needed by this test: apt-get install -y ${pkg}`);
  }
}

async function exited(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { process.kill(pid, 0); } catch { return true; }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export interface Dockerd {
  /** DOCKER_HOST for the daemon. */
  host: string;
  dir: string;
  /** `docker ARGS` against the daemon. */
  docker(args: string[], input?: string): Promise<RunResult>;
  /** Ids of every container (running or not). */
  containers(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startDockerd(extraArgs: string[] = []): Promise<Dockerd> {
  requireTool('dockerd', 'docker.io');
  requireTool('docker', 'docker.io');
  if (process.getuid?.() !== 0) throw new Error('the docker tests start a private dockerd: run them as root');
  // A short path: the socket's name must fit in sun_path.
  const dir = await mkdtemp(join(tmpdir(), 'ptd-'));
  const r = await run(join(DOCKER_FIXTURES, 'start-dockerd.sh'), [dir, ...extraArgs], { cwd: dir, timeoutMs: 60_000 });
  const host = /DOCKER_HOST=(\S+)/.exec(r.stdout)?.[1];
  const pid = Number(/DOCKERD_PID=(\d+)/.exec(r.stdout)?.[1]);
  if (r.code !== 0 || !host || !pid) {
    const log = await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`start-dockerd.sh failed (${r.code}): ${r.stderr}\n${log.slice(-2000)}`);
  }
  const docker = (args: string[], input?: string) => run('docker', args, { cwd: dir, env: { DOCKER_HOST: host }, input, timeoutMs: 120_000 });
  return {
    host,
    dir,
    docker,
    containers: async () => (await docker(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean),
    stop: async () => {
      for (const id of (await docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean)) await docker(['rm', '-f', id]);
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      if (!(await exited(pid, 30_000))) {
        try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        await exited(pid, 5_000);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Imports the tiny busybox image as `name` into the daemon. */
export async function importTinyImage(d: Dockerd, name = 'tiny:1'): Promise<void> {
  requireTool('/bin/busybox', 'busybox-static');
  const r = await run(join(DOCKER_FIXTURES, 'make-tiny-image.sh'), [name], { cwd: d.dir, env: { DOCKER_HOST: d.host }, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`make-tiny-image.sh failed: ${r.stderr}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Registry {
  /** host:port */
  address: string;
  user: string;
  password: string;
  /** Tags of `repo` in the registry. */
  tags(repo: string): Promise<string[]>;
  stop(): Promise<void>;
}

// bcrypt of REGISTRY_PASSWORD (htpasswd's only format for the registry).
const REGISTRY_USER = 'packer';
const REGISTRY_PASSWORD = 's3cret-pw';
const REGISTRY_HTPASSWD = 'packer:$2b$12$7/DKzqJzeNbDEaQCTP3ITObK2CaYHkRBolJS02epo55Jccqpr/fOq\n';

/** Debian's docker-registry on 127.0.0.1:PORT with basic auth, storage in a temp dir. */
export async function startRegistry(port: number): Promise<Registry> {
  requireTool('/usr/bin/docker-registry', 'docker-registry');
  const dir = await mkdtemp(join(tmpdir(), 'ptr-'));
  await writeFile(join(dir, 'htpasswd'), REGISTRY_HTPASSWD);
  await writeFile(join(dir, 'config.yml'), [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`,
    'http:', `  addr: 127.0.0.1:${port}`, '  secret: packer-ts-tests', 'auth:', '  htpasswd:', '    realm: packer-ts', `    path: ${dir}/htpasswd`, '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { log += d; });
  const address = `127.0.0.1:${port}`;
  const auth = 'Basic ' + Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64');
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`http://${address}/v2/`, { headers: { authorization: auth } });
      if (res.status === 200) break;
    } catch { /* not yet */ }
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    address,
    user: REGISTRY_USER,
    password: REGISTRY_PASSWORD,
    tags: async (repo) => {
      const res = await fetch(`http://${address}/v2/${repo}/tags/list`, { headers: { authorization: auth } });
      if (res.status === 404) return [];
      return (((await res.json()) as { tags?: string[] }).tags ?? []).sort();
    },
    stop: async () => {
      child.kill('SIGTERM');
      if (!(await exited(child.pid!, 10_000))) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TarEntry { path: string; type: string; mode: number; uid: number; gid: number; link: string; sha256: string }

/** The entries of a tar (path, type, mode, owner, link target, content digest), sorted by path; times left out. */
export async function tarListing(file: string): Promise<TarEntry[]> {
  const tar = await import('tar');
  const { createHash } = await import('node:crypto');
  const out: TarEntry[] = [];
  await tar.t({
    file,
    onReadEntry: (e) => {
      const h = createHash('sha256');
      e.on('data', (c: Buffer) => h.update(c));
      e.on('end', () => out.push({
        path: e.path.replace(/^\.\//, '').replace(/\/$/, ''), type: e.type, mode: (e.mode ?? 0) & 0o7777,
        uid: e.uid ?? 0, gid: e.gid ?? 0, link: e.linkpath ?? '', sha256: h.digest('hex'),
      }));
    },
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The files of image `ref` as `docker export` of a container created from it gives them. */
export async function imageFiles(d: Dockerd, ref: string): Promise<TarEntry[]> {
  const c = await d.docker(['create', '--network=none', ref, '/bin/true']);
  if (c.code !== 0) throw new Error(`docker create ${ref}: ${c.stderr}`);
  const id = c.stdout.trim();
  const file = join(d.dir, `export-${id}.tar`);
  try {
    const e = await d.docker(['export', '-o', file, id]);
    if (e.code !== 0) throw new Error(`docker export: ${e.stderr}`);
    return await tarListing(file);
  } finally {
    await d.docker(['rm', '-f', id]);
    await rm(file, { force: true });
  }
}

/** The parts of `docker image inspect` a build sets. */
export async function imageConfig(d: Dockerd, ref: string): Promise<Record<string, unknown>> {
  const r = await d.docker(['image', 'inspect', ref]);
  if (r.code !== 0) throw new Error(`docker image inspect ${ref}: ${r.stderr}`);
  const [img] = JSON.parse(r.stdout) as [{ Author: string; Comment: string; Config: Record<string, unknown> }];
  const c = img.Config;
  return {
    Author: img.Author, Comment: img.Comment, Env: c.Env, Labels: c.Labels, Cmd: c.Cmd, Entrypoint: c.Entrypoint,
    WorkingDir: c.WorkingDir, User: c.User, ExposedPorts: c.ExposedPorts, Volumes: c.Volumes, OnBuild: c.OnBuild,
  };
}

/** Tags (repo:tag) of every image in the daemon. */
export async function allTags(d: Dockerd): Promise<string[]> {
  const r = await d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  return r.stdout.split('\n').filter((l) => l && l !== '<none>:<none>').sort();
}
