/**
 * The vagrant post-processor's libvirt box from a real qcow2 (made by qemu-img) in an
 * artifact shaped as the qemu builder returns it, and the provider rules. The box from a
 * full QEMU build, compared with Packer 1.6.6, is test/vagrant-qemu.test.ts. The docker box is compared with Packer 1.6.6 in test/docker-postprocessors.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar';
import { BasicArtifact, RecordingUi } from '@packer-ts/sdk';
import { VagrantPostProcessor } from '../src/post-processor/vagrant/index.ts';
import { sizeInMegabytes } from '../src/post-processor/vagrant/providers.ts';
import { packerRaw, signal, tempDir } from './pp-helpers.ts';

function qemuArtifact(outDir: string, state: Record<string, unknown>): BasicArtifact {
  return new BasicArtifact({
    builderId: 'transcend.qemu', id: 'VM', files: [join(outDir, 'packer-qemu')], string: `VM files in directory: ${outDir}`,
    state: { diskName: 'packer-qemu', diskType: 'qcow2', diskSize: '1500M', domainType: 'tcg', generated_data: { Extra: 'x' }, ...state },
  });
}

async function unpack(box: string, into: string): Promise<string[]> {
  const members: string[] = [];
  await mkdir(into, { recursive: true });
  await tar.x({ file: box, cwd: into, onReadEntry: (e) => { members.push(e.path); } });
  return members;
}

test('libvirt box: box.img, metadata.json and the Vagrantfile from a qemu artifact', async (t) => {
  const dir = await tempDir(t, 'vagrant-');
  const out = join(dir, 'output-qemu');
  await mkdir(out);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(out, 'packer-qemu'), '1500M']);
  const pp = new VagrantPostProcessor();
  await pp.configure({ output: join(dir, 'boxes/{{.BuildName}}_{{.Provider}}_{{.Extra}}.box'), compression_level: 1 }, packerRaw({ buildName: 'qemu', builderType: 'qemu' }));
  const ui = new RecordingUi();
  const r = await pp.postProcess(ui, qemuArtifact(out, {}), signal());
  const box = join(dir, 'boxes/qemu_libvirt_x.box');
  assert.deepEqual(await r.artifact!.files(), [box]);
  assert.equal(await r.artifact!.string(), `'libvirt' provider box: ${box}`);
  assert.equal(await r.artifact!.id(), 'libvirt');
  assert.deepEqual([r.keep, r.forceOverride], [false, true]);
  assert.deepEqual([...(await readFile(box)).subarray(0, 2)], [0x1f, 0x8b], 'gzipped');
  const x = join(dir, 'x');
  assert.deepEqual(await unpack(box, x), ['Vagrantfile', 'box.img', 'metadata.json']);
  assert.equal(await readFile(join(x, 'metadata.json'), 'utf8'), '{"format":"qcow2","provider":"libvirt","virtual_size":2}\n');
  assert.deepEqual(await readFile(join(x, 'box.img')), await readFile(join(out, 'packer-qemu')));
  const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', join(x, 'box.img')], { encoding: 'utf8' })) as { format: string; 'virtual-size': number };
  assert.deepEqual([info.format, info['virtual-size']], ['qcow2', 1500 * 1024 * 1024]);
  const vf = await readFile(join(x, 'Vagrantfile'), 'utf8');
  assert.match(vf, /^\n# The contents below were provided by the Packer Vagrant post-processor\n\nVagrant\.configure\("2"\) do \|config\|\n  config\.vm\.provider :libvirt do \|libvirt\|\n    libvirt\.driver = "qemu"\n  end\nend\n/);
  assert.match(ui.text('message'), /Copying from artifact: .*packer-qemu\nCompressing: Vagrantfile\nCompressing: box\.img\nCompressing: metadata\.json/);
});

test('libvirt box: kvm driver, no compression, include, override per provider', async (t) => {
  const dir = await tempDir(t, 'vagrant-');
  const out = join(dir, 'output-qemu');
  await mkdir(out);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(out, 'packer-qemu'), '10G']);
  await mkdir(join(dir, 'inc'));
  await import('node:fs/promises').then((f) => f.writeFile(join(dir, 'inc', 'info.json'), '{}\n'));
  const pp = new VagrantPostProcessor();
  await pp.configure({
    output: join(dir, 'default.box'), include: [join(dir, 'inc/info.json')],
    override: { libvirt: { output: join(dir, 'libvirt.box'), compression_level: 0 } },
  }, packerRaw({ buildName: 'qemu', builderType: 'qemu' }));
  await pp.postProcess(new RecordingUi(), qemuArtifact(out, { domainType: 'kvm', diskSize: '10G' }), signal());
  const box = join(dir, 'libvirt.box');
  assert.equal((await readFile(box)).subarray(257, 262).toString(), 'ustar', 'a plain tar at level 0');
  const x = join(dir, 'x');
  assert.deepEqual(await unpack(box, x), ['Vagrantfile', 'box.img', 'info.json', 'metadata.json']);
  assert.match(await readFile(join(x, 'Vagrantfile'), 'utf8'), /libvirt\.driver = "kvm"/);
  assert.equal(await readFile(join(x, 'metadata.json'), 'utf8'), '{"format":"qcow2","provider":"libvirt","virtual_size":10}\n');
  assert.ok(!(await readdir(dir)).includes('default.box'));
});

test('provider rules: unsupported providers fail at configure time; missing qemu state is a clear error', async (t) => {
  const dir = await tempDir(t, 'vagrant-');
  for (const [raw, re] of [
    [{ provider_override: 'virtualbox' }, /not supported by packer-ts yet: virtualbox/],
    [{}, /not supported by packer-ts yet: vmware/],
  ] as const) {
    await assert.rejects(new VagrantPostProcessor().configure(raw, packerRaw({ builderType: 'vmware-iso' })), re);
  }
  const pp = new VagrantPostProcessor();
  await pp.configure({ provider_override: 'libvirt', output: join(dir, 'b.box') }, packerRaw());
  const artifice = new BasicArtifact({ builderId: 'packer.post-processor.artifice', files: [join(dir, 'disk.qcow2')], string: '' });
  await assert.rejects(pp.postProcess(new RecordingUi(), artifice, signal()), /The libvirt provider needs the artifact's "diskName" \(an artifact of the qemu builder\)/);
  const noOverride = new VagrantPostProcessor();
  await noOverride.configure({}, packerRaw());
  await assert.rejects(noOverride.postProcess(new RecordingUi(), artifice, signal()), /When using an artifact created by the artifice post-processor, you need to set the provider_override option\./);
});

test('sizeInMegabytes follows Packer', () => {
  assert.deepEqual(['40960M', '10G', '512', '1T', '2048K', '1048576b'].map(sizeInMegabytes), [40960, 10240, 512, 1024 * 1024, 2, 1]);
});
