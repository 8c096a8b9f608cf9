// Acceptance: our transport drives a real Go plugin of Packer 1.6.6 (`packer plugin packer-builder-file`).
import { test, after, before } from 'node:test';
import { REAL_PACKER, requireTools } from '../../../test/helpers/requires.ts';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MuxBroker } from '../src/rpc/broker.ts';
import { BuilderClient } from '../src/rpc/adapters/builder.ts';
import { RemoteError } from '../src/rpc/adapters/wire.ts';
import { prepareWarnings } from '../src/builder.ts';
import { RpcClient, RpcServer, RpcError } from '../src/rpc/netrpc.ts';
import { waitForHandshake, connectHandshake, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, MANUALLY_STARTED_MESSAGE } from '../src/rpc/handshake.ts';

const PACKER = REAL_PACKER;
before(() => requireTools(PACKER));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpc-plugin-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Plugin { child: ChildProcess; broker: MuxBroker; rpc: RpcClient; stop(): Promise<void> }

/** Starts the plugin and does what Packer's core does: handshake, yamux client, dial broker id 0. */
async function startPlugin(name: string): Promise<Plugin> {
  const child = spawn(PACKER, ['plugin', name], {
    env: { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PACKER_PLUGIN_MIN_PORT: '10000', PACKER_PLUGIN_MAX_PORT: '25000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stderr!.resume();
  const exited = once(child, 'exit');
  const hs = await waitForHandshake(child.stdout!, 30_000);
  assert.equal(hs.apiVersion, '5');
  assert.equal(hs.network, 'unix');
  const sock = await connectHandshake(hs);
  const broker = MuxBroker.client(sock);
  const rpc = await broker.dialRpc(0);
  return {
    child, broker, rpc,
    async stop() {
      rpc.close();
      broker.close();
      child.kill('SIGKILL'); // plugins ignore SIGINT/SIGTERM
      await exited;
      children.delete(child);
    },
  };
}

const packerConfig = { packer_build_name: 'x', packer_builder_type: 'file', packer_core_version: '1.6.6', packer_debug: false, packer_force: false, packer_on_error: '', packer_user_variables: {} };

/** The Ui and Hook Packer's core serves for Builder.Run, recording what the plugin sends. */
function coreSide(broker: MuxBroker) {
  const says: string[] = [];
  const hookRuns: { Name: string; Data: unknown; StreamId: number }[] = [];
  const server = new RpcServer()
    .register('Ui', {
      Say(m: string) { says.push(m); },
      Message(m: string) { says.push(`message: ${m}`); },
      Error(m: string) { says.push(`error: ${m}`); },
      Machine(a: { Category: string; Args: string[] }) { says.push(`machine: ${a.Category}`); },
      Ask() { return 'answer'; },
    })
    .register('Hook', {
      async Run(args: { Name: string; Data: unknown; StreamId: number }) {
        hookRuns.push(args);
        // As Packer's HookServer: dial the id the plugin serves its Ui/Communicator on.
        const back = await broker.dialRpc(args.StreamId);
        await back.call('Ui.Say', 'hello from the hook');
        assert.equal(await back.call('Ui.Ask', 'q?'), 'answer');
        back.close();
        return null;
      },
    });
  return { says, hookRuns, server };
}

test('Builder.Prepare, Builder.Run with broker-served Ui and Hook, Artifact calls: real packer-builder-file', async () => {
  const p = await startPlugin('packer-builder-file');
  try {
    const target = path.join(tmp, 'a', 'out.txt');
    const prep = await p.rpc.call('Builder.Prepare', { Configs: [{ content: 'hi', target }, packerConfig] });
    assert.deepEqual(prep, { GeneratedVars: null, Warnings: [], Error: null });

    const id = p.broker.nextId();
    const core = coreSide(p.broker);
    const serving = p.broker.serveRpc(id, core.server);
    const artifactId = await p.rpc.call<number>('Builder.Run', id);
    assert.equal(fs.readFileSync(target, 'utf8'), 'hi');
    assert.equal(typeof artifactId, 'number');
    assert.ok(artifactId > 0, 'the reply carries the artifact broker id');
    assert.equal(core.hookRuns.length, 1);
    assert.equal(core.hookRuns[0]!.Name, 'packer_provision');
    assert.equal(core.hookRuns[0]!.Data, null);
    assert.deepEqual(core.says, ['hello from the hook'], 'Ui.Say travelled hook -> plugin -> our Ui');
    await serving; // the plugin closes its client of our Ui/Hook when Run returns

    const art = await p.broker.dialRpc(artifactId);
    assert.equal(await art.call('Artifact.BuilderId'), 'packer.file');
    assert.equal(await art.call('Artifact.String'), `Stored file: ${target}`);
    assert.deepEqual(await art.call('Artifact.Files'), [target]);
    assert.equal(await art.call('Artifact.Id'), 'File');
    assert.equal(await art.call('Artifact.State', 'x'), null);
    await assert.rejects(art.call('Artifact.Nope'), { name: 'RpcError', message: "rpc: can't find method Artifact.Nope" });
    art.close();
  } finally {
    await p.stop();
  }
  assert.equal(p.child.exitCode !== null || p.child.signalCode !== null, true, 'plugin is gone');
});

test('Builder.Run with a source file: the Ui receives the builder\'s say calls', async () => {
  const p = await startPlugin('packer-builder-file');
  try {
    const source = path.join(tmp, 'src.txt');
    fs.writeFileSync(source, 'twelve bytes');
    const target = path.join(tmp, 'b', 'copy.txt');
    const prep = await p.rpc.call<{ Error: unknown }>('Builder.Prepare', { Configs: [{ source, target }, packerConfig] });
    assert.equal(prep.Error, null);
    const id = p.broker.nextId();
    const core = coreSide(p.broker);
    void p.broker.serveRpc(id, core.server);
    const artifactId = await p.rpc.call<number>('Builder.Run', id);
    assert.ok(artifactId > 0);
    assert.equal(fs.readFileSync(target, 'utf8'), 'twelve bytes');
    assert.deepEqual(core.says, [`Copying ${source} to ${target}`, 'Copied 12 bytes', 'hello from the hook']);
  } finally {
    await p.stop();
  }
});

test('errors from a Go plugin: Prepare problems in the reply, Run failure and unknown method as RpcError', async () => {
  const p = await startPlugin('packer-builder-file');
  try {
    const prep = await p.rpc.call('Builder.Prepare', { Configs: [{ content: 'hi' }, packerConfig] });
    assert.deepEqual(prep, { GeneratedVars: null, Warnings: [], Error: { Message: '1 error(s) occurred:\n\n* target required' } });

    const blocker = path.join(tmp, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    await p.rpc.call('Builder.Prepare', { Configs: [{ content: 'hi', target: path.join(blocker, 'out.txt') }, packerConfig] });
    const id = p.broker.nextId();
    void p.broker.serveRpc(id, coreSide(p.broker).server);
    await assert.rejects(p.rpc.call('Builder.Run', id), (e: unknown) =>
      e instanceof RpcError && e.message === `mkdir ${blocker}: not a directory`);

    await assert.rejects(p.rpc.call('Builder.Nope', null), (e: unknown) => e instanceof RpcError && e.message === "rpc: can't find method Builder.Nope");
    await assert.rejects(p.rpc.call('Nope.X', null), { message: "rpc: can't find service Nope.X" });
  } finally {
    await p.stop();
  }
});

test('BuilderClient.prepare: a Go builder\'s warnings come with its error (real packer-builder-file)', async () => {
  const p = await startPlugin('packer-builder-file');
  try {
    // neither target nor content: Go's file builder returns a warning and an error
    const raw = await p.rpc.call('Builder.Prepare', { Configs: [{}, packerConfig] });
    assert.deepEqual(raw, { GeneratedVars: null, Warnings: ['Both source file and contents are blank; target will have no content'], Error: { Message: '1 error(s) occurred:\n\n* target required' } });
    const c = new BuilderClient(p.rpc, p.broker);
    await assert.rejects(c.prepare({}, packerConfig), (e: unknown) => {
      assert.ok(e instanceof RemoteError);
      assert.equal(e.message, '1 error(s) occurred:\n\n* target required');
      assert.deepEqual(prepareWarnings(e), ['Both source file and contents are blank; target will have no content']);
      return true;
    });
  } finally {
    await p.stop();
  }
});

test('a plugin started without the magic cookie refuses with Packer\'s message', () => {
  const env = { ...process.env };
  delete env[MAGIC_COOKIE_KEY];
  const r = spawnSync(PACKER, ['plugin', 'packer-builder-file'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.ok((r.stdout + r.stderr).includes(MANUALLY_STARTED_MESSAGE));
});
