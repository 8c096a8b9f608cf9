/**
 * The describe cache (packages/core/src/plugins/describe-cache.ts) through real commands:
 * `packer-ts plugins installed` runs each installed binary's `describe` once, later commands
 * answer from the cache; a binary whose mtime or content changes is described (and hashed) again;
 * a corrupt cache file is ignored and replaced; the listing is the one packer-1.16 prints.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filenameSuffix } from '@packer-ts/core';
import { PACKER_TS, run } from './helpers/run.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';


async function setup(): Promise<{ root: string; env: NodeJS.ProcessEnv; counter: string; bins: string[]; cache: string }> {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-describe-cache-'));
  const counter = join(root, 'described');
  await writeFile(counter, '');
  const dir = join(root, 'home', '.config', 'packer', 'plugins', 'github.com', 'acc', 'fake');
  await mkdir(dir, { recursive: true });
  const bins: string[] = [];
  for (const v of ['1.0.0', '1.2.0', '2.0.0']) {
    const d = { version: v, sdk_version: '0.6.4', api_version: 'x5.0', builders: ['b'], post_processors: [], provisioners: [], datasources: ['d'], protocol_version: 'v2' };
    const body = `#!/bin/sh\n[ "$1" = describe ] || exit 1\necho "$0" >> '${counter}'\necho '${JSON.stringify(d)}'\n`;
    const path = join(dir, `packer-plugin-fake_v${v}_x5.0${filenameSuffix()}`);
    await writeFile(path, body);
    await chmod(path, 0o755);
    await writeFile(`${path}_SHA256SUM`, createHash('sha256').update(body).digest('hex'));
    bins.push(path);
  }
  const env = { HOME: join(root, 'home'), XDG_CACHE_HOME: join(root, 'cache'), PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined };
  return { root, env, counter, bins, cache: join(root, 'cache', 'packer-ts', 'plugin-descriptions.json') };
}

const described = async (counter: string): Promise<number> => (await readFile(counter, 'utf8')).split('\n').filter((l) => l !== '').length;

test('plugins installed: describe runs once per binary; a changed or touched binary again; a corrupt cache is ignored', async () => {
  const { root, env, counter, bins, cache } = await setup();
  try {
    const first = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.stdout, `${bins.join('\n')}\n`);
    assert.equal(await described(counter), 3);
    assert.equal((JSON.parse(await readFile(cache, 'utf8')) as { version: number }).version, 1);

    const second = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env });
    assert.equal(second.stdout, first.stdout);
    assert.equal(await described(counter), 3, 'answered from the cache');

    const later = new Date(Date.now() + 5000);
    await utimes(bins[1]!, later, later);
    const third = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env });
    assert.equal(third.stdout, first.stdout);
    assert.equal(await described(counter), 4, 'the touched binary is described again');

    // content changed (same size): the checksum no longer matches, so the binary is not listed
    const text = await readFile(bins[2]!, 'utf8');
    await writeFile(bins[2]!, text.replace('2.0.0', '2.0.1'));
    const fourth = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env });
    assert.equal(fourth.stdout, `${bins.slice(0, 2).join('\n')}\n`);

    await writeFile(cache, '{"version":1,"entries":{"x":');
    const fifth = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env });
    assert.equal(fifth.code, 0, fifth.stdout + fifth.stderr);
    assert.equal(fifth.stdout, fourth.stdout);
    assert.equal(await described(counter), 6, 'a corrupt cache is ignored: the two valid binaries are described again');
    JSON.parse(await readFile(cache, 'utf8'));

    const off = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env: { ...env, PACKER_TS_DESCRIBE_CACHE: '0' } });
    assert.equal(off.stdout, fourth.stdout);
    assert.equal(await described(counter), 8, 'PACKER_TS_DESCRIBE_CACHE=0 turns it off');
  } finally { await rm(root, { recursive: true, force: true }); }
});

test('plugins installed lists what packer-1.16 lists for the same directory', { skip: missingOracles('packer-1.16') }, async () => {
  const { root, env, bins } = await setup();
  try {
    const ours = await run(PACKER_TS, ['plugins', 'installed'], { cwd: root, env });
    const theirs = await run(oracle('packer-1.16'), ['plugins', 'installed'], { cwd: root, env });
    assert.equal(theirs.code, 0, theirs.stdout + theirs.stderr);
    assert.equal(ours.stdout, theirs.stdout);
    assert.equal(ours.stdout, `${bins.join('\n')}\n`);
  } finally { await rm(root, { recursive: true, force: true }); }
});
