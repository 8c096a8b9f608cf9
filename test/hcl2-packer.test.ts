/**
 * HCL2 conformance corpus: Packer 1.6.6's own HCL2 test data (test/hcl2-packer/, see its
 * README) through packer-ts and through Packer 1.6.6 live, each run in a fresh copy of the
 * corpus with its own HOME. test/hcl2-packer/cases.json lists the cases:
 *   name; template: file or folder, relative to the corpus root (the runs' directory);
 *   args: flags before the template; env: extra environment;
 *   run: { command: exit } for validate / "validate -syntax-only" / build / inspect: the
 *     status Packer 1.6.6 ends with (checked on its own test, never a todo) and packer-ts must
 *     end with too;
 *   exists: produced files compared by presence only (random content);
 *   todo: { command: reason }: a known gap of packer-ts, reported as a node:test todo;
 *   anyLine: { command: reason }: Packer 1.6.6 picks which of several places it reports at
 *     random (Go's map order): the diagnostics are compared without their lines.
 * Compared: exit status; the diagnostics as (severity, summary, file, line) sets (Packer prints
 * some twice and some in Go's random map order); the files a run leaves (names and contents);
 * a build's artifacts (-machine-readable `artifact` records) and its whole -machine-readable
 * output as sorted lines (as test/parity.test.ts compares it); `inspect`'s whole stdout.
 * Packer 1.6.6 has cloud builders built in (amazon-ebs, virtualbox-iso, amazon-import) that
 * packer-ts has not: packer-ts gets Packer's own Go ones as plugins (`packer plugin
 * packer-builder-amazon-ebs`) through PACKER_PLUGIN_PATH, so those cases validate with the
 * same component on both sides. No case builds with a cloud builder (no network in tests).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactRecords, normalizedLines, PACKER_TS, REAL_PACKER, removeDir, ROOT, run, snapshot, type RunResult } from './helpers/run.ts';
import { diagnosticSet, goPluginDir } from './helpers/hcl2.ts';

type Command = 'validate' | 'validate -syntax-only' | 'build' | 'inspect';
interface Case {
  name: string;
  template: string;
  args?: string[];
  env?: Record<string, string>;
  run: Partial<Record<Command, number>>;
  exists?: string[];
  todo?: Partial<Record<Command, string>>;
  anyLine?: Partial<Record<Command, string>>;
}

const CORPUS = join(ROOT, 'test/hcl2-packer');
const CASES = JSON.parse(readFileSync(join(CORPUS, 'cases.json'), 'utf8')) as Case[];
/** Packer 1.6.6 built-ins that packer-ts has no built-in for, used by the corpus. */
const GO_COMPONENTS = ['builder-amazon-ebs', 'builder-virtualbox-iso', 'post-processor-amazon-import'];
const OWN = new Set(['README.md', 'cases.json']);

interface Outcome extends RunResult { dir: string; files: Map<string, Buffer> }

let goPlugins = '';
before(async () => { goPlugins = await goPluginDir(GO_COMPONENTS); });
after(async () => { if (goPlugins) await removeDir(goPlugins); });

async function runCase(bin: string, c: Case, command: Command): Promise<Outcome> {
  const work = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2c-'));
  const home = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2c-home-'));
  try {
    await cp(CORPUS, work, { recursive: true });
    const inputs = await snapshot(work);
    const [cmd, ...flags] = command.split(' ');
    const mr = cmd === 'build' ? ['-machine-readable'] : [];
    const env = { HOME: home, PACKER_LOG: '', ...(bin === PACKER_TS ? { PACKER_PLUGIN_PATH: goPlugins } : {}), ...c.env };
    const r = await run(bin, [cmd, ...mr, ...flags, ...(c.args ?? []), c.template], { cwd: work, env, timeoutMs: 120_000 });
    const files = await snapshot(work, (rel) => OWN.has(rel) || inputs.has(rel));
    for (const rel of (await readdir(work, { recursive: true }))) {
      // a changed input is a produced file too
      const before = inputs.get(rel);
      if (before && existsSync(join(work, rel)) && !readFileSync(join(work, rel)).equals(before)) files.set(rel, readFileSync(join(work, rel)));
    }
    return { ...r, dir: work, files };
  } finally {
    await removeDir(work);
    await removeDir(home);
  }
}

const shown = (who: string, r: RunResult) => `--- ${who} (exit ${r.code}) stdout:\n${r.stdout}\n--- ${who} stderr:\n${r.stderr}`;

describe('HCL2 corpus: Packer 1.6.6 test data through both tools', { concurrency: 2 }, () => {
  test('the corpus needs Packer 1.6.6', () => {
    assert.ok(existsSync(REAL_PACKER), `the corpus is compared with Packer 1.6.6 live: install it (apt-get install packer) at ${REAL_PACKER}`);
  });
  for (const c of CASES) {
    for (const [command, exit] of Object.entries(c.run) as [Command, number][]) {
      const packer = (() => { let p: Promise<Outcome> | undefined; return () => (p ??= runCase(REAL_PACKER, c, command)); })();
      test(`${c.name} (${command}): Packer 1.6.6`, async () => {
        const p = await packer();
        assert.equal(p.signal, null, shown('Packer 1.6.6', p));
        assert.equal(p.code, exit, `exit status of Packer 1.6.6\n${shown('Packer 1.6.6', p)}`);
      });
      test(`${c.name} (${command}): packer-ts`, { todo: c.todo?.[command] }, async () => {
        const p = await packer();
        const r = await runCase(PACKER_TS, c, command);
        const both = `${shown('packer-ts', r)}\n${shown('Packer 1.6.6', p)}`;
        assert.equal(r.signal, null, both);
        assert.equal(r.code, p.code, `exit status\n${both}`);
        const out = (o: Outcome) => `${o.stdout}\n${o.stderr}`;
        const lineless = (keys: string[]) => (c.anyLine?.[command] ? [...new Set(keys.map((k) => k.replace(/:(\d+|-)$/, '')))].sort() : keys);
        assert.deepEqual(lineless(diagnosticSet(out(r), r.dir)), lineless(diagnosticSet(out(p), p.dir)), `diagnostics (severity, summary, file, line)\n${both}`);
        assert.deepEqual([...r.files.keys()].sort(), [...p.files.keys()].sort(), `files left by the run\n${both}`);
        for (const [rel, content] of r.files) {
          if ((c.exists ?? []).includes(rel)) continue;
          assert.equal(content.toString('utf8'), p.files.get(rel)!.toString('utf8'), `content of ${rel}`);
        }
        if (command === 'build') {
          assert.deepEqual(artifactRecords(r.stdout), artifactRecords(p.stdout), `artifacts\n${both}`);
          assert.deepEqual(normalizedLines(r.stdout, r.dir), normalizedLines(p.stdout, p.dir), `build output (-machine-readable, sorted lines)\n${both}`);
        }
        if (command === 'inspect') assert.equal(r.stdout.replaceAll(r.dir, '<dir>'), p.stdout.replaceAll(p.dir, '<dir>'), 'inspect output');
      });
    }
  }
});
