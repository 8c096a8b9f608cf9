/**
 * Across the plugin boundary over SSH: Packer 1.6.6's Go shell and file
 * provisioners (plugin sub-processes) over packer-ts's null builder SSH
 * communicator, and ours (`packer-ts plugin packer-provisioner-shell|file`)
 * under real `packer build` with Packer's null builder.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { SSHFixture } from '../packages/plugins/test/ssh-helpers.ts';

const killSession = 'p=$$; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(awk \'{print $4}\' /proc/$p/stat); done; kill -9 $p';

describe('ssh across the plugin boundary', () => {
  const fx = new SSHFixture();
  let port = 0;
  before(async () => { requireTools(REAL_PACKER); await fx.setup(); port = (await fx.sshd()).port; });
  after(() => fx.teardown());

  async function setup(prefix: 'go' | 'ts'): Promise<{ cwd: string; remote: string }> {
    const cwd = await mkdtemp(join(fx.dir, `plugin-${prefix}-`));
    const remote = await fx.userDir(`remote-plugin-${prefix}`);
    const serve = prefix === 'go' ? `${REAL_PACKER} plugin` : `${PACKER_TS} plugin`;
    for (const kind of ['shell', 'file']) {
      const f = join(cwd, `packer-provisioner-${prefix}${kind}`);
      await writeFile(f, `#!/bin/sh\nexec ${serve} packer-provisioner-${kind}\n`);
      await chmod(f, 0o755);
    }
    await writeFile(join(cwd, 'up.txt'), 'UP\n');
    await writeFile(join(cwd, 't.json'), JSON.stringify({
      builders: [{ type: 'null', ssh_host: '127.0.0.1', ssh_port: port, ssh_username: fx.user.name, ssh_private_key_file: fx.keys.key }],
      provisioners: [
        { type: `${prefix}shell`, inline: ['echo hello', 'echo oops >&2', `echo "$V" > ${remote}/shell.txt`], environment_vars: ['V=from shell'] },
        { type: `${prefix}file`, source: 'up.txt', destination: `${remote}/up.txt` },
        { type: `${prefix}file`, source: `${remote}/shell.txt`, destination: 'out/down.txt', direction: 'download' },
        { type: `${prefix}shell`, inline: ['echo going', killSession], expect_disconnect: true },
        { type: `${prefix}shell`, inline: ['exit 5'], valid_exit_codes: [5] },
        { type: `${prefix}shell`, inline: ['exit 6'] },
      ],
    }));
    return { cwd, remote };
  }

  async function check(bin: string, prefix: 'go' | 'ts'): Promise<void> {
    const { cwd, remote } = await setup(prefix);
    const r = await run(bin, ['build', 't.json'], { cwd, timeoutMs: 120_000 });
    const all = r.stdout + r.stderr;
    assert.equal(r.code, 1, all);
    assert.match(all, /null: hello/);
    assert.match(all, /null: oops/);
    assert.match(all, /null: going/);
    assert.match(all, /Script exited with non-zero exit status: 6\.Allowed exit codes are: \[0\]/);
    assert.equal(await readFile(join(remote, 'shell.txt'), 'utf8'), 'from shell\n');
    assert.equal(await readFile(join(remote, 'up.txt'), 'utf8'), 'UP\n');
    assert.equal(await readFile(join(cwd, 'out', 'down.txt'), 'utf8'), 'from shell\n');
  }

  test('Packer\'s Go shell and file provisioners over packer-ts\'s SSH communicator', () => check(PACKER_TS, 'go'));
  test('packer-ts\'s shell and file provisioners under Packer 1.6.6 with its null builder', () => check(REAL_PACKER, 'ts'));
});
