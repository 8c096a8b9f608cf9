/**
 * End to end over SSH: the same templates (null builder + ssh to a private
 * sshd, shell and file provisioners, uploads and downloads) through packer-ts
 * and Packer 1.6.6 leave the same files on the remote and the same downloads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { SSHFixture } from '../packages/plugins/test/ssh-helpers.ts';

async function listing(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    const rel = p.slice(base.length + 1);
    const mode = ((await stat(p)).mode & 0o777).toString(8);
    if (e.isDirectory()) out.push(`${rel}/ ${mode}`, ...(await listing(p, base)));
    else out.push(`${rel} ${mode} ${await readFile(p, 'utf8')}`);
  }
  return out;
}

describe('ssh end to end', () => {
  const fx = new SSHFixture();
  let port = 0;
  let work = '';

  before(async () => {
    await fx.setup();
    port = (await fx.sshd()).port;
    work = await mkdtemp(join(fx.dir, 'work-'));
    await mkdir(join(work, 'src', 'd', 'sub'), { recursive: true });
    await writeFile(join(work, 'src', 'd', 'a.txt'), 'A\n');
    await writeFile(join(work, 'src', 'd', 'sub', 'b.txt'), 'B\n', { mode: 0o600 });
    await writeFile(join(work, 'src', 'f.txt'), 'F\n');
    await writeFile(join(work, 'src', 'x.sh'), '#!/bin/sh\r\necho "script $FOO" > "$OUT/script-out.txt"\r\n', { mode: 0o755 });
  });
  after(() => fx.teardown());

  function template(remote: string, method: string, auth: Record<string, unknown>): unknown {
    return {
      builders: [{ type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_port: port, ssh_username: fx.user.name, ssh_file_transfer_method: method, ...auth }],
      provisioners: [
        { type: 'shell', inline: [`mkdir -p ${remote}/exists ${remote}/slash`, `echo "{{build \`User\`}} {{build \`ConnType\`}} $PACKER_BUILD_NAME" > ${remote}/inline.txt`] },
        { type: 'shell', script: 'src/x.sh', environment_vars: ["FOO=it's", `OUT=${remote}`] },
        // scp creates a missing destination directory; sftp (Packer's too) does not
        ...(method === 'scp' ? [{ type: 'file', source: 'src/d', destination: `${remote}/nodir` }] : []),
        { type: 'file', source: 'src/d', destination: `${remote}/exists` },
        { type: 'file', source: 'src/d/', destination: `${remote}/slash` },
        { type: 'file', sources: ['src/f.txt'], destination: `${remote}/exists/` },
        { type: 'file', source: 'src/f.txt', destination: `${remote}/f2.txt` },
        { type: 'file', source: `${remote}/f2.txt`, destination: 'out/dl/', direction: 'download' },
        { type: 'file', source: `${remote}/inline.txt`, destination: 'out/inline-copy.txt', direction: 'download' },
        { type: 'file', source: `${remote}/slash/`, destination: 'out/dldir/', direction: 'download' },
      ],
    };
  }

  async function build(bin: string, name: string, method: string, auth: Record<string, unknown>) {
    const remote = await fx.userDir(`remote-${name}`);
    const cwd = await mkdtemp(join(fx.dir, `cwd-${name}-`));
    execFileSync('cp', ['-a', join(work, 'src'), cwd]);
    await writeFile(join(cwd, 't.json'), JSON.stringify(template(remote, method, auth)));
    const r = await run(bin, ['build', 't.json'], { cwd, timeoutMs: 120_000 });
    return { r, remote: await listing(remote), out: await listing(join(cwd, "out")).catch((): string[] => []), cwd };
  }

  for (const method of ['scp', 'sftp']) {
    test(`${method}: same remote files and downloads as Packer 1.6.6`, async () => {
      requireTools(REAL_PACKER);
      const auth = { ssh_private_key_file: fx.keys.key };
      const ours = await build(PACKER_TS, `ts-${method}`, method, auth);
      const theirs = await build(REAL_PACKER, `go-${method}`, method, auth);
      assert.equal(ours.r.code, 0, ours.r.stdout + ours.r.stderr);
      assert.equal(theirs.r.code, 0, theirs.r.stdout);
      const strip = (l: string[]) => l.map((x) => x.replace(/remote-(ts|go)-\w+/g, 'remote'));
      assert.deepEqual(strip(ours.remote), strip(theirs.remote));
      assert.deepEqual(ours.out, theirs.out);
      // and what that is
      assert.ok(ours.remote.includes(`inline.txt 644 ${fx.user.name} ssh null\n`), ours.remote.join('\n'));
      assert.ok(ours.remote.includes("script-out.txt 644 script it's\n"));
      if (method === 'scp') assert.ok(ours.remote.includes('nodir/sub/b.txt 600 B\n'));
      assert.ok(ours.remote.includes('exists/d/a.txt 644 A\n'));
      assert.ok(ours.remote.includes('slash/a.txt 644 A\n'));
      assert.ok(ours.out.includes('dldir/slash/sub/b.txt 600 B\n'));
      for (const m of ['Waiting for SSH to become available...', 'Connected to SSH!', 'Provisioning with shell script: src/x.sh', 'Uploading src/d/ => ']) {
        assert.ok(ours.r.stdout.includes(m), m);
        assert.ok(theirs.r.stdout.includes(m), m);
      }
    });
  }

  test('password auth, a failing command: its exit code in the build error, like Packer', async () => {
    const remote = await fx.userDir('remote-pw');
    const cwd = await mkdtemp(join(fx.dir, 'cwd-pw-'));
    const t = {
      builders: [{ type: 'null', ssh_host: '127.0.0.1', ssh_port: port, ssh_username: fx.user.name, ssh_password: fx.user.password }],
      provisioners: [{ type: 'shell', inline: [`echo ok > ${remote}/ok`, 'echo failing', 'exit 42'] }],
    };
    await writeFile(join(cwd, 't.json'), JSON.stringify(t));
    const ours = await run(PACKER_TS, ['build', 't.json'], { cwd });
    assert.equal(ours.code, 1);
    assert.equal(await readFile(join(remote, 'ok'), 'utf8'), 'ok\n');
    const all = ours.stdout + ours.stderr;
    assert.match(all, /Script exited with non-zero exit status: 42\.Allowed exit codes are: \[0\]/);
    assert.ok(!all.includes(fx.user.password), 'password leaked into the output');
    requireTools(REAL_PACKER);
    const theirs = await run(REAL_PACKER, ['build', 't.json'], { cwd });
    assert.equal(theirs.code, 1);
    assert.match(theirs.stdout, /Script exited with non-zero exit status: 42\.Allowed exit codes are: \[0\]/);
    await rm(cwd, { recursive: true, force: true });
  });

  test('-machine-readable: remote output lines as ui records, no progress output', async () => {
    const cwd = await mkdtemp(join(fx.dir, 'cwd-mr-'));
    const remote = await fx.userDir('remote-mr');
    await writeFile(join(cwd, 'big.bin'), Buffer.alloc(1 << 20, 1));
    const t = {
      builders: [{ type: 'null', ssh_host: '127.0.0.1', ssh_port: port, ssh_username: fx.user.name, ssh_private_key_file: fx.keys.key }],
      provisioners: [
        { type: 'file', source: 'big.bin', destination: `${remote}/big.bin` },
        { type: 'shell', inline: ['echo one', 'echo two'] },
      ],
    };
    await writeFile(join(cwd, 't.json'), JSON.stringify(t));
    const r = await run(PACKER_TS, ['-machine-readable', 'build', 't.json'], { cwd });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!r.stdout.includes('\r'));
    // Lines that arrive in one chunk go out in one record (joined by an escaped newline), else one record each.
    assert.match(r.stdout, /ui,message,\s+null: one(\\n\s+null: two|\n\d+,,ui,message,\s+null: two)\n/);
    assert.equal((await stat(join(remote, 'big.bin'))).size, 1 << 20);
  });
});
