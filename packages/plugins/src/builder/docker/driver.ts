/**
 * DockerDriver: everything the docker builder and the docker post-processors
 * ask of the daemon, through the `docker` command line as Packer 1.6.6 does
 * (so DOCKER_HOST, DOCKER_CONFIG, contexts and TLS settings work as users
 * expect). Error texts are Packer's.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { render, trackChildGroup, UiLineWriter, untrackChildGroup, type InterpolateContext, type Ui } from '@packer-ts/sdk';
import { Engine, EngineError, engineEndpoint, splitRepoTag } from './engine.ts';
import { containerCreateRequest } from './run-args.ts';

export interface DockerResult {
  /** Exit status; -1 when killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerExecOptions {
  /** Bytes for stdin (closed at the end); default: nothing. */
  stdin?: Readable | string;
  /** Where stdout goes; default: collected into the result. */
  stdout?: Writable;
  /** Where stderr goes; default: collected into the result. */
  stderr?: Writable;
  signal?: AbortSignal;
}

/** The command run for `docker`. */
export function dockerBinary(): string {
  return 'docker';
}

/** Go's *exec.ExitError text for a status. */
export function exitText(code: number): string {
  return code < 0 ? 'signal: killed' : `exit status ${code}`;
}

/**
 * Runs `docker ARGS`. The command runs in its own process group (a Ctrl-C at the terminal
 * reaches packer-ts, which decides what to stop) that never outlives packer-ts.
 * Aborting `signal` kills it (the result then has code -1).
 */
export function docker(args: string[], opts: DockerExecOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) trackChildGroup(child.pid);
    let stdout = '';
    let stderr = '';
    if (opts.stdout) child.stdout.pipe(opts.stdout, { end: false });
    else child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    if (opts.stderr) child.stderr.pipe(opts.stderr, { end: false });
    else child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.stdin.on('error', () => { /* the command may exit before reading all of stdin */ });
    if (typeof opts.stdin === 'string') child.stdin.end(opts.stdin);
    else if (opts.stdin) opts.stdin.pipe(child.stdin);
    else child.stdin.end();
    const kill = (): void => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } };
    opts.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => {
      opts.signal?.removeEventListener('abort', kill);
      untrackChildGroup(child.pid);
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error(`exec: "${dockerBinary()}": executable file not found in $PATH`, { cause: e }));
      else reject(e);
    });
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', kill);
      untrackChildGroup(child.pid);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Runs `docker ARGS` with its output lines in the Ui (Packer's runAndStream); rejects on a bad exit status. */
export async function dockerStream(args: string[], ui: Ui, opts: DockerExecOptions = {}): Promise<void> {
  const out = new UiLineWriter((t) => ui.message(t));
  const err = new UiLineWriter((t) => ui.message(t));
  let r: DockerResult;
  try {
    r = await docker(args, { ...opts, stdout: out, stderr: err });
  } finally {
    out.end();
    err.end();
  }
  if (r.code !== 0) throw new Error(`Bad exit status: ${r.code}`);
}

/** What StartContainer needs (Packer's ContainerConfig). */
export interface ContainerConfig {
  image: string;
  runCommand: string[];
  device?: string[];
  capAdd?: string[];
  capDrop?: string[];
  /** host path -> container path, in order. */
  volumes: [string, string][];
  tmpFs?: string[];
  privileged?: boolean;
}

interface ContainerJson { Config: { User: string }; NetworkSettings: { IPAddress: string } }

/** The docker command's stderr for a daemon's error answer. */
function cliStderr(e: unknown): string {
  if (e instanceof EngineError) return `${e.message}\n`;
  throw e;
}

/**
 * The daemon, reached through the Engine API for the calls made many times per build when the
 * environment names a plain socket (see engine.ts), through the `docker` command otherwise and
 * for what users' CLI set-up matters to (run_command, pull, push, login, save, import).
 */
export class DockerDriver {
  readonly engine: Engine | undefined;

  constructor(readonly ui: Ui, readonly ctx: InterpolateContext = {}) {
    const ep = engineEndpoint();
    this.engine = ep ? new Engine(ep) : undefined;
  }

  /**
   * Packer's Verify: the `docker` command must be on PATH (run_command goes through it). With the
   * Engine API a PATH lookup is enough; otherwise `docker -v` runs, as in Packer.
   */
  async verify(): Promise<void> {
    if (!this.engine) { await this.version(); return; }
    const bin = dockerBinary();
    const dirs = bin.includes('/') ? [''] : (process.env.PATH ?? '').split(':').map((d) => d || '.');
    for (const d of dirs) {
      try { accessSync(d ? join(d, bin) : bin, constants.X_OK); return; } catch { /* next */ }
    }
    throw new Error(`exec: "${bin}": executable file not found in $PATH`);
  }

  /** `docker -v`'s version ("28.2.2"). */
  async version(): Promise<string> {
    const r = await docker(['-v']);
    if (r.code !== 0) throw new Error(exitText(r.code));
    const m = /\d+(\.\d+)*(-[0-9A-Za-z.-]+)?/.exec(r.stdout);
    if (!m) throw new Error(`unknown version: ${r.stdout}`);
    return m[0];
  }

  async startContainer(c: ContainerConfig): Promise<string> {
    const args = ['run'];
    for (const v of c.device ?? []) args.push('--device', v);
    for (const v of c.capAdd ?? []) args.push('--cap-add', v);
    for (const v of c.capDrop ?? []) args.push('--cap-drop', v);
    if (c.privileged) args.push('--privileged');
    for (const v of c.tmpFs ?? []) args.push('--tmpfs', v);
    for (const [host, guest] of c.volumes) args.push('-v', `${host}:${guest}`);
    const ctx: InterpolateContext = { ...this.ctx, data: { Image: c.image } };
    for (const v of c.runCommand) args.push(render(v, ctx));
    this.ui.message(`Run command: docker ${args.join(' ')}`);
    const direct = this.engine && containerCreateRequest(args);
    if (this.engine && direct) {
      // create + start over the socket; a missing image without --pull=never is left to the
      // docker command (which pulls it, as `docker run` does).
      let id: string | undefined;
      try {
        id = (await this.engine.json<{ Id: string }>('POST', '/containers/create', direct.body)).Id;
        await this.engine.call('POST', `/containers/${id}/start`);
        return id;
      } catch (e) {
        if (id) await this.engine.call('DELETE', `/containers/${id}?force=true`).catch(() => undefined);
        if (!(e instanceof EngineError)) throw e;
        if (id || direct.pullNever || e.status !== 404) {
          throw new Error(`Docker exited with a non-zero exit status.\nStderr: docker: ${e.message}\n\nRun 'docker run --help' for more information\n`);
        }
      }
    }
    const r = await docker(args);
    if (r.code !== 0) throw new Error(`Docker exited with a non-zero exit status.\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** `docker kill` then `docker rm`; errors mean the container is gone already. */
  async killContainer(id: string): Promise<void> {
    if (this.engine) {
      // One call: remove with force kills first.
      await this.engine.call('DELETE', `/containers/${encodeURIComponent(id)}?force=true`).catch(() => undefined);
      return;
    }
    await docker(['kill', id]);
    await docker(['rm', id]);
  }

  async stopContainer(id: string): Promise<void> {
    const r = await docker(['stop', id]);
    if (r.code !== 0) throw new Error(exitText(r.code));
  }

  private inspected = new Map<string, Promise<ContainerJson>>();

  /** `GET /containers/ID/json`, once per container (its address and user do not change). */
  private inspect(engine: Engine, id: string): Promise<ContainerJson> {
    let p = this.inspected.get(id);
    if (!p) {
      p = engine.json<ContainerJson>('GET', `/containers/${encodeURIComponent(id)}/json`);
      p.catch(() => this.inspected.delete(id));
      this.inspected.set(id, p);
    }
    return p;
  }

  /** The container's configured user (`.Config.User`), "" for the image default. */
  async containerUser(id: string): Promise<string> {
    if (this.engine) {
      try {
        return (await this.inspect(this.engine, id)).Config.User.trim();
      } catch (e) {
        throw new Error(`Failed to inspect the container: exit status 1, ${cliStderr(e)}`);
      }
    }
    const r = await docker(['inspect', '--format', '{{.Config.User}}', id]);
    if (r.code !== 0) throw new Error(`Failed to inspect the container: ${exitText(r.code)}, ${r.stderr}`);
    return r.stdout.trim();
  }

  async ipAddress(id: string): Promise<string> {
    if (this.engine) {
      try {
        return (await this.inspect(this.engine, id)).NetworkSettings.IPAddress;
      } catch (e) {
        throw new Error(`Error: exit status 1\n\nStderr: ${cliStderr(e)}`);
      }
    }
    const r = await docker(['inspect', '--format', '{{ .NetworkSettings.IPAddress }}', id]);
    if (r.code !== 0) throw new Error(`Error: ${exitText(r.code)}\n\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  async commit(id: string, author: string, changes: string[], message: string): Promise<string> {
    if (this.engine) {
      const q = new URLSearchParams({ container: id });
      if (author) q.set('author', author);
      if (message) q.set('comment', message);
      for (const c of changes) q.append('changes', c);
      try {
        return (await this.engine.json<{ Id: string }>('POST', `/commit?${q}`, {})).Id;
      } catch (e) {
        throw new Error(`Error committing container: exit status 1\nStderr: ${cliStderr(e)}`);
      }
    }
    const args = ['commit'];
    if (author) args.push('--author', author);
    for (const c of changes) args.push('--change', c);
    if (message) args.push('--message', message);
    args.push(id);
    const r = await docker(args);
    if (r.code !== 0) throw new Error(`Error committing container: ${exitText(r.code)}\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** `docker export ID` into the file `path`. */
  async export(id: string, path: string): Promise<void> {
    const out = createWriteStream(path);
    const r = await docker(['export', id], { stdout: out });
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    if (r.code !== 0) throw new Error(`Error exporting: ${exitText(r.code)}\nStderr: ${r.stderr}`);
  }

  /** `docker save ID` into the file `path`. */
  async saveImage(id: string, path: string): Promise<void> {
    const out = createWriteStream(path);
    const r = await docker(['save', id], { stdout: out });
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    if (r.code !== 0) throw new Error(`Error exporting: ${exitText(r.code)}\nStderr: ${r.stderr}`);
  }

  /** `docker import` of the tarball `path` as `repo`; resolves with the new image id. */
  async importImage(path: string, changes: string[], repo: string): Promise<string> {
    const args = ['import'];
    for (const c of changes) args.push('--change', c);
    args.push('-', repo);
    const input = createReadStream(path);
    await new Promise<void>((res, rej) => { input.once('open', () => res()); input.once('error', rej); });
    const r = await docker(args, { stdin: input });
    if (r.code !== 0) throw new Error(`Error importing container: ${exitText(r.code)}\n\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  async deleteImage(id: string): Promise<void> {
    if (this.engine) {
      try {
        await this.engine.call('DELETE', `/images/${encodeURIComponent(id)}`);
        return;
      } catch (e) {
        throw new Error(`Error deleting image: exit status 1\nStderr: ${cliStderr(e)}`);
      }
    }
    const r = await docker(['rmi', id]);
    if (r.code !== 0) throw new Error(`Error deleting image: ${exitText(r.code)}\nStderr: ${r.stderr}`);
  }

  async sha256(id: string): Promise<string> {
    if (this.engine) {
      try {
        return (await this.engine.json<{ Id: string }>('GET', `/images/${encodeURIComponent(id)}/json`)).Id;
      } catch (e) {
        throw new Error(`Error: exit status 1\n\nStderr: ${cliStderr(e)}`);
      }
    }
    const r = await docker(['inspect', '--format', '{{ .Id }}', id]);
    if (r.code !== 0) throw new Error(`Error: ${exitText(r.code)}\n\nStderr: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** `docker tag`; `force` is ignored as by Packer for Docker >= 1.12. */
  async tagImage(id: string, repo: string): Promise<void> {
    if (this.engine) {
      const { repo: r, tag } = splitRepoTag(repo);
      try {
        await this.engine.call('POST', `/images/${encodeURIComponent(id)}/tag?${new URLSearchParams({ repo: r, tag: tag || 'latest' })}`);
        return;
      } catch (e) {
        throw new Error(`Error tagging image: exit status 1\nStderr: ${cliStderr(e)}`);
      }
    }
    const r = await docker(['tag', id, repo]);
    if (r.code !== 0) throw new Error(`Error tagging image: ${exitText(r.code)}\nStderr: ${r.stderr}`);
  }

  async pull(image: string, signal?: AbortSignal): Promise<void> {
    await dockerStream(['pull', image], this.ui, { signal });
  }

  async push(name: string, signal?: AbortSignal): Promise<void> {
    await dockerStream(['push', name], this.ui, { signal });
  }

  /** `docker login`, the password on stdin (never on the command line). */
  async login(server: string, user: string, password: string): Promise<void> {
    const args = ['login'];
    if (user) args.push('-u', user);
    if (password) args.push('--password-stdin');
    if (server) args.push(server);
    await dockerStream(args, this.ui, password ? { stdin: password } : {});
  }

  async logout(server: string): Promise<void> {
    await dockerStream(server ? ['logout', server] : ['logout'], this.ui);
  }
}
