/** Runs packer-ts (the bundle) or real Packer in a directory, for acceptance tests. */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { requireBundle, ROOT } from './requires.ts';

export { REAL_PACKER, ROOT } from './requires.ts';
export const PACKER_TS = join(ROOT, 'bin/packer-ts');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The bytes written, for comparisons that text decoding would blur (bytes that are not UTF-8). */
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
}

/**
 * Runs `bin args` on a terminal of its own (util-linux script) and presses Enter (a CR, as a
 * terminal sends it; or `answer`) at each `prompt` it prints; the terminal's output, CRLF as LF.
 */
export async function onTerminal(bin: string, args: string[], cwd: string, prompt?: RegExp, answer = '\r', env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const child = spawn('/usr/bin/script', ['-qec', [bin, ...args].map(quote).join(' '), '/dev/null'], { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let pressed = 0;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const asked = prompt ? out.match(new RegExp(prompt.source, 'g'))?.length ?? 0 : 0;
    for (; pressed < asked; pressed++) child.stdin.write(answer);
  });
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearTimeout(kill);
  return { code, out: out.replace(/\r\n/g, '\n') };
}

/**
 * Runs a command to its end (SIGKILL after timeoutMs), as user `uid` when given;
 * bin/packer-ts needs dist/ built (the test fails saying so).
 */
export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number; uid?: number }): Promise<RunResult> {
  if (cmd === PACKER_TS) requireBundle();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, PACKER_NO_COLOR: undefined, CHECKPOINT_DISABLE: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stderrBytes = Buffer.concat(err);
      resolvePromise({ code, signal, stdout: stdoutBytes.toString('utf8'), stderr: stderrBytes.toString('utf8'), stdoutBytes, stderrBytes });
    });
    child.stdin.on('error', () => { /* the command may exit before reading its input */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Copies a fixture folder into a fresh temp dir. */
export async function copyFixture(dir: string): Promise<string> {
  const dst = await mkdtemp(join(tmpdir(), 'packer-ts-fx-'));
  await cp(dir, dst, { recursive: true });
  return dst;
}

/** Every file under `dir` (relative paths) with its contents. */
export async function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) await walk(p);
      else if ((await stat(p)).isFile()) out.set(rel, await readFile(p));
    }
  };
  await walk(dir);
  return out;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** `artifact` and `artifact-count` records of -machine-readable output, without timestamps. */
export function artifactRecords(stdout: string): string[] {
  return stdout.split('\n')
    .map((l) => l.replace(/^\d+,/, ''))
    .filter((l) => /^[^,]*,(artifact|artifact-count),/.test(l))
    .sort();
}

/**
 * The lines of an output with what differs between runs replaced (timestamps,
 * the run's directory, durations, temporary script names), sorted.
 */
export function normalizedLines(text: string, dir: string): string[] {
  return text.split('\n').map((l) => l
    .replace(/^\d+,/, '')
    .replaceAll(dir, '<dir>')
    .replace(/ after( \d+(\.\d+)? (hours?|minutes?|seconds?|milliseconds?|microseconds?|nanoseconds?))+/g, ' after <duration>')
    .replace(/\/tmp\/packer-shell\d+/g, '/tmp/packer-shell<n>'))
    .sort();
}

/** What a test/fixtures/<case>/case.json says about how to run it. */
export interface FixtureRun {
  command?: string;
  args?: string[];
  machineReadable?: boolean;
  /** The template argument; none at all when null (e.g. `console` with no template). */
  template?: string | null;
}

/** The command line of a fixture: `build -machine-readable ARGS template.json` unless case.json says otherwise. */
export function fixtureArgs(c: FixtureRun): string[] {
  const template = c.template === null ? [] : [c.template ?? 'template.json'];
  return [c.command ?? 'build', ...(c.machineReadable === false ? [] : ['-machine-readable']), ...(c.args ?? []), ...template];
}
