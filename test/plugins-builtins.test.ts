/**
 * The built-ins through the plugin path: every test/fixtures case runs twice through packer-ts,
 * built-ins in-process (default) and as sub-processes (PACKER_TS_BUILTINS=plugin, i.e.
 * `packer-ts plugin packer-TYPE-NAME` over Packer's wire protocol). Exit status, produced files
 * and the reported artifacts must be the same, and case.json's expected output must appear.
 * No plugin process may be left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactRecords, copyFixture, fixtureArgs, PACKER_TS, removeDir, ROOT, run, snapshot, type FixtureRun } from './helpers/run.ts';
import { killMarked, MARK_VAR, newMark, waitNoneLeft } from './helpers/plugins.ts';

interface Case extends FixtureRun { env?: Record<string, string>; exit: number; exists?: string[]; output?: string[] }

const FIXTURES = join(ROOT, 'test/fixtures');
const OWN = new Set(['case.json', 'out.log']);

for (const name of readdirSync(FIXTURES).sort()) {
  const dir = join(FIXTURES, name);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as Case;
  test(`fixture ${name}: in-process == PACKER_TS_BUILTINS=plugin`, async () => {
    const inputs = await snapshot(dir);
    const args = fixtureArgs(c);
    const mark = newMark();
    const results = [];
    for (const mode of ['in-process', 'plugin']) {
      const cwd = await copyFixture(dir);
      try {
        const r = await run(PACKER_TS, args, { cwd, env: { ...c.env, PACKER_TS_BUILTINS: mode, [MARK_VAR]: mark } });
        const files = await snapshot(cwd, (rel) => OWN.has(rel) || inputs.has(rel));
        results.push({ mode, r, files });
      } finally {
        await removeDir(cwd);
      }
    }
    try {
      const [a, b] = results as [typeof results[0], typeof results[0]];
      const outB = b.r.stdout + b.r.stderr;
      assert.equal(a.r.code, c.exit, `in-process exit\n${a.r.stdout}${a.r.stderr}`);
      assert.equal(b.r.code, c.exit, `plugin-mode exit\n${outB}`);
      for (const s of c.output ?? []) {
        const mr = s.replaceAll('\n', '\\n').replaceAll(',', '%!(PACKER_COMMA)');
        assert.ok(outB.includes(s) || outB.includes(mr), `plugin-mode output lacks ${JSON.stringify(s)}:\n${outB}`);
      }
      assert.deepEqual([...b.files.keys()].sort(), [...a.files.keys()].sort(), 'produced files');
      for (const [rel, content] of a.files) {
        if ((c.exists ?? []).includes(rel)) continue;
        assert.equal(b.files.get(rel)!.toString('utf8'), content.toString('utf8'), `content of ${rel}`);
      }
      assert.deepEqual(artifactRecords(b.r.stdout), artifactRecords(a.r.stdout), 'artifacts reported');
      assert.deepEqual(await waitNoneLeft(mark, 3000), [], 'processes left');
    } finally {
      await killMarked(mark);
    }
  });
}
