import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BasicArtifact, RecordingUi } from '@packer-ts/sdk';
import { ManifestPostProcessor, manifestSchema, parseManifest, serializeManifest } from '../src/post-processor/manifest/index.ts';
import { fileArtifact, requirePacker, inDir, packerRaw, runPacker, signal, tempDir, withoutType } from './pp-helpers.ts';

async function withRunUUID<T>(uuid: string | undefined, fn: () => Promise<T>): Promise<T> {
  const prev = process.env.PACKER_RUN_UUID;
  if (uuid === undefined) delete process.env.PACKER_RUN_UUID;
  else process.env.PACKER_RUN_UUID = uuid;
  try {
    return await fn();
  } finally {
    if (prev === undefined) delete process.env.PACKER_RUN_UUID;
    else process.env.PACKER_RUN_UUID = prev;
  }
}

async function manifest(config: Record<string, unknown>, artifact: BasicArtifact, build = packerRaw()) {
  const pp = new ManifestPostProcessor();
  await pp.configure(config, build);
  return pp.postProcess(new RecordingUi(), artifact, signal());
}

test('schema declares the manifest keys', () => {
  assert.deepEqual(Object.keys(manifestSchema).sort(), ['custom_data', 'output', 'strip_path', 'strip_time']);
});

test('writes the manifest as Packer does and returns the input artifact', async (t) => {
  const dir = await tempDir(t);
  const f = join(dir, 'disk.raw');
  await writeFile(f, '12345');
  const input = fileArtifact([f, join(dir, 'gone')]);
  const before = Math.floor(Date.now() / 1000);
  const out = join(dir, 'm.json');
  const res = await withRunUUID('run-1', () => manifest({ output: out }, input, packerRaw({ buildName: 'web', builderType: 'file' })));
  const after = Math.floor(Date.now() / 1000);
  assert.equal(res.artifact, input);
  assert.equal(res.keep, true);
  assert.equal(res.forceOverride, true);
  const text = await readFile(out, 'utf8');
  const time = JSON.parse(text).builds[0].build_time as number;
  assert.ok(time >= before && time <= after);
  assert.equal(text, [
    '{', '  "builds": [', '    {', '      "name": "web",', '      "builder_type": "file",', `      "build_time": ${time},`,
    '      "files": [', '        {', `          "name": "${f}",`, '          "size": 5', '        },', '        {',
    `          "name": "${join(dir, 'gone')}",`, '          "size": 0', '        }', '      ],', '      "artifact_id": "File",',
    '      "packer_run_uuid": "run-1",', '      "custom_data": null', '    }', '  ],', '  "last_run_uuid": "run-1"', '}',
  ].join('\n'));
  assert.deepEqual(await readdir(dir), ['disk.raw', 'm.json']);
});

test('appends builds, strips paths and times, escapes and sorts custom_data', async (t) => {
  const dir = await tempDir(t);
  const f = join(dir, 'sub', 'x.img');
  const out = join(dir, 'm.json');
  await withRunUUID('r1', async () => {
    await manifest({ output: out, strip_path: true, strip_time: true, custom_data: { zeta: '<a & b>', alpha: 'id={{build_name}}' } },
      fileArtifact([f], { generated_data: { ImageId: 'ami-1' } }), packerRaw({ buildName: 'one' }));
    await manifest({ output: out }, new BasicArtifact({ builderId: 'x', string: 's' }), packerRaw({ buildName: 'two' }));
  });
  const text = await readFile(out, 'utf8');
  assert.ok(text.includes('"custom_data": {\n        "alpha": "id=one",\n        "zeta": "\\u003ca \\u0026 b\\u003e"\n      }'), text);
  const m = JSON.parse(text);
  assert.deepEqual(m.builds.map((b: { name: string }) => b.name), ['one', 'two']);
  assert.equal('build_time' in m.builds[0], false);
  assert.deepEqual(m.builds[0].files, [{ name: 'x.img', size: 0 }]);
  assert.equal(m.builds[1].files, null);
  assert.equal(m.builds[1].artifact_id, '');
});

test('-force truncates a manifest of another run but not of the same run', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'm.json');
  const art = fileArtifact([]);
  await withRunUUID('old', () => manifest({ output: out }, art, packerRaw({ buildName: 'a' })));
  await withRunUUID('new', () => manifest({ output: out }, art, packerRaw({ buildName: 'b', force: true })));
  await withRunUUID('new', () => manifest({ output: out }, art, packerRaw({ buildName: 'c', force: true })));
  const m = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(m.builds.map((b: { name: string }) => b.name), ['b', 'c']);
  assert.equal(m.last_run_uuid, 'new');
});

test('without PACKER_RUN_UUID one id is used for the whole process', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'm.json');
  await withRunUUID(undefined, async () => {
    await manifest({ output: out }, fileArtifact([]));
    await manifest({ output: out }, fileArtifact([]));
  });
  const m = JSON.parse(await readFile(out, 'utf8'));
  assert.match(m.last_run_uuid, /^[0-9a-f-]{36}$/);
  assert.deepEqual(m.builds.map((b: { packer_run_uuid: string }) => b.packer_run_uuid), [m.last_run_uuid, m.last_run_uuid]);
});

test('concurrent builds in one process all land in the manifest', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'm.json');
  await withRunUUID('par', () => Promise.all(Array.from({ length: 8 }, (_, i) => manifest({ output: out }, fileArtifact([]), packerRaw({ buildName: `b${i}` })))));
  const m = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(m.builds.map((b: { name: string }) => b.name).sort(), Array.from({ length: 8 }, (_, i) => `b${i}`));
});

test('existing manifests are read like Go does; bad ones are errors', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'm.json');
  await writeFile(out, '{"Builds":[{"NAME":"old","extra":1,"custom_data":{"b":"2","a":"1"},"files":[]}],"last_run_uuid":"x","other":true}');
  await withRunUUID('y', () => manifest({ output: out, strip_time: true }, fileArtifact([]), packerRaw({ buildName: 'new' })));
  const text = await readFile(out, 'utf8');
  assert.equal(text, serializeManifest(parseManifest(text)));
  assert.ok(text.includes('"custom_data": {\n        "a": "1",\n        "b": "2"\n      }'));
  assert.ok(text.includes('"files": [],'));
  assert.equal(JSON.parse(text).builds[0].name, 'old');
  assert.equal('other' in JSON.parse(text), false);
  await writeFile(out, '{"builds": 3}');
  await assert.rejects(manifest({ output: out }, fileArtifact([])), new RegExp(`^Error: Unable to parse content from ${out}: json: cannot unmarshal number`));
  await writeFile(out, 'not json');
  await assert.rejects(manifest({ output: out }, fileArtifact([])), /Unable to parse content from/);
});

test('unknown configuration key is rejected', async () => {
  await assert.rejects(new ManifestPostProcessor().configure({ outptu: 'x' }, packerRaw()), /outptu/);
});

test('parity with packer 1.6.6: two runs, then -force', async (t) => {
  requirePacker();
  const dirP = await tempDir(t);
  const dirO = await tempDir(t);
  const pp = { type: 'manifest', output: 'out/manifest.json', custom_data: { who: '<{{build_name}}> & {{build_type}}', a: 'first' } };
  const template = { builders: [{ type: 'file', name: 'web', content: 'twelve bytes', target: 'art.txt' }], 'post-processors': [pp] };
  const normalize = (s: string) => s.replace(/"build_time": \d+/g, '"build_time": T').replace(/"(packer_run_uuid|last_run_uuid)": "[^"]*"/g, '"$1": U');
  const runOurs = (uuid: string, force: boolean) => inDir(dirO, async () => {
    await writeFile('art.txt', 'twelve bytes');
    const cfg = withoutType(pp);
    const m = new ManifestPostProcessor();
    await m.configure(cfg, packerRaw({ buildName: 'web', builderType: 'file', force }));
    await withRunUUID(uuid, () => m.postProcess(new RecordingUi(), fileArtifact(['art.txt']), signal()));
  });
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dirP, 'out'));
  await mkdir(join(dirO, 'out'));
  for (const [i, force] of [[1, false], [2, false], [3, true]] as const) {
    const r = await runPacker(dirP, template, force ? ['-force'] : []);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    await runOurs(`uuid-${i}`, force);
    const p = await readFile(join(dirP, 'out', 'manifest.json'), 'utf8');
    const o = await readFile(join(dirO, 'out', 'manifest.json'), 'utf8');
    assert.equal(normalize(o), normalize(p), `run ${i}`);
    assert.equal(JSON.parse(o).builds.length, force ? 1 : i);
  }
});
