/**
 * NODE_EXTRA_CA_CERTS (packages/sdk/src/extra-ca.ts, bin/packer-ts): node parses the file at
 * every start; packer-ts starts node without it, gives the variable back to its children as
 * the user set it, and trusts the file's certificates from its first TLS connection on: for
 * `plugins install` (fetch) and the http datasource (https), each against a TLS server on
 * 127.0.0.1 whose certificate a CA made for the run signed.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './helpers/temp.ts';
import { PACKER_TS, run } from './helpers/run.ts';
import { describingPlugin, releaseOf, startReleaseServer } from './helpers/release-server.ts';
import { ROOT } from './helpers/run.ts';

const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;
const INSTALLED = join('.config/packer/plugins/github.com/acc/fake', `packer-plugin-fake_v1.0.0_x5.0_linux_${ARCH}`);
const WARNING = /Warning: Ignoring extra certs from `[^`]*missing\.pem`, load failed/;

test('node parses NODE_EXTRA_CA_CERTS at its start; packer-ts starts without it and its children see it as set', async () => {
  const dir = await tempDir('packer-ts-extra-ca-');
  const missing = join(dir, 'missing.pem');
  const env = { NODE_EXTRA_CA_CERTS: missing, HOME: dir };
  // What node does with the variable, before any script: the warning proves it read the file.
  const node = await run(process.execPath, ['-e', '0'], { cwd: dir, env });
  assert.match(node.stderr, WARNING);
  const version = await run(PACKER_TS, ['version'], { cwd: dir, env });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stderr, '');
  await writeFile(join(dir, 't.json'), JSON.stringify({
    builders: [{ type: 'null', communicator: 'none' }],
    provisioners: [{ type: 'shell-local', inline: ['env | grep -E "^(NODE_EXTRA_CA_CERTS|PACKER_TS_)" | sort'] }],
  }));
  const build = await run(PACKER_TS, ['build', 't.json'], { cwd: dir, env: { ...env, PACKER_NO_COLOR: '1' } });
  assert.equal(build.code, 0, build.stdout + build.stderr);
  assert.equal(build.stderr, '');
  const seen = build.stdout.split('\n').filter((l) => /^ {4}null: [A-Z_]+=/.test(l)).map((l) => l.slice('    null: '.length));
  assert.deepEqual(seen, [`NODE_EXTRA_CA_CERTS=${missing}`]);
});

test('a plugin built with the SDK banner starts without parsing NODE_EXTRA_CA_CERTS (examples/plugins)', async () => {
  const dir = await tempDir('packer-ts-extra-ca-');
  const b = await run(process.execPath, [join(ROOT, 'examples/plugins/build.mjs'), dir], { cwd: ROOT });
  assert.equal(b.code, 0, b.stderr);
  const env = { NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem') };
  const node = await run(process.execPath, ['-e', '0'], { cwd: dir, env });
  assert.match(node.stderr, WARNING);
  const d = await run(join(dir, 'packer-plugin-example'), ['describe'], { cwd: dir, env });
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stderr, '');
  assert.equal((JSON.parse(d.stdout) as { builders: string[] }).builders[0], 'localdir');
});

test('plugins install over TLS trusts the certificates of NODE_EXTRA_CA_CERTS, read at the first connection', async () => {
  const srv = await startReleaseServer([releaseOf('acc/fake', 'v1.0.0', describingPlugin('1.0.0'))]);
  try {
    const { env: https, ca } = await srv.httpsEnv();
    const install = async (extra: NodeJS.ProcessEnv) => {
      const home = await tempDir('packer-ts-extra-ca-');
      const r = await run(PACKER_TS, ['plugins', 'install', 'github.com/acc/fake'], { cwd: home, env: { HOME: home, XDG_CONFIG_HOME: undefined, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, PACKER_TS_PLUGIN_MIRROR: undefined, ...https, ...extra } });
      return { ...r, home, installed: existsSync(join(home, INSTALLED)) };
    };
    const trusted = await install({ NODE_EXTRA_CA_CERTS: ca });
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    assert.ok(trusted.installed, `${INSTALLED} installed:\n${trusted.stdout}`);
    assert.ok(srv.requests.some((q) => q.path.endsWith('_SHA256SUMS')), 'the release files came over TLS');

    const untrusted = await install({ NODE_EXTRA_CA_CERTS: undefined });
    assert.equal(untrusted.code, 1, untrusted.stdout + untrusted.stderr);
    assert.match(untrusted.stdout + untrusted.stderr, /certificate/);
    assert.ok(!untrusted.installed);

    const unreadable = await install({ NODE_EXTRA_CA_CERTS: join(ca, '..', 'missing.pem') });
    assert.equal(unreadable.code, 1, unreadable.stdout + unreadable.stderr);
    assert.equal(unreadable.stderr.match(new RegExp(WARNING.source, 'g'))?.length, 1, `node's warning, once:\n${unreadable.stderr}`);
    assert.ok(!unreadable.installed);
    assert.deepEqual(readdirSync(unreadable.home).filter((f) => f !== '.cache'), [], 'nothing written');
  } finally {
    await srv.close();
  }
});

test('the http datasource over TLS trusts NODE_EXTRA_CA_CERTS', async () => {
  const srv = await startReleaseServer([releaseOf('acc/fake', 'v1.0.0', describingPlugin('1.0.0'))]);
  try {
    const { env: https, ca } = await srv.httpsEnv();
    const dir = await tempDir('packer-ts-extra-ca-');
    await writeFile(join(dir, 't.pkr.hcl'), `data "http" "tags" {
  url = "${https.PACKER_TS_GITHUB_API_URL}/repos/acc/packer-plugin-fake/git/matching-refs/tags"
}

source "null" "n" {
  communicator = "none"
}

build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    inline = ["echo tag=\${jsondecode(data.http.tags.body)[0].ref}"]
  }
}
`);
    const ok = await run(PACKER_TS, ['build', 't.pkr.hcl'], { cwd: dir, env: { HOME: dir, PACKER_NO_COLOR: '1', NODE_EXTRA_CA_CERTS: ca } });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^ {4}null\.n: tag=refs\/tags\/v1\.0\.0$/m);
    const bad = await run(PACKER_TS, ['build', 't.pkr.hcl'], { cwd: dir, env: { HOME: dir, PACKER_NO_COLOR: '1', NODE_EXTRA_CA_CERTS: undefined } });
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout + bad.stderr, /certificate/);
  } finally {
    await srv.close();
  }
});
