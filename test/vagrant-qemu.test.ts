/**
 * The vagrant post-processor's libvirt box from a real qemu build: test/vm/qemu-tiny.json (the
 * tiny image of test/vm/make-vm-image.sh, QEMU/TCG) with a vagrant post-processor through
 * Packer 1.6.6 and packer-ts: the same members, metadata.json, Vagrantfile, and a qcow2 disk of
 * the same virtual size. Slow (two QEMU boots); needs root for the image the first time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { requireTool } from './helpers/docker.ts';

const FIXTURES = join(import.meta.dirname, 'vm');
const CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'packer-ts-fixtures', 'qemu-test-image');
let work = '';

describe('vagrant libvirt box from the qemu builder: parity with Packer 1.6.6', { concurrency: false }, () => {
  before(async () => {
    requireTool(REAL_PACKER, 'packer');
    requireTool('qemu-system-x86_64', 'qemu-system-x86');
    requireTool('qemu-img', 'qemu-utils');
    work = await mkdtemp(join(tmpdir(), 'packer-ts-vagrant-qemu-'));
    if (!existsSync(join(CACHE, 'tiny.qcow2')) || !existsSync(join(CACHE, 'id_ed25519'))) {
      if (process.getuid?.() !== 0) throw new Error('the fixture image is made as root: run this test as root once');
      await mkdir(CACHE, { recursive: true });
      const r = spawnSync(join(FIXTURES, 'make-vm-image.sh'), [CACHE, '--variant', 'tiny'], { encoding: 'utf8', timeout: 600_000 });
      assert.equal(r.status, 0, `make-vm-image.sh failed:\n${r.stderr}`);
    }
  });
  after(async () => { if (work) await rm(work, { recursive: true, force: true }); });

  test('same box through both tools', async () => {
    const tpl = JSON.parse(await readFile(join(FIXTURES, 'qemu-tiny.json'), 'utf8')) as Record<string, unknown>;
    tpl['post-processors'] = [{ type: 'vagrant', output: 'boxes/{{.BuildName}}-{{.Provider}}.box', compression_level: 1 }];
    await writeFile(join(work, 'template.json'), JSON.stringify(tpl));
    const image = join(CACHE, 'tiny.qcow2');
    const checksum = `sha256:${(await readFile(`${image}.sha256`, 'utf8')).split(/\s+/)[0]}`;
    const boxes: Record<string, { members: string[]; files: Record<string, string>; size: number; format: string }> = {};
    for (const [name, bin] of [['packer', REAL_PACKER], ['ts', PACKER_TS]] as const) {
      const cwd = join(work, name);
      await mkdir(cwd);
      const vars = { image, ssh_key: join(CACHE, 'id_ed25519'), image_checksum: checksum, output_dir: 'out' };
      const r = await run(bin, ['build', '-color=false', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), join(work, 'template.json')], { cwd, timeoutMs: 600_000 });
      assert.equal(r.code, 0, `${name}:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /--> qemu: 'libvirt' provider box: boxes\/qemu-libvirt\.box/);
      const x = join(cwd, 'x');
      await mkdir(x);
      const tar = await import('tar');
      const members: string[] = [];
      await tar.x({ file: join(cwd, 'boxes/qemu-libvirt.box'), cwd: x, onReadEntry: (e) => { members.push(e.path); } });
      const info = JSON.parse(spawnSync('qemu-img', ['info', '--output=json', join(x, 'box.img')], { encoding: 'utf8' }).stdout) as { format: string; 'virtual-size': number };
      boxes[name] = {
        members,
        files: { 'metadata.json': await readFile(join(x, 'metadata.json'), 'utf8'), Vagrantfile: await readFile(join(x, 'Vagrantfile'), 'utf8') },
        size: info['virtual-size'],
        format: info.format,
      };
      // keep_input_artifact unset: the box replaces the VM's output directory, as in Packer
      assert.deepEqual(existsSync(join(cwd, 'out')) ? await readdir(join(cwd, 'out')) : [], []);
    }
    assert.deepEqual(boxes.ts!.members, ['Vagrantfile', 'box.img', 'metadata.json']);
    assert.equal(boxes.ts!.format, 'qcow2');
    assert.deepEqual(boxes.ts, boxes.packer);
  });
});
