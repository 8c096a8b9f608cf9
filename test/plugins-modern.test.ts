/**
 * Multi-component plugins written with the SDK (pluginSet) against the modern-Packer oracles:
 * - packages/sdk/test/fixtures/modern/oracle-mirror.ts has packer-plugin-oracle's components and
 *   behaviour: its describe, its argument errors, and sdk-drive's transcripts in gob and protobuf
 *   mode must be the oracle's (stored examples and live runs);
 * - packages/sdk/test/fixtures/modern/testplugin-mirror.ts has sdk-drive-testplugin's components
 *   (Ui calls, progress, a communicator handed to the hook, every communicator call from a
 *   provisioner, cancel): same transcripts in both modes;
 * - packer-1.16 installs it with `plugins install --path` and builds an HCL2 template that uses
 *   every component (a datasource value in a local, builder, both provisioners, post-processor),
 *   printing what it prints for the oracle installed under the same name, in both modes;
 * - packer-ts runs multi-component plugins (ours and the Go oracle) found as loose
 *   `packer-plugin-NAME` binaries in PACKER_PLUGIN_PATH (components NAME-COMPONENT, default NAME),
 *   printing what packer-1.16 prints for the same JSON template with the plugin installed.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFile } from 'node:fs/promises';
import { PACKER_TS, ROOT, run } from './helpers/run.ts';
import { bundlePlugin, FIXTURES_DIR, missingOracles, oracle } from './helpers/modern-oracles.ts';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '@packer-ts/sdk/rpc';

const skip = missingOracles('packer-1.16', 'packer-plugin-oracle', 'sdk-drive', 'sdk-drive-testplugin');
const FIXTURES = join(ROOT, 'packages/sdk/test/fixtures/modern');

let built: Promise<{ dir: string; mirror: string; testplugin: string; types: string }> | undefined;
function mirror(): Promise<{ dir: string; mirror: string; testplugin: string; types: string }> {
  built ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'packer-ts-modern-'));
    return {
      dir,
      mirror: await bundlePlugin(join(FIXTURES, 'oracle-mirror.ts'), join(dir, 'bin', 'packer-plugin-mirror')),
      testplugin: await bundlePlugin(join(FIXTURES, 'testplugin-mirror.ts'), join(dir, 'bin', 'packer-plugin-tp')),
      types: await bundlePlugin(join(FIXTURES, 'types-plugin.ts'), join(dir, 'bin', 'packer-plugin-types')),
    };
  })();
  return built;
}

test.after(async () => { if (built) await rm((await built).dir, { recursive: true, force: true }); });

/** A transcript without the lines that name the binary or its SDK. */
function body(transcript: string): string {
  return transcript.split('\n').filter((l) => !l.startsWith('# sdk-drive transcript:'))
    .map((l) => l.replace(/"sdk_version":"[^"]*"/, '"sdk_version":"X"').replace(/\/tmp\/tp-[^/"]+/g, '/tmp/tp-X')).join('\n');
}

test('describe: the Go SDK\'s JSON (but sdk_version), and sdk-drive says valid', { skip }, async () => {
  const { mirror: bin, dir } = await mirror();
  const ours = await run(bin, ['describe'], { cwd: dir });
  const theirs = await run(oracle('packer-plugin-oracle'), ['describe'], { cwd: dir });
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stdout.replace(/"sdk_version":"[^"]*"/, ''), theirs.stdout.replace(/"sdk_version":"[^"]*"/, ''));
  assert.ok(ours.stdout.endsWith('}\n'));
  const d = await run(oracle('sdk-drive'), ['describe', bin], { cwd: dir });
  assert.equal(d.code, 0, d.stdout + d.stderr);
  assert.match(d.stdout, /^describe: valid$/m);
  assert.doesNotMatch(d.stdout, /describe\.(warning|error)/);
});

for (const mode of ['gob', 'protobuf'] as const) {
  test(`sdk-drive ${mode}: every component gives the oracle's transcript`, { skip }, async () => {
    const { mirror: bin, dir } = await mirror();
    const script = join(FIXTURES_DIR, 'examples/oracle-components.json');
    const flags = mode === 'protobuf' ? ['--protobuf'] : [];
    const ours = await run(oracle('sdk-drive'), ['run', ...flags, bin, script], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    assert.match(ours.stdout, /^0 failed$/m);
    const stored = await readFile(join(FIXTURES_DIR, `examples/oracle-components.${mode}.txt`), 'utf8');
    assert.equal(body(ours.stdout), body(stored));
    const live = await run(oracle('sdk-drive'), ['run', ...flags, oracle('packer-plugin-oracle'), script], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(body(ours.stdout), body(live.stdout));
  });
}

for (const mode of ['gob', 'protobuf'] as const) {
  test(`sdk-drive ${mode}: error paths, unknown keys, packer_* settings in templates, as the oracle`, { skip }, async () => {
    const { mirror: bin, dir } = await mirror();
    const script = join(FIXTURES, 'oracle-errors.json');
    const flags = mode === 'protobuf' ? ['--protobuf'] : [];
    const ours = await run(oracle('sdk-drive'), ['run', ...flags, bin, script], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    assert.match(ours.stdout, /^ui\.say: "The mock config is set to \\"b1 mock\\""$/m);
    const live = await run(oracle('sdk-drive'), ['run', ...flags, oracle('packer-plugin-oracle'), script], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(body(ours.stdout), body(live.stdout));
  });

  test(`sdk-drive ${mode}: Ui, progress, hook communicator, communicator calls and cancel as sdk-drive-testplugin`, { skip }, async () => {
    const { testplugin, dir } = await mirror();
    const script = join(FIXTURES_DIR, 'examples/testplugin-comm-cancel.json');
    const flags = mode === 'protobuf' ? ['--protobuf'] : [];
    const ours = await run(oracle('sdk-drive'), ['run', ...flags, testplugin, script], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    const stored = await readFile(join(FIXTURES_DIR, `examples/testplugin-comm-cancel.${mode}.txt`), 'utf8');
    assert.equal(body(ours.stdout), body(stored));
    const live = await run(oracle('sdk-drive'), ['run', ...flags, oracle('sdk-drive-testplugin'), script], { cwd: dir, timeoutMs: 120_000 });
    assert.equal(body(ours.stdout), body(live.stdout));
  });
}

test('argument errors: the Go SDK\'s messages and exit codes', { skip }, async () => {
  const { mirror: bin, dir } = await mirror();
  const lastLine = (s: string): string => s.trimEnd().split('\n').filter((l) => !/^\d{4}\/\d\d\/\d\d /.test(l)).at(-1) ?? '';
  for (const args of [[], ['foo'], ['start'], ['start', 'builder'], ['start', 'builder', 'a', 'b'], ['--protobuf'], ['start', 'builder', 'mock']]) {
    const ours = await run(bin, args, { cwd: dir, env: { [MAGIC_COOKIE_KEY]: '' } });
    const theirs = await run(oracle('packer-plugin-oracle'), args, { cwd: dir, env: { [MAGIC_COOKIE_KEY]: '' } });
    assert.equal(ours.code, theirs.code, `exit code of ${JSON.stringify(args)}`);
    // A Go panic prints its goroutine trace after the first line; compare the message.
    const first = (s: string): string => s.split('\n')[0]!;
    assert.equal(first(ours.stderr), first(theirs.stderr), `stderr of ${JSON.stringify(args)}`);
    assert.equal(ours.stdout, theirs.stdout);
  }
  // An unknown kind is reported once the core connected.
  for (const bin2 of [bin, oracle('packer-plugin-oracle')]) {
    const child = spawn(bin2, ['start', 'nope', 'x'], { cwd: dir, env: { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const line = await new Promise<string>((resolve) => { const f = (): void => { if (out.includes('\n')) { child.stdout.off('data', f); resolve(out.split('\n')[0]!); } }; child.stdout.on('data', f); });
    assert.match(line, /^5\|0\|unix\|\//);
    const sock = connect(line.split('|')[3]!);
    sock.on('error', () => {});
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    sock.destroy();
    assert.equal(code, 1);
    assert.equal(lastLine(err), 'Unknown plugin type: nope');
  }
});

const TEMPLATE = `packer {
  required_plugins {
    mirror = { source = "github.com/acc/mirror", version = ">= 0.0.1" }
  }
}
data "mirror-static" "d" { mock = "ds" }
locals { foo = data.mirror-static.d.foo }
source "mirror-mock" "m" { mock = "hello \${local.foo}" }
build {
  sources = ["source.mirror-mock.m"]
  provisioner "mirror-echo" { mock = "prov \${local.foo}" }
  provisioner "mirror" { mock = "default \${data.mirror-static.d.bar}" }
  post-processor "mirror-noop" { mock = "pp" }
}
`;

test('packer-1.16 installs the TS plugin and builds with every component, as with the Go oracle', { skip }, async () => {
  const { mirror: bin, dir } = await mirror();
  const outputs: Record<string, string> = {};
  for (const [name, plugin] of [['ts', bin], ['go', oracle('packer-plugin-oracle')]] as const) {
    const home = join(dir, `home-${name}`);
    await mkdir(home, { recursive: true });
    const env = { HOME: home, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, PACKER_NO_COLOR: '1' };
    const inst = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', plugin, 'github.com/acc/mirror'], { cwd: dir, env });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    assert.match(inst.stdout, /Successfully installed plugin github\.com\/acc\/mirror/);
    await writeFile(join(dir, 't.pkr.hcl'), TEMPLATE);
    for (const gob of ['0', '1']) {
      const r = await run(oracle('packer-1.16'), ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env: { ...env, PACKER_FORCE_GOB: gob }, timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${name} gob=${gob}\n${r.stdout}${r.stderr}`);
      const norm = r.stdout.replace(/after [0-9a-z. ]+\./g, 'after D.').replace(/completed after [0-9a-z. ]+$/gm, 'completed after D');
      outputs[`${name}-${gob}`] = norm;
    }
  }
  assert.match(outputs['ts-0']!, /mirror-mock\.m: The mock config is set to "hello foo-value"/);
  assert.match(outputs['ts-0']!, /provisioner mock: prov foo-value/);
  assert.match(outputs['ts-0']!, /provisioner mock: default bar-value/);
  assert.match(outputs['ts-0']!, /\(mirror-noop\): post-processor mock: pp/);
  assert.equal(outputs['ts-0'], outputs['go-0']);
  assert.equal(outputs['ts-1'], outputs['go-1']);
});

const norm = (out: string): string => out.replace(/after [0-9a-z. ]+\./g, 'after D.').replace(/completed after [0-9a-z. ]+$/gm, 'completed after D');

test('packer-ts runs packer-plugin-NAME binaries from PACKER_PLUGIN_PATH as packer-1.16 runs them installed', { skip }, async () => {
  const { mirror: bin, dir } = await mirror();
  const root = await mkdtemp(join(dir, 'core-'));
  const plugins = join(root, 'plugins');
  await mkdir(plugins);
  await copyFile(bin, join(plugins, 'packer-plugin-mirror'));
  await copyFile(oracle('packer-plugin-oracle'), join(plugins, 'packer-plugin-oracle'));
  for (const name of ['mirror', 'oracle']) {
    const template = {
      builders: [{ type: `${name}-mock`, mock: 'hello' }],
      provisioners: [{ type: `${name}-echo`, mock: 'prov' }, { type: name, mock: 'default' }],
      'post-processors': [{ type: `${name}-noop`, mock: 'pp' }],
    };
    await writeFile(join(root, `${name}.json`), JSON.stringify(template));
    const ours = await run(PACKER_TS, ['build', '-color=false', `${name}.json`], { cwd: root, env: { HOME: join(root, 'home'), PACKER_PLUGIN_PATH: plugins } });
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    assert.match(ours.stdout, /==> \w+-mock: The mock config is set to "hello"\n.*provisioner mock: prov\n.*provisioner mock: default\n/s);
    const home = join(root, `home-1.16-${name}`);
    await mkdir(home);
    const env = { HOME: home, PACKER_PLUGIN_PATH: undefined };
    const inst = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', join(plugins, `packer-plugin-${name}`), `github.com/acc/${name}`], { cwd: root, env });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    const theirs = await run(oracle('packer-1.16'), ['build', '-color=false', `${name}.json`], { cwd: root, env, timeoutMs: 120_000 });
    assert.equal(theirs.code, 0, theirs.stdout + theirs.stderr);
    assert.equal(norm(ours.stdout), norm(theirs.stdout));
  }
});

test('datasource values of every type reach packer-1.16 intact (gob cty.Value with big.Float numbers; cty msgpack)', { skip }, async () => {
  const { types, dir } = await mirror();
  const root = await mkdtemp(join(dir, 'types-'));
  const env = { HOME: join(root, 'home'), PACKER_PLUGIN_PATH: undefined, PACKER_NO_COLOR: '1' };
  await mkdir(env.HOME);
  const inst = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', types, 'github.com/acc/types'], { cwd: root, env });
  assert.equal(inst.code, 0, inst.stdout + inst.stderr);
  await writeFile(join(root, 't.pkr.hcl'), `packer {
  required_plugins {
    types = { source = "github.com/acc/types", version = ">= 0.0.1" }
  }
}
data "types-all" "d" { seed = 42 }
locals { j = jsonencode(data.types-all.d) }
source "null" "n" { communicator = "none" }
build {
  sources = ["source.null.n"]
  provisioner "shell-local" { inline = ["echo '\${local.j}'"] }
}
`);
  const want = '{"big":1099511627779,"disk":{"path":"/d","size":1024},"f":2.5,"i":42,"list":["a","b"],"m":{"j":"w","k":"v"},"neg":-7,"no":false,"none":null,"nums":[1,2,3],"s":"text é","tiny":0.0000001,"yes":true,"zero":0}';
  for (const gob of ['0', '1']) {
    const r = await run(oracle('packer-1.16'), ['build', '-color=false', 't.pkr.hcl'], { cwd: root, env: { ...env, PACKER_FORCE_GOB: gob }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`null.n: ${want}\n`), `gob=${gob}\n${r.stdout}`);
  }
});
