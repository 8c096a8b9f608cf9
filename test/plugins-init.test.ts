/**
 * `init`, `plugins required` and `plugins install SOURCE [CONSTRAINT]` from a GitHub-style
 * release server on 127.0.0.1, compared live with packer-1.16: each session runs through both
 * tools on its own temporary HOME against the same server (packer-ts through
 * PACKER_TS_GITHUB_API_URL/PACKER_TS_GITHUB_URL, packer-1.16 through the server's HTTPS proxy
 * side, as it only talks to the real hosts; the release site answers 404 there, so it falls back to
 * GitHub as packer-ts does); the output (HOME and the server's
 * address normalised) and exit codes must be the same, and so must the plugin directory left
 * behind. Then what only packer-ts has: the offline mirror directory, killing a download midway,
 * the token, the progress bar on a terminal, and the "Missing plugins" selection.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDiagnostics } from '@packer-ts/hcl';
import { readRequiredPlugins, requiredPluginRefs, selectRequiredPlugins } from '@packer-ts/core/plugins-install';
import { tempDir } from './helpers/temp.ts';
import { PACKER_TS, run, snapshot } from './helpers/run.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';
import { describingPlugin, releaseOf, startReleaseServer, zipOf, type ReleaseServer } from './helpers/release-server.ts';
import { same, session, template, writeTemplate, type Step } from './helpers/plugin-sessions.ts';

const skip = missingOracles('packer-1.16', 'packer-plugin-oracle');
const ORACLE = oracle('packer-plugin-oracle');
const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;
const SUFFIX = `_linux_${ARCH}`;
const PLUGINS = '.config/packer/plugins';


const fakePlugin = describingPlugin;


test('init installs, is idempotent, -upgrade and -force; plugins required / installed / remove: as packer-1.16', { skip }, async () => {
  const oracleBin = await readFile(ORACLE);
  const srv = await startReleaseServer([
    releaseOf('acc/oracle', 'v0.0.1', oracleBin),
    releaseOf('acc/fake', 'v1.0.0', fakePlugin('1.0.0')),
    releaseOf('acc/fake', 'v1.1.0', fakePlugin('1.1.0')),
    releaseOf('acc/fake', 'v2.0.0', fakePlugin('2.0.0')),
  ]);
  try {
    const s = await same(srv, [
      writeTemplate('a.pkr.hcl', template({ oracle: ['github.com/acc/oracle', '>= 0.0.1'] })),
      writeTemplate('b.pkr.hcl', template({ fake: ['github.com/acc/fake', '~> 1.0'] })),
      ['plugins', 'required', '.'],
      ['init', '.'],
      ['init', '.'],
      ['plugins', 'required', '.'],
      ['plugins', 'installed'],
      ['plugins', 'install', 'github.com/acc/fake', '1.0.0'],
      ['plugins', 'install', 'github.com/acc/fake', '< 1.1'],
      ['plugins', 'install', '-force', 'github.com/acc/fake', '< 1.1'],
      ['plugins', 'remove', 'github.com/acc/fake', '1.1.0'],
      ['init', '-force', 'b.pkr.hcl'],
      ['init', '-upgrade', 'b.pkr.hcl'],
      ['plugins', 'required', 'b.pkr.hcl'],
      ['plugins', 'install', 'github.com/acc/fake'],
      ['plugins', 'installed'],
      ['plugins', 'remove', 'github.com/acc/fake'],
      ['plugins', 'installed'],
    ]);
    assert.match(s.transcript, /Installed plugin github.com\/acc\/oracle v0.0.1 in "\$HOME\/\.config\/packer\/plugins\/github.com\/acc\/oracle\/packer-plugin-oracle_v0.0.1_x5.0_linux_/);
    const bin = `${PLUGINS}/github.com/acc/oracle/packer-plugin-oracle_v0.0.1_x5.0${SUFFIX}`;
    assert.deepEqual(Object.keys(s.tree), [bin, `${bin}_SHA256SUM`]);
    assert.equal(s.tree[`${bin}_SHA256SUM`], createHash('sha256').update(oracleBin).digest('hex'));
  } finally {
    await srv.close();
  }
});

test('bad input to init and plugins required: paths, JSON templates, required_plugins errors, constraints: as packer-1.16', { skip }, async () => {
  const srv = await startReleaseServer();
  try {
    const s = await same(srv, [
      writeTemplate('t.json', '{"builders": []}'),
      async (home) => { await mkdir(join(home, 'work', 'empty')); },
      ['init'],
      ['init', 'a', 'b'],
      ['init', 'nope.pkr.hcl'],
      ['init', 't.json'],
      ['plugins', 'required', 't.json'],
      ['init', 'empty'],
      ['plugins', 'required'],
      ['plugins', 'required', 'empty'],
      writeTemplate('x.pkr.hcl', 'packer {\n  required_plugins {\n    short = "1.0"\n  }\n}\n'),
      ['init', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', template({ Up: ['github.com/acc/x', '1.0'] })),
      ['plugins', 'required', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', template({ x: ['github.com/acc/packer-plugin-x', '1.0'] })),
      ['init', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', template({ x: ['github.com/acc/x', '>= 1.0-beta'] })),
      ['init', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', template({ x: ['github.com/acc/x', 'latest'] })),
      ['init', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', 'packer {\n  required_plugins {\n    x = { source = "github.com/acc/x" }\n  }\n}\n'),
      ['plugins', 'required', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', 'packer {\n  required_plugins {\n    x = { version = "1.0" }\n  }\n}\n'),
      ['plugins', 'required', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', 'packer {\n  required_plugins {\n    x = { source = "github.com/acc/x", version = "1.0", extra = true }\n  }\n}\n'),
      ['plugins', 'required', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', `${template({ x: ['github.com/acc/x', '1.0'] })}${template({ x: ['github.com/acc/y', '2.0'] })}`),
      ['plugins', 'required', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', 'packer {\n  required_plugins {\n    x = ]\n  }\n}\n'),
      ['init', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', 'packer {\n  required_plugins\n}\n'),
      ['init', 'x.pkr.hcl'],
      writeTemplate('x.pkr.hcl', 'packer {}\nnope {}\n'),
      ['init', 'x.pkr.hcl'],
      writeTemplate('j.pkr.json', JSON.stringify({ packer: { required_plugins: { j: { source: 'github.com/acc/j', version: '>= 1.0' } } } })),
      ['plugins', 'required', 'j.pkr.json'],
      writeTemplate('j.pkr.json', JSON.stringify({ packer: { required_plugins: { j: '1.0' } } })),
      ['plugins', 'required', 'j.pkr.json'],
      writeTemplate('j.pkr.json', '{"packer": [}'),
      ['plugins', 'required', 'j.pkr.json'],
      writeTemplate('x.pkr.hcl', 'packer {}\n'),
      ['init', 'x.pkr.hcl'],
      ['plugins', 'required', 'x.pkr.hcl'],
      ['plugins', 'install', 'github.com/acc/x', 'not a version'],
      ['plugins', 'install', 'github.com/acc/x', '>= 1.0-beta'],
      ['plugins', 'install', 'example.com/acc/x'],
      ['plugins', 'install', 'github.com/a/b/c'],
    ]);
    assert.deepEqual(s.tree, {});
  } finally {
    await srv.close();
  }
});

test('missing plugin, bad checksum, wrong API version or OS in the file name, a binary that lies: nothing installed, as packer-1.16', { skip }, async () => {
  const srv = await startReleaseServer([
    releaseOf('acc/badsum', 'v1.0.0', fakePlugin('1.0.0'), { sums: (t) => t.replace(/^[0-9a-f]{8}/, '00000000') }),
    releaseOf('acc/api', 'v1.0.0', fakePlugin('1.0.0', 'x4.0'), { api: 'x4.0' }),
    releaseOf('acc/api', 'v1.1.0', fakePlugin('1.1.0', 'x5.1'), { api: 'x5.1' }),
    releaseOf('acc/os', 'v1.0.0', fakePlugin('1.0.0'), { os: 'plan9' }),
    releaseOf('acc/liar', 'v1.0.0', fakePlugin('3.0.0')),
    releaseOf('acc/nosums', 'v1.0.0', fakePlugin('1.0.0')),
    releaseOf('acc/older', 'v1.0.0', fakePlugin('1.0.0')),
    releaseOf('acc/older', 'v1.2.0', fakePlugin('1.2.0'), { sums: (t) => t.replace(/^[0-9a-f]{8}/, '00000000') }),
    releaseOf('acc/pre', 'v1.0.0', fakePlugin('1.0.0')),
    releaseOf('acc/pre', 'v1.1.0-beta', fakePlugin('1.1.0-beta')),
    { plugin: 'acc/wrongzip', tag: 'v1.0.0', files: {} },
  ]);
  const wrong = srv.releases.find((r) => r.plugin === 'acc/wrongzip')!;
  const wrongZip = zipOf('not-the-plugin', fakePlugin('1.0.0'));
  wrong.files[`packer-plugin-wrongzip_v1.0.0_x5.0${SUFFIX}.zip`] = wrongZip;
  wrong.files['packer-plugin-wrongzip_v1.0.0_SHA256SUMS'] = Buffer.from(`${createHash('sha256').update(wrongZip).digest('hex')}  packer-plugin-wrongzip_v1.0.0_x5.0${SUFFIX}.zip\n`);
  delete srv.releases.find((r) => r.plugin === 'acc/nosums')!.files['packer-plugin-nosums_v1.0.0_SHA256SUMS'];
  try {
    const s = await same(srv, [
      writeTemplate('m.pkr.hcl', template({ missing: ['github.com/acc/missing', '>= 1.0'] })),
      ['init', 'm.pkr.hcl'],
      ['plugins', 'required', 'm.pkr.hcl'],
      ['plugins', 'install', 'github.com/acc/badsum'],
      ['plugins', 'install', 'github.com/acc/api'],
      ['plugins', 'install', 'github.com/acc/os'],
      ['plugins', 'install', 'github.com/acc/liar'],
      ['plugins', 'install', 'github.com/acc/nosums'],
      ['plugins', 'install', 'github.com/acc/wrongzip'],
      ['plugins', 'install', 'github.com/acc/pre'],
      ['plugins', 'installed'],
    ]);
    assert.match(s.transcript, /Checksums \(\*sha256\.digest\) did not match\./);
    assert.deepEqual(s.tree, {});
    // a bad newest release falls back to the next matching one
    const o = await same(srv, [['plugins', 'install', 'github.com/acc/older'], ['plugins', 'install', 'github.com/acc/pre', '>= 1.0'], ['plugins', 'installed']]);
    assert.ok(o.tree[`${PLUGINS}/github.com/acc/pre/packer-plugin-pre_v1.0.0_x5.0${SUFFIX}`], 'a pre-release tag does not match >= 1.0');
    assert.deepEqual(Object.keys(o.tree).filter((k) => !k.includes('/pre/')), [`${PLUGINS}/github.com/acc/older/packer-plugin-older_v1.0.0_x5.0${SUFFIX}`, `${PLUGINS}/github.com/acc/older/packer-plugin-older_v1.0.0_x5.0${SUFFIX}_SHA256SUM`]);
  } finally {
    await srv.close();
  }
});

test('PACKER_GITHUB_API_TOKEN goes to the API host only, by both tools', { skip }, async () => {
  const srv = await startReleaseServer([releaseOf('acc/fake', 'v1.0.0', fakePlugin('1.0.0'))]);
  try {
    await same(srv, [['plugins', 'install', 'github.com/acc/fake']], { PACKER_GITHUB_API_TOKEN: 'sekrit-token' });
    const gh = srv.requests.filter((r) => !r.host.startsWith('releases.hashicorp.com'));
    const api = gh.filter((r) => r.path.startsWith('/repos/'));
    const dl = gh.filter((r) => !r.path.startsWith('/repos/'));
    assert.equal(api.length, 2);
    assert.equal(dl.length, 4);
    for (const r of api) assert.equal(r.authorization, 'Bearer sekrit-token');
    for (const r of dl) assert.equal(r.authorization, undefined);
  } finally {
    await srv.close();
  }
});

test('an offline mirror directory (PACKER_TS_PLUGIN_MIRROR) installs what packer-1.16 installs from the release server', { skip }, async () => {
  const rel = releaseOf('acc/oracle', 'v0.0.1', await readFile(ORACLE));
  const srv = await startReleaseServer([rel]);
  const mirror = await tempDir('packer-ts-mirror-');
  await mkdir(join(mirror, 'github.com/acc/oracle/v0.0.1'), { recursive: true });
  for (const [f, d] of Object.entries(rel.files)) await writeFile(join(mirror, 'github.com/acc/oracle/v0.0.1', f), d);
  try {
    const steps: Step[] = [writeTemplate('a.pkr.hcl', template({ oracle: ['github.com/acc/oracle', '>= 0.0.1'] })), ['init', '.'], ['plugins', 'installed']];
    const theirs = await session(oracle('packer-1.16'), srv, steps);
    const before = srv.requests.length;
    const ours = await session(PACKER_TS, srv, steps, { PACKER_TS_PLUGIN_MIRROR: mirror, PACKER_TS_GITHUB_API_URL: 'http://127.0.0.1:1', PACKER_TS_GITHUB_URL: 'http://127.0.0.1:1' });
    assert.equal(srv.requests.length, before, 'no request with a mirror');
    assert.equal(ours.transcript, theirs.transcript);
    assert.deepEqual(ours.tree, theirs.tree);
    // a host other than github.com, a missing plugin, a tampered zip
    await mkdir(join(mirror, 'example.com/org/fake/v1.0.0'), { recursive: true });
    const fake = releaseOf('org/fake', 'v1.0.0', fakePlugin('1.0.0'));
    for (const [f, d] of Object.entries(fake.files)) await writeFile(join(mirror, 'example.com/org/fake/v1.0.0', f), d);
    await mkdir(join(mirror, 'example.com/org/bad/v1.0.0'), { recursive: true });
    const bad = releaseOf('org/bad', 'v1.0.0', fakePlugin('1.0.0'));
    for (const [f, d] of Object.entries(bad.files)) await writeFile(join(mirror, 'example.com/org/bad/v1.0.0', f), f.endsWith('.zip') ? Buffer.concat([d, Buffer.from('x')]) : d);
    const more = await session(PACKER_TS, srv, [
      ['plugins', 'install', 'example.com/org/fake', '>= 1.0'],
      ['plugins', 'install', 'example.com/org/none'],
      ['plugins', 'install', 'example.com/org/bad'],
    ], { PACKER_TS_PLUGIN_MIRROR: mirror });
    assert.match(more.transcript, /Installed plugin example.com\/org\/fake v1.0.0 in "\$HOME\/\.config\/packer\/plugins\/example.com\/org\/fake\/packer-plugin-fake_v1.0.0_x5.0_linux_/);
    assert.match(more.transcript, /no release of example.com\/org\/none in the plugin mirror .*\n[^]*\[exit 1\]/);
    assert.match(more.transcript, /Checksums \(\*sha256\.digest\) did not match\.[^]*\[exit 1\]\n$/);
    assert.deepEqual(Object.keys(more.tree).map((k) => k.split('/').slice(-1)[0]), [`packer-plugin-fake_v1.0.0_x5.0${SUFFIX}`, `packer-plugin-fake_v1.0.0_x5.0${SUFFIX}_SHA256SUM`]);
  } finally {
    await srv.close();
  }
});

test('a download killed midway leaves nothing installed; the next install completes', async () => {
  const big = Buffer.concat([fakePlugin('1.0.0'), Buffer.from(`# ${'x'.repeat(4 << 20)}\n`)]);
  const rel = releaseOf('acc/big', 'v1.0.0', big);
  const srv = await startReleaseServer([rel]);
  const zipName = Object.keys(rel.files).find((f) => f.endsWith('.zip'))!;
  srv.stall.set(zipName, 1 << 20);
  const home = await tempDir('packer-ts-kill-');
  const tmp = await tempDir('packer-ts-kill-tmp-');
  const env = { ...process.env, HOME: home, TMPDIR: tmp, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, ...srv.env() };
  try {
    const child = spawn(PACKER_TS, ['plugins', 'install', 'github.com/acc/big'], { env, stdio: 'ignore' });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await srv.stalled;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    clearTimeout(killer);
    const dir = join(home, PLUGINS, 'github.com/acc/big');
    const left = existsSync(dir) ? [...(await snapshot(dir)).keys()] : [];
    assert.deepEqual(left, [], 'nothing in the plugin directory');
    srv.stall.clear();
    const r = await run(PACKER_TS, ['plugins', 'install', 'github.com/acc/big'], { cwd: home, env });
    assert.equal(r.code, 0, r.stdout);
    const files = [...(await snapshot(dir)).keys()].sort();
    assert.deepEqual(files, [`packer-plugin-big_v1.0.0_x5.0${SUFFIX}`, `packer-plugin-big_v1.0.0_x5.0${SUFFIX}_SHA256SUM`]);
    assert.equal(await readFile(join(dir, files[0]!), 'utf8'), big.toString());
  } finally {
    await srv.close();
  }
});

test('a progress bar on a terminal (script(1) gives a pty), none on a pipe', async () => {
  const big = Buffer.concat([fakePlugin('1.0.0'), Buffer.from(`# ${'y'.repeat(1 << 20)}\n`)]);
  const srv = await startReleaseServer([releaseOf('acc/big', 'v1.0.0', big)]);
  const home = await tempDir('packer-ts-bar-');
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, PACKER_NO_COLOR: '1', ...srv.env() };
  try {
    const r = await run('script', ['-qefc', `${PACKER_TS} plugins install github.com/acc/big`, '/dev/null'], { cwd: home, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /packer-plugin-big_v1\.0\.0_x5\.0_linux_\w+\.zip \S+ \w+ \/ \S+ \w+ \[=+\] 100\.00%/);
    assert.match(r.stdout, /Installed plugin github.com\/acc\/big v1.0.0/);
    const piped = await run(PACKER_TS, ['plugins', 'install', '-force', 'github.com/acc/big'], { cwd: home, env });
    assert.equal(piped.stdout, `Installed plugin github.com/acc/big v1.0.0 in "${home}/${PLUGINS}/github.com/acc/big/packer-plugin-big_v1.0.0_x5.0${SUFFIX}"\n`);
  } finally {
    await srv.close();
  }
});

test('selectRequiredPlugins: the highest matching installed version; "Missing plugins" as packer-1.16 validate says it (but packer-ts init)', { skip }, async () => {
  const home = await tempDir('packer-ts-select-');
  const work = join(home, 'work');
  await mkdir(work);
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined };
  for (const v of ['1.0.0', '1.2.0', '2.0.0']) {
    await writeFile(join(home, `p-${v}`), fakePlugin(v), { mode: 0o755 });
    const r = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', `../p-${v}`, 'github.com/acc/fake'], { cwd: work, env });
    assert.equal(r.code, 0, r.stdout);
  }
  await writeFile(join(work, 'a.pkr.hcl'), template({ fake: ['github.com/acc/fake', '< 2.0'], gone: ['github.com/acc/gone', '>= 3'] }));
  const { requirements, diags } = readRequiredPlugins(join(work, 'a.pkr.hcl'));
  assert.deepEqual(diags, []);
  const sel = selectRequiredPlugins(requirements, { dir: join(home, PLUGINS) });
  assert.deepEqual(sel.selected.map((s) => [s.requirement.name, s.installation.version]), [['fake', 'v1.2.0']]);
  assert.deepEqual(requiredPluginRefs(sel.selected, join(home, PLUGINS)).map((r) => [r.kind, r.name, r.path.endsWith('packer-plugin-fake_v1.2.0_x5.0' + SUFFIX), r.args]), [['builder', 'fake-b', true, ['start', 'builder', 'b']]]);
  const ours = formatDiagnostics(sel.diags, {}, { width: 80 });
  const theirs = await run(oracle('packer-1.16'), ['validate', 'a.pkr.hcl'], { cwd: work, env });
  assert.equal(theirs.code, 1);
  assert.ok(theirs.stdout.startsWith(ours.replace('packer-ts init', 'packer init')), `${theirs.stdout}\n---\n${ours}`);
});

test('init with a list in PACKER_PLUGIN_PATH: the configuration error of packer-1.16, exit 1, nothing installed', { skip }, async () => {
  const home = await tempDir('packer-ts-init-path-');
  const work = join(home, 'work');
  await mkdir(work);
  await writeFile(join(work, 'a.pkr.hcl'), template({ fake: ['github.com/acc/fake', '>= 1.0'] }));
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_CONFIG_DIR: undefined, PACKER_PLUGIN_PATH: `${join(home, 'a')}:${join(home, 'b')}` };
  const [ours, theirs] = [await run(PACKER_TS, ['init', 'a.pkr.hcl'], { cwd: work, env }), await run(oracle('packer-1.16'), ['init', 'a.pkr.hcl'], { cwd: work, env })];
  assert.equal(theirs.code, 1, theirs.stderr);
  assert.match(theirs.stderr, /^ Error loading configuration: \n\nMultiple paths are no longer supported for PACKER_PLUGIN_PATH\./);
  assert.deepEqual({ code: ours.code, stdout: ours.stdout, stderr: ours.stderr }, { code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr });
  assert.deepEqual([...(await snapshot(home)).keys()].sort(), ['work/a.pkr.hcl']);
});
