/**
 * Parity: every folder in test/fixtures runs through packer-ts and through
 * real Packer 1.6.6 in separate copies; exit status, stdout and stderr (each
 * on its own), produced files and the reported artifacts must match.
 * case.json says what to expect:
 *   command: the command to run (default "build"); args: extra CLI arguments
 *     (before the template); machineReadable: false runs without -machine-readable;
 *   env: extra environment; exit: expected status of both;
 *   exists: files compared by presence only (content has times/randomness);
 *   output: substrings the stdout of both must contain;
 *   packerOnly: files only real Packer leaves; packerOnlyLines: (normalized)
 *     stdout lines only real Packer prints; oursAdds: text only packer-ts prints
 *     (its own extensions), cut from its stdout before comparing; packerRacy: text
 *     Packer 1.6.6 prints or loses at random (its flag errors pass through a
 *     goroutine that exit may outrun): packer-ts must print it, lines holding it
 *     are left out of the comparison; `why` says why we differ.
 * Outputs are compared after normalizing what differs from run to run:
 * timestamps, the copies' directories, durations and temporary script names;
 * lines are compared as multisets (parallel builds interleave).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactRecords, copyFixture, fixtureArgs, normalizedLines, type FixtureRun, PACKER_TS, REAL_PACKER, removeDir, ROOT, run, snapshot } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';

interface Case extends FixtureRun {
  env?: Record<string, string>;
  exit: number;
  exists?: string[];
  output?: string[];
  packerOnly?: string[];
  packerOnlyLines?: string[];
  oursAdds?: string[];
  packerRacy?: string[];
  why?: string;
}

const FIXTURES = join(ROOT, 'test/fixtures');
const OWN = new Set(['case.json', 'out.log']);

for (const name of readdirSync(FIXTURES).sort()) {
  const dir = join(FIXTURES, name);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
  test(`fixture ${name}`, async () => {
    requireTools(REAL_PACKER);
    const inputs = await snapshot(dir);
    const ours = await copyFixture(dir);
    const theirs = await copyFixture(dir);
    try {
      const args = fixtureArgs(c);
      const r = await run(PACKER_TS, args, { cwd: ours, env: c.env });
      const p = await run(REAL_PACKER, args, { cwd: theirs, env: c.env });
      const both = `packer-ts:\n${r.stdout}${r.stderr}\nPacker 1.6.6:\n${p.stdout}${p.stderr}`;
      assert.equal(r.code, c.exit, `exit status of packer-ts\n${both}`);
      assert.equal(p.code, c.exit, `exit status of real Packer\n${both}`);
      const racy = c.packerRacy ?? [];
      for (const s of c.output ?? []) {
        const mr = s.replaceAll('\n', '\\n').replaceAll(',', '%!(PACKER_COMMA)');
        for (const [who, out] of [['packer-ts', r.stdout], ['Packer 1.6.6', p.stdout]]) {
          if (who !== 'packer-ts' && racy.some((x) => s.includes(x))) continue;
          assert.ok(out.includes(s) || out.includes(mr), `stdout of ${who} lacks ${JSON.stringify(s)}:\n${out}`);
        }
      }
      const packerOnlyLines = c.packerOnlyLines ?? [];
      let ourStdout = r.stdout;
      for (const s of c.oursAdds ?? []) {
        assert.ok(ourStdout.includes(s), `packer-ts no longer prints ${JSON.stringify(s)}`);
        ourStdout = ourStdout.replaceAll(s, '');
      }
      for (const s of racy) assert.ok(ourStdout.includes(s), `packer-ts does not print ${JSON.stringify(s)}`);
      const steady = (l: string) => !racy.some((x) => l.includes(x));
      assert.deepEqual(normalizedLines(ourStdout, ours).filter(steady),
        normalizedLines(p.stdout, theirs).filter((l) => !packerOnlyLines.includes(l) && steady(l)), 'stdout');
      for (const l of packerOnlyLines) assert.ok(normalizedLines(p.stdout, theirs).includes(l), `Packer no longer prints ${JSON.stringify(l)}`);
      assert.deepEqual(normalizedLines(r.stderr, ours), normalizedLines(p.stderr, theirs), 'stderr');

      const ourFiles = await snapshot(ours, (rel) => OWN.has(rel) || inputs.has(rel));
      const theirFiles = await snapshot(theirs, (rel) => OWN.has(rel) || inputs.has(rel) || (c.packerOnly ?? []).includes(rel));
      for (const rel of c.packerOnly ?? []) assert.ok(!ourFiles.has(rel), `${rel} is listed as packerOnly but packer-ts made it`);
      assert.deepEqual([...ourFiles.keys()].sort(), [...theirFiles.keys()].sort(), 'produced files');
      for (const [rel, content] of ourFiles) {
        if ((c.exists ?? []).includes(rel)) continue;
        assert.equal(content.toString('utf8'), theirFiles.get(rel)!.toString('utf8'), `content of ${rel}`);
      }
      assert.deepEqual(artifactRecords(r.stdout), artifactRecords(p.stdout), 'artifacts reported');
    } finally {
      await removeDir(ours);
      await removeDir(theirs);
    }
  });
}
