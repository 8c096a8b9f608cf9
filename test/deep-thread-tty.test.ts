/**
 * A command re-run on the deep thread (packages/cli/src/deep-thread.ts: a template nested past
 * what the main thread's stack holds) sees the terminals the main thread has: on a pty (util-linux
 * `script`, `stty cols` setting its width) an upload over real SSH draws the same progress bar,
 * as wide, as the same build of a shallow template; without a terminal neither draws one.
 * The deep template is nested 5,000 levels, which the main thread's stack cannot read: a run
 * that succeeds ran on the deep thread.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PACKER_TS, run } from './helpers/run.ts';
import { requireSshd, SSHFixture } from '../packages/plugins/test/ssh-helpers.ts';
import { requireTools } from './helpers/requires.ts';

const SCRIPT = '/usr/bin/script';
const DEPTH = 5000;
const COLUMNS = 90;

describe('the deep thread sees the main thread\'s terminal', () => {
  const fx = new SSHFixture();
  let port = 0;
  before(async () => {
    requireSshd();
    requireTools(SCRIPT, 'stty');
    await fx.setup();
    port = (await fx.sshd()).port;
  });
  after(() => fx.teardown());

  /** A directory with a 3 MiB file and an HCL2 template uploading it, nested `depth` levels in a local. */
  async function setup(name: string, depth: number): Promise<{ cwd: string; remote: string; data: Buffer }> {
    const cwd = await mkdtemp(join(fx.dir, `deep-tty-${name}-`));
    const remote = await fx.userDir(`remote-deep-tty-${name}`);
    const data = randomBytes(3 << 20);
    await writeFile(join(cwd, 'up.bin'), data);
    await writeFile(join(cwd, 't.pkr.hcl'), `locals {
  deep = length(flatten(${'['.repeat(depth)}1${']'.repeat(depth)}))
}

source "null" "n" {
  communicator         = "ssh"
  ssh_host             = "127.0.0.1"
  ssh_port             = ${port}
  ssh_username         = "${fx.user.name}"
  ssh_private_key_file = "${fx.keys.key}"
}

build {
  sources = ["source.null.n"]
  provisioner "file" {
    source      = "up.bin"
    destination = "${remote}/up.bin"
  }
}
`);
    return { cwd, remote, data };
  }

  /** The build on a pty COLUMNS wide; its transcript is what the terminal shows. */
  const onTerminal = (cwd: string) => run(SCRIPT, ['-qec', `stty cols ${COLUMNS} rows 40; "${PACKER_TS}" build -color=false t.pkr.hcl`, '/dev/null'], { cwd, env: { HOME: cwd }, timeoutMs: 180_000 });

  /** The last drawing of the bar: `\r` + text + erase to end of line. */
  const lastBar = (transcript: string): string | undefined => [...transcript.matchAll(/\r([^\r\n]*?)\x1b\[K/g)].map((m) => m[1]!).pop();

  test('on a pty: the deep run draws the bar the shallow run draws, as wide as the terminal', async () => {
    const shallow = await setup('shallow', 1);
    const deep = await setup('deep', DEPTH);
    const a = await onTerminal(shallow.cwd);
    const b = await onTerminal(deep.cwd);
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.equal(b.code, 0, b.stdout + b.stderr);
    assert.deepEqual(await readFile(join(deep.remote, 'up.bin')), deep.data);
    const barA = lastBar(a.stdout);
    const barB = lastBar(b.stdout);
    assert.match(barA ?? '', /^null\.n: up\.bin 3\.00 MiB \/ 3\.00 MiB \[=+\] 100\.00%$/, a.stdout);
    assert.equal(barB, barA, b.stdout);
    // the bar fills the terminal's width (the Ui read it from the stream), not the default 80
    assert.equal(barB!.length, COLUMNS, barB);
  });

  test('without a terminal the deep run draws nothing, as the shallow one', async () => {
    const { cwd } = await setup('piped', DEPTH);
    const r = await run(PACKER_TS, ['build', '-color=false', 't.pkr.hcl'], { cwd, env: { HOME: cwd }, timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Uploading up\.bin/);
    assert.doesNotMatch(r.stdout + r.stderr, /%|\r/);
  });
});
