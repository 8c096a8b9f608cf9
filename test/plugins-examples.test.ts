/**
 * The example plugins (examples/plugins): built with their build script into three executables,
 * then the example template runs under packer-ts (PACKER_PLUGIN_PATH) and under real Packer 1.6.6
 * (~/.packer.d/plugins): same files, same artifact records. Also exercises the SDK's in-memory
 * testing helper on the example builder.
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
