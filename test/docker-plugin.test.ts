/**
 * packer-plugin-docker (scripts/build-plugin-docker.mjs): the docker builder and
 * post-processors as one multi-component TypeScript plugin, against a private
 * dockerd: `sdk-drive describe` finds it valid, Packer 1.16 installs it with
 * `plugins install --path` and builds an HCL2 template with it, and packer-ts runs
 * it from PACKER_PLUGIN_PATH in place of its built-ins.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, ROOT, run } from './helpers/run.ts';
import { allTags, imageFiles, importTinyImage, startDockerd, type Dockerd } from './helpers/docker.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';

const skipModern = missingOracles('packer-1.16', 'sdk-drive');

describe('packer-plugin-docker', { concurrency: false }, () => {
  let d: Dockerd;
  let work: string;
  let plugin: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'packer-ts-dockerplugin-'));
    const b = await run(process.execPath, [join(ROOT, 'scripts/build-plugin-docker.mjs'), join(work, 'bin')], { cwd: ROOT });
    assert.equal(b.code, 0, b.stderr);
    plugin = join(work, 'bin', 'packer-plugin-docker');
    d = await startDockerd();
    await importTinyImage(d);
  });
  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('describe: the builder and the four post-processors, x5.0; sdk-drive says valid', async () => {
    const r = await run(plugin, ['describe'], { cwd: work });
    assert.equal(r.code, 0, r.stderr);
    const desc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual([desc.api_version, desc.builders, desc.post_processors, desc.protocol_version],
      ['x5.0', ['-packer-default-plugin-name-'], ['import', 'push', 'save', 'tag'], 'v2']);
    if (skipModern) return;
    const v = await run(oracle('sdk-drive'), ['describe', plugin], { cwd: work });
    assert.match(v.stdout, /^describe: valid$/m, v.stdout + v.stderr);
  });

  test('packer-1.16 installs it and builds an HCL2 template: provisioned image, tagged', { skip: skipModern }, async () => {
    const dir = await mkdtemp(join(work, 'p116-'));
    const env = { HOME: join(dir, 'home'), PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, DOCKER_HOST: d.host };
    await mkdir(env.HOME);
    const inst = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', plugin, 'github.com/packer-ts/docker'], { cwd: dir, env });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    await writeFile(join(dir, 't.pkr.hcl'), `
packer {
  required_plugins {
    docker = { source = "github.com/packer-ts/docker", version = ">= 0.1.0" }
  }
}
source "docker" "tiny" {
  image       = "tiny:1"
  pull        = false
  commit      = true
  run_command = ["-d", "-i", "-t", "--network=none", "--entrypoint=/bin/sh", "--", "{{.Image}}"]
  changes     = ["ENV FROM_PLUGIN=yes"]
}
build {
  sources = ["source.docker.tiny"]
  provisioner "shell" {
    inline = ["echo from-1.16 > /root/marker", "cat /root/marker"]
  }
  provisioner "file" {
    content     = "uploaded"
    destination = "/root/uploaded.txt"
  }
  post-processor "docker-tag" {
    repository = "plugin-built-116"
    tags       = ["v1"]
  }
}
`);
    const r = await run(oracle('packer-1.16'), ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env, timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /docker\.tiny: from-1\.16/);
    assert.ok((await allTags(d)).includes('plugin-built-116:v1'), 'tagged by the plugin\'s docker-tag');
    const files = await imageFiles(d, 'plugin-built-116:v1');
    assert.ok(files.some((f) => f.path === 'root/marker'), 'the shell provisioner ran in the container');
    assert.ok(files.some((f) => f.path === 'root/uploaded.txt'), 'the file provisioner uploaded through the plugin\'s communicator');
    assert.deepEqual(await d.containers(), [], 'no container left');
  });

  test('packer-ts runs it from PACKER_PLUGIN_PATH instead of its built-in docker components', async () => {
    const dir = await mkdtemp(join(work, 'ts-'));
    const plugins = join(dir, 'plugins');
    await mkdir(plugins);
    await copyFile(plugin, join(plugins, 'packer-plugin-docker'));
    await writeFile(join(dir, 't.json'), JSON.stringify({
      builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: ['-d', '-i', '-t', '--network=none', '--entrypoint=/bin/sh', '--', '{{.Image}}'] }],
      provisioners: [{ type: 'shell', inline: ['echo from-packer-ts > /root/marker'] }],
      'post-processors': [{ type: 'docker-tag', repository: 'plugin-built-ts', tags: ['v2'] }],
    }));
    const log = join(dir, 'log.txt');
    const r = await run(PACKER_TS, ['build', '-color=false', 't.json'], {
      cwd: dir, env: { HOME: join(dir, 'home'), PACKER_PLUGIN_PATH: plugins, DOCKER_HOST: d.host, PACKER_LOG: '1', PACKER_LOG_PATH: log }, timeoutMs: 180_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(await readFile(log, 'utf8'), /packer-plugin-docker/, 'the components came from the plugin');
    assert.ok((await allTags(d)).includes('plugin-built-ts:v2'));
    assert.ok((await imageFiles(d, 'plugin-built-ts:v2')).some((f) => f.path === 'root/marker'));
    assert.deepEqual(await d.containers(), [], 'no container left');
  });
});
