/**
 * gob or protobuf over the plugins in effect (Packer 1.16's DiscoverMultiPlugin): plugins of both
 * protocol versions installed side by side (wrappers of packer-plugin-oracle that describe a version
 * and either `protocol_version: "v2"` or none, as SDKs before v0.5.2 do, and record each start in a
 * marker file, then run the real plugin). Each scenario is built by packer-1.16 and by packer-ts,
 * and both must start the same versions with the same arguments (with or without `--protobuf`):
 * - required_plugins picks the v2 1.0.0 under the accessor `oracle` while the highest installed
 *   2.0.0 is not v2: protobuf (2.0.0's components are all taken, so it does not count);
 * - the reverse (1.0.0 not v2 selected, 2.0.0 v2): gob;
 * - the same selection under another accessor (`foo`): gob, since discovery still registers 2.0.0
 *   as `oracle-*`;
 * - another installed plugin the template does not use, not v2: gob; a plugin without components,
 *   not v2: protobuf; PACKER_FORCE_GOB=1: gob;
 * - a plugin `file`, not v2, whose only component is named like a built-in (builder `file`, or the
 *   default-name provisioner `file`): Packer 1.16 registers its built-ins first, so the plugin
 *   registers nothing and does not count: protobuf; with other components too (`file-mock`): gob.
 *   And the built-in is the one used: a `provisioner "file"` with the plugin's arguments fails as
 *   the built-in file provisioner, the plugin never started, with or without required_plugins.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, run } from './helpers/run.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';

const skip = missingOracles('packer-1.16', 'packer-plugin-oracle');

interface Wrapped { name: string; version: string; proto: boolean; empty?: boolean; components?: Record<string, string[]> }

/** A packer-plugin-oracle that describes `w` and appends "NAME VERSION ARGS" to `marker` on every start. */
async function wrapper(dir: string, w: Wrapped, marker: string): Promise<string> {
  const real = JSON.parse((await run(oracle('packer-plugin-oracle'), ['describe'], { cwd: dir })).stdout) as Record<string, unknown>;
  const describe: Record<string, unknown> = { ...real, version: w.version };
  if (!w.proto) delete describe.protocol_version;
  if (w.empty) Object.assign(describe, { builders: [], provisioners: [], post_processors: [], datasources: [] });
  if (w.components) Object.assign(describe, { builders: [], provisioners: [], post_processors: [], datasources: [] }, w.components);
  const path = join(dir, 'bin', `${w.name}-${w.version}-${w.proto ? 'v2' : 'v1'}`, `packer-plugin-${w.name}`);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `#!/bin/sh\nif [ "$1" = describe ]; then echo '${JSON.stringify(describe)}'; exit 0; fi\necho "${w.name} ${w.version} $*" >> '${marker}'\nexec '${oracle('packer-plugin-oracle')}' "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

const template = (accessor: string, constraint: string): string => `packer {
  required_plugins {
    ${accessor} = { source = "github.com/acc/oracle", version = "${constraint}" }
  }
}
data "${accessor}-static" "d" { mock = "ds" }
source "${accessor}-mock" "m" { mock = "hello \${data.${accessor}-static.d.foo}" }
build {
  sources = ["source.${accessor}-mock.m"]
  provisioner "${accessor}-echo" { mock = "prov" }
  post-processor "${accessor}-noop" { mock = "pp" }
}
`;

async function starts(marker: string): Promise<string[]> {
  return (await readFile(marker, 'utf8').catch(() => '')).split('\n').filter(Boolean).sort();
}

/** The four starts of one build from `version`, with or without --protobuf. */
function expected(version: string, protobuf: boolean): string[] {
  const p = protobuf ? '--protobuf ' : '';
  return [`oracle ${version} start builder ${p}mock`, `oracle ${version} start datasource ${p}static`,
    `oracle ${version} start post-processor ${p}noop`, `oracle ${version} start provisioner ${p}echo`];
}

/** The SDK's name of a plugin's default component (registered as the plugin's own name). */
const DEFAULT = '-packer-default-plugin-name-';

interface Scenario { title: string; installs: Wrapped[]; accessor?: string; constraint: string; env?: NodeJS.ProcessEnv; want: string[] }

const scenarios: Scenario[] = [
  { title: 'selected 1.0.0 is v2, shadowed 2.0.0 is not: protobuf', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'oracle', version: '2.0.0', proto: false }], constraint: '< 2.0.0', want: expected('1.0.0', true) },
  { title: 'highest 2.0.0 (v2) selected over 1.0.0 (not v2): protobuf', installs: [{ name: 'oracle', version: '1.0.0', proto: false }, { name: 'oracle', version: '2.0.0', proto: true }], constraint: '>= 1.0.0', want: expected('2.0.0', true) },
  { title: 'selected 1.0.0 is not v2, shadowed 2.0.0 is: gob', installs: [{ name: 'oracle', version: '1.0.0', proto: false }, { name: 'oracle', version: '2.0.0', proto: true }], constraint: '< 2.0.0', want: expected('1.0.0', false) },
  { title: 'selected v2 1.0.0 as `foo`, discovery still registers 2.0.0 (not v2) as oracle-*: gob', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'oracle', version: '2.0.0', proto: false }], accessor: 'foo', constraint: '< 2.0.0', want: expected('1.0.0', false) },
  { title: 'an unused installed plugin that is not v2: gob', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'other', version: '0.1.0', proto: false }], constraint: '>= 1.0.0', want: expected('1.0.0', false) },
  { title: 'a plugin without components that is not v2: protobuf', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'empty', version: '0.1.0', proto: false, empty: true }], constraint: '>= 1.0.0', want: expected('1.0.0', true) },
  { title: 'a plugin `file` (not v2) whose only component is builder `file`, a built-in: protobuf', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'file', version: '0.1.0', proto: false, components: { builders: [DEFAULT] } }], constraint: '>= 1.0.0', want: expected('1.0.0', true) },
  { title: 'a plugin `file` (not v2) whose only component is provisioner `file`, a built-in: protobuf', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'file', version: '0.1.0', proto: false, components: { provisioners: [DEFAULT] } }], constraint: '>= 1.0.0', want: expected('1.0.0', true) },
  { title: 'a plugin `file` (not v2) with provisioner `file` and `file-echo`: gob', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'file', version: '0.1.0', proto: false, components: { provisioners: [DEFAULT, 'echo'] } }], constraint: '>= 1.0.0', want: expected('1.0.0', false) },
  { title: 'every plugin v2 but PACKER_FORCE_GOB=1: gob', installs: [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'oracle', version: '2.0.0', proto: true }], constraint: '< 2.0.0', env: { PACKER_FORCE_GOB: '1' }, want: expected('1.0.0', false) },
];

/** A clean directory with HOME and the environment both tools run in; removed after `body`. */
async function inTemp(body: (dir: string, env: NodeJS.ProcessEnv, marker: string) => Promise<void>, extra: NodeJS.ProcessEnv = {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-protocol-select-'));
  try {
    const home = join(dir, 'home');
    await mkdir(home);
    const env = { HOME: home, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: join(dir, 'cache'), PACKER_NO_COLOR: '1', PACKER_FORCE_GOB: undefined, ...extra };
    await body(dir, env, join(dir, 'starts.txt'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const required of [false, true]) {
  test(`a plugin's provisioner named like the built-in \`file\`${required ? ' (required_plugins `file`)' : ''}: the built-in is used, as packer-1.16`, { skip }, () => inTemp(async (dir, env, marker) => {
    for (const w of [{ name: 'oracle', version: '1.0.0', proto: true }, { name: 'file', version: '0.1.0', proto: true }]) {
      const inst = await run(PACKER_TS, ['plugins', 'install', '-path', await wrapper(dir, w, marker), `github.com/acc/${w.name}`], { cwd: dir, env });
      assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    }
    const packer = required ? 'packer {\n  required_plugins {\n    file = { source = "github.com/acc/file", version = ">= 0.1.0" }\n    oracle = { source = "github.com/acc/oracle", version = ">= 1.0.0" }\n  }\n}\n' : '';
    // `mock` is the plugin's provisioner's argument; the built-in file provisioner has none such
    await writeFile(join(dir, 't.pkr.hcl'), `${packer}source "oracle-mock" "m" { mock = "hello" }\nbuild {\n  sources = ["source.oracle-mock.m"]\n  provisioner "file" { mock = "prov" }\n}\n`);
    const got: { code: number | null; out: string; starts: string[] }[] = [];
    for (const cmd of [oracle('packer-1.16'), PACKER_TS]) {
      await rm(marker, { force: true });
      const r = await run(cmd, ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env, timeoutMs: 120_000 });
      got.push({ code: r.code, out: r.stdout + r.stderr, starts: await starts(marker) });
    }
    const [theirs, ours] = got as [typeof got[0], typeof got[0]];
    assert.equal(theirs.code, 1, theirs.out);
    assert.match(theirs.out, /An argument named "mock" is not\s+expected here/, theirs.out);
    assert.deepEqual(theirs.starts.filter((l) => l.startsWith('file ')), [], 'packer-1.16 never starts the plugin `file`');
    assert.equal(ours.code, theirs.code, ours.out);
    assert.match(ours.out, /Failed preparing provisioner-block "file" ""/, ours.out);
    assert.match(ours.out, /An argument named "mock" is not\s+expected here/, ours.out);
    assert.deepEqual(ours.starts, theirs.starts, 'the plugins started (the builder, then the failing prepare)');
  }));
}

for (const s of scenarios) {
  test(`gob/protobuf over the plugins in effect: ${s.title}, as packer-1.16`, { skip }, () => inTemp(async (dir, env, marker) => {
    for (const w of s.installs) {
      const inst = await run(PACKER_TS, ['plugins', 'install', '-path', await wrapper(dir, w, marker), `github.com/acc/${w.name}`], { cwd: dir, env });
      assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    }
    const accessor = s.accessor ?? 'oracle';
    await writeFile(join(dir, 't.pkr.hcl'), template(accessor, s.constraint));
    for (const [tool, cmd] of [['packer-1.16', oracle('packer-1.16')], ['packer-ts', PACKER_TS]] as const) {
      await rm(marker, { force: true });
      const r = await run(cmd, ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env, timeoutMs: 120_000 });
      assert.equal(r.code, 0, `${tool}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`${accessor}-mock\\.m: The mock config is set to "hello foo-value"`), tool);
      assert.deepEqual(await starts(marker), s.want, `${tool} starts`);
    }
  }, s.env));
}
