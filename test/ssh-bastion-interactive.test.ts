/**
 * ssh_bastion_interactive against a real bastion whose only method is
 * keyboard-interactive (sshd with PAM asking the user's password): the answer
 * is typed on the terminal, not echoed; without a terminal the build fails at
 * once as Packer 1.6.6's does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onTerminal, PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { SSHFixture, type Sshd } from '../packages/plugins/test/ssh-helpers.ts';

describe('ssh_bastion_interactive', () => {
  const fx = new SSHFixture();
  let target: Sshd;
  let bastion: Sshd;
  let work = '';

  before(async () => {
    requireTools('/usr/bin/script', '/usr/bin/setsid', REAL_PACKER);
    await fx.setup();
    target = await fx.sshd();
    bastion = await fx.sshd([
      'UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no', 'PubkeyAuthentication no',
      'AuthenticationMethods keyboard-interactive',
    ]);
    work = await mkdtemp(join(fx.dir, 'work-'));
    await writeFile(join(work, 't.json'), JSON.stringify({
      builders: [{
        type: 'null', ssh_host: '127.0.0.1', ssh_port: target.port, ssh_username: fx.user.name, ssh_private_key_file: fx.keys.key,
        ssh_bastion_host: '127.0.0.1', ssh_bastion_port: bastion.port, ssh_bastion_username: fx.user.name,
        ssh_bastion_interactive: true, ssh_timeout: '30s',
      }],
      provisioners: [{ type: 'shell', inline: ['echo "hello from $(id -un)"'] }],
    }));
  });
  after(() => fx.teardown());

  test('on a terminal: the typed answer logs in to the bastion, unechoed, and the build runs through it', async () => {
    const r = await onTerminal(PACKER_TS, ['build', '-color=false', 't.json'], work, /Waiting for SSH to become available\.\.\./, `${fx.user.password}\r`);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /==> null: Connected to SSH!\n/);
    assert.match(r.out, new RegExp(`    null: hello from ${fx.user.name}\\n`));
    assert.ok(!r.out.includes(fx.user.password), r.out);
  });

  test('without a terminal: "Error configuring bastion: open /dev/tty: ..." at once, as Packer 1.6.6', async () => {
    const norm = (o: string) => o.replace(/after [^\n]*/g, 'after T');
    const ours = await run('/usr/bin/setsid', ['-w', PACKER_TS, 'build', '-color=false', 't.json'], { cwd: work });
    const theirs = await run('/usr/bin/setsid', ['-w', REAL_PACKER, 'build', '-color=false', 't.json'], { cwd: work });
    assert.equal(ours.code, 1, ours.stdout);
    assert.equal(theirs.code, 1, theirs.stdout);
    assert.match(ours.stdout, /==> null: Error waiting for SSH: Error configuring bastion: open \/dev\/tty: no such device or address\n/);
    assert.equal(norm(ours.stdout), norm(theirs.stdout));
  });
});
