import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MultiError, RecordingUi } from '@packer-ts/sdk';
import { ChecksumPostProcessor, checksumSchema } from '../src/post-processor/checksum/index.ts';
import { fileArtifact, requirePacker, inDir, machineArtifacts, packerRaw, runPacker, signal, tempDir, withoutType } from './pp-helpers.ts';

const TYPES = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

/** Digest computed by the coreutils tool (md5sum, sha256sum...). */
function coreutilsDigest(type: string, file: string): string {
  return execFileSync(`${type}sum`, [file], { encoding: 'utf8' }).split(' ')[0]!;
}

test('schema declares the checksum keys', () => {
  assert.deepEqual(Object.keys(checksumSchema).sort(), ['checksum_types', 'output']);
  assert.equal(checksumSchema.output!.interpolate, false);
});

test('default: md5 into packer_<build>_<type>_md5.checksum in the current directory', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'disk.img');
  await writeFile(input, 'hello world\n');
  const pp = new ChecksumPostProcessor();
  await pp.configure({}, packerRaw({ buildName: 'b1', builderType: 'file' }));
  const res = await inDir(dir, () => pp.postProcess(new RecordingUi(), fileArtifact([input]), signal()));
  const text = await readFile(join(dir, 'packer_b1_file_md5.checksum'), 'utf8');
  assert.equal(text, `${coreutilsDigest('md5', input)}\tdisk.img\n`);
  assert.equal(res.keep, true);
  assert.equal(res.forceOverride, true);
  const a = res.artifact!;
  assert.equal(await a.builderId(), 'packer.post-processor.checksum');
  assert.equal(await a.id(), '');
  assert.deepEqual(await a.files(), [input, 'packer_b1_file_md5.checksum']);
  assert.equal(await a.string(), `Created artifact from files: ${input}, packer_b1_file_md5.checksum`);
  assert.equal((await stat(join(dir, 'packer_b1_file_md5.checksum'))).mode & 0o777, 0o644 & ~process.umask());
});

test('every type, several files, output directory created, appends on a second run', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'a'));
  await mkdir(join(dir, 'b'));
  const f1 = join(dir, 'a', 'one.bin');
  const f2 = join(dir, 'b', 'two.bin');
  await writeFile(f1, Buffer.alloc(300_000, 7));
  await writeFile(f2, '');
  const output = join(dir, 'sums', 'deep', '{{.BuildName}}_{{.BuilderType}}.{{.ChecksumType}}');
  const run = async () => {
    const pp = new ChecksumPostProcessor();
    await pp.configure({ checksum_types: TYPES, output }, packerRaw({ buildName: 'web', builderType: 'qemu' }));
    return pp.postProcess(new RecordingUi(), fileArtifact([f1, f2]), signal());
  };
  const first = await run();
  const created = TYPES.map((ty) => join(dir, 'sums', 'deep', `web_qemu.${ty}`));
  assert.deepEqual(await first.artifact!.files(), [f1, f2, ...created]);
  for (const ty of TYPES) {
    const expected = `${coreutilsDigest(ty, f1)}\tone.bin\n${coreutilsDigest(ty, f2)}\ttwo.bin\n`;
    assert.equal(await readFile(join(dir, 'sums', 'deep', `web_qemu.${ty}`), 'utf8'), expected, ty);
  }
  const second = await run();
  // Existing checksum files are appended to and no longer listed as new files.
  assert.deepEqual(await second.artifact!.files(), [f1, f2]);
  const md5 = await readFile(join(dir, 'sums', 'deep', 'web_qemu.md5'), 'utf8');
  assert.equal(md5.split('\n').length, 5);
  assert.equal(md5.split('\n')[2], `${createHash('md5').update(Buffer.alloc(300_000, 7)).digest('hex')}\tone.bin`);
});

test('generated_data from the artifact state is available in output', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'x');
  await writeFile(input, 'x');
  const pp = new ChecksumPostProcessor();
  await pp.configure({ checksum_types: ['sha1'], output: join(dir, '{{.ImageName}}-{{.ChecksumType}}.txt') }, packerRaw());
  await pp.postProcess(new RecordingUi(), fileArtifact([input], { generated_data: { ImageName: 'img42' } }), signal());
  assert.equal(await readFile(join(dir, 'img42-sha1.txt'), 'utf8'), `${coreutilsDigest('sha1', input)}\tx\n`);
});

test('an explicit empty checksum_types writes nothing', async (t) => {
  const dir = await tempDir(t);
  const input = join(dir, 'x');
  await writeFile(input, 'x');
  const pp = new ChecksumPostProcessor();
  await pp.configure({ checksum_types: [], output: join(dir, 'out_{{.ChecksumType}}') }, packerRaw());
  const res = await pp.postProcess(new RecordingUi(), fileArtifact([input]), signal());
  assert.deepEqual(await res.artifact!.files(), [input]);
  assert.deepEqual(await readdir(dir), ['x']);
});

test('unknown checksum types are all reported', async () => {
  const pp = new ChecksumPostProcessor();
  await assert.rejects(pp.configure({ checksum_types: ['md5', 'crc32', 'foo'] }, packerRaw()), (e: Error) => {
    assert.ok(e instanceof MultiError);
    assert.deepEqual(e.errors.map((x) => x.message), ['Unrecognized checksum type: crc32', 'Unrecognized checksum type: foo']);
    assert.match(e.message, /\* Unrecognized checksum type: crc32/);
    assert.match(e.message, /\* Unrecognized checksum type: foo/);
    return true;
  });
});

test('unknown configuration key is rejected', async () => {
  const pp = new ChecksumPostProcessor();
  await assert.rejects(pp.configure({ bogus: 1 }, packerRaw()), /bogus/);
});

test('a missing input file fails with Packer\'s message', async (t) => {
  const dir = await tempDir(t);
  const pp = new ChecksumPostProcessor();
  await pp.configure({ output: join(dir, 'sum') }, packerRaw());
  const missing = join(dir, 'missing.img');
  await assert.rejects(pp.postProcess(new RecordingUi(), fileArtifact([missing]), signal()),
    { message: `unable to open file ${missing}: open ${missing}: no such file or directory` });
});

test('parity with packer 1.6.6: same checksum files and artifact', async (t) => {
  requirePacker();
  const dirP = await tempDir(t);
  const dirO = await tempDir(t);
  const template = (d: string) => ({
    builders: [{ type: 'file', content: 'parity content\n', target: join(d, 'in', 'data.txt') }],
    'post-processors': [{ type: 'checksum', checksum_types: TYPES, output: join(d, 'sums', '{{.BuildName}}-{{.BuilderType}}-{{.ChecksumType}}.checksum') }],
  });
  await mkdir(join(dirP, 'in'));
  for (let i = 0; i < 2; i++) {
    const r = await runPacker(dirP, template(dirP));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    if (i === 0) {
      const arts = machineArtifacts(r.stdout);
      const ours = await (async () => {
        await mkdir(join(dirO, 'in'), { recursive: true });
        await writeFile(join(dirO, 'in', 'data.txt'), 'parity content\n');
        const pp = new ChecksumPostProcessor();
        await pp.configure(withoutType(template(dirO)['post-processors'][0]!), packerRaw({ buildName: 'file', builderType: 'file' }));
        return pp.postProcess(new RecordingUi(), fileArtifact([join(dirO, 'in', 'data.txt')]), signal());
      })();
      const a = ours.artifact!;
      assert.equal(await a.builderId(), arts[1]!.builderId);
      assert.equal(await a.id(), arts[1]!.id);
      assert.deepEqual((await a.files()).map((f) => f.replace(dirO, 'D')), arts[1]!.files.map((f) => f.replace(dirP, 'D')));
      assert.equal((await a.string()).replaceAll(dirO, 'D'), arts[1]!.string.replaceAll(dirP, 'D'));
    } else {
      const pp = new ChecksumPostProcessor();
      await pp.configure(withoutType(template(dirO)['post-processors'][0]!), packerRaw());
      await pp.postProcess(new RecordingUi(), fileArtifact([join(dirO, 'in', 'data.txt')]), signal());
    }
  }
  const names = (await readdir(join(dirP, 'sums'))).sort();
  assert.equal(names.length, TYPES.length);
  assert.deepEqual((await readdir(join(dirO, 'sums'))).sort(), names);
  for (const n of names) {
    assert.equal(await readFile(join(dirO, 'sums', n), 'utf8'), await readFile(join(dirP, 'sums', n), 'utf8'), n);
  }
});
