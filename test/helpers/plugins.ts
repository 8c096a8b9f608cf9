/** Helpers for the plugin acceptance tests: wrapper executables, process accounting by marker. */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { requireBundle } from './requires.ts';
import { PACKER_TS } from './run.ts';

export const MARK_VAR = 'PACKER_TS_TEST_MARK';

/** A fresh marker; every process started with it in its environment (and descendants) can be found. */
export function newMark(): string { return randomUUID(); }

/** Pids of live processes whose environment holds MARK_VAR=mark (zombies excluded). */
export async function markedPids(mark: string): Promise<number[]> {
  const needle = Buffer.from(`${MARK_VAR}=${mark}\0`);
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = await readFile(`/proc/${e}/environ`);
      if (!env.includes(needle)) continue;
      const stat = await readFile(`/proc/${e}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

/** Command lines of pids, for assertion messages. */
export async function describePids(pids: number[]): Promise<string> {
  const lines: string[] = [];
  for (const p of pids) {
    try { lines.push(`${p}: ${(await readFile(`/proc/${p}/cmdline`, 'utf8')).replaceAll('\0', ' ')}`); } catch { /* gone */ }
  }
  return lines.join('\n');
}

/** Waits until no marked process is left (or the deadline passes); returns what is left. */
export async function waitNoneLeft(mark: string, ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = await markedPids(mark);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILLs whatever is left with the marker (cleanup after a failed assertion). */
export async function killMarked(mark: string): Promise<void> {
  for (const p of await markedPids(mark)) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

/** Writes `#!/bin/sh\nexec CMD...` as an executable `dir/name`. */
export async function writeWrapper(dir: string, name: string, command: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\nexec ${command.map((c) => `'${c.replaceAll("'", "'\\''")}'`).join(' ')}\n`);
  await chmod(path, 0o755);
  return path;
}

export interface Started {
  pid: number;
  output: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  kill: (sig: NodeJS.Signals) => number;
}

/** Starts a command in the background (own output capture); `done` settles with its status. */
export function startBackground(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Started {
  if (cmd === PACKER_TS) requireBundle();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
  let sentAt = 0;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, ms: sentAt ? Date.now() - sentAt : 0 }));
  });
  return {
    pid: child.pid!,
    output: () => out,
    done,
    kill: (sig) => { sentAt = Date.now(); child.kill(sig); return sentAt; },
  };
}

/** Resolves once `predicate(output)` holds, or rejects after `ms`. */
export async function waitForOutput(s: Started, predicate: (out: string) => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate(s.output())) {
    if (Date.now() > end) throw new Error(`timed out waiting for output; got:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
