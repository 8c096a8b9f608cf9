/** The file provisioner over the SSH communicator (scp and sftp), against a real sshd. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MultiError, packerConfigRaw, RecordingUi } from '@packer-ts/sdk';
import { SSHCommunicator } from '../src/communicator/index.ts';
import { FileProvisioner } from '../src/provisioner/file/index.ts';
import { SSHFixture } from './ssh-helpers.ts';
import { tree } from './fs-helpers.ts';

const pc = () => packerConfigRaw({
  buildName: 'b', builderType: 'null', coreVersion: '1.6.6', debug: false, force: false,
  onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
});

async function prepareErrors(raw: Record<string, unknown>): Promise<string[]> {
  try { await new FileProvisioner().prepare(raw, pc()); } catch (e) {
    return e instanceof MultiError ? e.errors.map((x) => x.message) : [(e as Error).message];
  }
  return [];
}

test('prepare: Packer\'s validation messages', async () => {
  assert.deepEqual(await prepareErrors({}), ['Source must be specified.', 'Destination must be specified.']);
  assert.deepEqual(await prepareErrors({ source: '/nope', destination: '/x', direction: 'sideways' }), ['Direction must be one of: download, upload.']);
  assert.deepEqual(await prepareErrors({ source: '/nope', destination: '/x' }), ["Bad source '/nope': stat /nope: no such file or directory"]);
  assert.deepEqual(await prepareErrors({ source: '/nope', destination: '/x', generated: true }), []);
  assert.deepEqual(await prepareErrors({ source: '/nope', destination: '/x', direction: 'download' }), []);
});

describe('file provisioner over ssh', () => {
  const fx = new SSHFixture();
  let port = 0;
  let local = '';

  before(async () => {
    await fx.setup();
    port = (await fx.sshd()).port;
    local = join(fx.dir, 'local');
    await mkdir(join(local, 'd', 'sub'), { recursive: true });
    await writeFile(join(local, 'd', 'a.txt'), 'A');
    await writeFile(join(local, 'd', 'sub', 'b.txt'), 'B');
    await writeFile(join(local, 'f.txt'), 'F');
    await writeFile(join(local, 'g.txt'), 'G');
  });
  after(() => fx.teardown());

  for (const method of ['scp', 'sftp']) {
    test(`${method}: files, directories with and without trailing slash, several sources, download`, async () => {
      const comm = await SSHCommunicator.connect({ host: '127.0.0.1', port, username: fx.user.name, privateKeys: [await readFile(fx.keys.key)], useSftp: method === 'sftp' });
      const remote = await fx.userDir(`remote-${method}`);
      await fx.userDir(`remote-${method}/into`);
      const run = async (raw: Record<string, unknown>): Promise<RecordingUi> => {
        const p = new FileProvisioner();
        await p.prepare(raw, pc());
        const ui = new RecordingUi();
        await p.provision(ui, comm, {}, new AbortController().signal);
        return ui;
      };
      try {
        const ui = await run({ source: join(local, 'f.txt'), destination: `${remote}/f-renamed.txt` });
        assert.equal(ui.text('say'), `Uploading ${join(local, 'f.txt')} => ${remote}/f-renamed.txt`);
        await run({ sources: [join(local, 'f.txt'), join(local, 'g.txt')], destination: `${remote}/into/` });
        await run({ source: join(local, 'd'), destination: `${remote}/into` });
        await run({ source: join(local, 'd') + '/', destination: `${remote}/into` });
        assert.deepEqual(await tree(remote), [
          'f-renamed.txt=F', 'into/', 'into/a.txt=A', 'into/d/', 'into/d/a.txt=A', 'into/d/sub/', 'into/d/sub/b.txt=B',
          'into/f.txt=F', 'into/g.txt=G', 'into/sub/', 'into/sub/b.txt=B',
        ]);

        const dl = join(fx.dir, `dl-${method}`);
        const dui = await run({ source: `${remote}/f-renamed.txt`, destination: `${dl}/x/`, direction: 'download' });
        assert.equal(dui.text('say'), `Downloading ${remote}/f-renamed.txt => ${dl}/x/`);
        await run({ source: `${remote}/into/g.txt`, destination: `${dl}/named.txt`, direction: 'download' });
        await run({ source: `${remote}/into/d/`, destination: `${dl}/dir/`, direction: 'download' });
        assert.deepEqual(await tree(dl), ['dir/', 'dir/d/', 'dir/d/a.txt=A', 'dir/d/sub/', 'dir/d/sub/b.txt=B', 'named.txt=G', 'x/', 'x/f-renamed.txt=F']);

        const bad = new RecordingUi();
        const p = new FileProvisioner();
        await p.prepare({ source: `${remote}/missing`, destination: `${dl}/m`, direction: 'download' }, pc());
        await assert.rejects(p.provision(bad, comm, {}, new AbortController().signal), /No such file|no such file/i);
        assert.match(bad.text('error'), /^Download failed: /);
      } finally {
        comm.close();
      }
    });
  }
});
