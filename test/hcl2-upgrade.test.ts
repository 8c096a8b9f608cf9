// `packer-ts hcl2_upgrade` against `packer hcl2_upgrade` (Packer 1.6.6) side by side on every
// JSON template of the project's corpora (test/hcl2-upgrade, test/fixtures, test/bad-input): the
// same stdout, stderr and exit code, and the same .pkr.hcl file byte for byte. Where Packer
// crashes, packer-ts writes the evident file; where Packer fails after writing the header,
// packer-ts leaves no file behind.
import assert from 'node:assert/strict';
import { chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatHCL, hasErrors, parseConfig } from '@packer-ts/hcl';
import { requireRoot, requireTools } from './helpers/requires.ts';
import { PACKER_TS, REAL_PACKER, ROOT, run, type RunResult } from './helpers/run.ts';

const OWN = join(ROOT, 'test/hcl2-upgrade');
const temps: string[] = [];
const NOBODY = 65534;

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'packer-ts-upgrade-'));
  temps.push(d);
  return d;
}

/** Packer 1.6.6's expected output for command/test-fixtures/hcl2_upgrade_basic (kept with the HCL2 corpus). */
const PACKER_EXPECTED = join(ROOT, 'test/hcl2-packer/command/test-fixtures/hcl2_upgrade_basic/expected.pkr.hcl');

/** The file Packer writes before it reads the template (what a failed run leaves behind). */
const HEADER = readFileSync(PACKER_EXPECTED, 'utf8').split('\n').slice(0, 12).join('\n') + '\n';

interface Side { result: RunResult; output: Buffer | undefined }

/** Copies `srcDir` into a fresh dir per tool and runs `hcl2_upgrade ARGS` in it; `out` is the file expected. */
async function both(srcDir: string, args: string[], out: string, opts: { input?: string; uid?: number; prepare?: (dir: string) => void } = {}): Promise<{ ours: Side; theirs: Side; dirs: string[] }> {
  const sides: Side[] = [];
  const dirs: string[] = [];
  for (const bin of [PACKER_TS, REAL_PACKER]) {
    const dir = tempDir();
    cpSync(srcDir, dir, { recursive: true });
    opts.prepare?.(dir);
    const home = tempDir();
    if (opts.uid !== undefined) { chownSync(dir, opts.uid, opts.uid); chownSync(home, opts.uid, opts.uid); }
    const result = await run(bin, ['hcl2_upgrade', ...args], { cwd: dir, env: { HOME: home, PACKER_LOG: undefined }, input: opts.input, uid: opts.uid, timeoutMs: 60_000 });
    const file = join(dir, out);
    sides.push({ result, output: existsSync(file) ? readFileSync(file) : undefined });
    dirs.push(dir);
  }
  return { ours: sides[0]!, theirs: sides[1]!, dirs };
}

function assertSameRun(ours: Side, theirs: Side, what: string): void {
  assert.equal(ours.result.stdout, theirs.result.stdout, `${what}: stdout`);
  assert.equal(ours.result.stderr, theirs.result.stderr, `${what}: stderr`);
  // byte for byte: text decoding shows any byte that is not UTF-8 as U+FFFD, on both sides alike
  assert.deepEqual(ours.result.stdoutBytes, theirs.result.stdoutBytes, `${what}: stdout bytes`);
  assert.deepEqual(ours.result.stderrBytes, theirs.result.stderrBytes, `${what}: stderr bytes`);
  assert.equal(ours.result.code, theirs.result.code, `${what}: exit code`);
}

/** The comparison for one template, by how Packer's run ended. */
function compare(ours: Side, theirs: Side, what: string): void {
  if (theirs.result.code === 2 && theirs.result.stdout.includes('PACKER CRASH')) {
    // Packer panics (an empty list of sources, a provisioner with nothing but only/except/...).
    assert.equal(ours.result.code, 0, `${what}: ${ours.result.stdout}`);
    assert.match(ours.result.stdout, /^Successfully created \S+ \n$/m);
    const text = ours.output!.toString('utf8');
    assert.ok(text.startsWith(HEADER), `${what}: header`);
    assert.equal(formatHCL(text), text, `${what}: in the canonical layout`);
    assert.ok(!hasErrors(parseConfig(text, 'x.pkr.hcl').diags), `${what}: valid HCL`);
    return;
  }
  assertSameRun(ours, theirs, what);
  if (theirs.result.code === 0) {
    assert.equal(ours.output?.toString('utf8'), theirs.output!.toString('utf8'), `${what}: the .pkr.hcl file`);
  } else {
    assert.equal(theirs.output?.toString('utf8'), HEADER, `${what}: Packer leaves the header behind`);
    assert.equal(ours.output, undefined, `${what}: nothing half-written left behind`);
  }
}

function corpus(): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  for (const f of readdirSync(OWN).filter((n) => n.endsWith('.json') && !n.endsWith('.varfile.json')).sort()) {
    out.push({ name: `hcl2-upgrade/${f}`, path: join(OWN, f) });
  }
  for (const group of ['fixtures', 'bad-input']) {
    const base = join(ROOT, 'test', group);
    for (const d of readdirSync(base).sort()) {
      const t = join(base, d, 'template.json');
      if (existsSync(t)) out.push({ name: `${group}/${d}`, path: t });
    }
  }
  return out;
}

before(() => requireTools(REAL_PACKER));
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

describe('packer-ts hcl2_upgrade writes the file packer hcl2_upgrade (1.6.6) writes', () => {
  test("Packer's own fixture (command/test-fixtures/hcl2_upgrade_basic at v1.6.6)", async () => {
    const { ours, theirs } = await both(OWN, ['-output-file=out.pkr.hcl', 'packer-basic.json'], 'out.pkr.hcl');
    assertSameRun(ours, theirs, 'packer-basic');
    assert.equal(ours.output!.toString('utf8'), readFileSync(PACKER_EXPECTED, 'utf8'));
    assert.equal(theirs.output!.toString('utf8'), readFileSync(PACKER_EXPECTED, 'utf8'));
  });

  for (const c of corpus()) {
    test(c.name, async () => {
      const file = basename(c.path);
      const { ours, theirs } = await both(dirname(c.path), [file], `${file}.pkr.hcl`);
      compare(ours, theirs, c.name);
    });
  }
});

describe('hcl2_upgrade: arguments, output paths and failures as Packer 1.6.6', () => {
  const cases: { what: string; args: string[]; out: string; prepare?: (dir: string) => void; input?: string }[] = [
    { what: '-output-file in a directory that does not exist yet', args: ['-output-file=new/dir/x.pkr.hcl', 'shapes.json'], out: 'new/dir/x.pkr.hcl' },
    { what: '-output-file over an existing file', args: ['-output-file', 'old.pkr.hcl', 'shapes.json'], out: 'old.pkr.hcl', prepare: (d) => writeFileSync(join(d, 'old.pkr.hcl'), 'x'.repeat(100_000)) },
    { what: '-output-file is a directory', args: ['-output-file=adir', 'shapes.json'], out: 'adir/none', prepare: (d) => mkdirSync(join(d, 'adir')) },
    { what: 'the output directory is a file', args: ['-output-file=afile/x.pkr.hcl', 'shapes.json'], out: 'afile/x.pkr.hcl', prepare: (d) => writeFileSync(join(d, 'afile'), '') },
    { what: 'the template does not exist', args: ['nothere.json'], out: 'nothere.json.pkr.hcl' },
    { what: 'the template is a directory', args: ['sub'], out: 'sub.pkr.hcl', prepare: (d) => mkdirSync(join(d, 'sub')) },
    { what: 'the template is not JSON', args: ['broken.json'], out: 'broken.json.pkr.hcl' },
    { what: 'an unknown builder type', args: ['unknown-builder.json'], out: 'unknown-builder.json.pkr.hcl' },
    { what: 'variables from -var-file and -var', args: ['-var-file=vars.varfile.json', '-var', 'from_flag=flag', 'vars.json'], out: 'vars.json.pkr.hcl' },
    { what: 'a -var-file that does not exist', args: ['-var-file=missing.json', 'vars.json'], out: 'vars.json.pkr.hcl' },
    { what: 'a -var-file that is not JSON', args: ['-var-file=broken.json', 'vars.json'], out: 'vars.json.pkr.hcl' },
    { what: 'initialization errors are reported and ignored', args: ['init-error.json'], out: 'init-error.json.pkr.hcl' },
    { what: '-only and -except are accepted', args: ['-only=a', '-except', 'b', '-config-type=json', 'vars.json'], out: 'vars.json.pkr.hcl' },
    { what: 'the template on standard input', args: ['-output-file=stdin.pkr.hcl', '-'], out: 'stdin.pkr.hcl', input: readFileSync(join(OWN, 'shapes.json'), 'utf8') },
    { what: 'no template', args: [], out: 'none' },
    { what: 'two templates', args: ['vars.json', 'shapes.json'], out: 'vars.json.pkr.hcl' },
    { what: '-h', args: ['-h'], out: 'none' },
    { what: '--help after the template', args: ['vars.json', '--help'], out: 'vars.json.pkr.hcl' },
  ];
  for (const c of cases) {
    test(c.what, async () => {
      const { ours, theirs } = await both(OWN, c.args, c.out, { prepare: c.prepare, input: c.input });
      if (theirs.result.code === 0 || theirs.output === undefined || !theirs.output.toString('utf8').startsWith(HEADER.slice(0, 40))) {
        assertSameRun(ours, theirs, c.what);
        assert.equal(ours.output?.toString('utf8'), theirs.output?.toString('utf8'), `${c.what}: output file`);
      } else compare(ours, theirs, c.what);
    });
  }

  test('a failed upgrade leaves an existing output file as it was (Packer truncates it to the header)', async () => {
    const { ours, theirs } = await both(OWN, ['-output-file=keep.pkr.hcl', 'broken.json'], 'keep.pkr.hcl', { prepare: (d) => writeFileSync(join(d, 'keep.pkr.hcl'), 'previous\n') });
    assertSameRun(ours, theirs, 'broken.json');
    assert.equal(theirs.output?.toString('utf8'), HEADER);
    assert.equal(ours.output?.toString('utf8'), 'previous\n');
  });

  test('an undefined flag shows the help and exits 1', async () => {
    const { ours, theirs } = await both(OWN, ['-output', 'x', 'vars.json'], 'x');
    assert.equal(ours.result.code, 1);
    assert.equal(theirs.result.code, 1);
    // Packer prints the flag error from a goroutine that races with its exit.
    const flagError = /^flag provided but not defined: -output\n/m;
    assert.match(ours.result.stdout, flagError);
    assert.equal(ours.result.stdout.replace(flagError, ''), theirs.result.stdout.replace(flagError, ''));
  });

  test('an output file the user may not write (as an unprivileged user)', async () => {
    requireRoot('running hcl2_upgrade as another user');
    const prepare = (d: string) => { mkdirSync(join(d, 'locked'), { mode: 0o555 }); };
    for (const out of ['locked/x.pkr.hcl', 'locked/deeper/x.pkr.hcl']) {
      const { ours, theirs } = await both(OWN, [`-output-file=${out}`, 'vars.json'], out, { uid: NOBODY, prepare });
      assertSameRun(ours, theirs, out);
      assert.equal(ours.output, undefined);
    }
  });
});
