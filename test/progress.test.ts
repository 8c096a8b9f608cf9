/**
 * Progress bars on a terminal (a pty from util-linux `script`) for uploads
 * over real SSH: packer-ts's file provisioner in-process, and Packer 1.6.6's Go
 * file provisioner as a plugin, whose TrackProgress RPCs the core now draws.
 * Without a terminal nothing is drawn.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireSshd, SSHFixture } from '../packages/plugins/test/ssh-helpers.ts';
import { requireTools } from './helpers/requires.ts';

const SCRIPT = '/usr/bin/script';

describe('progress bars for uploads', () => {
  const fx = new SSHFixture();
  let port = 0;
  before(async () => {
    requireSshd();
    requireTools(REAL_PACKER, SCRIPT);
    await fx.setup();
    port = (await fx.sshd()).port;
  });
  after(() => fx.teardown());

  async function setup(type: string): Promise<{ cwd: string; remote: string; data: Buffer }> {
    const cwd = await mkdtemp(join(fx.dir, 'progress-'));
    const remote = await fx.userDir(`remote-progress-${type}`);
    await writeFile(join(cwd, 'packer-provisioner-gofile'), `#!/bin/sh\nexec ${REAL_PACKER} plugin packer-provisioner-file\n`);
    await chmod(join(cwd, 'packer-provisioner-gofile'), 0o755);
    const data = randomBytes(3 << 20);
    await writeFile(join(cwd, 'up.bin'), data);
    await writeFile(join(cwd, 't.json'), JSON.stringify({
      builders: [{ type: 'null', ssh_host: '127.0.0.1', ssh_port: port, ssh_username: fx.user.name, ssh_private_key_file: fx.keys.key }],
      provisioners: [{ type, source: 'up.bin', destination: `${remote}/up.bin` }],
    }));
    return { cwd, remote, data };
  }

  /** Runs packer-ts on a pty; the transcript is what a user's terminal shows. */
  function onTerminal(cwd: string): ReturnType<typeof run> {
    const cmd = `${PACKER_TS} build -color=false t.json`;
    return run(SCRIPT, ['-qec', cmd, '/dev/null'], { cwd, env: { PACKER_PLUGIN_PATH: cwd, HOME: cwd }, timeoutMs: 120_000 });
  }

  for (const [label, type] of [['packer-ts\'s file provisioner', 'file'], ['Packer\'s Go file provisioner (a plugin)', 'gofile']] as const) {
    test(`${label}: a bar on a terminal ending at 100%, none without one`, async () => {
      const { cwd, remote, data } = await setup(type);
      const tty = await onTerminal(cwd);
      assert.equal(tty.code, 0, tty.stdout + tty.stderr);
      assert.match(tty.stdout, /\rnull: up\.bin 3\.00 MiB \/ 3\.00 MiB \[=+\] 100\.00%/, tty.stdout);
      assert.deepEqual(await readFile(join(remote, 'up.bin')), data);
      const piped = await run(PACKER_TS, ['build', '-color=false', '-force', 't.json'], { cwd, env: { PACKER_PLUGIN_PATH: cwd, HOME: cwd }, timeoutMs: 120_000 });
      assert.equal(piped.code, 0, piped.stdout + piped.stderr);
      assert.doesNotMatch(piped.stdout + piped.stderr, /%|\r/);
    });
  }
});
