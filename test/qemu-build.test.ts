/**
 * The qemu builder with real QEMU (TCG): the fixture's template through
 * Packer 1.6.6 and packer-ts, boot_command typed over VNC, error paths,
 * Ctrl-C. One tiny fixture image, built once (make-vm-image.sh, needs root).
 * PACKER_TS_BIN runs another packer-ts command line than bin/packer-ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run, type RunResult } from './helpers/run.ts';
import { requireRoot, requireTools } from './helpers/requires.ts';
import { MARK_VAR, markedPids, newMark, waitNoneLeft } from './helpers/plugins.ts';

const FIXTURES = join(import.meta.dirname, 'vm');
const MAKE_IMAGE = process.env.PACKER_TS_MAKE_VM_IMAGE || join(FIXTURES, 'make-vm-image.sh');
const TEMPLATE = join(FIXTURES, 'qemu-tiny.json');
const isRoot = process.getuid?.() === 0;
const canSudo = !isRoot && spawnSync('sudo', ['-n', 'true']).status === 0;

/** Fails the suite, saying what to install or do, unless QEMU and the fixture image's maker can run. */
function requireQemu(): void {
  requireTools('qemu-system-x86_64', 'qemu-img');
  if (!existsSync(MAKE_IMAGE)) throw new Error(`needs ${MAKE_IMAGE} (PACKER_TS_MAKE_VM_IMAGE names a missing file)`);
  if (!(isRoot || canSudo)) requireRoot('building the fixture image (make-vm-image.sh)');
}

const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'packer-ts-fixtures', 'qemu-test-image');
let image = '';
let key = '';
let checksum = '';
let work = '';

function packerTs(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<RunResult> {
  const bin = process.env.PACKER_TS_BIN;
  if (bin) return run('sh', ['-c', `exec ${bin} "$@"`, 'packer-ts', ...args], { cwd, env, timeoutMs });
  return run(PACKER_TS, args, { cwd, env, timeoutMs });
}

function vars(out: string, extra: Record<string, string> = {}): string[] {
  const v: Record<string, string> = { image, ssh_key: key, image_checksum: checksum, output_dir: out, ...extra };
  return Object.entries(v).flatMap(([k, x]) => ['-var', `${k}=${x}`]);
}

/** Reads a file of the root partition (MBR partition 2, ext4) of a qcow2 image with qemu-img and debugfs. */
async function readGuestFile(qcow2: string, path: string): Promise<string | undefined> {
  const raw = join(work, `inspect-${Date.now()}.raw`);
  const c = spawnSync('qemu-img', ['convert', '-O', 'raw', qcow2, raw], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
  try {
    const fd = openSync(raw, 'r');
    const mbr = Buffer.alloc(512);
    readSync(fd, mbr, 0, 512, 0);
    closeSync(fd);
    const lba = mbr.readUInt32LE(446 + 16 + 8);
    const r = spawnSync('debugfs', ['-R', `cat ${path}`, `${raw}?offset=${lba * 512}`], { encoding: 'utf8' });
    if (r.status !== 0 || /File not found/.test(r.stderr)) return undefined;
    return r.stdout;
  } finally {
    await rm(raw, { force: true });
  }
}

/** QEMU processes started under `mark`. */
async function qemuLeft(mark: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await markedPids(mark)) {
    try { if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('qemu-system')) out.push(pid); } catch { /* gone */ }
  }
  return out;
}

describe('qemu builder (real QEMU, TCG)', { concurrency: false }, () => {
  before(async () => {
    requireQemu();
    work = await mkdtemp(join(tmpdir(), 'packer-ts-qemu-'));
    image = join(CACHE, 'tiny.qcow2');
    key = join(CACHE, 'id_ed25519');
    if (!existsSync(image) || !existsSync(`${image}.sha256`) || !existsSync(key)) {
      await mkdir(CACHE, { recursive: true });
      const cmd = isRoot ? [MAKE_IMAGE, CACHE, '--variant', 'tiny'] : ['sudo', '-n', MAKE_IMAGE, CACHE, '--variant', 'tiny'];
      const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 600_000 });
      assert.equal(r.status, 0, `make-vm-image.sh failed:\n${r.stderr}`);
      if (!isRoot) spawnSync('sudo', ['-n', 'chown', '-R', `${process.getuid!()}`, CACHE]);
    }
    checksum = `sha256:${(await readFile(`${image}.sha256`, 'utf8')).split(/\s+/)[0]}`;
  });
  after(async () => { if (work) await rm(work, { recursive: true, force: true }); });

  let packerOut = '';
  test('the fixture template: same artifact with Packer 1.6.6 and packer-ts, marker file in both images', async () => {
    requireTools(REAL_PACKER);
    const real = await run(REAL_PACKER, ['build', ...vars('out-packer'), TEMPLATE], { cwd: work, timeoutMs: 180_000 });
    assert.equal(real.code, 0, real.stdout + real.stderr);
    const ours = await packerTs(['build', ...vars('out-ts'), TEMPLATE], work);
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    for (const [r, dir] of [[real, 'out-packer'], [ours, 'out-ts']] as const) {
      assert.match(r.stdout, new RegExp(`--> qemu: VM files in directory: ${dir}`));
      assert.match(r.stdout, /Linux tiny .* x86_64/);
      for (const m of ['Retrieving ISO', 'Found port for communicator \\(SSH, WinRM, etc\\): \\d+\\.', 'Starting VM, booting disk image',
        'Waiting for SSH to become available...', 'Connected to SSH!', 'Gracefully halting virtual machine...', 'Converting hard drive...']) {
        assert.match(r.stdout, new RegExp(m), `${dir}: ${m}`);
      }
      const img = join(work, dir, 'packer-tcg.qcow2');
      assert.equal(await readGuestFile(img, '/root/provisioned'), '', `${dir}: /root/provisioned in the image`);
      const info = JSON.parse(spawnSync('qemu-img', ['info', '--output=json', img], { encoding: 'utf8' }).stdout) as { format: string };
      assert.equal(info.format, 'qcow2');
    }
    packerOut = join(work, 'out-packer', 'packer-tcg.qcow2');
  });

  test('boot_command typed over VNC creates a file the provisioner finds (on the image Packer built, as a backing file)', async () => {
    const base = packerOut || image;
    const tpl = JSON.parse(await readFile(TEMPLATE, 'utf8')) as { builders: Record<string, unknown>[]; provisioners: unknown[] };
    Object.assign(tpl.builders[0], {
      use_backing_file: true,
      // Ctrl-Alt-3 switches QEMU's VNC screen to the serial console (ttyS0: a busybox askfirst shell)
      // typed twice, the second time later: a guest that boots slowly (a loaded machine, TCG)
      // may not have its console up for the first; the line is the same either way
      boot_command: ['<wait5><leftCtrlOn><leftAltOn>3<leftAltOff><leftCtrlOff><enter><wait>',
        'echo typed {{ .Name }} {{ .HTTPIP }} > /root/bootcmd<enter>',
        '<wait10><enter><wait>echo typed {{ .Name }} {{ .HTTPIP }} > /root/bootcmd<enter>'],
      boot_key_interval: '10ms',
    });
    tpl.provisioners = [{ type: 'shell', inline: ['cat /root/bootcmd', packerOut ? 'test -f /root/provisioned && echo base-was-provisioned' : 'true'] }];
    await writeFile(join(work, 'bootcmd.json'), JSON.stringify(tpl));
    const r = await packerTs(['build', ...vars('out-bootcmd', { image: base, image_checksum: 'none' }), 'bootcmd.json'], work);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Typing the boot command over VNC/);
    assert.match(r.stdout, /typed packer-tcg\.qcow2 10\.0\.2\.2/);
    if (packerOut) assert.match(r.stdout, /base-was-provisioned/);
    // a thin overlay on the base image
    const info = JSON.parse(spawnSync('qemu-img', ['info', '--output=json', join(work, 'out-bootcmd', 'packer-tcg.qcow2')], { encoding: 'utf8' }).stdout) as { 'backing-filename'?: string };
    assert.equal(info['backing-filename'], base);
  });

  test('vnc_use_password: the password set over QMP, the boot command typed with it; as Packer 1.6.6 says it, kept out of the log', async () => {
    requireTools(REAL_PACKER);
    const tpl = JSON.parse(await readFile(TEMPLATE, 'utf8')) as { builders: Record<string, unknown>[] };
    Object.assign(tpl.builders[0], { vnc_use_password: true, boot_command: ['<wait>'] });
    await writeFile(join(work, 'vncpw.json'), JSON.stringify(tpl));
    const real = await run(REAL_PACKER, ['build', ...vars('out-vncpw-packer'), 'vncpw.json'], { cwd: work, env: { PACKER_LOG: '1', PACKER_NO_COLOR: '1' }, timeoutMs: 180_000 });
    assert.equal(real.code, 0, real.stdout + real.stderr);
    const ours = await packerTs(['build', ...vars('out-vncpw-ts'), 'vncpw.json'], work, { PACKER_LOG: '1', PACKER_NO_COLOR: '1' });
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    for (const [r, dir] of [[real, 'out-vncpw-packer'], [ours, 'out-vncpw-ts']] as const) {
      const m = new RegExp(`    qemu: The VM will be run headless, without a GUI. If you want to\n    qemu: view the screen of the VM, connect via VNC to vnc://127\\.0\\.0\\.1:(\\d+),password\n    qemu: with the password: ([0-689a-zA-Z]{8})\n`).exec(r.stdout);
      assert.ok(m, `${dir}: ${r.stdout}`);
      assert.match(r.stdout, new RegExp(`==> qemu: QMP socket at: ${dir}/packer-tcg\\.qcow2\\.monitor\n==> qemu: Connecting to VM via VNC \\(127\\.0\\.0\\.1:${5900 + Number(m[1])}\\)\n==> qemu: Typing the boot command over VNC\\.\\.\\.\n`));
      assert.match(r.stderr, /QMP socket open SUCCESS/);
      assert.deepEqual(await readdir(join(work, dir)), ['packer-tcg.qcow2']);
      // Packer logs the QMP command with the password; packer-ts masks it
      if (r === real) assert.ok(r.stderr.includes(`"password": "${m[2]}"`), r.stderr);
      else {
        assert.equal(r.stderr.includes(m[2]!), false, r.stderr);
        assert.match(r.stderr, /QMP Command: \{ "execute": "change-vnc-password", "arguments": \{ "password": "<sensitive>" \} \}/);
      }
    }
  });

  // The tiny guest kernel has no iso9660/sr_mod modules (nor a floppy driver), so the CD is
  // attached as a virtio-blk disk (cdrom_interface "virtio"; the root disk on virtio-scsi so
  // index 0 is free) and read raw: the volume id of the primary volume descriptor and the file.
  test('cd_files: the guest reads the ISO (label cidata, the file) from the CD drive; the ISO is removed afterwards', async () => {
    const tpl = JSON.parse(await readFile(TEMPLATE, 'utf8')) as { builders: Record<string, unknown>[]; provisioners: unknown[] };
    await mkdir(join(work, 'cd', 'seed'), { recursive: true });
    await writeFile(join(work, 'cd', 'seed', 'user-data'), 'cd-marker-4711\n');
    Object.assign(tpl.builders[0], { cd_files: ['cd/seed/*'], cd_label: 'cidata', cdrom_interface: 'virtio', disk_interface: 'virtio-scsi' });
    tpl.provisioners = [{ type: 'shell', inline: [
      'echo "volid=[$(dd if=/dev/vda bs=2048 skip=16 count=1 2>/dev/null | dd bs=1 skip=40 count=32 2>/dev/null | tr -d \' \')]"',
      'strings /dev/vda | grep -E "^(cd-marker-[0-9]+|user-data)$" | sort -u | tr "\\n" " "; echo',
    ] }];
    await writeFile(join(work, 'cd.json'), JSON.stringify(tpl));
    const tmp = join(work, 'tmp-cd');
    await mkdir(tmp);
    const r = await packerTs(['build', ...vars('out-cd'), 'cd.json'], work, { TMPDIR: tmp });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Creating CD disk\.\.\./);
    assert.match(r.stdout, /volid=\[cidata\]/);
    assert.match(r.stdout, /cd-marker-4711 user-data/);
    assert.deepEqual((await readdir(tmp)).filter((n) => n.startsWith('packer-cd')), []);
  });

  test('bad checksum, missing image: Packer\'s messages, nothing left behind', async () => {
    const bad = await packerTs(['build', ...vars('out-bad', { image_checksum: 'sha256:' + '0'.repeat(64) }), TEMPLATE], work);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout + bad.stderr, /error downloading ISO: \[Checksums did not match for .*tiny\.qcow2\.\nExpected: 0{64}\nGot: [0-9a-f]{64}/);
    const missing = await packerTs(['build', ...vars('out-bad', { image: join(work, 'nope.qcow2') }), TEMPLATE], work);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout + missing.stderr, /error downloading ISO: \[source path error: stat .*nope\.qcow2: no such file or directory\]/);
    assert.equal(existsSync(join(work, 'out-bad')), false);
  });

  test('kvm asked for without the device: a clear error before anything runs', async () => {
    const r = await packerTs(['build', ...vars('out-kvm', { accel: 'kvm' }), TEMPLATE], work, { PACKER_TS_KVM_DEVICE: '/nonexistent/kvm' });
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /accelerator "kvm" was asked for, but \/nonexistent\/kvm does not exist/);
  });

  test('QEMU exits early: its stderr is in the error, no output directory, no QEMU left', async () => {
    const mark = newMark();
    const tpl = JSON.parse(await readFile(TEMPLATE, 'utf8')) as { builders: Record<string, unknown>[] };
    tpl.builders[0].qemuargs = [['-machine', 'type=no-such-machine']];
    await writeFile(join(work, 'early.json'), JSON.stringify(tpl));
    const r = await packerTs(['build', ...vars('out-early'), 'early.json'], work, { [MARK_VAR]: mark });
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /QEMU exited with status 1[^\n]*; its stderr:\n.*unsupported machine type/);
    assert.equal(existsSync(join(work, 'out-early')), false);
    assert.deepEqual(await qemuLeft(mark), []);
  });

  test('SSH never comes up: Packer\'s "Timeout waiting for SSH.", the log names the forwarded port; -on-error=abort keeps the disk, not the VM', async () => {
    const mark = newMark();
    const tpl = JSON.parse(await readFile(TEMPLATE, 'utf8')) as { builders: Record<string, unknown>[] };
    // nothing listens on guest port 2200: QEMU accepts on the host port, the guest resets
    Object.assign(tpl.builders[0], { ssh_port: 2200, ssh_timeout: '4s' });
    await writeFile(join(work, 'nossh.json'), JSON.stringify(tpl));
    const r = await packerTs(['build', '-on-error=abort', ...vars('out-nossh'), 'nossh.json'], work, { [MARK_VAR]: mark, PACKER_LOG: '1' });
    assert.equal(r.code, 1);
    const port = /Found port for communicator \(SSH, WinRM, etc\): (\d+)\./.exec(r.stdout)?.[1];
    assert.ok(port, r.stdout);
    // eslint-disable-next-line no-control-regex
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(plain, /\n==> qemu: Timeout waiting for SSH\.\n/);
    assert.match(plain, /errored after [^\n]*: Timeout waiting for SSH\.\n/);
    assert.match(r.stderr, new RegExp(`\\[DEBUG\\] No SSH server answered on 127\\.0\\.0\\.1:${port} \\(forwarded by QEMU to the guest's port 2200\\) within 4s\n`));
    assert.equal(existsSync(join(work, 'out-nossh', 'packer-tcg.qcow2')), true);
    assert.deepEqual(await qemuLeft(mark), []);
  });

  test('Ctrl-C while the guest boots: no QEMU process and no output directory left', async () => {
    const mark = newMark();
    const bin = process.env.PACKER_TS_BIN ? ['sh', '-c', `exec ${process.env.PACKER_TS_BIN} "$@"`, 'packer-ts'] : [PACKER_TS];
    const child = spawn(bin[0], [...bin.slice(1), 'build', ...vars('out-int'), TEMPLATE], {
      cwd: work, env: { ...process.env, [MARK_VAR]: mark }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const deadline = Date.now() + 60_000;
    while (!out.includes('Typing the boot command over VNC') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await qemuLeft(mark)).length > 0, 'QEMU runs');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    assert.notEqual(code, 0, out);
    assert.deepEqual(await waitNoneLeft(mark, 3000), []);
    assert.deepEqual(await qemuLeft(mark), []);
    assert.equal(existsSync(join(work, 'out-int')), false, out);
  });
});
