import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync, inflateRawSync, crc32 } from 'node:zlib';
import * as tar from 'tar';
import yauzl from 'yauzl';
import { RecordingUi } from '@packer-ts/sdk';
import { CompressPostProcessor, compressSchema, detectFormat } from '../src/post-processor/compress/index.ts';
import { fileArtifact, requirePacker, inDir, packerRaw, runPacker, signal, tempDir, withoutType } from './pp-helpers.ts';
import { requireTools } from '../../../test/helpers/requires.ts';
import { xxh32 } from '../src/post-processor/compress/lz4.ts';
import { xzStream } from '../src/post-processor/compress/xz.ts';

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

test('lz4, bgzf and xz configure (Packer 1.6.6 writes all three); unknown keys are configuration errors', async () => {
  for (const output of ['a.lz4', 'a.tar.lz4', 'a.bgzf', 'a.tar.bgzf', 'a.xz', 'a.tar.xz']) await new CompressPostProcessor().configure({ output }, packerRaw());
  await new CompressPostProcessor().configure({ output: 'a', format: 'lz4' }, packerRaw());
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

const says = (ui: RecordingUi): string[] => ui.text('say').split('\n');

/** Decompresses `file` with a Debian tool (`lz4 -dc`, `xz -dc`, `gzip -dc`), which checks its checksums. */
function decompress(tool: 'lz4' | 'xz' | 'gzip', file: string): Buffer {
  return execFileSync(tool, ['-dc', file], { maxBuffer: 1 << 30 });
}

/** Inputs that reach the writers' edges: empty, shorter than a match may start, runs, random, several blocks. */
async function edgeInputs(dir: string): Promise<Record<string, Buffer>> {
  const text = Buffer.from('lorem ipsum dolor sit amet, consectetur adipiscing elit; '.repeat(2000));
  const mixed = Buffer.concat(Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? randomBytes(150_000) : text.subarray(0, 100_000 + i * 997))));
  const inputs: Record<string, Buffer> = {
    empty: Buffer.alloc(0), tiny: Buffer.from('hello, lz4'), fifteen: Buffer.from('abcabcabcabcabc'),
    zeros: Buffer.alloc(5 * 1024 * 1024), random: randomBytes((4 << 20) + 1), mixed,
  };
  for (const [name, data] of Object.entries(inputs)) await writeFile(join(dir, name), data);
  return inputs;
}

test('xxHash32 matches the reference values', () => {
  assert.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
  assert.equal(xxh32(Buffer.from('a')), 0x550d7456);
  assert.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
  assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
});

test('.lz4: frames that lz4 -d reads back, at the fast level and the chained levels', async (t) => {
  requireTools('lz4');
  const dir = await tempDir(t);
  const inputs = await edgeInputs(dir);
  for (const level of [0, -2, 1, 9, 42]) {
    for (const [name, data] of Object.entries(inputs)) {
      const out = join(dir, `${name}.${level}.lz4`);
      const { ui, res } = await compress({ output: out, compression_level: level }, [join(dir, name)]);
      assert.deepEqual(says(ui), [`Using lz4 compression with ${availableParallelism()} cores for ${out}`, `Archiving ${join(dir, name)} with lz4`, `Archive ${out} completed`]);
      const file = await readFile((await res.artifact!.files())[0]!);
      // Frame header: magic, FLG 0x64 (version 1, independent blocks, content checksum), BD 0x70 (4 MiB).
      assert.equal(file.subarray(0, 7).toString('hex'), '04224d186470' + ((xxh32(Buffer.from([0x64, 0x70])) >>> 8) & 0xff).toString(16).padStart(2, '0'));
      assert.ok(decompress('lz4', out).equals(data), `${name} at level ${level}`);
    }
  }
  const out = join(dir, 'all.tar.lz4');
  const { ui } = await compress({ output: out }, Object.keys(inputs).map((n) => join(dir, n)));
  assert.match(ui.text('say'), new RegExp(`Tarring ${out} with lz4`));
  await writeFile(join(dir, 'all.tar'), decompress('lz4', out));
  const entries = await tarEntries(join(dir, 'all.tar'));
  assert.deepEqual(entries.map((e) => [e.path, e.data.length]), Object.entries(inputs).map(([n, d]) => [n, d.length]));
  assert.ok(entries.every((e) => e.data.equals(inputs[e.path]!)));
});

/** The members of a BGZF file: header fields, the BC extra field's size, and the inflated data. */
function bgzfMembers(file: Buffer): { xfl: number; os: number; bsize: number; data: Buffer }[] {
  const out: { xfl: number; os: number; bsize: number; data: Buffer }[] = [];
  for (let i = 0; i < file.length;) {
    assert.equal(file.subarray(i, i + 4).toString('hex'), '1f8b0804', `member at ${i}: gzip, deflate, FEXTRA only`);
    assert.equal(file.readUInt32LE(i + 4), 0, 'MTIME 0');
    assert.equal(file.readUInt16LE(i + 10), 6, 'XLEN 6');
    assert.equal(file.subarray(i + 12, i + 16).toString('latin1'), 'BC\x02\x00', 'the BC subfield');
    const bsize = file.readUInt16LE(i + 16) + 1;
    const data = inflateRawSync(file.subarray(i + 18, i + bsize - 8));
    assert.equal(file.readUInt32LE(i + bsize - 8), crc32(data) >>> 0, 'CRC32');
    assert.equal(file.readUInt32LE(i + bsize - 4), data.length, 'ISIZE');
    out.push({ xfl: file[i + 8]!, os: file[i + 9]!, bsize, data });
    i += bsize;
  }
  return out;
}

test('.bgzf: BGZF members with the BC field, the EOF member last; gzip -d and bgzip -t read them', async (t) => {
  requireTools('gzip', 'bgzip');
  const dir = await tempDir(t);
  const inputs = await edgeInputs(dir);
  for (const [level, xfl] of [[0, 0], [1, 4], [9, 2], [5, 0]] as const) {
    for (const [name, data] of Object.entries(inputs)) {
      const out = join(dir, `${name}.${level}.bgzf`);
      const { ui } = await compress({ output: out, compression_level: level }, [join(dir, name)]);
      assert.deepEqual(says(ui), [`Using bgzf compression with ${availableParallelism()} cores for ${out}`, `Archiving ${join(dir, name)} with bgzf`, `Archive ${out} completed`]);
      assert.ok(decompress('gzip', out).equals(data), `${name} at level ${level}`);
      execFileSync('bgzip', ['-t', out]);
      const members = bgzfMembers(await readFile(out));
      const eof = members.pop()!;
      assert.equal(eof.bsize, 28);
      assert.equal(eof.data.length, 0);
      assert.ok(members.length >= 1 && members.every((m) => m.data.length <= 0xff00 && m.os === 255 && m.xfl === xfl));
      assert.ok(Buffer.concat(members.map((m) => m.data)).equals(data));
    }
  }
  const a = join(dir, 'tiny');
  const pp = new CompressPostProcessor();
  await pp.configure({ output: join(dir, 'bad.bgzf'), compression_level: -2 }, packerRaw());
  const ui = new RecordingUi();
  await assert.rejects(pp.postProcess(ui, fileArtifact([a]), signal()),
    { message: 'error creating bgzf writer: Invalid compression level. Expected an integer from -1 to 9.' });
  assert.deepEqual(says(ui), [`Using bgzf compression with ${availableParallelism()} cores for ${join(dir, 'bad.bgzf')}`]);
  await assert.rejects(stat(join(dir, 'bad.bgzf')));
});

test('.xz: one stream, one LZMA2 block (8 MiB dictionary), CRC64; xz -d reads it; the level is ignored', async (t) => {
  requireTools('xz');
  const dir = await tempDir(t);
  const inputs = await edgeInputs(dir);
  const runs = [...Object.keys(inputs).map((name) => [name, 0] as const), ['mixed', -7] as const, ['mixed', 9] as const];
  for (const [name, level] of runs) {
    {
      const data = inputs[name]!;
      const out = join(dir, `${name}.${level}.xz`);
      const { ui } = await compress({ output: out, compression_level: level }, [join(dir, name)]);
      assert.deepEqual(says(ui), [`Using xz compression with 1 core for ${out} (library does not support MT)`, `Archiving ${join(dir, name)} with xz`, `Archive ${out} completed`]);
      assert.ok(decompress('xz', out).equals(data), `${name} at level ${level}`);
    }
  }
  const robot = execFileSync('xz', ['--robot', '-lvv', join(dir, 'mixed.0.xz')], { encoding: 'utf8' }).split('\n').map((l) => l.split('\t'));
  const totals = robot.find((l) => l[0] === 'totals')!;
  assert.equal(totals[1], '1', 'one stream');
  assert.equal(totals[2], '1', 'one block');
  assert.equal(totals[6], 'CRC64');
  assert.equal(robot.find((l) => l[0] === 'block')![15], '--lzma2=dict=8MiB');
  // The level has no effect, as in Packer: the same bytes.
  assert.ok((await readFile(join(dir, 'mixed.-7.xz'))).equals(await readFile(join(dir, 'mixed.9.xz'))));
});

test('xz without its optional package lzma-native: an error naming it, before anything is written', async () => {
  const missing = async () => { throw new Error("Cannot find module 'lzma-native'"); };
  await assert.rejects(xzStream(missing),
    { message: "xz compression needs the optional package lzma-native (liblzma's binding), which did not load: Cannot find module 'lzma-native'" });
});

test('abort while compressing to lz4, bgzf or xz removes the half-written file', async (t) => {
  const dir = await tempDir(t);
  const big = join(dir, 'big');
  await writeFile(big, randomBytes(48 * 1024 * 1024));
  for (const out of ['big.lz4', 'big.tar.bgzf', 'big.xz']) {
    const pp = new CompressPostProcessor();
    await pp.configure({ output: join(dir, out) }, packerRaw());
    const ac = new AbortController();
    const p = pp.postProcess(new RecordingUi(), fileArtifact([big]), ac.signal);
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p);
    await assert.rejects(stat(join(dir, out)), out);
  }
  const pp = new CompressPostProcessor();
  await pp.configure({ output: join(dir, 'm.xz') }, packerRaw());
  await assert.rejects(pp.postProcess(new RecordingUi(), fileArtifact([join(dir, 'missing')]), signal()),
    { message: `Failed to open source file ${join(dir, 'missing')} for reading: open ${join(dir, 'missing')}: no such file or directory` });
  assert.deepEqual(await readdir(dir), ['big']);
});

test('parity with packer 1.6.6: lz4 bytes at each level, bgzf and xz contents, the UI lines', async (t) => {
  requirePacker();
  requireTools('lz4', 'xz', 'gzip', 'bgzip');
  const dirP = await tempDir(t);
  const dirO = await tempDir(t);
  const inputs = await edgeInputs(dirP);
  const input = join(dirP, 'mixed');
  const outputs: [string, number?][] = [['p.lz4'], ['p9.lz4', 9], ['p3.tar.lz4', 3], ['p.bgzf'], ['p9.tar.bgzf', 9], ['p.xz'], ['p.tar.xz']];
  const template = {
    builders: [{ type: 'file', source: input, target: join(dirP, 'in.bin') }],
    'post-processors': outputs.map(([o, level]) => ({
      type: 'compress', output: join(dirP, 'out', o), keep_input_artifact: true, ...(level === undefined ? {} : { compression_level: level }),
    })),
  };
  const r = await runPacker(dirP, template);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // The writers' edges (empty, tiny, runs, incompressible) through artifice, lz4 bytes at levels 0 and 9.
  const edges = Object.keys(inputs).filter((n) => n !== 'mixed');
  const edgeTemplate = {
    builders: [{ type: 'file', content: 'x', target: join(dirP, 'x') }],
    'post-processors': edges.flatMap((n) => [0, 9].map((level) => [
      { type: 'artifice', files: [join(dirP, n)] },
      { type: 'compress', output: join(dirP, 'edge', `${n}.${level}.lz4`), compression_level: level, keep_input_artifact: true },
    ])),
  };
  const re = await runPacker(dirP, edgeTemplate);
  assert.equal(re.status, 0, re.stdout + re.stderr);
  for (const n of edges) {
    for (const level of [0, 9]) {
      const o = join(dirO, `${n}.${level}.lz4`);
      await compress({ output: o, compression_level: level }, [join(dirP, n)]);
      assert.ok((await readFile(o)).equals(await readFile(join(dirP, 'edge', `${n}.${level}.lz4`))), `${n} at level ${level}: Packer's bytes`);
    }
  }
  const packerSays = r.stdout.split('\n').filter((l) => l.includes(',ui,say,==> file (compress): ')).map((l) => l.split('==> file (compress): ')[1]!);
  const oursSay: string[] = [];
  for (const def of template['post-processors']) {
    const o = String(def.output).replace(join(dirP, 'out'), join(dirO, 'out'));
    const { ui } = await compress({ ...withoutType(def), output: o }, [join(dirP, 'in.bin')]);
    oursSay.push(...says(ui));
  }
  const norm = (l: string) => l.replaceAll(dirO, 'D').replaceAll(dirP, 'D');
  assert.deepEqual(oursSay.map(norm), packerSays.map(norm));
  const P = (n: string) => readFile(join(dirP, 'out', n));
  const O = (n: string) => readFile(join(dirO, 'out', n));
  for (const n of ['p.lz4', 'p9.lz4']) assert.ok((await O(n)).equals(await P(n)), `${n}: Packer's bytes`);
  for (const n of ['p.xz', 'p.bgzf']) {
    const tool = n.endsWith('xz') ? 'xz' : 'gzip';
    assert.ok(decompress(tool, join(dirO, 'out', n)).equals(decompress(tool, join(dirP, 'out', n))), `${n}: the same content`);
    assert.ok(decompress(tool, join(dirO, 'out', n)).equals(inputs.mixed!));
  }
  for (const [n, tool] of [['p3.tar.lz4', 'lz4'], ['p9.tar.bgzf', 'gzip'], ['p.tar.xz', 'xz']] as const) {
    assert.ok(decompress(tool, join(dirO, 'out', n)).equals(decompress(tool, join(dirP, 'out', n))), `${n}: the same tar`);
  }
  // Packer's BGZF members: OS 255 and XFL as Go's gzip, as ours.
  const pm = bgzfMembers(await P('p9.tar.bgzf'));
  const om = bgzfMembers(await O('p9.tar.bgzf'));
  assert.deepEqual([pm[0]!.os, pm[0]!.xfl, pm.at(-1)!.bsize], [om[0]!.os, om[0]!.xfl, om.at(-1)!.bsize]);
  execFileSync('bgzip', ['-t', join(dirP, 'out', 'p.bgzf')]);
});
