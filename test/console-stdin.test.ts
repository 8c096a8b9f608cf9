/**
 * How `console` reads stdin where it is no terminal: bin/packer-ts's console program reads fd 0
 * itself (fs.read, no node stream) and writes fd 1 and 2 (packages/cli/src/direct-io.ts), and a
 * terminal keeps readline. Each case against /usr/bin/packer (1.6.6) where it can answer:
 * - a pipe written line by line: an error is printed when its line arrives, before the pipe
 *   closes (the read is incremental), then the last result at the end;
 * - a pipe that is non-blocking (shared with a writer that set O_NONBLOCK): the first read
 *   fails with EAGAIN and the rest comes through process.stdin;
 * - SIGINT while the console waits on the pipe is handled then (the read does not hold up
 *   node's event loop): the cancel message is printed before the pipe closes;
 * - a terminal (a pty from script(1)): the `> ` prompt and each line's answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';

let dir = '';
const TEMPLATE = 'locals {\n  l7 = "a=7-b=img"\n}\n';
const UNKNOWN = 'Error: Unknown variable\n\n  on <console-input> line 1:\n  (source code not available)\n\nThere is no variable named "nope".\n\n\n';

before(() => {
  requireTools(REAL_PACKER, '/usr/bin/script');
  dir = mkdtempSync(join(tmpdir(), 'packer-ts-console-stdin-'));
  writeFileSync(join(dir, 'tiny.pkr.hcl'), TEMPLATE);
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const env = (): NodeJS.ProcessEnv => ({ ...process.env, HOME: dir, PACKER_CONFIG_DIR: dir, CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: undefined });

/** Resolves when `check()` holds, polling; rejects after `ms`. */
async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether process `pid` sleeps in epoll_wait (node's event loop with nothing to do). */
function inEventLoopWait(pid: number): boolean {
  try { return readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('epoll'); } catch { return false; }
}

interface Fifo { write(text: string): void; close(): void; child: ReturnType<typeof spawn>; out(): string; done: Promise<number | null> }

/**
 * `cmd console tiny.pkr.hcl` with stdin a FIFO whose writer this test holds; `nonBlocking`: the
 * FIFO's open file description has O_NONBLOCK (shell's `<&3` of a descriptor opened so).
 */
function consoleOnFifo(cmd: string, name: string, nonBlocking: boolean): Fifo {
  const fifo = join(dir, name);
  const mk = spawnSync('mkfifo', [fifo]);
  assert.equal(mk.status, 0, `mkfifo: ${mk.stderr}`);
  const rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const wfd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  const stdin = nonBlocking ? ['ignore', 'pipe', 'pipe', rfd] : ['ignore', 'pipe', 'pipe'];
  const script = nonBlocking ? 'exec "$0" console "$@" <&3 3<&-' : 'exec "$0" console "$@" < "$FIFO"';
  const child = spawn('/bin/sh', ['-c', script, cmd, 'tiny.pkr.hcl'], { cwd: dir, env: { ...env(), FIFO: fifo }, stdio: stdin as ('ignore' | 'pipe' | number)[] });
  // without O_NONBLOCK the console opens the FIFO itself (sh's `<`); this reader, which reads
  // nothing, keeps writes from failing until it has
  if (nonBlocking) closeSync(rfd);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<number | null>((res) => child.on('close', (code) => { clearTimeout(timer); res(code); }));
  let open = true;
  return {
    child,
    out: () => out,
    done,
    write: (text) => { writeSync(wfd, text); },
    close: () => { if (open) { open = false; closeSync(wfd); if (!nonBlocking) closeSync(rfd); } },
  };
}

test('a pipe written line by line: an error when its line arrives, the last result at the end (as Packer)', async () => {
  for (const cmd of [REAL_PACKER, PACKER_TS]) {
    const f = consoleOnFifo(cmd, `lines-${cmd === PACKER_TS ? 'ours' : 'packer'}.fifo`, false);
    try {
      f.write('nope.x\n');
      await until(`${cmd}: the error before the pipe closes`, () => f.out().includes('There is no variable named'));
      assert.equal(f.out(), UNKNOWN, cmd);
      f.write('local.l7\n');
      f.close();
      assert.equal(await f.done, 1, cmd);
      assert.equal(f.out(), `${UNKNOWN}a=7-b=img\n`, cmd);
    } finally {
      f.close();
      f.child.kill('SIGKILL');
    }
  }
});

test('a non-blocking pipe: the lines that come after the first read are all read (as Packer)', async () => {
  for (const cmd of [REAL_PACKER, PACKER_TS]) {
    const f = consoleOnFifo(cmd, `nb-${cmd === PACKER_TS ? 'ours' : 'packer'}.fifo`, true);
    try {
      // ours: once it waits in its event loop, its first read of the empty pipe has failed (EAGAIN)
      if (cmd === PACKER_TS) await until('the console waiting on its stdin', () => inEventLoopWait(f.child.pid!));
      f.write('local.l7\n');
      f.write('"x"\n');
      f.close();
      assert.equal(await f.done, 0, cmd);
      assert.equal(f.out(), 'x\n', cmd);
    } finally {
      f.close();
      f.child.kill('SIGKILL');
    }
  }
});

test('SIGINT while the console waits on its pipe is handled while it waits', async () => {
  const f = consoleOnFifo(PACKER_TS, 'sigint.fifo', false);
  try {
    f.write('nope.x\n');
    await until('the first error', () => f.out().includes('There is no variable named'));
    f.child.kill('SIGINT'); // the sh exec'd node: the console's own process
    await until('the cancel message before the pipe closes', () => f.out().includes('Cancelling build after receiving interrupt'));
    f.write('local.l7\n');
    f.close();
    assert.equal(await f.done, 1);
    assert.equal(f.out(), `${UNKNOWN}Cancelling build after receiving interrupt\na=7-b=img\n`);
  } finally {
    f.close();
    f.child.kill('SIGKILL');
  }
});

test('a terminal keeps the readline session: prompt, answer, exit', async () => {
  // script(1) gives the console a pty; the input is typed after the prompt appears
  const child = spawn('/usr/bin/script', ['-qec', `"${PACKER_TS}" console tiny.pkr.hcl`, '/dev/null'], { cwd: dir, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stdin.on('error', () => { /* ended */ });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<number | null>((res) => child.on('close', (code) => { clearTimeout(timer); res(code); }));
  try {
    await until('the prompt', () => out.includes('> '));
    child.stdin.write('local.l7\r');
    await until('the answer', () => out.includes('a=7-b=img'));
    child.stdin.write('exit\r');
    assert.equal(await done, 0);
    assert.match(out, /> .*local\.l7\r?\r\n(\r\n)?a=7-b=img\r\n/s);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a file on stdin: each line answered, `exit` stops (as Packer)', async () => {
  writeFileSync(join(dir, 'input.txt'), 'local.l7\n"y"\nexit\n"z"\n');
  const sh = 'exec "$0" console tiny.pkr.hcl < input.txt';
  const theirs = await run('/bin/sh', ['-c', sh, REAL_PACKER], { cwd: dir, env: env() });
  const ours = await run('/bin/sh', ['-c', sh, PACKER_TS], { cwd: dir, env: env() });
  assert.deepEqual({ code: ours.code, out: ours.stdout, err: ours.stderr }, { code: theirs.code, out: theirs.stdout, err: theirs.stderr });
  assert.equal(ours.stdout, 'a=7-b=img\ny\n');
});
