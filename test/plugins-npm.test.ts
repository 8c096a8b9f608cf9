/**
 * A TypeScript plugin published as an npm package (`@SCOPE/packer-plugin-NAME`, source
 * `npmjs.com/SCOPE/NAME`) and installed with npm's own machinery from a registry on 127.0.0.1
 * named in ~/.npmrc: the dependency is resolved by npm, the tarballs' integrity checked, the
 * result an ordinary installation that packer-1.16 lists and selects too; a tampered tarball,
 * a package that describes another version, a missing package leave nothing installed.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, ROOT, run, snapshot } from './helpers/run.ts';
import { bundlePlugin, missingOracles, oracle } from './helpers/modern-oracles.ts';
import { integrityOf, startLocalRegistry, type ExtraPackage } from './helpers/npm-registry.ts';

const SUFFIX = `_linux_${process.arch === 'x64' ? 'amd64' : process.arch}`;
const PLUGINS = '.config/packer/plugins';

const temps: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
test.after(async () => { for (const d of temps) await rm(d, { recursive: true, force: true }); });

/** `npm pack` of a package holding the bundled SDK plugin as its bin, depending on safer-buffer. */
async function pluginTarball(name: string, version: string): Promise<{ manifest: Record<string, unknown>; tarball: Buffer }> {
  const dir = await tempDir('packer-ts-npm-pkg-');
  await bundlePlugin(join(ROOT, 'packages/sdk/test/fixtures/modern/oracle-mirror.ts'), join(dir, 'plugin.js'));
  const manifest = { name, version, bin: { [name.split('/')[1]!]: 'plugin.js' }, dependencies: { 'safer-buffer': '^2.1.0' }, files: ['plugin.js'] };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
  return { manifest, tarball: await readFile(join(dir, out)) };
}

test('an npm-published TS plugin: installed with npm from the .npmrc registry, listed and selected by packer-ts and packer-1.16, removed with its tree', async () => {
  const good = await pluginTarball('@acme/packer-plugin-mirror', '0.0.1');
  // 0.0.3 holds the same plugin, which describes itself as 0.0.1
  const liar = await pluginTarball('@acme/packer-plugin-mirror', '0.0.3');
  const bad = await pluginTarball('@acme/packer-plugin-bad', '1.0.0');
  const extra: ExtraPackage[] = [
    { name: '@acme/packer-plugin-mirror', versions: { '0.0.1': good, '0.0.2-beta': good, '0.0.3': liar } },
    { name: '@acme/packer-plugin-bad', versions: { '1.0.0': { ...bad, integrity: integrityOf(Buffer.from('something else')) } } },
  ];
  const registry = await startLocalRegistry(ROOT, extra);
  const home = await tempDir('packer-ts-npm-home-');
  const work = join(home, 'work');
  await mkdir(work);
  await writeFile(join(home, '.npmrc'), `registry=${registry.url}/\n@acme:registry=${registry.url}/\n`);
  // no fetch retries: npm re-fetches a tarball failing its integrity with back-off (minutes)
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, NPM_CONFIG_CACHE: join(home, 'npm-cache'), NPM_CONFIG_FETCH_RETRIES: '0', NPM_CONFIG_REGISTRY: undefined, npm_config_registry: undefined, NPM_CONFIG_USERCONFIG: undefined, npm_config_userconfig: undefined };
  const dir = join(home, PLUGINS, 'npmjs.com/acme/mirror');
  const bin = join(dir, `packer-plugin-mirror_v0.0.1_x5.0${SUFFIX}`);
  const pts = (...a: string[]) => run(PACKER_TS, a, { cwd: work, env, timeoutMs: 180_000 });
  try {
    // the highest release describes another version: refused, nothing left behind
    const lie = await pts('plugins', 'install', 'npmjs.com/acme/mirror');
    assert.equal(lie.code, 1, lie.stdout);
    assert.match(lie.stdout, /binary reported version \("0\.0\.1"\) is different from the expected "0\.0\.3"/);
    assert.deepEqual(existsSync(dir) ? await readdir(dir) : [], []);

    const ok = await pts('plugins', 'install', 'npmjs.com/acme/mirror', '< 0.0.3');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(ok.stdout, `\x1b[1;36mInstalled plugin npmjs.com/acme/mirror v0.0.1 in ${JSON.stringify(bin)}\x1b[0m\n`);
    assert.ok(registry.served.includes('@acme/packer-plugin-mirror@0.0.1'));
    assert.ok(registry.served.some((s) => s.startsWith('safer-buffer@')), 'npm resolved the dependency from the registry');
    assert.deepEqual((await readdir(dir)).sort(), [`packer-plugin-mirror_v0.0.1_x5.0${SUFFIX}`, `packer-plugin-mirror_v0.0.1_x5.0${SUFFIX}.npm`, `packer-plugin-mirror_v0.0.1_x5.0${SUFFIX}_SHA256SUM`]);
    const lock = JSON.parse(await readFile(`${bin}.npm/package-lock.json`, 'utf8')) as { packages: Record<string, { integrity?: string }> };
    assert.equal(lock.packages['node_modules/@acme/packer-plugin-mirror']?.integrity, integrityOf(good.tarball));
    assert.ok(existsSync(`${bin}.npm/node_modules/safer-buffer/package.json`));
    const again = await pts('plugins', 'install', 'npmjs.com/acme/mirror', '< 0.0.3');
    assert.deepEqual([again.code, again.stdout], [0, ''], 'already installed');

    // the same installation for both tools
    await writeFile(join(work, 'a.pkr.hcl'), 'packer {\n  required_plugins {\n    mirror = {\n      source  = "npmjs.com/acme/mirror"\n      version = ">= 0.0.1"\n    }\n  }\n}\n');
    for (const packer of [PACKER_TS, ...(missingOracles('packer-1.16') ? [] : [oracle('packer-1.16')])]) {
      const listed = await run(packer, ['plugins', 'installed'], { cwd: work, env });
      assert.equal(listed.stdout, `${bin}\n`, packer);
      const req = await run(packer, ['plugins', 'required', 'a.pkr.hcl'], { cwd: work, env });
      assert.equal(req.stdout, `mirror npmjs.com/acme/mirror ">= 0.0.1" ${bin}\n`, packer);
    }
    const init = await pts('init', 'a.pkr.hcl');
    assert.deepEqual([init.code, init.stdout], [0, '']);

    // a tarball that does not match its integrity: npm refuses it, nothing installed
    const tampered = await pts('plugins', 'install', 'npmjs.com/acme/bad');
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /could not install @acme\/packer-plugin-bad@1\.0\.0 with npm: [^]*(EINTEGRITY|integrity)/);
    assert.deepEqual(await readdir(join(home, PLUGINS, 'npmjs.com/acme/bad')), []);
    const none = await pts('plugins', 'install', 'npmjs.com/acme/none');
    assert.equal(none.code, 1);
    assert.match(none.stdout, /could not list the versions of @acme\/packer-plugin-none: [^]*404/);
    const unscoped = await pts('plugins', 'install', 'npmjs.com/a/b/c');
    assert.match(unscoped.stdout, /an npm source must be in the npmjs\.com\/<scope>\/<name> format/);

    const rm1 = await pts('plugins', 'remove', 'npmjs.com/acme/mirror');
    assert.deepEqual([rm1.code, rm1.stdout], [0, `${bin}\n`]);
    assert.deepEqual([...(await snapshot(join(home, PLUGINS)))], []);
  } finally {
    await registry.close();
  }
});
