/**
 * The example plugin (examples/plugins): built with its build script into one multi-component
 * executable, packer-plugin-example, linked under three Packer 1.6 plugin names; the example
 * template runs under packer-ts (PACKER_PLUGIN_PATH) and under real Packer 1.6.6
 * (~/.packer.d/plugins, one component per name): same files, same artifact records; packer-ts runs
 * the multi-component template (example-COMPONENT types) with the same result; sdk-drive drives
 * every component (when the modern-plugins oracles are present). Also exercises the SDK's
 * in-memory testing helper on the example builder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingUi, type Hook } from '@packer-ts/sdk';
import { connectInMemory } from '@packer-ts/sdk/plugin';
import { artifactRecords, PACKER_TS, REAL_PACKER, ROOT, run, snapshot } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { killMarked, MARK_VAR, newMark, waitNoneLeft } from './helpers/plugins.ts';
import { LocalDirBuilder } from '../examples/plugins/src/localdir-builder.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';

const EXAMPLES = join(ROOT, 'examples/plugins');

test('example plugins: packer-ts and real Packer give the same result', async () => {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-examples-'));
  const bin = join(root, 'home', '.packer.d', 'plugins');
  const mark = newMark();
  try {
    const b = await run(process.execPath, [join(EXAMPLES, 'build.mjs'), bin], { cwd: ROOT });
    assert.equal(b.code, 0, b.stderr);
    const results = [];
    for (const [name, cmd, env] of [
      ['packer-ts', PACKER_TS, { HOME: join(root, 'other'), PACKER_PLUGIN_PATH: bin }],
      ['packer', REAL_PACKER, { HOME: join(root, 'home') }],
    ] as const) {
      if (cmd === REAL_PACKER) requireTools(REAL_PACKER);
      const dir = join(root, name);
      await cp(join(EXAMPLES, 'template.json'), join(dir, 'template.json'));
      const r = await run(cmd, ['build', '-machine-readable', 'template.json'], { cwd: dir, env: { ...env, [MARK_VAR]: mark } });
      assert.equal(r.code, 0, `${name}\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /ui,message,\s*localdir: hello from localdir/);
      results.push({ r, files: await snapshot(dir, (rel) => rel === 'template.json') });
    }
    const [ours, theirs] = results;
    // The same plugin as a multi-component plugin, under packer-ts.
    const multi = join(root, 'packer-ts-multi');
    await cp(join(EXAMPLES, 'template-multi.json'), join(multi, 'template-multi.json'));
    const m = await run(PACKER_TS, ['build', '-machine-readable', 'template-multi.json'], { cwd: multi, env: { HOME: join(root, 'other'), PACKER_PLUGIN_PATH: bin, [MARK_VAR]: mark } });
    assert.equal(m.code, 0, m.stdout + m.stderr);
    assert.match(m.stdout, /ui,message,\s*example-localdir: hello from example-localdir/);
    const multiFiles = await snapshot(multi, (rel) => rel === 'template-multi.json');
    assert.deepEqual([...multiFiles.keys()].sort(), [...ours!.files.keys()].sort());
    assert.deepEqual(multiFiles.get('work/etc/inside.txt'), ours!.files.get('work/etc/inside.txt'));
    assert.deepEqual([...ours!.files.keys()].sort(), ['listing.txt', 'work/etc/inside.txt', 'work/hello.txt']);
    assert.equal(ours!.files.get('work/hello.txt')!.toString(), 'hello from localdir\n');
    if (theirs) {
      assert.deepEqual([...ours!.files.entries()].map(([k, v]) => [k, v.toString()]).sort(), [...theirs.files.entries()].map(([k, v]) => [k, v.toString()]).sort());
      assert.deepEqual(artifactRecords(ours!.r.stdout), artifactRecords(theirs.r.stdout));
    }
    assert.deepEqual(await waitNoneLeft(mark, 3000), []);
  } finally {
    await killMarked(mark);
    await rm(root, { recursive: true, force: true });
  }
});

test('sdk-drive drives every component of the example plugin', { skip: missingOracles('sdk-drive') }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-examples-drive-'));
  try {
    const b = await run(process.execPath, [join(EXAMPLES, 'build.mjs'), join(root, 'bin')], { cwd: ROOT });
    assert.equal(b.code, 0, b.stderr);
    for (const mode of [[], ['--protobuf']]) {
      const r = await run(oracle('sdk-drive'), ['run', ...mode, join(root, 'bin', 'packer-plugin-example'), join(EXAMPLES, 'sdk-drive.json')], { cwd: root, timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^0 failed$/m);
      assert.match(r.stdout, /^configspec: directory attr name="directory" type="string" required=false$/m);
      assert.match(r.stdout, /^hook\.comm\.download: path="b\.txt" bytes=3 content="bee" error=null$/m);
      assert.match(r.stdout, /^comm\.exit: cmd="cat x\.txt" exit=0 stdout="x" stderr=""$/m);
      assert.match(r.stdout, /^artifact\.string: "Listing: listing\.txt"$/m);
    }
    const d = await run(oracle('sdk-drive'), ['describe', join(root, 'bin', 'packer-plugin-example')], { cwd: root });
    assert.match(d.stdout, /^describe: valid$/m);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('HCL2: Packer 1.6.6 (gob ConfigSpec, Packer 1.6 names) and packer-1.16 (installed, example-COMPONENT) build with the example plugin', async () => {
  requireTools(REAL_PACKER);
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-examples-hcl-'));
  try {
    const b = await run(process.execPath, [join(EXAMPLES, 'build.mjs'), join(root, 'home', '.packer.d', 'plugins')], { cwd: ROOT });
    assert.equal(b.code, 0, b.stderr);
    const legacy = join(root, 'p166');
    await cp(join(EXAMPLES, 'template.pkr.hcl'), join(legacy, 't.pkr.hcl'));
    // Packer 1.6.6 knows no packer {} block nor example-* types: the same build with the 1.6 names.
    const { readFile: rf, writeFile: wf } = await import('node:fs/promises');
    const hcl = (await rf(join(legacy, 't.pkr.hcl'), 'utf8')).replace(/packer \{[\s\S]*?\n\}\n/, '').replace(/example-/g, '').replace('${source.name}', 'localdir');
    await wf(join(legacy, 't.pkr.hcl'), hcl);
    const r = await run(REAL_PACKER, ['build', '-color=false', 't.pkr.hcl'], { cwd: legacy, env: { HOME: join(root, 'home') } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /localdir\.work: hello from localdir/);
    const files166 = await snapshot(legacy, (rel) => rel === 't.pkr.hcl');
    assert.deepEqual([...files166.keys()].sort(), ['listing.txt', 'work/etc/inside.txt', 'work/hello.txt']);
    const skip116 = missingOracles('packer-1.16');
    if (skip116) return;
    const modern = join(root, 'p116');
    await cp(join(EXAMPLES, 'template.pkr.hcl'), join(modern, 'template.pkr.hcl'));
    const env = { HOME: join(root, 'home116'), PACKER_PLUGIN_PATH: undefined };
    const inst = await run(oracle('packer-1.16'), ['plugins', 'install', '--path', join(root, 'home', '.packer.d', 'plugins', 'packer-plugin-example'), 'github.com/packer-ts/example'], { cwd: modern, env });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    for (const gob of ['0', '1']) {
      await rm(join(modern, 'work'), { recursive: true, force: true });
      const m = await run(oracle('packer-1.16'), ['build', '-color=false', 'template.pkr.hcl'], { cwd: modern, env: { ...env, PACKER_FORCE_GOB: gob }, timeoutMs: 120_000 });
      assert.equal(m.code, 0, m.stdout + m.stderr);
      assert.match(m.stdout, /example-localdir\.work: hello from work/);
      const files116 = await snapshot(modern, (rel) => rel === 'template.pkr.hcl');
      assert.deepEqual([...files116.keys()].sort(), [...files166.keys()].sort());
      assert.deepEqual(files116.get('work/etc/inside.txt'), files166.get('work/etc/inside.txt'));
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('example builder through connectInMemory (the SDK testing helper)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-inmem-'));
  const { client, close } = await connectInMemory('builder', new LocalDirBuilder());
  try {
    const prep = await client.prepare({ directory: join(dir, 'w') });
    assert.deepEqual(prep.generatedVars, ['Directory']);
    const seen: string[] = [];
    const hook: Hook = {
      async run(name, ui, comm) {
        seen.push(name);
        ui.say('hook ran');
        const { Readable, Writable } = await import('node:stream');
        await comm!.upload('a.txt', Readable.from([Buffer.from('abc')]));
        let out = '';
        const code = await comm!.start({ command: 'cat a.txt; echo; pwd', stdout: new Writable({ write(c, _e, cb) { out += c; cb(); } }) });
        assert.equal(code, 0);
        assert.equal(out, `abc\n${join(dir, 'w')}\n`);
      },
    };
    const ui = new RecordingUi();
    const artifact = await client.run(ui, hook, AbortSignal.timeout(10_000));
    assert.deepEqual(seen, ['packer_provision']);
    assert.match(ui.text('say'), /hook ran/);
    assert.equal(await artifact!.builderId(), 'example.localdir');
  } finally {
    await close();
    await rm(dir, { recursive: true, force: true });
  }
});
