/**
 * cd_files / floppy_files / floppy_dirs of the qemu builder: the images are
 * made with the real host tools (xorriso, mtools) and read back with them.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordingUi, StateBag } from '@packer-ts/sdk';
import { requireTools } from '../../../test/helpers/requires.ts';
import { prepareConfig } from '../src/builder/qemu/config.ts';
import { qemuCommandArgs, StepCreateCD, StepCreateFloppy } from '../src/builder/qemu/steps/index.ts';
import { tree } from './fs-helpers.ts';

const mtEnv = { ...process.env, MTOOLS_SKIP_CHECK: '1' };

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: mtEnv });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let dir = '';
let cwd = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qemu-media-'));
  const files: Record<string, string> = {
    'src/user-data': '#cloud-config', 'src/meta-data': 'instance-id: i-1',
    'src/tree/a.txt': 'a', 'src/tree/sub/b.txt': 'b', 'src/tree/sub/deeper/c.txt': 'c',
    'src/glob/x1.cfg': 'x1', 'src/glob/x2.cfg': 'x2', 'src/glob/y.txt': 'y',
    'src/flat/one': '1', 'src/flat/inner/two': '2',
  };
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), c + '\n');
  }
  await mkdir(join(dir, 'src/tree/empty'));
  cwd = process.cwd();
  process.chdir(dir);
});
after(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

describe('cd_files', () => {
  before(() => requireTools('xorriso', 'isoinfo'));
  test('label, layout of files, directories ("dir" vs "dir/") and globs, read back with xorriso; cleanup', async () => {
    const ui = new RecordingUi();
    const state = new StateBag([['ui', ui]]);
    const step = new StepCreateCD(['src/user-data', 'src/meta-data', 'src/tree', 'src/glob/x*.cfg', 'src/flat/'], 'cidata');
    assert.equal(await step.run(state), 'continue', state.error()?.message);
    const iso = state.get('cd_path') as string;
    assert.match(iso, /\.iso$/);
    assert.match(ui.text('say'), /Creating CD disk\.\.\./);
    assert.match(ui.text('message'), /Done copying paths from CD_dirs/);

    assert.match(run('xorriso', ['-indev', iso, '-pvd_info']), /^Volume Id\s*:\s*cidata$/m);
    assert.match(run('isoinfo', ['-d', '-i', iso]), /^Volume id: cidata$/m);
    // Rock Ridge and Joliet are both there (xorriso -as genisoimage -rock -joliet)
    const info = run('isoinfo', ['-d', '-i', iso]);
    assert.match(info, /Rock Ridge signatures version \d+ found/);
    assert.match(info, /Joliet with UCS level 3 found/);
    assert.deepEqual(run('isoinfo', ['-J', '-f', '-i', iso]).split('\n').filter(Boolean).sort(), [
      '/inner', '/inner/two', '/meta-data', '/one', '/tree', '/tree/a.txt', '/tree/empty', '/tree/sub', '/tree/sub/b.txt',
      '/tree/sub/deeper', '/tree/sub/deeper/c.txt', '/user-data', '/x1.cfg', '/x2.cfg',
    ]);

    const out = join(dir, 'extracted');
    run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', out]);
    assert.deepEqual((await tree(out, { dirs: false, trim: true })).sort(), [
      'inner/two=2', 'meta-data=instance-id: i-1', 'one=1', 'tree/a.txt=a', 'tree/sub/b.txt=b', 'tree/sub/deeper/c.txt=c',
      'user-data=#cloud-config', 'x1.cfg=x1', 'x2.cfg=x2',
    ]);
    assert.ok(existsSync(join(out, 'tree/empty')));
    spawnSync('chmod', ['-R', 'u+w', out]);

    await step.cleanup();
    assert.equal(existsSync(iso), false);
    assert.equal(existsSync(dirname(iso)), false);
  });

  test('cd_label defaults to "packer"; a missing file halts the step', async () => {
    const state = new StateBag([['ui', new RecordingUi()]]);
    const step = new StepCreateCD(['src/user-data']);
    assert.equal(await step.run(state), 'continue', state.error()?.message);
    assert.match(run('isoinfo', ['-d', '-i', state.get('cd_path') as string]), /^Volume id: packer$/m);
    await step.cleanup();

    const bad = new StateBag([['ui', new RecordingUi()]]);
    const step2 = new StepCreateCD(['src/nope']);
    assert.equal(await step2.run(bad), 'halt');
    assert.equal(bad.error()?.message, 'Error creating temporary file for CD: Error adding path to CD: stat src/nope: no such file or directory');
    assert.equal(bad.get('cd_path'), undefined);
    await step2.cleanup();
  });
});

describe('floppy_files / floppy_dirs', () => {
  before(() => requireTools('mformat', 'fsck.fat'));
  test('1.44 MB FAT12, label, files flat, directories of floppy_files flattened, floppy_dirs with structure; cleanup', async () => {
    const ui = new RecordingUi();
    const state = new StateBag([['ui', ui]]);
    const step = new StepCreateFloppy(['src/user-data', 'src/glob/*.cfg', 'src/tree'], ['src/fl*'], 'cidata');
    assert.equal(await step.run(state), 'continue', state.error()?.message);
    const img = state.get('floppy_path') as string;
    assert.equal(statSync(img).size, 1474560);

    const minfo = run('minfo', ['-i', img, '::']);
    assert.match(minfo, /sectors per track: 18/);
    assert.match(minfo, /heads: 2/);
    assert.match(minfo, /media descriptor byte: 0xf0/);
    assert.match(minfo, /sectors per fat: 9/);
    assert.match(minfo, /max available root directory slots: 224/);
    assert.match(minfo, /banner:"cidata/);
    assert.match(minfo, /disk type="FAT12   "/);
    assert.match(minfo, /label="cidata     "/);
    assert.match(run('mlabel', ['-i', img, '-s', '::']), /Volume label is cidata\s*$/);

    assert.deepEqual(run('mdir', ['-i', img, '-/', '-b', '::']).split('\n').filter(Boolean).sort(), [
      '::/a.txt', '::/b.txt', '::/c.txt', '::/flat/', '::/flat/inner/', '::/flat/inner/two', '::/flat/one',
      '::/user-data', '::/x1.cfg', '::/x2.cfg',
    ]);
    assert.equal(run('mtype', ['-i', img, '::/user-data']).trim(), '#cloud-config');
    assert.equal(run('mtype', ['-i', img, '::/c.txt']).trim(), 'c');
    assert.equal(run('mtype', ['-i', img, '::/flat/inner/two']).trim(), '2');
    // the checks of a FAT reader pass
    assert.equal(spawnSync('fsck.fat', ['-n', img]).status, 0);

    const msgs = ui.text('message');
    for (const m of ['Copying files flatly from floppy_files', 'Copying file: src/user-data', 'Copying directory: src/tree',
      'Adding file: src/tree/sub/deeper/c.txt', 'Resulting paths from floppy_dirs : [src/flat]', 'Recursively copying : src/flat',
      'Done copying paths from floppy_dirs']) assert.ok(msgs.includes(m), m);

    await step.cleanup();
    assert.equal(existsSync(img), false);
    assert.equal(existsSync(dirname(img)), false);
  });

  test('default label "packer"; name clashes, long labels and missing files halt the step', async () => {
    const state = new StateBag([['ui', new RecordingUi()]]);
    const step = new StepCreateFloppy([], ['src/tree/sub/']);
    assert.equal(await step.run(state), 'continue', state.error()?.message);
    const img = state.get('floppy_path') as string;
    assert.match(run('mlabel', ['-i', img, '-s', '::']), /Volume label is packer\s*$/);
    assert.deepEqual(run('mdir', ['-i', img, '-/', '-b', '::']).split('\n').filter(Boolean).sort(), ['::/sub/', '::/sub/b.txt', '::/sub/deeper/', '::/sub/deeper/c.txt']);
    await step.cleanup();

    for (const [files, label, msg] of [
      [['src/glob/x1.cfg', 'src/glob/x1.cfg'], undefined, 'Error adding file from floppy_files : src/glob/x1.cfg : name already exists: x1.cfg'],
      [['src/user-data'], 'toolonglabel', 'Error creating floppy: OEMName must be 8 bytes or less'],
      [['src/missing'], undefined, 'Error trying to stat : src/missing : stat src/missing: no such file or directory'],
    ] as const) {
      const s = new StateBag([['ui', new RecordingUi()]]);
      const st = new StepCreateFloppy([...files], [], label);
      assert.equal(await st.run(s), 'halt');
      assert.equal(s.error()?.message, msg);
      assert.equal(s.get('floppy_path'), undefined);
      await st.cleanup();
    }
  });
});

function raw(extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return [{
    iso_url: 'img.qcow2', iso_checksum: 'none', disk_image: true, accelerator: 'tcg', communicator: 'none', headless: true,
    output_directory: join(tmpdir(), `qemu-media-${process.pid}-nonexistent`), ...extra,
  }, { packer_build_name: 'qemu', packer_builder_type: 'qemu' }];
}

describe('config and QEMU command line', () => {
  test('cd_files / floppy_* checks as Packer words them', () => {
    assert.throws(() => prepareConfig(raw({ cd_files: ['src/nope'] })), /Bad CD disk file 'src\/nope': stat src\/nope: no such file or directory/);
    assert.throws(() => prepareConfig(raw({ cd_files: ['src/[a'] })), /Bad CD disk file 'src\/\[a': syntax error in pattern/);
    assert.throws(() => prepareConfig(raw({ floppy_dirs: ['src/gone'] })), /Bad Floppy disk directory 'src\/gone': stat src\/gone/);
    assert.doesNotThrow(() => prepareConfig(raw({ cd_files: ['src/user-data', 'src/none*'], floppy_files: ['src/*.none'] })));
  });

  test('-fda for the floppy, the CD a -drive media=cdrom after the install ISO (index 1) or alone (index 0)', () => {
    for (const [diskImage, cdromInterface, drives, devices] of [
      [true, undefined, ['file=/t/cd.iso,index=0,media=cdrom'], []],
      [false, undefined, ['file=/t/install.iso,index=0,media=cdrom', 'file=/t/cd.iso,index=1,media=cdrom'], []],
      [false, 'virtio-scsi', ['file=/t/install.iso,if=none,index=0,id=cdrom0,media=cdrom', 'file=/t/cd.iso,if=none,index=1,id=cdrom1,media=cdrom'],
        ['virtio-scsi-device', 'scsi-cd,drive=cdrom0', 'virtio-scsi-device', 'scsi-cd,drive=cdrom1']],
      [true, 'ide', ['file=/t/cd.iso,if=ide,index=0,id=cdrom0,media=cdrom'], []],
    ] as const) {
      const p = prepareConfig(raw({ disk_image: diskImage, ...(cdromInterface ? { cdrom_interface: cdromInterface } : {}) }));
      const state = new StateBag([['vnc_port', 5901], ['http_ip', '10.0.2.2'], ['http_port', 0], ['iso_path', '/t/install.iso'],
        ['floppy_path', '/t/floppy.img'], ['cd_path', '/t/cd.iso']]);
      const args = qemuCommandArgs(p.config, state, new RecordingUi(), p.ctx);
      const values = (k: string) => args.flatMap((a, i) => (a === k ? [args[i + 1]!] : []));
      assert.deepEqual(values('-fda'), ['/t/floppy.img']);
      assert.deepEqual(values('-drive').filter((d) => d.includes('media=cdrom')), [...drives]);
      assert.deepEqual(values('-device').filter((d) => d.includes('scsi')), [...devices]);
    }
    const p = prepareConfig(raw());
    const args = qemuCommandArgs(p.config, new StateBag([['vnc_port', 5901], ['http_ip', '10.0.2.2'], ['http_port', 0]]), new RecordingUi(), p.ctx);
    assert.equal(args.includes('-fda'), false);
    assert.equal(args.some((a) => a.includes('media=cdrom')), false);
  });
});
