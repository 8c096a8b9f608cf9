/**
 * Parity: every folder in test/fixtures runs through packer-ts and through
 * real Packer 1.6.6 in separate copies; exit status, produced files and the
 * reported artifacts must match. case.json says what to expect:
 *   args: extra CLI arguments; env: extra environment; exit: expected status;
 *   exists: files compared by presence only (content has times/randomness);
 *   output: substrings our combined output must contain;
 *   packerOnly: files only real Packer leaves, with `why` saying why we differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactRecords, copyFixture, hasRealPacker, PACKER_TS, REAL_PACKER, removeDir, ROOT, run, snapshot } from './helpers/run.ts';

interface Case {
  args?: string[];
  env?: Record<string, string>;
  exit: number;
  exists?: string[];
  output?: string[];
  packerOnly?: string[];
  why?: string;
}

const FIXTURES = join(ROOT, 'test/fixtures');
const OWN = new Set(['case.json', 'out.log']);

for (const name of readdirSync(FIXTURES).sort()) {
  const dir = join(FIXTURES, name);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
  test(`fixture ${name}`, async (t) => {
    const inputs = await snapshot(dir);
    const ours = await copyFixture(dir);
    try {
      const args = ['build', '-machine-readable', ...(c.args ?? []), 'template.json'];
      const r = await run(PACKER_TS, args, { cwd: ours, env: c.env });
      const output = r.stdout + r.stderr;
      assert.equal(r.code, c.exit, `exit status of packer-ts\n${output}`);
      for (const s of c.output ?? []) {
        const mr = s.replaceAll('\n', '\\n').replaceAll(',', '%!(PACKER_COMMA)');
        assert.ok(output.includes(s) || output.includes(mr), `output lacks ${JSON.stringify(s)}:\n${output}`);
      }
      const ourFiles = await snapshot(ours, (rel) => OWN.has(rel) || inputs.has(rel));
      if (!hasRealPacker) {
        t.diagnostic('real Packer not installed: compared with case.json only');
        return;
      }
      const theirs = await copyFixture(dir);
      try {
        const p = await run(REAL_PACKER, args, { cwd: theirs, env: c.env });
        assert.equal(p.code, c.exit, `exit status of real Packer\n${p.stdout}${p.stderr}`);
        const theirFiles = await snapshot(theirs, (rel) => OWN.has(rel) || inputs.has(rel) || (c.packerOnly ?? []).includes(rel));
        for (const rel of c.packerOnly ?? []) assert.ok(!ourFiles.has(rel), `${rel} is listed as packerOnly but packer-ts made it`);
        assert.deepEqual([...ourFiles.keys()].sort(), [...theirFiles.keys()].sort(), 'produced files');
        for (const [rel, content] of ourFiles) {
          if ((c.exists ?? []).includes(rel)) continue;
          assert.equal(content.toString('utf8'), theirFiles.get(rel)!.toString('utf8'), `content of ${rel}`);
        }
        assert.deepEqual(artifactRecords(r.stdout), artifactRecords(p.stdout), 'artifacts reported');
      } finally {
        await removeDir(theirs);
      }
    } finally {
      await removeDir(ours);
    }
  });
}
