/**
 * packer-builder-localdir: "builds" a local directory. Its communicator runs commands with `sh -c`
 * inside that directory and copies files in and out, so provisioners work as on a machine.
 *
 *   { "type": "localdir", "directory": "work", "keep_directory": true }
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import {
  BasicArtifact, decodeConfig, HookProvision, MultiError, objectSpec,
  type Artifact, type Builder, type Communicator, type Hook, type PrepareResult, type RemoteCmd, type Schema, type Ui,
} from '@packer-ts/sdk';

const schema: Schema = {
  directory: { type: 'string', required: true },
  keep_directory: { type: 'bool', default: true },
};

interface Config { directory: string; keepDirectory: boolean }

/** Runs commands and moves files inside one local directory. */
export class LocalDirCommunicator implements Communicator {
  constructor(readonly root: string) {}

  /** A remote path, relative or absolute, mapped inside the root. */
  private local(path: string): string {
    return join(this.root, resolve('/', path));
  }

  start(cmd: RemoteCmd, signal?: AbortSignal): Promise<number> {
    return new Promise((done, fail) => {
      const child = spawn('/bin/sh', ['-c', cmd.command], { cwd: this.root, stdio: ['pipe', 'pipe', 'pipe'], signal });
      if (cmd.stdin) cmd.stdin.pipe(child.stdin); else child.stdin.end();
      if (cmd.stdout) child.stdout.pipe(cmd.stdout, { end: false }); else child.stdout.resume();
      if (cmd.stderr) child.stderr.pipe(cmd.stderr, { end: false }); else child.stderr.resume();
      child.on('error', fail);
      child.on('close', (code) => done(code ?? -1));
    });
  }

  async upload(path: string, input: Readable): Promise<void> {
    const dst = this.local(path);
    await mkdir(dirname(dst), { recursive: true });
    await pipeline(input, createWriteStream(dst));
  }

  async uploadDir(dst: string, src: string, exclude: string[] = []): Promise<void> {
    const target = src.endsWith('/') ? this.local(dst) : join(this.local(dst), src.split('/').filter(Boolean).pop() ?? '');
    await cp(src, target, { recursive: true, filter: (f) => !exclude.some((e) => relative(src, f) === e) });
  }

  async download(path: string, output: Writable): Promise<void> {
    await pipeline(createReadStream(this.local(path)), output, { end: false });
  }

  async downloadDir(src: string, dst: string): Promise<void> {
    await cp(this.local(src), dst, { recursive: true });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out.sort();
}

export class LocalDirBuilder implements Builder {
  private config!: Config;

  configSpec() { return objectSpec(schema, { packerConfig: true }); }

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    this.config = decodeConfig<Config>(schema, raws).config;
    if (this.config.directory.includes('\0')) throw new MultiError([new Error('directory: invalid path')]);
    return { generatedVars: ['Directory'], warnings: [] };
  }

  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    const dir = resolve(this.config.directory);
    ui.say(`Creating directory ${this.config.directory}`);
    await mkdir(dir, { recursive: true });
    const comm = new LocalDirCommunicator(dir);
    try {
      await hook.run(HookProvision, ui, comm, { Directory: dir, ID: dir }, signal);
    } catch (e) {
      if (!this.config.keepDirectory) await rm(dir, { recursive: true, force: true });
      throw e;
    }
    const files = (await listFiles(dir)).map((f) => relative(process.cwd(), f));
    return new BasicArtifact({ builderId: 'example.localdir', id: this.config.directory, files, string: `Directory: ${this.config.directory} (${files.length} files)` });
  }
}
