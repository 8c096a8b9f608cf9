/**
 * Compatibility with Packer 1.6.6 (/usr/bin/packer) across the plugin boundary.
 * (a) packer-ts drives Packer's Go plugins: wrappers `exec /usr/bin/packer plugin packer-TYPE-NAME`
 *     in a PACKER_PLUGIN_PATH directory; the same template under real Packer gives the same files
 *     and the same -machine-readable artifact records. packer-provisioner-shell (needs a
 *     communicator to run) is checked through `validate` (its Prepare), good and bad config.
 * (b) real Packer drives ours: wrappers `exec bin/packer-ts plugin packer-TYPE-NAME` in a temp
 *     HOME's ~/.packer.d/plugins; discovered plugins win over Packer's own (its log shows our
 *     wrappers being started), and the result equals Packer's with its own components.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactRecords, PACKER_TS, REAL_PACKER, run, snapshot } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { killMarked, MARK_VAR, newMark, waitNoneLeft, writeWrapper } from './helpers/plugins.ts';

const TEMPLATE = {
  builders: [
    { type: 'file', name: 'f', content: 'hello from {{build_name}}\n', target: 'out.txt' },
    { type: 'null', name: 'n', communicator: 'none' },
  ],
  provisioners: [{ type: 'shell-local', inline: ['echo provisioned $PACKER_BUILD_NAME > prov-$PACKER_BUILD_NAME.txt'] }],
  'post-processors': [
    [{ type: 'checksum', only: ['f'], checksum_types: ['sha256', 'md5'], output: 'sums.{{.ChecksumType}}' }],
    [{ type: 'compress', only: ['f'], output: 'out.tar.gz' }],
  ],
};
// gzip headers hold a time: compared by presence
const BY_PRESENCE = new Set(['out.tar.gz']);

async function runIn(cmd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; out: string; files: Map<string, Buffer>; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-compat-'));
  await writeFile(join(dir, 'template.json'), JSON.stringify(TEMPLATE, null, 2));
  const r = await run(cmd, ['build', '-machine-readable', 'template.json'], { cwd: dir, env });
  const files = await snapshot(dir, (rel) => rel === 'template.json' || rel === 'log.txt');
  return { code: r.code, stdout: r.stdout, out: r.stdout + r.stderr, files, dir };
}

function sameResult(a: Awaited<ReturnType<typeof runIn>>, b: Awaited<ReturnType<typeof runIn>>): void {
  assert.equal(a.code, 0, a.out);
  assert.equal(b.code, 0, b.out);
  assert.deepEqual([...a.files.keys()].sort(), [...b.files.keys()].sort(), 'produced files');
  for (const [rel, content] of a.files) {
    if (BY_PRESENCE.has(rel)) continue;
    assert.equal(content.toString('utf8'), b.files.get(rel)!.toString('utf8'), `content of ${rel}`);
  }
  assert.deepEqual(artifactRecords(a.stdout), artifactRecords(b.stdout), 'artifact records');
  assert.ok(artifactRecords(a.stdout).length >= 20, 'artifacts were reported');
}

const GO_PLUGINS = ['builder-file', 'builder-null', 'provisioner-shell-local', 'provisioner-shell', 'post-processor-checksum', 'post-processor-compress'];

test('(a) packer-ts drives Packer 1.6.6 Go plugins: same artifacts as real Packer', async () => {
  requireTools(REAL_PACKER);
  const home = await mkdtemp(join(tmpdir(), 'packer-ts-gohome-'));
  const plugins = join(home, 'go-plugins');
  for (const p of GO_PLUGINS) await writeWrapper(plugins, `packer-${p}`, [REAL_PACKER, 'plugin', `packer-${p}`]);
  const mark = newMark();
  const dirs: string[] = [];
  try {
    const ours = await runIn(PACKER_TS, { HOME: home, PACKER_PLUGIN_PATH: plugins, PACKER_LOG: '1', PACKER_LOG_PATH: join(home, 'log.txt'), [MARK_VAR]: mark });
    dirs.push(ours.dir);
    const log = await readFile(join(home, 'log.txt'), 'utf8');
    for (const p of ['builder-file', 'builder-null', 'provisioner-shell-local', 'post-processor-checksum', 'post-processor-compress']) {
      assert.ok(log.includes(`Starting plugin: ${join(plugins, `packer-${p}`)} `), `packer-${p} ran as a Go plugin\n${log}`);
    }
    const theirs = await runIn(REAL_PACKER, { HOME: home, [MARK_VAR]: mark });
    dirs.push(theirs.dir);
    sameResult(ours, theirs);
    assert.deepEqual(await waitNoneLeft(mark, 3000), [], 'processes left');
  } finally {
    await killMarked(mark);
    for (const d of [home, ...dirs]) await rm(d, { recursive: true, force: true });
  }
});

test('(a) Packer\'s shell provisioner plugin: Prepare through validate, like real Packer', async () => {
  requireTools(REAL_PACKER);
  const home = await mkdtemp(join(tmpdir(), 'packer-ts-goshell-'));
  const plugins = join(home, 'go-plugins');
  await writeWrapper(plugins, 'packer-provisioner-shell', [REAL_PACKER, 'plugin', 'packer-provisioner-shell']);
  const mark = newMark();
  try {
    const cases: [unknown, number, string | undefined][] = [
      [{ type: 'shell', inline: ['echo hi'] }, 0, undefined],
      [{ type: 'shell', inline: ['echo hi'], script: 'x.sh' }, 1, 'Only a script file or an inline script can be specified, not both.'],
    ];
    for (const [prov, code, msg] of cases) {
      await writeFile(join(home, 'template.json'), JSON.stringify({ builders: [{ type: 'null', communicator: 'none' }], provisioners: [prov] }));
      const ours = await run(PACKER_TS, ['validate', 'template.json'], { cwd: home, env: { HOME: home, PACKER_PLUGIN_PATH: plugins, PACKER_LOG: '1', [MARK_VAR]: mark } });
      const theirs = await run(REAL_PACKER, ['validate', 'template.json'], { cwd: home, env: { HOME: home, [MARK_VAR]: mark } });
      assert.equal(ours.code, code, ours.stdout + ours.stderr);
      assert.equal(theirs.code, code, theirs.stdout + theirs.stderr);
      assert.ok(ours.stderr.includes(`Starting plugin: ${join(plugins, 'packer-provisioner-shell')} `), 'ran as a plugin');
      if (msg) {
        assert.ok((ours.stdout + ours.stderr).includes(msg), ours.stdout + ours.stderr);
        assert.ok((theirs.stdout + theirs.stderr).includes(msg), theirs.stdout + theirs.stderr);
      }
    }
    assert.deepEqual(await waitNoneLeft(mark, 3000), [], 'processes left');
  } finally {
    await killMarked(mark);
    await rm(home, { recursive: true, force: true });
  }
});

test('(b) real Packer drives our plugins from ~/.packer.d/plugins: same result as its own components', async () => {
  requireTools(REAL_PACKER);
  const home = await mkdtemp(join(tmpdir(), 'packer-ts-ourhome-'));
  const plain = await mkdtemp(join(tmpdir(), 'packer-ts-plainhome-'));
  const plugins = join(home, '.packer.d', 'plugins');
  const ourPlugins = ['builder-file', 'provisioner-shell-local', 'post-processor-checksum'];
  for (const p of ourPlugins) await writeWrapper(plugins, `packer-${p}`, [PACKER_TS, 'plugin', `packer-${p}`]);
  const mark = newMark();
  const dirs: string[] = [];
  try {
    const withOurs = await runIn(REAL_PACKER, { HOME: home, PACKER_LOG: '1', PACKER_LOG_PATH: join(home, 'log.txt'), [MARK_VAR]: mark });
    dirs.push(withOurs.dir);
    const log = await readFile(join(home, 'log.txt'), 'utf8');
    for (const p of ourPlugins) {
      assert.ok(log.includes(`Starting plugin: ${join(plugins, `packer-${p}`)} `), `Packer started our packer-${p} (discovered plugins win)\n${log}`);
    }
    assert.ok(!log.includes('"plugin", "packer-builder-file"}'), 'Packer did not use its own file builder');
    const own = await runIn(REAL_PACKER, { HOME: plain, [MARK_VAR]: mark });
    dirs.push(own.dir);
    sameResult(withOurs, own);
    assert.deepEqual(await waitNoneLeft(mark, 3000), [], 'processes left');
  } finally {
    await killMarked(mark);
    for (const d of [home, plain, ...dirs]) await rm(d, { recursive: true, force: true });
  }
});
