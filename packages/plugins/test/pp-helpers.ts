/** Shared helpers for the post-processor tests. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REAL_PACKER, requireTools } from '../../../test/helpers/requires.ts';
import { BasicArtifact, packerConfigRaw, type PackerConfig } from '@packer-ts/sdk';

export const PACKER = REAL_PACKER;
/** Fails the calling test unless Packer 1.6.6 is installed. */
export const requirePacker = () => requireTools(REAL_PACKER);

/** A temporary directory removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'pp-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The packer_* raw map the core appends to a component's configuration. */
export function packerRaw(p: Partial<PackerConfig> = {}): Record<string, unknown> {
  return packerConfigRaw({
    buildName: 'file', builderType: 'file', coreVersion: '1.6.6', debug: false, force: false,
    onError: '', templatePath: '/nonexistent/t.json', userVariables: {}, sensitiveVariables: [], ...p,
  });
}

/** An input artifact as the file builder would return it. */
export function fileArtifact(files: string[], state: Record<string, unknown> = {}): BasicArtifact {
  return new BasicArtifact({ builderId: 'packer.file', id: 'File', files, string: `Stored file: ${files[0]}`, state });
}

export function signal(): AbortSignal { return new AbortController().signal; }

export interface MachineArtifact { builderId: string; id: string; string: string; files: string[] }

/** Artifacts of a `-machine-readable` run, in order. */
export function machineArtifacts(stdout: string): MachineArtifact[] {
  const out: MachineArtifact[] = [];
  const unescape = (s: string) => s.replace(/%!\(PACKER_COMMA\)/g, ',').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
  for (const line of stdout.split('\n')) {
    const f = line.split(',');
    if (f[2] !== 'artifact') continue;
    const i = Number(f[3]);
    const a = (out[i] ??= { builderId: '', id: '', string: '', files: [] });
    const v = unescape(f.slice(5).join(','));
    if (f[4] === 'builder-id') a.builderId = v;
    else if (f[4] === 'id') a.id = v;
    else if (f[4] === 'string') a.string = v;
    else if (f[4] === 'file') a.files[Number(f[5])] = unescape(f.slice(6).join(','));
  }
  return out;
}

/** Runs `/usr/bin/packer build -machine-readable` on `template` inside `dir`. */
export async function runPacker(dir: string, template: unknown, args: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  await writeFile(join(dir, 'template.json'), JSON.stringify(template, null, 2));
  const env: NodeJS.ProcessEnv = { ...process.env, PACKER_LOG: '', CHECKPOINT_DISABLE: '1', PACKER_CACHE_DIR: join(dir, '.packer_cache') };
  delete env.PACKER_RUN_UUID;
  const r = spawnSync(PACKER, ['build', '-machine-readable', ...args, 'template.json'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `fn` with `dir` as the current directory. */
export async function inDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const prev = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(prev);
  }
}

/** A template's post-processor definition as the core hands it over: without `type`. */
export function withoutType(def: Record<string, unknown>): Record<string, unknown> {
  const { type: _type, ...rest } = def;
  return rest;
}
