/**
 * HCL2 across the plugin boundary with Packer 1.6.6 (/usr/bin/packer):
 * (a) every built-in's ConfigSpec equals the spec Packer's own component of that name answers over
 *     RPC (`packer plugin packer-TYPE-NAME`), attribute for attribute where they overlap; what
 *     only one side has is listed here, and must stay so;
 * (b) real Packer builds an HCL2 template with our plugins (null builder over SSH to a private
 *     sshd, shell and file provisioners on the builder's communicator, manifest and shell-local
 *     post-processors), placed in a temp HOME's ~/.packer.d/plugins: the same remote files, local
 *     files and artifacts as with Packer's own components;
 * (c) a spec with a block (qemu's `qemu_img_args`) reaches real Packer (its gob names), and real
 *     Packer's decoding of a bad body by our spec says what it says for its own qemu.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlugin } from '@packer-ts/sdk/plugin';
import { specLines, type ObjectSpec } from '@packer-ts/sdk/rpc';
import { builders, postProcessors, provisioners } from '@packer-ts/plugins';
import { artifactRecords, PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireBundle, requireTools } from './helpers/requires.ts';
import { SSHFixture } from '../packages/plugins/test/ssh-helpers.ts';

type Kind = 'builder' | 'provisioner' | 'post-processor';
const BUILTINS: Record<Kind, Record<string, () => Promise<{ configSpec?(): ObjectSpec }>>> = {
  builder: builders, provisioner: provisioners, 'post-processor': postProcessors,
};

/** Attributes of ours that Packer 1.6.6's component of the same name lacks (later Packer's options). */
const OURS_ONLY: Record<string, string[]> = {
  'builder-qemu': ['firmware', 'http_content'],
};

async function goSpec(kind: Kind, name: string): Promise<ObjectSpec> {
  const p = await startPlugin(REAL_PACKER, ['plugin', `packer-${kind}-${name}`]);
  try {
    const c = await p.component(kind) as unknown as { specOf(): Promise<ObjectSpec> };
    return await c.specOf();
  } finally {
    await p.kill();
  }
}

/** "path line" per top-level attribute (nested lines under their attribute). */
function byAttribute(spec: ObjectSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of specLines(spec)) {
    const top = line.slice(0, line.indexOf(' ')).split('.')[0]!;
    out.set(top, [...(out.get(top) ?? []), line]);
  }
  return out;
}

test('(a) every built-in\'s spec matches Packer 1.6.6\'s component of that name', async () => {
  requireTools(REAL_PACKER);
  for (const kind of Object.keys(BUILTINS) as Kind[]) {
    for (const [name, make] of Object.entries(BUILTINS[kind])) {
      const id = `${kind}-${name}`;
      const ours = (await make()).configSpec?.();
      assert.ok(ours, `${id} has configSpec()`);
      const theirs = byAttribute(await goSpec(kind, name));
      const mine = byAttribute(ours);
      const onlyOurs = [...mine.keys()].filter((k) => !theirs.has(k)).sort();
      const onlyTheirs = [...theirs.keys()].filter((k) => !mine.has(k)).sort();
      assert.deepEqual(onlyTheirs, [], `${id}: attributes Packer 1.6.6 accepts and we do not`);
      assert.deepEqual(onlyOurs, OURS_ONLY[id] ?? [], `${id}: attributes only we accept`);
      for (const [k, lines] of theirs) assert.deepEqual(mine.get(k), lines, `${id}: ${k}`);
    }
  }
});

async function wrappers(home: string, components: string[]): Promise<void> {
  const dir = join(home, '.packer.d', 'plugins');
  await mkdir(dir, { recursive: true });
  for (const c of components) {
    const f = join(dir, `packer-${c}`);
    await writeFile(f, `#!/bin/sh\nexec '${PACKER_TS}' plugin packer-${c}\n`);
    await chmod(f, 0o755);
  }
}

describe('real Packer runs our plugins from HCL2 templates', { concurrency: false }, () => {
  const fx = new SSHFixture();
  let port = 0;
  before(async () => {
    requireTools(REAL_PACKER);
    requireBundle();
    await fx.setup();
    port = (await fx.sshd()).port;
  });
  after(() => fx.teardown());

  const template = (remote: string): string => `
variable "greeting" {
  type    = string
  default = "hello"
}
locals {
  names = ["a", "b"]
}
source "null" "n" {
  ssh_host             = "127.0.0.1"
  ssh_port             = ${port}
  ssh_username         = "${fx.user.name}"
  ssh_private_key_file = "${fx.keys.key}"
}
build {
  sources = ["source.null.n"]
  provisioner "shell" {
    inline           = ["echo \${var.greeting} from $PACKER_BUILD_NAME", "echo \\"$V\\" > ${remote}/shell.txt"]
    environment_vars = ["V=\${join(",", local.names)}"]
  }
  provisioner "file" {
    source      = "up.txt"
    destination = "${remote}/up.txt"
  }
  provisioner "file" {
    source      = "${remote}/shell.txt"
    destination = "out/down.txt"
    direction   = "download"
  }
  post-processor "manifest" {
    output      = "manifest.json"
    strip_path  = true
    custom_data = { who = upper(var.greeting) }
  }
  post-processor "shell-local" {
    inline = ["echo pp $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE > pp.txt"]
  }
}
`;

  async function buildWith(ours: boolean): Promise<{ code: number | null; out: string; stdout: string; remote: string; cwd: string }> {
    const tag = ours ? 'ours' : 'theirs';
    const cwd = await mkdtemp(join(fx.dir, `hcl2-${tag}-`));
    const home = join(cwd, 'home');
    await mkdir(home);
    if (ours) await wrappers(home, ['builder-null', 'provisioner-shell', 'provisioner-file', 'post-processor-manifest', 'post-processor-shell-local']);
    const remote = await fx.userDir(`remote-hcl2-${tag}`);
    await writeFile(join(cwd, 'up.txt'), 'UP\n');
    await writeFile(join(cwd, 'build.pkr.hcl'), template(remote));
    const r = await run(REAL_PACKER, ['build', '-machine-readable', 'build.pkr.hcl'], {
      cwd, env: { HOME: home, PACKER_LOG: '1', PACKER_LOG_PATH: join(cwd, 'log.txt') }, timeoutMs: 180_000,
    });
    const log = await readFile(join(cwd, 'log.txt'), 'utf8');
    if (ours) {
      // Packer started our wrappers, not its own components.
      for (const c of ['builder-null', 'provisioner-shell', 'provisioner-file', 'post-processor-manifest', 'post-processor-shell-local']) {
        assert.ok(log.includes(join(home, '.packer.d', 'plugins', `packer-${c}`)), `Packer used our packer-${c}:\n${log.slice(-3000)}`);
      }
    }
    // A failed or killed run says where Packer stood: the end of its log goes with the output.
    const out = r.stdout + r.stderr + (r.code === 0 ? '' : `\n--- ${tag}: PACKER_LOG (last 6000 bytes; signal ${r.signal ?? 'none'}) ---\n${log.slice(-6000)}`);
    return { code: r.code, out, stdout: r.stdout, remote, cwd };
  }

  test('(b) build: null builder over SSH, shell and file provisioners, manifest and shell-local post-processors', async () => {
    const theirs = await buildWith(false);
    const ours = await buildWith(true);
    try {
      for (const r of [theirs, ours]) {
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /null\.n: hello from n/);
        assert.equal(await readFile(join(r.remote, 'shell.txt'), 'utf8'), 'a,b\n');
        assert.equal(await readFile(join(r.remote, 'up.txt'), 'utf8'), 'UP\n');
        assert.equal(await readFile(join(r.cwd, 'out', 'down.txt'), 'utf8'), 'a,b\n');
        assert.equal(await readFile(join(r.cwd, 'pp.txt'), 'utf8'), 'pp n null\n');
      }
      const manifest = async (cwd: string): Promise<unknown> => {
        const m = JSON.parse(await readFile(join(cwd, 'manifest.json'), 'utf8')) as { builds: Record<string, unknown>[]; last_run_uuid: string };
        assert.match(m.last_run_uuid, /^[0-9a-f-]{36}$/);
        return m.builds.map(({ build_time: t, packer_run_uuid: u, ...rest }) => { assert.equal(typeof t, 'number'); assert.equal(u, m.last_run_uuid); return rest; });
      };
      const mt = await manifest(theirs.cwd);
      assert.deepEqual(await manifest(ours.cwd), mt);
      assert.deepEqual((mt as { custom_data: unknown }[])[0]!.custom_data, { who: 'HELLO' });
      assert.deepEqual(artifactRecords(ours.stdout), artifactRecords(theirs.stdout));
    } finally {
      await rm(theirs.cwd, { recursive: true, force: true });
      await rm(ours.cwd, { recursive: true, force: true });
    }
  });
});

test('(c) a spec with a block crosses to real Packer; its diagnostics on our spec equal those on its own', async () => {
  requireTools(REAL_PACKER);
  requireBundle();
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2-qemu-'));
  try {
    const oursHome = join(dir, 'ours');
    const theirsHome = join(dir, 'theirs');
    await wrappers(oursHome, ['builder-qemu']);
    await mkdir(theirsHome);
    const body = (qemuargs: string): string => `source "qemu" "q" {
  iso_url      = "http://127.0.0.1:1/x.iso"
  iso_checksum = "none"
  communicator = "none"
  qemuargs     = ${qemuargs}
  qemu_img_args {
    create = ["-o", "cluster_size=2M"]
  }
}
build {
  sources = ["source.qemu.q"]
}
`;
    const cases = [['good', '[["-m", "512M"], ["-smp", 2]]', 0], ['bad', '[["-m", "512M"], "x"]', 1]] as const;
    for (const [name, qemuargs, code] of cases) {
      await writeFile(join(dir, `${name}.pkr.hcl`), body(qemuargs));
      const ours = await run(REAL_PACKER, ['validate', `${name}.pkr.hcl`], { cwd: dir, env: { HOME: oursHome }, timeoutMs: 120_000 });
      const theirs = await run(REAL_PACKER, ['validate', `${name}.pkr.hcl`], { cwd: dir, env: { HOME: theirsHome }, timeoutMs: 120_000 });
      assert.equal(theirs.code, code, theirs.stdout + theirs.stderr);
      assert.equal(ours.code, theirs.code, ours.stdout + ours.stderr);
      assert.equal(ours.stdout, theirs.stdout, name);
      assert.equal(ours.stderr, theirs.stderr, name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
