// `packer-ts fmt` against `packer fmt` (Packer 1.6.6) side by side: the same tree of files in
// two temp dirs, the same arguments; stdout, stderr, exit code and every file afterwards must
// be identical. -recursive and `-` (not in 1.6.6) are compared with packer-1.16 when present.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';
import { requireRoot, requireTools } from './helpers/requires.ts';
import { PACKER_TS, REAL_PACKER, ROOT, run, type RunResult } from './helpers/run.ts';

const CORPUS = join(ROOT, 'packages/hcl/test/fmt');
const corpus = (name: string) => readFileSync(join(CORPUS, name));
const temps: string[] = [];
const NOBODY = 65534;

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'packer-ts-fmt-'));
  temps.push(d);
  return d;
}

/** The tree every case runs in: unformatted, formatted, odd and bad files. */
function populate(dir: string): void {
  const w = (rel: string, content: string | Buffer) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), content);
  };
  w('a.pkr.hcl', corpus('f01.hcl'));
  w('b.pkr.hcl', corpus('packer-unformatted.hcl'));
  w('c.pkr.hcl', corpus('g03.hcl'));
  w('vars.pkrvars.hcl', corpus('f02.hcl'));
  w('x.auto.pkrvars.hcl', corpus('g01.hcl'));
  w('.hidden.pkr.hcl', corpus('f03.hcl'));
  w('notes.txt', corpus('f04.hcl'));
  w('plain.hcl', corpus('f04.hcl'));
  w('tpl.pkr.json', '{"a": 1}');
  w('crlf.pkr.hcl', 'a=1\r\nbb = "x"\r\n');
  w('nonl.pkr.hcl', 'a=1\nblock "x" {\nb=2\n}');
  w('blank.pkr.hcl', '\n\n\n');
  w('unicode.pkr.hcl', 'é = "ü"\nlonger_name="日本"  # ü\n');
  w('sub/d.pkr.hcl', corpus('g04.hcl'));
  w('sub/e.pkrvars.hcl', corpus('f06.hcl'));
  w('sub/deeper/f.pkr.hcl', corpus('f07.hcl'));
  w('sub/.git/g.pkr.hcl', corpus('f08.hcl'));
  w('sub/h.pkr.hcl~', corpus('f08.hcl'));
  w('bad/bad.pkr.hcl', 'a = {\n');
  w('bad/good.pkr.hcl', corpus('f09.hcl'));
  w('bad/worse.pkr.hcl', 'block {\n  x = \n}\n');
  w('formatted/ok.pkr.hcl', 'a = 1\n\nblock "x" {\n  b = [1, 2]\n}\n');
  w('formatted/ok.pkrvars.hcl', 'region = "eu"\n');
  w('jsononly/x.pkr.json', '{}');
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'odd/dir.pkr.hcl'), { recursive: true });
  w('odd/real.pkr.hcl', corpus('f10.hcl'));
  symlinkSync('nowhere.pkr.hcl', join(dir, 'odd/broken.pkr.hcl'));
  symlinkSync('dir.pkr.hcl', join(dir, 'odd/link.pkr.hcl'));
  w('examples/complete-build.pkr.hcl', corpus('packer-complete-build.hcl'));
  w('examples/complete-variables.pkr.hcl', corpus('packer-complete-variables.hcl'));
  w('examples/complicated.pkr.hcl', corpus('packer-complicated-a.hcl'));
  for (const f of readdirSync(CORPUS).filter((n) => /^[fg]\d+\.hcl$/.test(n))) w(`many/${f.replace('.hcl', '.pkr.hcl')}`, corpus(f));
}

/** Every entry under `dir`: file contents with their mode, symbolic links by target, directories by mode. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, r));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(r, Buffer.from(`-> ${readlinkSync(join(dir, r))}`));
      else if (st.isDirectory()) { out.set(`${r}/`, Buffer.from(mode)); walk(r); }
      else out.set(r, Buffer.concat([Buffer.from(`${mode}\n`), readFileSync(join(dir, r))]));
    }
  };
  walk('');
  return out;
}

interface Side { result: RunResult; files: Map<string, Buffer> }

async function runIn(bin: string, dir: string, args: string[], opts: { uid?: number; input?: string }): Promise<Side> {
  const home = tempDir();
  if (opts.uid !== undefined) chownSync(home, opts.uid, opts.uid);
  const result = await run(bin, args, { cwd: dir, env: { HOME: home, PACKER_LOG: undefined }, input: opts.input, uid: opts.uid, timeoutMs: 60_000 });
  return { result, files: snapshot(dir) };
}

/** Runs `packer-ts ARGS` and `oracleBin ARGS` on fresh copies of the tree (after `prepare`). */
async function both(args: string[], opts: { oracleBin?: string; uid?: number; input?: string; prepare?: (dir: string) => void } = {}): Promise<{ ours: Side; theirs: Side }> {
  const sides: Side[] = [];
  for (const bin of [PACKER_TS, opts.oracleBin ?? REAL_PACKER]) {
    const dir = tempDir();
    populate(dir);
    opts.prepare?.(dir);
    sides.push(await runIn(bin, dir, args, opts));
  }
  return { ours: sides[0]!, theirs: sides[1]! };
}

function assertSame(ours: Side, theirs: Side, what: string): void {
  assert.equal(ours.result.stdout, theirs.result.stdout, `${what}: stdout`);
  assert.equal(ours.result.stderr, theirs.result.stderr, `${what}: stderr`);
  assert.equal(ours.result.code, theirs.result.code, `${what}: exit code`);
  assert.deepEqual([...ours.files.keys()].sort(), [...theirs.files.keys()].sort(), `${what}: file names`);
  for (const [name, content] of theirs.files) assert.equal(ours.files.get(name)?.toString('latin1'), content.toString('latin1'), `${what}: ${name}`);
}

before(() => requireTools(REAL_PACKER, 'diff'));
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

describe('packer-ts fmt is byte-identical to packer fmt (1.6.6)', () => {
  const cases: string[][] = [
    ['.'],
    ['-check', '.'],
    ['-check', '-diff', '.'],
    ['-diff', '.'],
    ['-write=false', '-diff', '.'],
    ['-write=false', '.'],
    ['-check=false', '-write=0', '.'],
    ['--diff', '-write', 'false'], // `false` is the path: a bool flag takes no separate value
    ['a.pkr.hcl'],
    ['-diff', 'b.pkr.hcl'],
    ['-check', 'c.pkr.hcl'],
    ['vars.pkrvars.hcl'],
    ['-diff', 'x.auto.pkrvars.hcl'],
    ['-diff', '.hidden.pkr.hcl'],
    ['-diff', 'crlf.pkr.hcl'],
    ['-diff', 'nonl.pkr.hcl'],
    ['-check', 'blank.pkr.hcl'],
    ['-diff', 'unicode.pkr.hcl'],
    ['sub'],
    ['-diff', 'sub/'],
    ['./sub/deeper'],
    ['formatted'],
    ['-check', 'formatted'],
    ['-check', '-diff', 'formatted/ok.pkr.hcl'],
    ['-diff', 'examples'],
    ['-diff', 'many'],
    ['-check', 'many'],
    ['bad'],
    ['-check', 'bad'],
    ['bad/bad.pkr.hcl'],
    ['odd'],
    ['odd/link.pkr.hcl'],
    ['odd/broken.pkr.hcl'],
    ['nonexistent.pkr.hcl'],
    ['nonexistent'],
    ['notes.txt'],
    ['plain.hcl'],
    ['tpl.pkr.json'],
    ['empty'],
    ['jsononly'],
    ['-var', 'x=1', '-var-file=nothing.json', '-only', 'a', '-except=b', '-config-type', 'hcl2', '.'],
    [],
    ['a.pkr.hcl', 'b.pkr.hcl'],
    ['-h'],
    ['a.pkr.hcl', '--help', 'x'],
    ['-check', '--', '-h'],
  ];
  for (const args of cases) {
    test(`fmt ${args.join(' ')}`, async () => {
      const { ours, theirs } = await both(['fmt', ...args]);
      assertSame(ours, theirs, `fmt ${args.join(' ')}`);
    });
  }

  test('an undefined flag or a bad value shows the help and exits 1', async () => {
    for (const args of [['-recursivee', '.'], ['-check=maybe', '.'], ['-config-type=yaml', '.']]) {
      const { ours, theirs } = await both(['fmt', ...args]);
      assert.equal(ours.result.code, 1);
      assert.equal(theirs.result.code, 1);
      // Packer prints the flag error from a goroutine that races with its exit.
      const flagError = /^(flag provided|invalid).*\n/m;
      assert.equal(ours.result.stdout.replace(flagError, ''), theirs.result.stdout.replace(flagError, ''));
      assert.match(ours.result.stdout, /flag provided but not defined: -recursivee|invalid boolean value "maybe" for -check|invalid value "yaml" for flag -config-type/);
      assertSame({ ...ours, result: theirs.result }, theirs, 'files untouched');
    }
  });

  test('permissions: unreadable files and directories, read-only files (as an unprivileged user)', async () => {
    requireRoot('running fmt as another user');
    const setup = (dir: string) => {
      mkdirSync(join(dir, 'perm/locked'), { recursive: true });
      cpSync(join(CORPUS, 'f01.hcl'), join(dir, 'perm/readonly.pkr.hcl'));
      cpSync(join(CORPUS, 'f02.hcl'), join(dir, 'perm/secret.pkr.hcl'));
      cpSync(join(CORPUS, 'f03.hcl'), join(dir, 'perm/writable.pkr.hcl'));
      cpSync(join(CORPUS, 'f04.hcl'), join(dir, 'perm/locked/x.pkr.hcl'));
      chownSync(dir, NOBODY, NOBODY);
      chownSync(join(dir, 'perm'), NOBODY, NOBODY);
      chownSync(join(dir, 'perm/writable.pkr.hcl'), NOBODY, NOBODY);
      chmodSync(join(dir, 'perm/readonly.pkr.hcl'), 0o444);
      chmodSync(join(dir, 'perm/secret.pkr.hcl'), 0o000);
      chmodSync(join(dir, 'perm/locked'), 0o000);
    };
    for (const args of [['perm'], ['-check', 'perm'], ['perm/locked'], ['perm/secret.pkr.hcl'], ['perm/readonly.pkr.hcl']]) {
      const { ours, theirs } = await both(['fmt', ...args], { uid: NOBODY, prepare: setup });
      assertSame(ours, theirs, `fmt ${args.join(' ')} as nobody`);
    }
  });
});

describe('fmt beyond Packer 1.6.6: -recursive and - (compared with packer-1.16)', () => {
  const skip = missingOracles('packer-1.16');
  const P16 = oracle('packer-1.16');
  // No errors (their order differs); with -recursive the names come in 1.16's order, variable files among them.
  const onlyHcl = (dir: string) => { rmSync(join(dir, 'bad'), { recursive: true }); };
  // The text itself is 1.6.6's (1.16's hclwrite lays out a few expressions differently, e.g. `!x`).
  const formatted166 = async (src: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'x.pkr.hcl'), src);
    const r = await run(REAL_PACKER, ['fmt', 'x.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
    assert.ok(r.code === 0, r.stdout);
    return readFileSync(join(dir, 'x.pkr.hcl'), 'utf8');
  };

  test('-recursive rewrites sub-directories, skipping hidden and backup entries', { skip }, async () => {
    for (const args of [['-recursive', 'many'], ['-recursive', '-check', 'examples'], ['-recursive', '-diff', 'sub/deeper'], ['-recursive', '-check', '.'], ['-recursive', '-write=false', 'sub']]) {
      const { ours, theirs } = await both(['fmt', ...args], { oracleBin: P16, prepare: onlyHcl });
      const what = `fmt ${args.join(' ')}`;
      assert.equal(ours.result.code, theirs.result.code, `${what}: exit code`);
      if (args.includes('-diff')) assert.equal(ours.result.stdout.split('\n')[0], theirs.result.stdout.split('\n')[0], `${what}: stdout`);
      else assert.equal(ours.result.stdout, theirs.result.stdout, `${what}: stdout`);
      assert.deepEqual([...ours.files.keys()].sort(), [...theirs.files.keys()].sort(), `${what}: file names`);
      for (const [name, content] of ours.files) {
        const before = theirs.files.get(name)!;
        if (!name.endsWith('.hcl') || before.equals(content)) continue;
        const text = content.toString('utf8').replace(/^\d+\n/, '');
        assert.equal(text, await formatted166(text), `${what}: ${name} is in the canonical layout`);
      }
    }
  });

  test('- formats standard input to standard output', { skip }, async () => {
    for (const file of ['f01.hcl', 'g03.hcl', 'packer-complicated-a.hcl']) {
      const input = readFileSync(join(CORPUS, file), 'utf8');
      const expected = await formatted166(input);
      for (const args of [['-'], ['-check', '-'], ['-write=false', '-'], ['-diff', '-']]) {
        const { ours, theirs } = await both(['fmt', ...args], { oracleBin: P16, input });
        const what = `fmt ${args.join(' ')} < ${file}`;
        assert.equal(ours.result.code, theirs.result.code, `${what}: exit code`);
        assert.equal(ours.result.stdout, theirs.result.stdout === '' ? '' : expected, `${what}: stdout`);
        assertSame({ ...ours, result: theirs.result }, theirs, `${what}: no file touched`);
      }
      // Already in 1.6.6's layout (which 1.16 may not share): printed back, exit 0.
      const ours = await runIn(PACKER_TS, tempDir(), ['fmt', '-check', '-'], { input: expected });
      assert.equal(ours.result.code, 0, `fmt -check - < formatted ${file}`);
      assert.equal(ours.result.stdout, expected);
    }
  });

  test('-recursive: names in order, a sub-directory where it sorts (Packer 1.16\'s order), without the oracle too', async () => {
    const dir = tempDir();
    populate(dir);
    const r = await run(PACKER_TS, ['fmt', '-recursive', '-write=false', 'sub'], { cwd: dir, env: { HOME: dir } });
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, 'sub/d.pkr.hcl\nsub/deeper/f.pkr.hcl\nsub/e.pkrvars.hcl\n');
    const errs = await run(PACKER_TS, ['fmt', '-recursive', '-check', '.'], { cwd: dir, env: { HOME: dir } });
    assert.equal(errs.code, 1);
    assert.match(errs.stdout, /^Error: encountered an error while formatting bad\/bad\.pkr\.hcl\n\nfailed to parse HCL bad\/bad\.pkr\.hcl\n/m);
    assert.match(errs.stdout, /^many\/g07\.pkr\.hcl$/m);
    assert.doesNotMatch(errs.stdout, /\.git|~/);
  });

  test('- with a parse error names standard input', async () => {
    const dir = tempDir();
    const r = await run(PACKER_TS, ['fmt', '-'], { cwd: dir, env: { HOME: dir }, input: 'a = {\n' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'Error: encountered an error while formatting -\n\nfailed to parse HCL -\n\n\n');
  });
});
