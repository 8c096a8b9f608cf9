import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar';
import yauzl from 'yauzl';
import { RecordingUi } from '@packer-ts/sdk';
import { CompressPostProcessor, compressSchema, detectFormat } from '../src/post-processor/compress/index.ts';
import { fileArtifact, requirePacker, inDir, packerRaw, runPacker, signal, tempDir, withoutType } from './pp-helpers.ts';

interface ZipEntryInfo { name: string; data: Buffer; method: number; versionMadeBy: number; attrs: number; dosTime: number; dosDate: number; flags: number }

function readZip(file: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err) return reject(err);
      const out: ZipEntryInfo[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, async (err2, rs) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          for await (const c of rs) chunks.push(c as Buffer);
          out.push({
            name: (e.fileName as unknown as Buffer).toString('utf8'), data: Buffer.concat(chunks), method: e.compressionMethod, versionMadeBy: e.versionMadeBy,
            attrs: e.externalFileAttributes, dosTime: e.lastModFileTime, dosDate: e.lastModFileDate, flags: e.generalPurposeBitFlag,
          });
          zip.readEntry();
        });
      });
      zip.readEntry();
    });
  });
}

async function tarEntries(file: string): Promise<{ path: string; mode: number; size: number; mtime: number; uname: string; data: Buffer }[]> {
  const out: { path: string; mode: number; size: number; mtime: number; uname: string; data: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new tar.Parser({
      onReadEntry: (e) => {
        const chunks: Buffer[] = [];
        e.on('data', (c: Buffer) => chunks.push(c));
        e.on('end', () => out.push({ path: e.path, mode: e.mode ?? -1, size: e.size ?? -1, mtime: e.mtime?.getTime() ?? -1, uname: e.uname ?? '', data: Buffer.concat(chunks) }));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve());
    createReadStream(file).on('error', reject).pipe(parser);
  });
  return out;
}

async function compress(config: Record<string, unknown>, files: string[], build = packerRaw()) {
  const pp = new CompressPostProcessor();
  await pp.configure(config, build);
  const ui = new RecordingUi();
  const res = await pp.postProcess(ui, fileArtifact(files), signal());
  return { pp, ui, res };
}

test('schema declares the compress keys', () => {
  assert.ok(compressSchema.output && compressSchema.format && compressSchema.compression_level);
});

test('format detection follows the output extensions', () => {
  const cases: [string, string, string, string][] = [
    ['out.tar.gz', '', 'tar', 'pgzip'], ['out.tgz', '', 'tar', 'pgzip'], ['out.gz', '', '', 'pgzip'],
    ['out.tar', '', 'tar', ''], ['out.zip', '', 'zip', ''], ['packer_{{.BuildName}}_{{.BuilderType}}', '', 'tar', 'pgzip'],
    ['out.txt', '', 'tar', 'pgzip'], ['out', 'zip', 'zip', ''], ['out.tar', 'gz', 'tar', 'pgzip'], ['out.tar.lz4', '', 'tar', 'lz4'],
    ['out.zip.gz', '', '', 'pgzip'], ['OUT.TAR', '', 'tar', 'pgzip'],
  ];
  for (const [output, format, archive, algorithm] of cases) {
    assert.deepEqual(detectFormat(output, format), { archive, algorithm }, `${output} ${format}`);
  }
});

test('archive and algorithm a template sets (Go\'s derived fields) stay where the extensions decide nothing', () => {
  assert.deepEqual(detectFormat('out.gz', '', { archive: 'tar' }), { archive: 'tar', algorithm: 'pgzip' });
  assert.deepEqual(detectFormat('out.zip', '', { algorithm: 'pgzip' }), { archive: 'zip', algorithm: 'pgzip' });
  assert.deepEqual(detectFormat('out', '', { archive: 'zip', algorithm: 'x' }), { archive: 'tar', algorithm: 'pgzip' });
  assert.deepEqual(detectFormat('out.txt', '', { archive: 'zip' }), { archive: 'tar', algorithm: 'pgzip' });
  assert.ok('archive' in compressSchema && 'algorithm' in compressSchema);
});

test('.tar.gz: basenames, contents, modes, zero times; artifact and keep flags', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'sub'));
  const a = join(dir, 'a.txt');
  const b = join(dir, 'sub', 'b.bin');
  await writeFile(a, 'alpha\n');
  await writeFile(b, Buffer.alloc(70_000, 0xab));
  await chmod(b, 0o751);
  const target = join(dir, 'out', 'x.tar.gz');
  const { ui, res } = await compress({ output: join(dir, 'out', '{{.BuildName}}.tar.gz').replace('{{.BuildName}}', 'x') }, [a, b]);
  assert.equal(res.keep, false);
  assert.equal(res.forceOverride, false);
  assert.equal(await res.artifact!.builderId(), 'packer.post-processor.compress');
  assert.deepEqual(await res.artifact!.files(), [target]);
  assert.equal(await res.artifact!.string(), `compressed artifacts in: ${target}`);
  assert.equal(await res.artifact!.id(), '');
  assert.match(ui.text('say'), new RegExp(`Tarring ${target} with pgzip`));
  assert.match(ui.text('say'), new RegExp(`Archive ${target} completed`));
  const raw = gunzipSync(await readFile(target));
  assert.equal(raw.subarray(257, 265).toString('latin1'), 'ustar  \0');
  const entries = await tarEntries(target);
  assert.deepEqual(entries.map((e) => e.path), ['a.txt', 'b.bin']);
  assert.equal(entries[0]!.data.toString(), 'alpha\n');
  assert.deepEqual(entries[1]!.data, Buffer.alloc(70_000, 0xab));
  assert.equal(entries[1]!.mode & 0o7777, 0o751);
  assert.equal(entries[0]!.mtime, 0);
  await res.artifact!.destroy();
  await assert.rejects(stat(target));
});

test('a name longer than 100 bytes survives (GNU long name)', async (t) => {
  const dir = await tempDir(t);
  const long = join(dir, `${'n'.repeat(150)}.txt`);
  await writeFile(long, 'long');
  const { res } = await compress({ output: join(dir, 'l.tar') }, [long]);
  const entries = await tarEntries((await res.artifact!.files())[0]!);
  assert.deepEqual(entries.map((e) => [e.path, e.data.toString()]), [[`${'n'.repeat(150)}.txt`, 'long']]);
});

test('.zip: entry names are the artifact paths, deflated, Go header fields', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'in'));
  await writeFile(join(dir, 'in', 'one.txt'), 'one');
  await writeFile(join(dir, 'empty'), '');
  const { res } = await inDir(dir, () => compress({ output: 'z.zip' }, ['in/one.txt', 'empty']));
  assert.deepEqual(await res.artifact!.files(), ['z.zip']);
  const entries = await readZip(join(dir, 'z.zip'));
  assert.deepEqual(entries.map((e) => [e.name, e.data.toString(), e.method]), [['in/one.txt', 'one', 8], ['empty', '', 8]]);
  for (const e of entries) {
    assert.equal(e.versionMadeBy, 20);
    assert.equal(e.attrs, 0);
    assert.equal(e.dosDate, 0);
    assert.equal(e.dosTime, 0);
    assert.equal(e.flags, 8);
  }
});

test('.gz: one file compressed; several files is an error that leaves nothing behind', async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  await writeFile(a, 'A'.repeat(10_000));
  await writeFile(b, 'B');
  const { res, ui } = await compress({ output: join(dir, 'a.gz'), compression_level: 9 }, [a]);
  assert.equal(gunzipSync(await readFile((await res.artifact!.files())[0]!)).toString(), 'A'.repeat(10_000));
  assert.match(ui.text('say'), new RegExp(`Archiving ${a} with pgzip`));
  const pp = new CompressPostProcessor();
  await pp.configure({ output: join(dir, 'two.gz') }, packerRaw());
  await assert.rejects(pp.postProcess(new RecordingUi(), fileArtifact([a, b]), signal()),
    { message: `Can only have 1 input file when not using tar/zip. Found 2 files: [${a} ${b}]` });
  assert.deepEqual((await readdir(dir)).sort(), ['a', 'a.gz', 'b']);
});

test('compression levels: above 9 is clamped, below -2 fails at post-process', async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, 'a');
  await writeFile(a, 'data');
  const { res } = await compress({ output: join(dir, 'hi.tar.gz'), compression_level: 42 }, [a]);
  assert.equal((await tarEntries((await res.artifact!.files())[0]!))[0]!.data.toString(), 'data');
  const pp = new CompressPostProcessor();
  await pp.configure({ output: join(dir, 'bad.tar.gz'), compression_level: -5 }, packerRaw());
  await assert.rejects(pp.postProcess(new RecordingUi(), fileArtifact([a]), signal()),
    { message: 'error creating pgzip writer: Invalid compression level. Expected an integer from -1 to 9.' });
  await assert.rejects(stat(join(dir, 'bad.tar.gz')));
  await assert.rejects(new CompressPostProcessor().configure({ compression_level: 'x' }, packerRaw()), /compression_level/);
});

test('unsupported algorithms and unknown keys are configuration errors', async () => {
  await assert.rejects(new CompressPostProcessor().configure({ output: 'a.tar.xz' }, packerRaw()), /xz compression is not supported/);
  await assert.rejects(new CompressPostProcessor().configure({ output: 'a', format: 'lz4' }, packerRaw()), /lz4 compression is not supported/);
  await assert.rejects(new CompressPostProcessor().configure({ nope: true }, packerRaw()), /nope/);
});

test('default output: packer_<build>_<type>, tar + gzip', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'f');
  const { res } = await inDir(dir, () => compress({}, [join(dir, 'f')], packerRaw({ buildName: 'bn', builderType: 'bt' })));
  assert.deepEqual(await res.artifact!.files(), ['packer_bn_bt']);
  assert.deepEqual((await tarEntries(join(dir, 'packer_bn_bt'))).map((e) => e.path), ['f']);
});

test('abort and missing input remove the half-written archive', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big');
  await writeFile(big, Buffer.alloc(64 * 1024 * 1024, 1));
  const pp = new CompressPostProcessor();
  await pp.configure({ output: join(dir, 'big.tar.gz') }, packerRaw());
  const ac = new AbortController();
  const p = pp.postProcess(new RecordingUi(), fileArtifact([big]), ac.signal);
  setTimeout(() => ac.abort(), 30);
  await assert.rejects(p);
  await assert.rejects(stat(join(dir, 'big.tar.gz')));
  const pp2 = new CompressPostProcessor();
  await pp2.configure({ output: join(dir, 'm.zip') }, packerRaw());
  await assert.rejects(pp2.postProcess(new RecordingUi(), fileArtifact([join(dir, 'missing')]), signal()),
    { message: `Error creating zip: Unable to read file ${join(dir, 'missing')}: open ${join(dir, 'missing')}: no such file or directory` });
  assert.deepEqual(await readdir(dir), ['big']);
});

test('parity with packer 1.6.6: tar bytes, gzip contents, zip entries', async (t) => {
  requirePacker();
  const dirP = await tempDir(t);
  const dirO = await tempDir(t);
  const input = join(dirP, 'in', 'payload.txt');
  await mkdir(join(dirP, 'in'));
  const outputs = ['p.tar', 'p.tar.gz', 'p.gz', 'p.zip', 'p.tgz'];
  const template = {
    builders: [{ type: 'file', content: 'payload '.repeat(1000), target: input }],
    'post-processors': outputs.map((o) => ({ type: 'compress', output: join(dirP, 'out', o), keep_input_artifact: true })),
  };
  const r = await runPacker(dirP, template);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const def of template['post-processors']) {
    const o = String(def.output).replace(join(dirP, 'out'), join(dirO, 'out'));
    await compress({ ...withoutType(def), output: o }, [input]);
  }
  const P = (n: string) => readFile(join(dirP, 'out', n));
  const O = (n: string) => readFile(join(dirO, 'out', n));
  assert.deepEqual((await readdir(join(dirO, 'out'))).sort(), (await readdir(join(dirP, 'out'))).sort());
  assert.ok((await O('p.tar')).equals(await P('p.tar')), 'tar archives are byte-identical');
  assert.ok(gunzipSync(await O('p.tar.gz')).equals(gunzipSync(await P('p.tar.gz'))), 'gzipped tars are identical');
  assert.ok(gunzipSync(await O('p.tgz')).equals(gunzipSync(await P('p.tgz'))), '.tgz tars are identical');
  assert.ok(gunzipSync(await O('p.gz')).equals(gunzipSync(await P('p.gz'))), '.gz contents are identical');
  const zp = await readZip(join(dirP, 'out', 'p.zip'));
  const zo = await readZip(join(dirO, 'out', 'p.zip'));
  assert.deepEqual(zo.map(({ data, ...rest }) => ({ ...rest, data: data.toString() })), zp.map(({ data, ...rest }) => ({ ...rest, data: data.toString() })));
  assert.equal(zo[0]!.name, input);
});
