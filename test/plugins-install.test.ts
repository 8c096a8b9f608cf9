/**
 * `plugins install --path` / `installed` / `remove` and the installed-plugin layout, compared live
 * with packer-1.16: each session runs through both on its own temporary HOME; the output (with
 * the HOME and the temp directories normalised) and exit codes must be the same, and so must the
 * plugin directory left behind (file names, binaries, _SHA256SUM contents). Then packer-ts builds
 * a JSON template with the components of packer-plugin-oracle found through the installed layout.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './helpers/temp.ts';
import { PACKER_TS, ROOT, run, snapshot } from './helpers/run.ts';
import { bundlePlugin, missingOracles, oracle } from './helpers/modern-oracles.ts';

const skip = missingOracles('packer-1.16', 'packer-plugin-oracle');
const ORACLE = oracle('packer-plugin-oracle');
const SUFFIX = `_linux_${process.arch === 'x64' ? 'amd64' : process.arch}`;


let bundled: Promise<string> | undefined;
/** The SDK-built mirror of packer-plugin-oracle, bundled into one executable. */
function tsPlugin(): Promise<string> {
  bundled ??= (async () => bundlePlugin(join(ROOT, 'packages/sdk/test/fixtures/modern/oracle-mirror.ts'), join(await tempDir('packer-ts-inst-bin-'), 'packer-plugin-mirror')))();
  return bundled;
}

/** A command line ("$HOME" in an argument is the session's HOME), or an action on the HOME. */
type Step = string[] | ((home: string) => Promise<void>);

interface Session { transcript: string; tree: Record<string, string> }

/** Runs the steps with `packer` on a fresh HOME; returns what it printed and the files left. */
async function session(packer: string, steps: Step[], env: (home: string) => NodeJS.ProcessEnv = () => ({})): Promise<Session> {
  const home = await tempDir('packer-ts-inst-home-');
  const cwd = join(home, 'work');
  await mkdir(cwd);
  let transcript = '';
  for (const step of steps) {
    if (typeof step === 'function') { await step(home); continue; }
    const argv = step.map((a) => a.replaceAll('$HOME', home));
    const r = await run(packer, argv, { cwd, env: { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, ...env(home) } });
    transcript += `$ ${step.join(' ')}\n${r.stdout}${r.stderr === '' ? '' : `[stderr]\n${r.stderr}`}[exit ${r.code}]\n`;
    transcript = transcript.replaceAll(home, '$HOME');
  }
  const tree: Record<string, string> = {};
  const files = await snapshot(home, (rel) => rel === 'work' || rel === '.cache' || rel.endsWith('checkpoint_signature')); // .cache: packer-ts's describe cache
  for (const [rel, data] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    tree[rel] = rel.endsWith('_SHA256SUM') ? data.toString('latin1') : `sha256:${createHash('sha256').update(data).digest('hex')}`;
  }
  return { transcript, tree };
}

async function same(steps: Step[], env?: (home: string) => NodeJS.ProcessEnv): Promise<Session> {
  const theirs = await session(oracle('packer-1.16'), steps, env);
  const ours = await session(PACKER_TS, steps, env);
  assert.equal(ours.transcript, theirs.transcript);
  assert.deepEqual(ours.tree, theirs.tree);
  return ours;
}

const INSTALLED = `.config/packer/plugins/github.com/acc/oracle/packer-plugin-oracle_v0.0.1_x5.0${SUFFIX}`;

test('install --path, reinstall without and with -force, installed, remove: as packer-1.16', { skip }, async () => {
  const s = await same([
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    ['plugins', 'install', '-force', '--path', ORACLE, 'github.com/acc/oracle'],
    ['plugins', 'install', '-path', ORACLE, 'github.com/acc/second', '0.0.1'],
    ['plugins', 'installed'],
    ['plugins', 'remove', 'github.com/acc/oracle', '> 0.0.1'],
    ['plugins', 'remove', 'github.com/acc/second'],
    ['plugins', 'installed'],
  ]);
  const sum = createHash('sha256').update(await readFile(ORACLE)).digest('hex');
  assert.deepEqual(Object.keys(s.tree), [INSTALLED, `${INSTALLED}_SHA256SUM`]);
  assert.equal(s.tree[`${INSTALLED}_SHA256SUM`], sum);
  assert.match(s.transcript, /Successfully installed plugin github.com\/acc\/oracle from \S+packer-plugin-oracle to \$HOME\/\.config/);
  // then removed as packer-1.16 removes it, by source and by absolute path
  const r = await same([
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    ['plugins', 'remove', 'github.com/acc/oracle'],
    ['plugins', 'remove', 'github.com/acc/oracle'],
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    ['plugins', 'remove', '/nowhere/packer-plugin-oracle_v0.0.1_x5.0_linux_amd64'],
    ['plugins', 'remove', `$HOME/${INSTALLED}`, '0.0.1'],
    ['plugins', 'installed'],
  ]);
  assert.deepEqual(Object.keys(r.tree), [INSTALLED, `${INSTALLED}_SHA256SUM`]);
  const a = await same([
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    ['plugins', 'remove', `$HOME/${INSTALLED}`],
    ['plugins', 'remove', `$HOME/${INSTALLED}`],
    ['plugins', 'installed'],
  ]);
  assert.deepEqual(a.tree, {});
});

test('a TS plugin (pluginSet, bundled) installs, lists and is removed as packer-1.16 does it', { skip }, async () => {
  const bin = await tsPlugin();
  const s = await same([
    ['plugins', 'install', '--path', bin, 'example.com/org/mirror'],
    ['plugins', 'installed'],
  ]);
  assert.deepEqual(Object.keys(s.tree), [`.config/packer/plugins/example.com/org/mirror/packer-plugin-mirror_v0.0.1_x5.0${SUFFIX}`, `.config/packer/plugins/example.com/org/mirror/packer-plugin-mirror_v0.0.1_x5.0${SUFFIX}_SHA256SUM`]);
  const r = await same([['plugins', 'install', '--path', bin, 'example.com/org/mirror'], ['plugins', 'remove', 'example.com/org/mirror', '0.0.1'], ['plugins', 'installed']]);
  assert.deepEqual(r.tree, {});
});

test('bad input: sources, not a plugin, missing binary, arguments, help: as packer-1.16', { skip }, async () => {
  const s = await same([
    async (home) => {
      await writeFile(join(home, 'not-a-plugin'), '#!/bin/sh\necho nope\n', { mode: 0o755 });
      await writeFile(join(home, 'failing'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
      await writeFile(join(home, 'prerelease'), '#!/bin/sh\necho \'{"version":"1.0.0-beta","api_version":"x5.0"}\'\n', { mode: 0o755 });
      await mkdir(join(home, 'a-dir'));
    },
    ['plugins', 'install', '--path', ORACLE, 'oracle'],
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/packer-plugin-oracle'],
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/packer-oracle'],
    ['plugins', 'install', '--path', ORACLE, 'https://github.com/acc/oracle'],
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/ora.cle'],
    ['plugins', 'install', '--path', '../not-a-plugin', 'github.com/acc/x'],
    ['plugins', 'install', '--path', '../failing', 'github.com/acc/x'],
    ['plugins', 'install', '--path', '../prerelease', 'github.com/acc/x'],
    ['plugins', 'install', '--path', '../a-dir', 'github.com/acc/x'],
    ['plugins', 'install', '--path', '/nonexistent/packer-plugin-x', 'github.com/acc/x'],
    ['plugins', 'install'],
    ['plugins', 'install', '-path', ORACLE, 'a/b/c', 'd', 'e'],
    ['plugins', 'install', '-h'],
    ['plugins', 'remove'],
    ['plugins', 'remove', 'github.com/acc/oracle', 'not a version'],
    ['plugins', 'remove', 'github.com/acc/oracle', '1.0'],
    ['plugins', 'installed', '-h'],
    ['plugins', 'remove', '-h'],
  ]);
  assert.deepEqual(Object.keys(s.tree).sort(), ['failing', 'not-a-plugin', 'prerelease'], 'nothing installed');
});

test('`plugins` alone, -h, an unknown subcommand: packer-1.16\'s help', { skip }, async () => {
  for (const args of [['plugins'], ['plugins', '-h'], ['plugins', 'nope']]) {
    const home = await tempDir('packer-ts-inst-help-');
    const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined };
    const theirs = await run(oracle('packer-1.16'), args, { cwd: home, env });
    const ours = await run(PACKER_TS, args, { cwd: home, env });
    assert.equal(ours.code, theirs.code, args.join(' '));
    assert.ok(theirs.stdout.includes('    required     List plugins required by a config\n'));
    assert.equal(ours.stdout, theirs.stdout);
  }
});

test('a bad _SHA256SUM, or a wrong API version in the file name: the binary is not an installation', { skip }, async () => {
  const dir = '.config/packer/plugins/github.com/acc/oracle';
  const base = `packer-plugin-oracle_v0.0.1`;
  const s = await same([
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    async (home) => { await writeFile(join(home, dir, `${base}_x5.0${SUFFIX}_SHA256SUM`), '0'.repeat(64)); },
    ['plugins', 'installed'],
    ['plugins', 'remove', 'github.com/acc/oracle'],
    ['plugins', 'install', '-force', '--path', ORACLE, 'github.com/acc/oracle'],
    async (home) => {
      for (const ext of ['', '_SHA256SUM']) await rename(join(home, dir, `${base}_x5.0${SUFFIX}${ext}`), join(home, dir, `${base}_x4.0${SUFFIX}${ext}`));
    },
    ['plugins', 'installed'],
    ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'],
    async (home) => {
      for (const ext of ['', '_SHA256SUM']) await rename(join(home, dir, `${base}_x5.0${SUFFIX}${ext}`), join(home, dir, `packer-plugin-oracle_v0.0.2_x5.0${SUFFIX}${ext}`));
    },
    ['plugins', 'installed'],
    ['plugins', 'remove', 'github.com/acc/oracle'],
  ]);
  assert.deepEqual(Object.keys(s.tree).sort(), [
    `${dir}/${base}_x4.0${SUFFIX}`, `${dir}/${base}_x4.0${SUFFIX}_SHA256SUM`,
    `${dir}/packer-plugin-oracle_v0.0.2_x5.0${SUFFIX}`, `${dir}/packer-plugin-oracle_v0.0.2_x5.0${SUFFIX}_SHA256SUM`,
  ]);
});

test('the plugin directory: PACKER_PLUGIN_PATH, PACKER_CONFIG_DIR, ~/.packer.d when it exists, XDG_CONFIG_HOME', { skip }, async () => {
  const steps: Step[] = [['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'], ['plugins', 'installed']];
  const pp = await same(steps, (home) => ({ PACKER_PLUGIN_PATH: join(home, 'pp') }));
  assert.ok(Object.keys(pp.tree).some((k) => k.startsWith('pp/github.com/acc/oracle/')));
  const cd = await same(steps, (home) => ({ PACKER_CONFIG_DIR: join(home, 'cfg') }));
  assert.ok(Object.keys(cd.tree).some((k) => k.startsWith('cfg/.packer.d/plugins/github.com/')));
  const legacy = await same([async (home) => { await mkdir(join(home, '.packer.d')); }, ...steps], (home) => ({ XDG_CONFIG_HOME: join(home, 'xdg') }));
  assert.ok(Object.keys(legacy.tree).some((k) => k.startsWith('.packer.d/plugins/github.com/')));
  const xdg = await same(steps, (home) => ({ XDG_CONFIG_HOME: join(home, 'xdg') }));
  assert.ok(Object.keys(xdg.tree).some((k) => k.startsWith('xdg/packer/plugins/github.com/')));
  const many = await same(steps, (home) => ({ PACKER_PLUGIN_PATH: `${join(home, 'a')}:${join(home, 'b')}` }));
  assert.deepEqual(many.tree, {});
});

test('packer-ts builds a JSON template with the components of the installed packer-plugin-oracle, as packer-1.16', { skip }, async () => {
  const template = JSON.stringify({
    builders: [{ type: 'oracle-mock', name: 'm', mock: 'hello' }],
    provisioners: [{ type: 'oracle-echo', mock: 'hi there' }, { type: 'oracle', mock: 'default name' }],
    'post-processors': [{ type: 'oracle-noop', mock: 'pp' }],
  });
  const outputs: string[] = [];
  for (const packer of [oracle('packer-1.16'), PACKER_TS]) {
    const home = await tempDir('packer-ts-inst-build-');
    const cwd = join(home, 'work');
    await mkdir(cwd);
    await writeFile(join(cwd, 't.json'), template);
    const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, PACKER_NO_COLOR: '1' };
    // installed by packer-1.16 for both: the layout is the contract between them
    const inst = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', ORACLE, 'github.com/acc/oracle'], { cwd, env });
    assert.equal(inst.code, 0, inst.stdout);
    const r = await run(packer, ['build', 't.json'], { cwd, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // JSON build names follow Packer 1.6.6 (packer-ts's JSON target): 1.16 prefixes the type
    outputs.push(r.stdout.replaceAll('oracle-mock.m', 'm').replace(/after (\d+ \w+ ?)+/g, 'after T'));
  }
  assert.equal(outputs[1], outputs[0]);
  assert.match(outputs[1]!, /==> m: provisioner mock: default name\n==> m: Running post-processor: oracle-noop\n==> m \(oracle-noop\): post-processor mock: pp/);
});

/** A shell script that answers `describe` like a plugin of `version` (enough for install and listing). */
async function fakePlugin(path: string, version: string, api = 'x5.0'): Promise<void> {
  const d = { version, sdk_version: '0.6.4', api_version: api, builders: ['b'], post_processors: [], provisioners: [], datasources: [], protocol_version: 'v2' };
  await writeFile(path, `#!/bin/sh\necho '${JSON.stringify(d)}'\n`, { mode: 0o755 });
}

test('versions: listing order, constraints in remove, x5.1 and dev builds, as packer-1.16', { skip }, async () => {
  const s = await same([
    async (home) => {
      for (const v of ['1.10.0', '1.2.0', '1.9.3', '0.1.0-dev', '2.0.0+meta']) await fakePlugin(join(home, `p-${v}`), v);
      await fakePlugin(join(home, 'p-api51'), '3.0.0', 'x5.1');
      await fakePlugin(join(home, 'p-api6'), '3.1.0', 'x6.0');
    },
    ...['1.10.0', '1.2.0', '1.9.3', '0.1.0-dev', '2.0.0+meta', 'api51', 'api6'].map((v) => ['plugins', 'install', '--path', `../p-${v}`, 'example.com/org/fake']),
    ['plugins', 'install', '--path', '../p-1.2.0', 'example.com/other/alpha'],
    ['plugins', 'installed'],
    ['plugins', 'remove', 'example.com/org/fake', '~> 1.9'],
    ['plugins', 'installed'],
    ['plugins', 'remove', 'example.com/org/fake', '>= 1.0, != 2.0.0'],
    ['plugins', 'installed'],
  ]);
  assert.match(s.transcript, /packer-plugin-fake_v0\.1\.0-dev_x5\.0/);
});
