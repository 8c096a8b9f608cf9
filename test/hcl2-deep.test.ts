/**
 * Deeply nested valid HCL2 (thousands of levels: past the main thread's stack, so packer-ts
 * runs the command on a thread with a large one) through validate, build, console and fmt,
 * compared byte for byte with Packer 1.6.6 run live. Past packer-ts's limit (100,000 levels;
 * Packer 1.6.6 crashes with a Go stack overflow, exit 2, from about 30,000) packer-ts gives a
 * "Nesting too deep" error naming the file and line. Deep console lines on a shallow template and
 * deep values built at run time (jsondecode) are compared too.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, removeDir, run } from './helpers/run.ts';

const rep = (s: string, n: number): string => s.repeat(n);
const N = 5000;

const DEEP = `locals {
  list  = ${rep('[', N)}"s"${rep(']', N)}
  obj   = ${rep('{a = ', N)}1${rep('}', N)}
  paren = ${rep('(', N)}2${rep(')', N)}
  not   = ${rep('!', N)}true
  calls = ${rep('abs(', 3000)}-3${rep(')', 3000)}
  cond  = ${rep('true ? ', 3000)}"c"${rep(' : "d"', 3000)}
  tpl   = ${rep('"${', 1000)}"t"${rep('}"', 1000)}
  mixed = ${rep('{a = [(', 2000)}1${rep(')]}', 2000)}
  small = ${rep('[', 520)}1${rep(']', 520)}
}

source "file" "deep" {
  content = jsonencode([local.list, local.obj, local.paren, local.not, local.calls, local.cond, local.tpl, local.mixed])
  target  = "out.json"
}

build {
  sources = ["source.file.deep"]
}
`;

const dirs: string[] = [];
after(async () => { for (const d of dirs) await removeDir(d); });

/** A fresh folder holding `files`. */
async function folder(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'packer-ts-deep-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) await writeFile(join(d, name), text);
  return d;
}

/**
 * Runs `args` with both tools, each in its own copy of `files`; returns both results and folders.
 * `input` goes to stdin through a socket; `stdin` 'file' makes stdin a file holding it (the
 * console then prints every line's result, as with a socket, and stops at `exit`), 'pipe' a
 * pipe (the console prints the last result only).
 */
async function both(files: Record<string, string>, args: string[], input = '', stdin: 'socket' | 'file' | 'pipe' = 'socket') {
  const out = [];
  for (const bin of [REAL_PACKER, PACKER_TS]) {
    const cwd = await folder(stdin === 'socket' ? files : { ...files, 'stdin.txt': input });
    const home = await folder({});
    const opts = { cwd, env: { HOME: home, PACKER_CACHE_DIR: join(home, 'cache') }, timeoutMs: 180_000 };
    const r = stdin === 'socket' ? await run(bin, args, { ...opts, input }) : await run('/bin/sh', ['-c', STDIN_SH[stdin], bin, ...args], opts);
    out.push({ ...r, cwd });
  }
  return { packer: out[0]!, ours: out[1]! };
}

/** sh -c scripts running "$0" "$@" with stdin.txt as a file or through a pipe. */
const STDIN_SH = { file: 'exec "$0" "$@" < stdin.txt', pipe: 'cat stdin.txt | exec "$0" "$@"' };

const SHALLOW = 'locals {\n  a = 1\n}\n';
/** A console line nested `n` levels, answering 1 (printing its value would be slow in Packer). */
const deepLine = (n: number): string => `length(flatten(${rep('[', n)}1${rep(']', n)}))`;
/** JSON nested `n` levels, arrays and objects alternating. */
const deepJson = (n: number): string => `${rep('[{"a":', n / 2)}1${rep('}]', n / 2)}`;
const RUN_TIME = `locals {
  d = jsondecode(file("deep.json"))
}

source "file" "deep" {
  content = jsonencode(local.d)
  target  = "out.json"
}

build {
  sources = ["source.file.deep"]
}
`;

describe('deeply nested valid HCL2, as Packer 1.6.6 reads it', () => {
  test('validate', async () => {
    const { packer, ours } = await both({ 'deep.pkr.hcl': DEEP }, ['validate', 'deep.pkr.hcl']);
    assert.equal(packer.code, 0, packer.stdout + packer.stderr);
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
  });

  test('build: the deep values reach the builder (the same file written)', async () => {
    const { packer, ours } = await both({ 'deep.pkr.hcl': DEEP }, ['build', 'deep.pkr.hcl']);
    assert.equal(packer.code, 0, packer.stdout + packer.stderr);
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    const want = await readFile(join(packer.cwd, 'out.json'), 'utf8');
    assert.equal(await readFile(join(ours.cwd, 'out.json'), 'utf8'), want);
    assert.ok(want.startsWith(`[${rep('[', N)}"s"`), want.slice(0, 40));
    const steps = (out: string) => out.split('\n').filter((l) => (l.startsWith('==>') || l.startsWith('Build')) && !l.includes('Wait completed after'));
    assert.deepEqual(steps(ours.stdout), steps(packer.stdout));
  });

  test('console: values, JSON and the printed structure', async () => {
    const input = ['local.paren', 'local.not', 'local.calls', 'local.cond', 'local.tpl', 'length(flatten(local.list))', 'jsonencode(local.obj)', 'jsonencode(local.mixed)', ''].join('\n');
    const { packer, ours } = await both({ 'deep.pkr.hcl': DEEP }, ['console', 'deep.pkr.hcl'], input);
    assert.equal(packer.code, 0, packer.stderr);
    assert.equal(ours.code, 0, ours.stderr);
    assert.ok(packer.stdout.includes('\n3\n'), packer.stdout.slice(0, 200));
    assert.equal(ours.stdout, packer.stdout);
    assert.equal(ours.stderr, packer.stderr);
  });

  for (const [name, text] of [
    ['one line, spaced', `locals {\n  x   =   ${rep('[ ', N)}1${rep(' ]', N)}\n}\n`],
    ['one bracket a line', `locals {\n  x = ${rep('[\n', 1000)}1${rep('\n]', 1000)}\n}\n`],
    ['objects and parentheses', `locals {\n  x = ${rep('{a = (', N)}1${rep(')}', N)}\n}\n`],
  ] as const) {
    test(`fmt: ${name}`, async () => {
      const { packer, ours } = await both({ 't.pkr.hcl': text }, ['fmt', 't.pkr.hcl']);
      assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
      const want = await readFile(join(packer.cwd, 't.pkr.hcl'), 'utf8');
      assert.notEqual(want, text, 'Packer changed the file');
      assert.equal(await readFile(join(ours.cwd, 't.pkr.hcl'), 'utf8'), want);
    });
  }

  test('fmt of the unclosed 5,000-bracket template: the same error, the file untouched', async () => {
    const dir = join(import.meta.dirname, 'bad-input/hcl2-deep-nesting');
    const text = await readFile(join(dir, 'template.pkr.hcl'), 'utf8');
    const { packer, ours } = await both({ 'template.pkr.hcl': text }, ['fmt', 'template.pkr.hcl']);
    assert.equal(packer.code, 1);
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
    assert.equal(await readFile(join(ours.cwd, 'template.pkr.hcl'), 'utf8'), text);
  });
});

describe('deep console lines on a shallow template (evaluated on a deep-stack thread), as Packer 1.6.6 answers them', () => {
  const lines = ['1+1', deepLine(5000), 'nope(', `jsonencode(${rep('[', 3000)}2${rep(']', 3000)})`, `${rep('(', 3000)}"p"${rep(')', 3000)}`, 'upper("x")', `jsondecode(${JSON.stringify(`${rep('[', 700)}7${rep(']', 700)}`)})`, deepLine(4000), 'local.a'];
  test('piped: the errors as they happen, the last result', async () => {
    const { packer, ours } = await both({ 'x.pkr.hcl': SHALLOW }, ['console', 'x.pkr.hcl'], [...lines, deepLine(5000), ''].join('\n'), 'pipe');
    assert.equal(packer.code, 1, packer.stderr);
    assert.ok(packer.stdout.startsWith('Error: Invalid expression\n') && packer.stdout.endsWith('\n\n1\n'), packer.stdout.slice(0, 200));
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
  });
  test('stdin a file: every result, in order, up to exit', async () => {
    const { packer, ours } = await both({ 'x.pkr.hcl': SHALLOW }, ['console', 'x.pkr.hcl'], [...lines, 'exit', 'upper("after")', ''].join('\n'), 'file');
    assert.equal(packer.code, 0, packer.stderr);
    assert.ok(packer.stdout.includes('\np\n'), packer.stdout.slice(0, 200));
    assert.ok(!packer.stdout.includes('AFTER'));
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
  });
});

describe('deep values built at run time (jsondecode of a deep file), as Packer 1.6.6 reads them', () => {
  const files = { 't.pkr.hcl': RUN_TIME, 'deep.json': deepJson(5000) };
  test('validate', async () => {
    const { packer, ours } = await both(files, ['validate', 't.pkr.hcl']);
    assert.equal(packer.code, 0, packer.stdout + packer.stderr);
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
  });
  test('build: the same file written', async () => {
    const { packer, ours } = await both(files, ['build', 't.pkr.hcl']);
    assert.equal(packer.code, 0, packer.stdout + packer.stderr);
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    const want = await readFile(join(packer.cwd, 'out.json'), 'utf8');
    assert.equal(want, deepJson(5000));
    assert.equal(await readFile(join(ours.cwd, 'out.json'), 'utf8'), want);
  });
  test('console (stdin a file, up to exit): the local, and the same decoded on a console line', async () => {
    const input = ['length(flatten(local.d))', 'jsonencode(local.d) == file("deep.json")', 'length(jsonencode(jsondecode(file("deep.json"))))', 'exit', ''].join('\n');
    const { packer, ours } = await both(files, ['console', 't.pkr.hcl'], input, 'file');
    assert.equal(packer.code, 0, packer.stderr);
    assert.equal(packer.stdout, '1\ntrue\n20001\n');
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
  });
  test('console on a shallow template: a deep file decoded on a console line', async () => {
    const input = ['length(flatten(jsondecode(file("deep.json"))))', 'local.a', ''].join('\n');
    const { packer, ours } = await both({ 'x.pkr.hcl': SHALLOW, 'deep.json': deepJson(5000) }, ['console', 'x.pkr.hcl'], input, 'file');
    assert.equal(packer.stdout, '1\n1\n');
    assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
  });
  for (const [name, json] of [
    ['10,002 arrays', `${rep('[', 10_002)}1${rep(']', 10_002)}`],
    ['10,002 objects', `${rep('{"a":', 10_002)}1${rep('}', 10_002)}`],
    ['10,002 levels, arrays and objects alternating', deepJson(10_002)],
    ['10,001 levels with elements', `${rep('[1,', 10_001)}1${rep(']', 10_001)}`],
  ] as const) {
    test(`validate, jsondecode of ${name} (Go's encoding/json limit is 10,001)`, async () => {
      const { packer, ours } = await both({ ...files, 'deep.json': json }, ['validate', 't.pkr.hcl']);
      assert.equal(packer.code, name.startsWith('10,001') ? 0 : 1, packer.stdout);
      assert.deepEqual([ours.code, ours.stdout, ours.stderr], [packer.code, packer.stdout, packer.stderr]);
    });
  }
});

describe('past packer-ts nesting limit (Packer 1.6.6 crashes on a Go stack overflow there)', () => {
  for (const [name, file, text] of [
    ['100,001 brackets', 'deep.pkr.hcl', `locals {\n  x = ${rep('[', 100_001)}${rep(']', 100_001)}\n}\n`],
    ['100,001 JSON arrays', 'deep.pkr.json', `{"locals": {\n"x": ${rep('[', 100_001)}${rep(']', 100_001)}}}\n`],
  ] as const) {
    for (const command of ['validate', 'console', 'fmt']) {
      if (command === 'fmt' && file.endsWith('.json')) continue;
      test(`${command}, ${name}: "Nesting too deep" naming the file and line, exit 1`, async () => {
        const cwd = await folder({ [file]: text });
        const r = await run(PACKER_TS, [command, file], { cwd, input: 'local.x\n', timeoutMs: 180_000 });
        const out = r.stdout + r.stderr;
        assert.equal(r.code, 1, out.slice(0, 2000));
        if (command === 'fmt') {
          // fmt reports a file that does not parse as Packer's fmt does, by name
          assert.match(out, new RegExp(`Error: encountered an error while formatting ${file.replace('.', '\\.')}\\s+failed to parse HCL ${file.replace('.', '\\.')}`));
        } else {
          assert.match(out, /Error: Nesting too deep/);
          assert.match(out, new RegExp(`on ${file.replace('.', '\\.')} line 2`));
        }
        assert.doesNotMatch(out, /RangeError|Maximum call stack|at .*\.ts:\d+/);
        assert.deepEqual(await readdir(cwd), [file]);
        assert.equal(await readFile(join(cwd, file), 'utf8'), text, 'the file untouched');
      });
    }
  }
});

test('a console line past the limit: "Nesting too deep" on the console input, exit 1; the session goes on', async () => {
  const cwd = await folder({ 'x.pkr.hcl': SHALLOW, 'stdin.txt': `${deepLine(100_001)}\nlocal.a\n${deepLine(100_001)}\n` });
  const r = await run('/bin/sh', ['-c', STDIN_SH.pipe, PACKER_TS, 'console', 'x.pkr.hcl'], { cwd, timeoutMs: 180_000 });
  const out = r.stdout + r.stderr;
  assert.equal(r.code, 1, out.slice(0, 2000));
  assert.equal(out.match(/Error: Nesting too deep\n\n  on <console-input> line 1:/g)?.length, 2, out.slice(0, 2000));
  assert.doesNotMatch(out, /RangeError|Maximum call stack|at .*\.ts:\d+/);
});
