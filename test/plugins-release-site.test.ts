/**
 * HashiCorp's release site as a plugin source (Packer 1.16's release.Getter, tried before GitHub),
 * compared live with packer-1.16: the test server serves the releases.hashicorp.com layout
 * (index.json, per-version `_SHA256SUMS`, `_manifest.json`, zips per OS/arch) next to the GitHub
 * one; packer-1.16 reaches it through the server's HTTPS proxy (it always asks
 * https://releases.hashicorp.com/), packer-ts through PACKER_TS_HASHICORP_RELEASES_URL. For each
 * session both tools must print the same, exit the same, leave the same plugin directory (binary,
 * `_SHA256SUM`) and make the same requests in the same order (host kind and path): which files
 * each getter reads, and when they fall back to GitHub or stop. Then, packer-ts only: a release-site
 * download killed midway, and the progress bar (Packer 1.16 draws none).
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './helpers/temp.ts';
import { PACKER_TS, run, snapshot } from './helpers/run.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';
import { describingPlugin, hashicorpReleaseOf, releaseOf, startReleaseServer, type ReleaseServer } from './helpers/release-server.ts';
import { session, template, writeTemplate, type Session, type Step } from './helpers/plugin-sessions.ts';

const skip = missingOracles('packer-1.16', 'packer-plugin-oracle');
const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;
const PLUGINS = '.config/packer/plugins';

/** The requests a session made: `releases PATH` for the release site, `github PATH` for the others. */
async function recorded(srv: ReleaseServer, packer: string, steps: Step[], env?: NodeJS.ProcessEnv): Promise<Session & { requests: string[] }> {
  const from = srv.requests.length;
  const s = await session(packer, srv, steps, env);
  return { ...s, requests: srv.requests.slice(from).map((r) => `${r.host === 'releases.hashicorp.com' ? 'releases' : 'github'} ${r.path}`) };
}

/** Both tools: the same transcript, tree and requests. Returns ours. */
async function same(srv: ReleaseServer, steps: Step[], env?: NodeJS.ProcessEnv): Promise<Session & { requests: string[] }> {
  const theirs = await recorded(srv, oracle('packer-1.16'), steps, env);
  const ours = await recorded(srv, PACKER_TS, steps, env);
  assert.equal(ours.transcript, theirs.transcript);
  assert.deepEqual(ours.tree, theirs.tree);
  assert.deepEqual(ours.requests, theirs.requests);
  return ours;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('install, init and installed from the release site: the highest matching version, its layout and checksum file, no GitHub request, as packer-1.16', { skip }, async () => {
  const oracleBin = await readFile(oracle('packer-plugin-oracle'));
  const srv = await startReleaseServer([releaseOf('hashicorp/happy', 'v9.0.0', describingPlugin('9.0.0'))], [
    hashicorpReleaseOf('happy', '1.0.0', describingPlugin('1.0.0')),
    hashicorpReleaseOf('happy', '1.1.0', describingPlugin('1.1.0')),
    hashicorpReleaseOf('oracle', '0.0.1', oracleBin),
  ]);
  try {
    const s = await same(srv, [
      ['plugins', 'install', 'github.com/hashicorp/happy', '< 1.1.0'],
      ['plugins', 'install', 'github.com/hashicorp/happy'],
      ['plugins', 'install', 'github.com/hashicorp/happy'],
      writeTemplate('t.pkr.hcl', template({ oracle: ['github.com/hashicorp/oracle', '>= 0.0.1'] })),
      ['init', 't.pkr.hcl'],
      ['init', 't.pkr.hcl'],
      ['plugins', 'installed'],
    ]);
    const dir = `${PLUGINS}/github.com/hashicorp`;
    const bins = ['happy/packer-plugin-happy_v1.0.0', 'happy/packer-plugin-happy_v1.1.0', 'oracle/packer-plugin-oracle_v0.0.1'].map((b) => `${dir}/${b}_x5.0_linux_${ARCH}`);
    assert.deepEqual(Object.keys(s.tree), bins.flatMap((b) => [b, `${b}_SHA256SUM`]));
    assert.equal(s.tree[`${bins[2]}_SHA256SUM`], sha(oracleBin));
    assert.match(s.transcript, /Installed plugin github.com\/hashicorp\/happy v1.1.0 in "\$HOME\/\.config\/packer\/plugins\/github.com\/hashicorp\/happy\/packer-plugin-happy_v1.1.0_x5.0_linux_/);
    assert.ok(s.requests.includes('releases /packer-plugin-happy/1.1.0/packer-plugin-happy_1.1.0_manifest.json'), s.requests.join('\n'));
    assert.ok(!s.requests.some((r) => r.startsWith('github ')), 'the GitHub getter is not asked');
    assert.ok(!s.requests.some((r) => r.endsWith('.sig')), 'no signature is fetched');
  } finally {
    await srv.close();
  }
});

test('the release site is asked by NAME for any github.com namespace, and its failures fall back to GitHub or stop as in packer-1.16', { skip }, async () => {
  const srv = await startReleaseServer([
    releaseOf('acc/onlygh', 'v1.0.0', describingPlugin('1.0.0')),
    releaseOf('hashicorp/newer', 'v2.0.0', describingPlugin('2.0.0')),
    releaseOf('hashicorp/noapi', 'v1.0.0', describingPlugin('1.0.0')),
  ], [
    hashicorpReleaseOf('anyns', '1.0.0', describingPlugin('1.0.0')),
    hashicorpReleaseOf('newer', '1.0.0', describingPlugin('1.0.0')),
    hashicorpReleaseOf('noapi', '1.0.0', describingPlugin('1.0.0'), { protocol: '6.0' }),
    hashicorpReleaseOf('nomanifest', '1.0.0', describingPlugin('1.0.0'), { protocol: null }),
    hashicorpReleaseOf('badsum', '1.0.0', describingPlugin('1.0.0'), { sums: (t) => t.replace(/^[0-9a-f]{8}/gm, '00000000') }),
    hashicorpReleaseOf('wrongentry', '1.0.0', describingPlugin('1.0.0'), { entry: 'packer-plugin-wrongentry' }),
    hashicorpReleaseOf('liar', '1.0.0', describingPlugin('3.0.0')),
  ]);
  // a version listed in the index whose files are not there
  srv.hashicorpIndex.set('nosums', JSON.stringify({ name: 'packer-plugin-nosums', versions: { '1.0.0': { name: 'packer-plugin-nosums', version: '1.0.0' } } }));
  srv.hashicorpIndex.set('notjson', 'hello');
  srv.hashicorpIndex.set('empty', JSON.stringify({ name: 'packer-plugin-empty', versions: {} }));
  const nozip = hashicorpReleaseOf('nozip', '1.0.0', describingPlugin('1.0.0'));
  for (const f of Object.keys(nozip.files)) if (f.endsWith('.zip')) delete nozip.files[f];
  srv.hashicorp.push(nozip);
  try {
    const s = await same(srv, [
      ['plugins', 'install', 'github.com/acc/anyns'],
      ['plugins', 'install', 'github.com/acc/onlygh'],
      ['plugins', 'install', 'github.com/hashicorp/newer', '>= 2.0.0'],
      ['plugins', 'install', 'github.com/hashicorp/noapi'],
      ['plugins', 'install', 'github.com/hashicorp/nomanifest'],
      ['plugins', 'install', 'github.com/hashicorp/badsum'],
      ['plugins', 'install', 'github.com/hashicorp/wrongentry'],
      ['plugins', 'install', 'github.com/hashicorp/liar'],
      ['plugins', 'install', 'github.com/hashicorp/nosums'],
      ['plugins', 'install', 'github.com/hashicorp/nozip'],
      ['plugins', 'install', 'github.com/hashicorp/notjson'],
      ['plugins', 'install', 'github.com/hashicorp/empty'],
      writeTemplate('t.pkr.hcl', template({ nosums: ['github.com/hashicorp/nosums', '>= 1.0.0'] })),
      ['init', 't.pkr.hcl'],
      ['plugins', 'installed'],
    ]);
    const dir = `${PLUGINS}/github.com`;
    assert.deepEqual(Object.keys(s.tree).filter((k) => !k.endsWith('_SHA256SUM')), [
      `${dir}/acc/anyns/packer-plugin-anyns_v1.0.0_x5.0_linux_${ARCH}`,
      `${dir}/acc/onlygh/packer-plugin-onlygh_v1.0.0_x5.0_linux_${ARCH}`,
      `${dir}/hashicorp/newer/packer-plugin-newer_v2.0.0_x5.0_linux_${ARCH}`,
      `${dir}/hashicorp/noapi/packer-plugin-noapi_v1.0.0_x5.0_linux_${ARCH}`,
    ]);
    assert.match(s.transcript, /http call failed to releases\.hashicorp\.com failed/);
    assert.match(s.transcript, /Checksums \(\*sha256\.digest\) did not match\./);
    assert.match(s.transcript, /invalid character 'h' looking for beginning of value/);
    assert.ok(s.requests.includes('releases /packer-plugin-anyns/index.json'), 'asked by name, whatever the namespace');
  } finally {
    await srv.close();
  }
});

test('from the release site: a download killed midway leaves nothing installed, the next completes; a progress bar on a terminal (packer-ts only)', async () => {
  const big = Buffer.concat([describingPlugin('1.0.0'), Buffer.from(`# ${'x'.repeat(4 << 20)}\n`)]);
  const rel = hashicorpReleaseOf('big', '1.0.0', big);
  const srv = await startReleaseServer([], [rel]);
  const zipName = `packer-plugin-big_1.0.0_linux_${ARCH}.zip`;
  srv.stall.set(zipName, 1 << 20);
  const home = await tempDir('packer-ts-release-kill-');
  const tmp = await tempDir('packer-ts-release-kill-tmp-');
  const env = { ...process.env, HOME: home, TMPDIR: tmp, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, PACKER_TS_PLUGIN_MIRROR: undefined, PACKER_NO_COLOR: '1', ...srv.env() };
  try {
    const child = spawn(PACKER_TS, ['plugins', 'install', 'github.com/hashicorp/big'], { env, stdio: 'ignore' });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await srv.stalled;
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    clearTimeout(killer);
    const dir = join(home, PLUGINS, 'github.com/hashicorp/big');
    assert.deepEqual(existsSync(dir) ? [...(await snapshot(dir)).keys()] : [], [], 'nothing in the plugin directory');
    srv.stall.clear();
    const r = await run('script', ['-qefc', `${PACKER_TS} plugins install github.com/hashicorp/big`, '/dev/null'], { cwd: home, env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`${zipName.replace(/\./g, '\\.')} \\S+ \\w+ / \\S+ \\w+ \\[=+\\] 100\\.00%`));
    const files = [...(await snapshot(dir)).keys()].sort();
    assert.deepEqual(files, [`packer-plugin-big_v1.0.0_x5.0_linux_${ARCH}`, `packer-plugin-big_v1.0.0_x5.0_linux_${ARCH}_SHA256SUM`]);
    assert.equal(await readFile(join(dir, files[0]!), 'utf8'), big.toString());
    assert.ok(!srv.requests.some((q) => q.host !== 'releases.hashicorp.com'), 'GitHub not asked');
  } finally {
    await srv.close();
  }
});
