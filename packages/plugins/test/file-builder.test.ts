import { test } from 'node:test';
import { REAL_PACKER as PACKER, requireTools } from '../../../test/helpers/requires.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DispatchHook,
  HookProvision,
  MultiError,
  packerConfigRaw,
  RecordingUi,
  type Communicator,
  type Hook,
  type Ui,
} from '@packer-ts/sdk';
import { FileBuilder, schema } from '../src/builder/file/index.ts';


function pc(name = 'file') {
  return packerConfigRaw({
    buildName: name, builderType: 'file', coreVersion: '1.6.6', debug: false, force: false,
    onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
  });
}

class RecordingHook implements Hook {
  runs: { name: string; comm: Communicator | undefined; data: unknown }[] = [];
  async run(name: string, _ui: Ui, comm: Communicator | undefined, data: unknown): Promise<void> {
    this.runs.push({ name, comm, data });
  }
}

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pts-file-'));
}

test('schema declares content, source and target', () => {
  assert.deepEqual(Object.keys(schema).sort(), ['content', 'source', 'target']);
});

test('content is written to target (directories created, mode 0600) and the provision hook runs', async () => {
  const dir = await tmp();
  try {
    const target = join(dir, 'a', 'b', 'out.txt');
    const b = new FileBuilder();
    const res = await b.prepare({ target, content: 'hello\nworld' }, pc());
    assert.deepEqual(res.warnings ?? [], []);
    const ui = new RecordingUi();
    const hook = new RecordingHook();
    const art = await b.run(ui, hook, new AbortController().signal);
    assert.ok(art);
    assert.equal(await readFile(target, 'utf8'), 'hello\nworld');
    assert.equal((await stat(target)).mode & 0o777, 0o600);
    assert.equal(await art.builderId(), 'packer.file');
    assert.equal(await art.id(), 'File');
    assert.equal(await art.string(), `Stored file: ${target}`);
    assert.deepEqual(await art.files(), [target]);
    assert.equal(await art.state('anything'), undefined);
    assert.deepEqual(hook.runs.map((r) => r.name), [HookProvision]);
    assert.equal(hook.runs[0]!.comm, undefined);
    assert.deepEqual(hook.runs[0]!.data, {});
    assert.equal(ui.calls.length, 0);
    await art.destroy();
    assert.equal(existsSync(target), false);
    await assert.rejects(art.destroy(), /^Error: remove .*: no such file or directory$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('source is copied to target with Packer\'s messages', async () => {
  const dir = await tmp();
  try {
    const source = join(dir, 'src.bin');
    const data = Buffer.from(Array.from({ length: 70000 }, (_, i) => i % 251));
    await writeFile(source, data);
    const target = join(dir, 'out', 'copy.bin');
    const b = new FileBuilder();
    await b.prepare({ source, target }, pc());
    const ui = new RecordingUi();
    const art = await b.run(ui, new DispatchHook(), new AbortController().signal);
    assert.deepEqual(await readFile(target), data);
    assert.deepEqual(ui.calls, [
      { kind: 'say', text: `Copying ${source} to ${target}` },
      { kind: 'say', text: `Copied ${data.length} bytes` },
    ]);
    assert.deepEqual(await art!.files(), [target]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('both source and content, or no target: Packer\'s errors, all at once', async () => {
  const err = await new FileBuilder().prepare({ source: 'x', content: 'y' }, pc()).then(() => undefined, (e) => e);
  assert.ok(err instanceof MultiError);
  assert.deepEqual(err.errors.map((e: Error) => e.message), ['target required', 'Cannot specify source file AND content']);
  await assert.rejects(new FileBuilder().prepare({ target: 't', source: 'x', content: 'y' }, pc()),
    (e: unknown) => e instanceof MultiError && e.errors.length === 1 && e.errors[0]!.message === 'Cannot specify source file AND content');
  await assert.rejects(new FileBuilder().prepare({}, pc()),
    (e: unknown) => e instanceof MultiError && e.errors.map((x) => x.message).join('|') === 'target required');
});

test('neither source nor content: a warning and an empty file', async () => {
  const dir = await tmp();
  try {
    const target = join(dir, 'empty.txt');
    const b = new FileBuilder();
    const res = await b.prepare({ target }, pc());
    assert.deepEqual(res.warnings, ['Both source file and contents are blank; target will have no content']);
    await b.run(new RecordingUi(), new DispatchHook(), new AbortController().signal);
    assert.equal((await readFile(target)).length, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('missing source fails like Packer (open <path>: no such file or directory)', async () => {
  const dir = await tmp();
  try {
    const b = new FileBuilder();
    const source = join(dir, 'nope.txt');
    await b.prepare({ source, target: join(dir, 'o.txt') }, pc());
    await assert.rejects(b.run(new RecordingUi(), new DispatchHook(), new AbortController().signal),
      { message: `open ${source}: no such file or directory` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('parity with /usr/bin/packer: same files, same messages', async (t) => {
  requireTools(PACKER);
  const dir = await tmp();
  try {
    await writeFile(join(dir, 'src.txt'), 'source data\n');
    const builders = [
      { type: 'file', name: 'c', target: 'out/c.txt', content: 'contents {{build_name}}' },
      { type: 'file', name: 's', target: 'out/s.txt', source: 'src.txt' },
    ];
    const expectDir = join(dir, 'packer');
    const oursDir = join(dir, 'ours');
    for (const d of [expectDir, oursDir]) {
      await (await import('node:fs/promises')).mkdir(d);
      await writeFile(join(d, 'src.txt'), 'source data\n');
    }
    await writeFile(join(expectDir, 't.json'), JSON.stringify({ builders }));
    const r = spawnSync(PACKER, ['build', '-machine-readable', 't.json'], { cwd: expectDir, encoding: 'utf8', env: { ...process.env, PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' } });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const packerSays = r.stdout.split('\n').filter((l) => /^\d+,,ui,say,==> s: /.test(l)).map((l) => l.split(',').slice(4).join(',').replace('==> s: ', ''));

    const cwd = process.cwd();
    process.chdir(oursDir);
    try {
      const ui = new RecordingUi();
      for (const raw of builders) {
        const b = new FileBuilder();
        const { type: _type, name, ...rest } = raw;
        // {{build_name}} is rendered by decodeConfig from packer_build_name
        await b.prepare(rest, pc(name));
        await b.run(name === 's' ? ui : new RecordingUi(), new DispatchHook(), new AbortController().signal);
      }
      assert.deepEqual(ui.calls.filter((c) => c.kind === 'say').map((c) => c.text), packerSays);
    } finally {
      process.chdir(cwd);
    }
    for (const f of ['out/c.txt', 'out/s.txt']) {
      assert.deepEqual(await readFile(join(oursDir, f)), await readFile(join(expectDir, f)), f);
      assert.equal((await stat(join(oursDir, f))).mode & 0o777, (await stat(join(expectDir, f))).mode & 0o777, f);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
