import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordingUi } from '@packer-ts/sdk';
import { ArtificePostProcessor, artificeSchema } from '../src/post-processor/artifice/index.ts';
import { goGlob } from '../src/common/glob.ts';
import { fileArtifact, requirePacker, inDir, machineArtifacts, packerRaw, runPacker, signal, tempDir, withoutType } from './pp-helpers.ts';

async function layout(dir: string): Promise<void> {
  await mkdir(join(dir, 'in', 'deep'), { recursive: true });
  await mkdir(join(dir, 'in2'));
  for (const f of ['in/b.txt', 'in/a.txt', 'in/.hidden.txt', 'in/c.log', 'in/deep/d.txt', 'in2/e.txt']) await writeFile(join(dir, f), f);
}

const PATTERNS = ['in/*.txt', 'missing.bin', './in/c.log', 'in/[ab].txt', 'in*/*.txt', 'in/?.log', 'in/deep'];

test('schema declares files and keep_input_artifact', () => {
  assert.deepEqual(Object.keys(artificeSchema).sort(), ['files', 'keep_input_artifact']);
});

test('replaces the artifact with the globbed files', async (t) => {
  const dir = await tempDir(t);
  await layout(dir);
  const pp = new ArtificePostProcessor();
  await pp.configure({ files: PATTERNS, keep_input_artifact: true }, packerRaw());
  const ui = new RecordingUi();
  const res = await inDir(dir, () => pp.postProcess(ui, fileArtifact(['x.img', 'y.img']), signal()));
  const expected = ['in/.hidden.txt', 'in/a.txt', 'in/b.txt', './in/c.log', 'in/a.txt', 'in/b.txt',
    'in/.hidden.txt', 'in/a.txt', 'in/b.txt', 'in2/e.txt', 'in/c.log', 'in/deep'];
  assert.deepEqual(await res.artifact!.files(), expected);
  assert.equal(await res.artifact!.builderId(), 'packer.post-processor.artifice');
  assert.equal(await res.artifact!.id(), '');
  assert.equal(await res.artifact!.string(), `Created artifact from files: ${expected.join(', ')}`);
  assert.equal(res.keep, true);
  assert.equal(res.forceOverride, false);
  assert.deepEqual(ui.calls.map((c) => c.text), ['Discarding files from artifact: x.img, y.img', `Using these artifact files: ${expected.join(', ')}`]);
});

test('destroy removes the listed files', async (t) => {
  const dir = await tempDir(t);
  await layout(dir);
  const pp = new ArtificePostProcessor();
  await pp.configure({ files: [join(dir, 'in', '*.txt')] }, packerRaw());
  const res = await pp.postProcess(new RecordingUi(), fileArtifact([]), signal());
  await res.artifact!.destroy();
  assert.deepEqual((await readdir(join(dir, 'in'))).sort(), ['c.log', 'deep']);
});

test('configuration errors: no files, unknown key; bad pattern and broken link fail', async (t) => {
  await assert.rejects(new ArtificePostProcessor().configure({}, packerRaw()), { message: 'No files specified in artifice configuration' });
  await assert.rejects(new ArtificePostProcessor().configure({ files: [] }, packerRaw()), { message: 'No files specified in artifice configuration' });
  await assert.rejects(new ArtificePostProcessor().configure({ files: ['a'], extra: 1 }, packerRaw()), /extra/);
  const bad = new ArtificePostProcessor();
  await bad.configure({ files: ['in/[a'] }, packerRaw());
  await assert.rejects(bad.postProcess(new RecordingUi(), fileArtifact([]), signal()), { message: 'syntax error in pattern' });
  const dir = await tempDir(t);
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
  assert.deepEqual(await goGlob(join(dir, 'dangl*')), [join(dir, 'dangling')]);
  const broken = new ArtificePostProcessor();
  await broken.configure({ files: [join(dir, 'dangl*')] }, packerRaw());
  await assert.rejects(broken.postProcess(new RecordingUi(), fileArtifact([]), signal()), /ENOENT/);
});

test('parity with packer 1.6.6: same file list and artifact', async (t) => {
  requirePacker();
  const dir = await tempDir(t);
  await layout(dir);
  const pp = { type: 'artifice', files: PATTERNS };
  const r = await runPacker(dir, { builders: [{ type: 'file', content: 'x', target: 'built.txt' }], 'post-processors': [pp] });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const arts = machineArtifacts(r.stdout);
  // keep=true: the builder's artifact is listed first.
  assert.equal(arts.length, 2);
  const theirs = arts[1]!;
  const ours = new ArtificePostProcessor();
  await ours.configure(withoutType(pp), packerRaw());
  const res = await inDir(dir, () => ours.postProcess(new RecordingUi(), fileArtifact(['built.txt']), signal()));
  assert.equal(await res.artifact!.builderId(), theirs.builderId);
  assert.deepEqual(await res.artifact!.files(), theirs.files);
  assert.equal(await res.artifact!.string(), theirs.string);
  assert.equal(await res.artifact!.id(), theirs.id);
});
