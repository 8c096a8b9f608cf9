// Acceptance: real Go plugins of Packer 1.6.6 driven through our client proxies (startPlugin +
// BuilderClient / ProvisionerClient / PostProcessorClient), with our Ui, Hook and Communicator served.
import { test, after, before } from 'node:test';
import { REAL_PACKER, requireTools } from '../../../test/helpers/requires.ts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlugin, type RunningPlugin } from '../src/plugin/client.ts';
import { RemoteError } from '../src/rpc/adapters/index.ts';
import { RpcError } from '../src/rpc/netrpc.ts';
import { BasicArtifact } from '../src/artifact.ts';
import type { Communicator } from '../src/communicator.ts';
import { RecordingUi } from '../src/ui.ts';

const PACKER = REAL_PACKER;
before(() => requireTools(PACKER));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-go-'));
const running = new Set<RunningPlugin>();
after(async () => {
  for (const p of running) await p.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(name: string): Promise<RunningPlugin> {
  const p = await startPlugin(PACKER, ['plugin', name], { env: { PACKER_CACHE_DIR: path.join(tmp, 'cache') }, cwd: tmp, onStderr: (l) => { if (process.env.DEBUG_PLUGIN) console.error(l); } });
  running.add(p);
  return p;
}
async function stop(p: RunningPlugin): Promise<void> {
  await p.kill();
  running.delete(p);
  assert.ok(p.child.exitCode !== null || p.child.signalCode !== null, 'plugin process is gone');
}

const packerConfig = (type: string) => ({
  packer_build_name: 'go', packer_builder_type: type, packer_core_version: '1.6.6', packer_debug: false,
  packer_force: false, packer_on_error: '', packer_user_variables: {},
});

/** A communicator nobody should use (the Go components below run locally). */
const unusedComm: Communicator = {
  start: async () => { throw new Error('unexpected start'); },
  upload: async () => { throw new Error('unexpected upload'); },
  uploadDir: async () => { throw new Error('unexpected uploadDir'); },
  download: async () => { throw new Error('unexpected download'); },
  downloadDir: async () => { throw new Error('unexpected downloadDir'); },
};

test('packer-builder-file: Prepare/Run through BuilderClient, our Ui and Hook served, artifact proxy', async () => {
  const p = await start('packer-builder-file');
  try {
    const b = await p.component('builder');
    const source = path.join(tmp, 'src.txt');
    fs.writeFileSync(source, 'twelve bytes');
    await assert.rejects(b.prepare({ source }, packerConfig('file')), (e: unknown) =>
      e instanceof RemoteError && e.message === '1 error(s) occurred:\n\n* target required');
    const target = path.join(tmp, 'out', 'copy.txt');
    assert.deepEqual(await b.prepare({ source, target }, packerConfig('file')), { warnings: [] });
    const ui = new RecordingUi();
    const hooks: { name: string; data: unknown }[] = [];
    const art = await b.run(ui, { async run(name, hui, _comm, data) { hooks.push({ name, data }); hui.message('hook ran'); } }, new AbortController().signal);
    assert.equal(fs.readFileSync(target, 'utf8'), 'twelve bytes');
    assert.deepEqual(ui.calls.map((c) => `${c.kind}:${c.text}`), [`say:Copying ${source} to ${target}`, 'say:Copied 12 bytes', 'message:hook ran']);
    assert.deepEqual(hooks, [{ name: 'packer_provision', data: null }]);
    assert.ok(art);
    assert.equal(await art.builderId(), 'packer.file');
    assert.deepEqual(await art.files(), [target]);
    assert.equal(await art.string(), `Stored file: ${target}`);
    await art.destroy();
    assert.equal(fs.existsSync(target), false, 'Artifact.Destroy removed the file');

    await b.prepare({ target: path.join(source, 'sub') }, packerConfig('file'));
    await assert.rejects(b.run(new RecordingUi(), { run: async () => {} }, new AbortController().signal),
      (e: unknown) => e instanceof RpcError && e.message === `mkdir ${source}: not a directory`);
  } finally {
    await stop(p);
  }
});

test('packer-provisioner-shell-local: Prepare/Provision through ProvisionerClient with our Ui and Communicator; Cancel', async () => {
  const p = await start('packer-provisioner-shell-local');
  try {
    const prov = await p.component('provisioner');
    await assert.rejects(prov.prepare({}, packerConfig('null')), (e: unknown) => e instanceof RpcError && /Command, Inline, Script and Scripts options cannot all be empty|required/.test(e.message));
    const marker = path.join(tmp, 'shell-local.txt');
    await prov.prepare({ inline: [`echo hello from shell-local`, `echo "$PACKER_BUILD_NAME $FOO" > ${marker}`], environment_vars: ['FOO=bar'] }, packerConfig('null'));
    const ui = new RecordingUi();
    await prov.provision(ui, unusedComm, { PackerRunUUID: 'uuid-1', ID: 'x', PackerHTTPPort: '0', PackerHTTPIP: '', PackerHTTPAddr: '' }, new AbortController().signal);
    assert.equal(fs.readFileSync(marker, 'utf8'), 'go bar\n');
    assert.match(ui.text('say'), /Running local shell script:/);
    assert.match(ui.text('message'), /hello from shell-local/);

    // Cancel: Provisioner.Cancel reaches the Go provisioner, which kills its command.
    await prov.prepare({ inline: ['sleep 30'] }, packerConfig('null'));
    const ac = new AbortController();
    const t0 = Date.now();
    const run = prov.provision(new RecordingUi(), unusedComm, {}, ac.signal);
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(run, RpcError);
    assert.ok(Date.now() - t0 < 10_000, `cancelled promptly (${Date.now() - t0} ms)`);
  } finally {
    await stop(p);
  }
});

test('packer-post-processor-checksum: Configure/PostProcess of a real file through PostProcessorClient', async () => {
  const p = await start('packer-post-processor-checksum');
  try {
    const pp = await p.component('post-processor');
    const file = path.join(tmp, 'image.raw');
    fs.writeFileSync(file, 'some image bytes\n');
    const output = path.join(tmp, 'image.{{.ChecksumType}}');
    await pp.configure({ checksum_types: ['sha256', 'md5'], output }, packerConfig('file'));
    const ui = new RecordingUi();
    const input = new BasicArtifact({ builderId: 'packer.file', files: [file], id: 'File', string: 'a file' });
    const r = await pp.postProcess(ui, input, new AbortController().signal);
    const sha = createHash('sha256').update('some image bytes\n').digest('hex');
    const sumFile = path.join(tmp, 'image.sha256');
    assert.equal(fs.readFileSync(sumFile, 'utf8'), `${sha}\timage.raw\n`);
    assert.ok(fs.existsSync(path.join(tmp, 'image.md5')));
    assert.ok(r.artifact);
    assert.equal(await r.artifact.builderId(), 'packer.post-processor.checksum');
    assert.deepEqual((await r.artifact.files()).sort(), [path.join(tmp, 'image.md5'), file, sumFile]);
    assert.equal(r.keep, true);
  } finally {
    await stop(p);
  }
});
