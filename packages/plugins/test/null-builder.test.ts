import { test } from 'node:test';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import {
  DispatchHook,
  HookCleanupProvision,
  HookProvision,
  MultiError,
  NoneCommunicator,
  packerConfigRaw,
  RecordingUi,
  type Communicator,
  type Hook,
  type Ui,
} from '@packer-ts/sdk';
import { NullBuilder, schema } from '../src/builder/null/index.ts';

function pc() {
  return packerConfigRaw({
    buildName: 'null', builderType: 'null', coreVersion: '1.6.6', debug: false, force: false,
    onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
  });
}

class FnHook implements Hook {
  runs: { name: string; comm: Communicator | undefined; data: unknown }[] = [];
  constructor(private readonly fn: (name: string) => Promise<void> = async () => {}) {}
  async run(name: string, _ui: Ui, comm: Communicator | undefined, data: unknown): Promise<void> {
    this.runs.push({ name, comm, data });
    await this.fn(name);
  }
}

async function prepareErrors(raw: Record<string, unknown>): Promise<string[]> {
  try {
    await new NullBuilder().prepare(raw, pc());
  } catch (e) {
    if (e instanceof MultiError) return e.errors.map((x) => x.message);
    return [(e as Error).message];
  }
  return [];
}

test('schema accepts the communicator setting', () => {
  assert.ok('communicator' in schema);
});

test('communicator none: artifact like Packer, hook gets Packer\'s none communicator and generated data', async () => {
  const b = new NullBuilder();
  const res = await b.prepare({ communicator: 'none' }, pc());
  assert.deepEqual(res.generatedVars ?? [], []);
  const hook = new FnHook();
  const ui = new RecordingUi();
  const prev = process.env.PACKER_RUN_UUID;
  process.env.PACKER_RUN_UUID = 'run-uuid-from-core';
  let art;
  try {
    art = await b.run(ui, hook, new AbortController().signal);
  } finally {
    if (prev === undefined) delete process.env.PACKER_RUN_UUID; else process.env.PACKER_RUN_UUID = prev;
  }
  assert.ok(art);
  assert.equal(await art.builderId(), 'fnoeding.null');
  assert.equal(await art.id(), 'Null');
  assert.equal(await art.string(), 'Did not export anything. This is the null builder');
  assert.deepEqual(await art.files(), []);
  assert.deepEqual(await art.state('generated_data'), { ID: 'Null' });
  assert.equal(await art.state('other'), undefined);
  await art.destroy();
  assert.deepEqual(hook.runs.map((r) => r.name), [HookProvision]);
  // Packer's communicator/none: commands exit 0 doing nothing, transfers fail in its words
  const comm = hook.runs[0]!.comm!;
  assert.ok(comm instanceof NoneCommunicator);
  assert.equal(await comm.start({ command: 'exit 3' }), 0);
  await assert.rejects(comm.upload('/x', Readable.from([])), { message: "Upload is not implemented when communicator = 'none'" });
  await assert.rejects(comm.downloadDir('/x', '/y'), { message: "DownloadDir is not implemented when communicator = 'none'" });
  assert.deepEqual(hook.runs[0]!.data, {
    ID: 'Null',
    PackerRunUUID: 'run-uuid-from-core',
    PackerHTTPIP: 'ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER',
    PackerHTTPPort: 'ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER',
    PackerHTTPAddr: 'ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER',
  });
  assert.equal(ui.calls.length, 0);
});

test('without PACKER_RUN_UUID one uuid is generated per process', async () => {
  const prev = process.env.PACKER_RUN_UUID;
  delete process.env.PACKER_RUN_UUID;
  try {
    const uuids: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const b = new NullBuilder();
      await b.prepare({ communicator: 'none' }, pc());
      const hook = new FnHook();
      await b.run(new RecordingUi(), hook, new AbortController().signal);
      uuids.push((hook.runs[0]!.data as Record<string, unknown>).PackerRunUUID);
    }
    assert.match(String(uuids[0]), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(uuids[0], uuids[1]);
  } finally {
    if (prev !== undefined) process.env.PACKER_RUN_UUID = prev;
  }
});

test('provisioning failure: cleanup hook runs, Packer\'s message, original error', async () => {
  const b = new NullBuilder();
  await b.prepare({ communicator: 'none' }, pc());
  const ui = new RecordingUi();
  const hook = new FnHook(async (name) => { if (name === HookProvision) throw new Error('boom'); });
  await assert.rejects(b.run(ui, hook, new AbortController().signal), { message: 'boom' });
  assert.deepEqual(hook.runs.map((r) => r.name), [HookProvision, HookCleanupProvision]);
  assert.equal(ui.text('say'), 'Provisioning step had errors: Running the cleanup provisioner, if present...');

  const hook2 = new FnHook(async (name) => { throw new Error(name === HookProvision ? 'first' : 'second'); });
  await assert.rejects(b.run(new RecordingUi(), hook2, new AbortController().signal),
    { message: 'Cleanup failed: second. Original Provisioning error: first' });
});

test('cancelled build rejects without running the cleanup hook', async () => {
  const b = new NullBuilder();
  await b.prepare({ communicator: 'none' }, pc());
  const ac = new AbortController();
  const hook = new FnHook(async () => { ac.abort(); throw new Error('aborted'); });
  await assert.rejects(b.run(new RecordingUi(), hook, ac.signal));
  assert.deepEqual(hook.runs.map((r) => r.name), [HookProvision]);
});

test('missing communicator settings: Packer\'s validation errors', async () => {
  const expected = [
    'An ssh_username must be specified\n  Note: some builders used to default ssh_username to "root".',
    'a Host must be specified, please reference your communicator documentation',
    'a Username must be specified, please reference your communicator documentation',
    'one authentication method must be specified, please reference your communicator documentation',
  ];
  assert.deepEqual(await prepareErrors({}), expected);
  assert.deepEqual(await prepareErrors({ communicator: 'ssh' }), expected);
  assert.deepEqual(await prepareErrors({ communicator: 'bogus' }), ['Communicator type bogus is invalid', ...expected.slice(1)]);
  assert.deepEqual(await prepareErrors({ communicator: 'ssh', ssh_host: 'h', ssh_username: 'u' }), [expected[3]]);
  // as Packer 1.6.6 prints it (packer validate)
  assert.deepEqual(await prepareErrors({ communicator: 'ssh', ssh_host: 'h', ssh_username: 'u', ssh_password: 'p', ssh_private_key_file: '/k', ssh_file_transfer_method: 'ftp' }),
    ['ssh_private_key_file is invalid: stat /k: no such file or directory',
      "ssh_file_transfer_method ('ftp') is invalid, valid methods: sftp, scp",
      'only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified']);
  assert.deepEqual(await prepareErrors({ communicator: 'ssh', ssh_host: 'h', ssh_username: 'u', ssh_password: 'p', ssh_bastion_host: 'b' }),
    ['ssh_bastion_password or ssh_bastion_private_key_file must be specified']);
});

test('a valid ssh configuration prepares, with Packer\'s defaults', async () => {
  const b = new NullBuilder();
  await b.prepare({ communicator: 'ssh', ssh_host: 'h', ssh_username: 'u', ssh_password: 'p' }, pc());
  assert.equal(b.config.sshPort, 22);
  assert.equal(b.config.sshTimeout, 5 * 60_000);
  assert.equal(b.config.sshHandshakeAttempts, 10);
  assert.equal(b.config.sshKeepAliveInterval, 5_000);
  assert.equal(b.config.sshFileTransferMethod, 'scp');
});

test('runs provisioners through a dispatch hook', async () => {
  const b = new NullBuilder();
  await b.prepare({ communicator: 'none' }, pc());
  const seen: unknown[] = [];
  const hook = new DispatchHook({ [HookProvision]: [{ run: async (_n, _u, _c, data) => { seen.push(data); } }] });
  await b.run(new RecordingUi(), hook, new AbortController().signal);
  assert.equal((seen[0] as Record<string, unknown>).ID, 'Null');
});
