/**
 * `packer { required_plugins }` selects the installed version that runs (Packer 1.16's
 * detectPluginBinaries): two versions of packer-plugin-oracle installed with `packer-ts plugins
 * install -path` (wrappers that describe 1.0.0 and 2.0.0 and record each start in a marker file,
 * then run the real plugin), a template pinning `version = "< 2.0.0"`: the builder, provisioner,
 * post-processor and datasource all run from 1.0.0, in packer-ts as in packer-1.16; with
 * `>= 1.0.0` both tools run 2.0.0. Components the requirement does not name (the built-in `null`
 * datasource) resolve as before.
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

/** A packer-plugin-oracle that describes `version` and appends "VERSION ARGS" to `marker` on every start. */
async function wrapper(dir: string, version: string, marker: string): Promise<string> {
  const describe = JSON.parse((await run(oracle('packer-plugin-oracle'), ['describe'], { cwd: dir })).stdout) as Record<string, unknown>;
  const path = join(dir, version, 'packer-plugin-oracle');
  await mkdir(join(dir, version), { recursive: true });
  await writeFile(path, `#!/bin/sh\nif [ "$1" = describe ]; then echo '${JSON.stringify({ ...describe, version })}'; exit 0; fi\necho "${version} $*" >> '${marker}'\nexec '${oracle('packer-plugin-oracle')}' "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

const template = (constraint: string): string => `packer {
  required_plugins {
    oracle = { source = "github.com/acc/oracle", version = "${constraint}" }
  }
}
data "oracle-static" "d" { mock = "ds" }
data "null" "n" { input = "from null" }
source "oracle-mock" "m" { mock = "hello \${data.oracle-static.d.foo} \${data.null.n.output}" }
build {
  sources = ["source.oracle-mock.m"]
  provisioner "oracle-echo" { mock = "prov" }
  post-processor "oracle-noop" { mock = "pp" }
}
`;

/** The versions recorded in the marker, one per start ("VERSION start KIND [--protobuf] NAME"). */
async function starts(marker: string): Promise<string[]> {
  const text = await readFile(marker, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => l.replace(/ --protobuf/, '')).sort();
}

/**
 * A home in `dir` with wrappers of packer-plugin-oracle describing `versions` installed by
 * `packer-ts plugins install -path` (Packer 1.16's layout); the env to run the tools in, and
 * the marker file the wrappers record their starts in.
 */
async function installVersions(dir: string, versions: string[]): Promise<{ env: NodeJS.ProcessEnv; marker: string }> {
  const home = join(dir, 'home');
  await mkdir(home);
  const marker = join(dir, 'starts.txt');
  const env = { HOME: home, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: join(dir, 'cache'), PACKER_NO_COLOR: '1' };
  for (const v of versions) {
    const inst = await run(PACKER_TS, ['plugins', 'install', '-path', await wrapper(dir, v, marker), 'github.com/acc/oracle'], { cwd: dir, env });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    assert.match(inst.stdout, new RegExp(`Successfully installed plugin github\\.com/acc/oracle from .* to .*_v${v.replace(/\./g, '\\.')}_x5\\.0_`));
  }
  return { env, marker };
}

test('required_plugins: `< 2.0.0` runs the installed 1.0.0, `>= 1.0.0` runs 2.0.0, as packer-1.16', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-required-select-'));
  try {
    const { env, marker } = await installVersions(dir, ['1.0.0', '2.0.0']);
    for (const [constraint, version] of [['< 2.0.0', '1.0.0'], ['>= 1.0.0', '2.0.0']] as const) {
      await writeFile(join(dir, 't.pkr.hcl'), template(constraint));
      const expected = [`${version} start builder mock`, `${version} start datasource static`, `${version} start post-processor noop`, `${version} start provisioner echo`];
      for (const [tool, cmd] of [['packer-1.16', oracle('packer-1.16')], ['packer-ts', PACKER_TS]] as const) {
        await rm(marker, { force: true });
        const r = await run(cmd, ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env, timeoutMs: 120_000 });
        assert.equal(r.code, 0, `${tool} ${constraint}:\n${r.stdout}${r.stderr}`);
        assert.match(r.stdout, /oracle-mock\.m: The mock config is set to "hello foo-value from null"/, `${tool} ${constraint}`);
        assert.deepEqual(await starts(marker), expected, `${tool} with version = "${constraint}" starts`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('-ignore-prerelease-plugins: an installed 1.1.0-dev is what a template uses, unless the flag leaves it out for 1.0.0, as packer-1.16', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-prerelease-'));
  try {
    const { env, marker } = await installVersions(dir, ['1.0.0', '1.1.0-dev']);
    // no required_plugins: the components of the highest installed version
    await writeFile(join(dir, 't.pkr.hcl'), 'source "oracle-mock" "m" {\n  mock = "x"\n}\nbuild {\n  sources = ["source.oracle-mock.m"]\n}\n');
    for (const [flags, version] of [[[], '1.1.0-dev'], [['-ignore-prerelease-plugins'], '1.0.0']] as const) {
      for (const [tool, cmd] of [['packer-1.16', oracle('packer-1.16')], ['packer-ts', PACKER_TS]] as const) {
        for (const command of ['build', 'validate']) {
          await rm(marker, { force: true });
          const r = await run(cmd, [command, ...flags, 't.pkr.hcl'], { cwd: dir, env, timeoutMs: 120_000 });
          assert.equal(r.code, 0, `${tool} ${command} ${flags.join(' ')}:\n${r.stdout}${r.stderr}`);
          assert.deepEqual(await starts(marker), [`${version} start builder mock`], `${tool} ${command} ${flags.join(' ')}`);
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('required_plugins not installed: build and validate stop at "Missing plugins", inspect still shows the builds, as packer-1.16', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-required-missing-'));
  try {
    const home = join(dir, 'home');
    await mkdir(home);
    const env = { HOME: home, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: join(dir, 'cache'), PACKER_NO_COLOR: '1' };
    await writeFile(join(dir, 't.pkr.hcl'), `packer {\n  required_plugins {\n    oracle = { source = "github.com/acc/oracle", version = ">= 1.0.0" }\n  }\n}\nsource "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n`);
    for (const args of [['build', 't.pkr.hcl'], ['validate', 't.pkr.hcl'], ['inspect', 't.pkr.hcl']]) {
      const theirs = await run(oracle('packer-1.16'), args, { cwd: dir, env, timeoutMs: 120_000 });
      const ours = await run(PACKER_TS, args, { cwd: dir, env, timeoutMs: 120_000 });
      assert.equal(ours.code, theirs.code, `${args[0]}: exit code\n${ours.stdout}${ours.stderr}`);
      assert.equal(ours.stdout.replace(/packer-ts init/g, 'packer init'), theirs.stdout, `${args[0]}: stdout`);
      assert.equal(ours.stderr.replace(/packer-ts init/g, 'packer init'), theirs.stderr, `${args[0]}: stderr`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
