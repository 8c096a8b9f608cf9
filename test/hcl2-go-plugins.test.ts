/**
 * packer-ts runs Packer 1.6.6's Go plugins from HCL2 templates: wrappers `exec /usr/bin/packer
 * plugin packer-TYPE-NAME` named in a PACKER_CONFIG file. Our core gets each plugin's spec over
 * RPC, decodes the block with it and sends the value as cty JSON; the same template under real
 * Packer (its own components) gives the same files, artifacts and, for bad templates, the same
 * output and exit status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactRecords, PACKER_TS, REAL_PACKER, run, snapshot } from './helpers/run.ts';
import { requireBundle, requireTools } from './helpers/requires.ts';
import { writeWrapper } from './helpers/plugins.ts';

const PLUGINS = { builders: ['file'], provisioners: ['shell-local'], 'post-processors': ['checksum', 'compress'] };
const KIND = { builders: 'builder', provisioners: 'provisioner', 'post-processors': 'post-processor' } as const;

async function goPluginConfig(dir: string): Promise<string> {
  const cfg: Record<string, Record<string, string>> = {};
  for (const [section, names] of Object.entries(PLUGINS) as [keyof typeof PLUGINS, string[]][]) {
    cfg[section] = {};
    for (const n of names) {
      const name = `packer-${KIND[section]}-${n}`;
      cfg[section][n] = await writeWrapper(join(dir, 'go-plugins'), name, [REAL_PACKER, 'plugin', name]);
    }
  }
  const path = join(dir, 'packerconfig.json');
  await writeFile(path, JSON.stringify(cfg));
  return path;
}

const BUILD = `variable "who" {
  type    = string
  default = "world"
}
locals {
  parts = ["x", "y"]
}
source "file" "f" {
  content = "hello \${var.who} \${join("-", local.parts)}\\n"
  target  = "out.txt"
}
build {
  sources = ["source.file.f"]
  provisioner "shell-local" {
    inline           = ["echo prov $PACKER_BUILD_NAME $V > prov.txt"]
    environment_vars = ["V=\${upper(var.who)}"]
    valid_exit_codes = [0, "2"]
  }
  post-processor "checksum" {
    checksum_types = ["sha256", "md5"]
    output         = "sums.{{.ChecksumType}}"
  }
  post-processor "compress" {
    output            = "out.tar"
    compression_level = 1
  }
}
`;

const BAD: Record<string, string> = {
  'type.pkr.hcl': 'source "file" "f" {\n  content = ["not", "a", "string"]\n  target  = "out.txt"\n}\nbuild {\n  sources = ["source.file.f"]\n}\n',
  'unknown-arg.pkr.hcl': 'source "file" "f" {\n  target = "out.txt"\n}\nbuild {\n  sources = ["source.file.f"]\n  provisioner "shell-local" {\n    inlin = ["echo x"]\n  }\n}\n',
  'configure.pkr.hcl': 'source "file" "f" {\n  target = "out.txt"\n}\nbuild {\n  sources = ["source.file.f"]\n  post-processor "checksum" {\n    checksum_types = ["nope"]\n  }\n}\n',
  'prepare.pkr.hcl': 'source "file" "f" {\n  target  = "out.txt"\n  content = "a"\n  source  = "b"\n}\nbuild {\n  sources = ["source.file.f"]\n}\n',
};

test('packer-ts builds an HCL2 template with Packer 1.6.6 Go plugins: same files and artifacts as real Packer', async () => {
  requireTools(REAL_PACKER);
  requireBundle();
  const top = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2go-'));
  try {
    const config = await goPluginConfig(top);
    const results = [];
    for (const [who, cmd, env] of [['ours', PACKER_TS, { PACKER_CONFIG: config, PACKER_LOG: '1', PACKER_LOG_PATH: join(top, 'ours.log') }], ['packer', REAL_PACKER, { HOME: top }]] as const) {
      const dir = await mkdtemp(join(top, `${who}-`));
      await writeFile(join(dir, 'build.pkr.hcl'), BUILD);
      const r = await run(cmd, ['build', '-machine-readable', 'build.pkr.hcl'], { cwd: dir, env, timeoutMs: 180_000 });
      assert.equal(r.code, 0, `${who}: ${r.stdout}${r.stderr}`);
      results.push({ r, files: await snapshot(dir, (rel) => rel === 'build.pkr.hcl') });
    }
    const [ours, theirs] = results as [typeof results[0], typeof results[0]];
    // our core started the Go plugins, not its built-ins
    const log = await readFile(join(top, 'ours.log'), 'utf8');
    for (const n of ['packer-builder-file', 'packer-provisioner-shell-local', 'packer-post-processor-checksum', 'packer-post-processor-compress']) {
      assert.ok(log.includes(join(top, 'go-plugins', n)), `packer-ts started ${n}:\n${log.slice(-3000)}`);
    }
    assert.deepEqual([...ours.files.keys()].sort(), [...theirs.files.keys()].sort());
    assert.equal(ours.files.get('out.txt')?.toString(), 'hello world x-y\n');
    assert.equal(ours.files.get('prov.txt')?.toString(), 'prov f WORLD\n');
    for (const f of ['out.txt', 'prov.txt', 'sums.sha256', 'sums.md5']) assert.equal(ours.files.get(f)?.toString(), theirs.files.get(f)?.toString(), f);
    assert.ok(ours.files.has('out.tar'));
    assert.deepEqual(artifactRecords(ours.r.stdout), artifactRecords(theirs.r.stdout));
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});

test('bad HCL2 bodies for Go plugins: the same diagnostics and exit status as real Packer (validate)', async () => {
  requireTools(REAL_PACKER);
  requireBundle();
  const top = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2go-bad-'));
  try {
    const config = await goPluginConfig(top);
    for (const [name, src] of Object.entries(BAD)) {
      await writeFile(join(top, name), src);
      const ours = await run(PACKER_TS, ['validate', name], { cwd: top, env: { PACKER_CONFIG: config }, timeoutMs: 120_000 });
      const theirs = await run(REAL_PACKER, ['validate', name], { cwd: top, env: { HOME: top }, timeoutMs: 120_000 });
      assert.equal(theirs.code, 1, `${name}: ${theirs.stdout}${theirs.stderr}`);
      assert.equal(ours.code, theirs.code, `${name}: ${ours.stdout}${ours.stderr}`);
      assert.equal(ours.stdout + ours.stderr, theirs.stdout + theirs.stderr, name);
    }
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});
