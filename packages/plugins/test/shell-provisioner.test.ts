/** The shell provisioner over the SSH communicator, against a real sshd. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MultiError, packerConfigRaw, RecordingUi } from '@packer-ts/sdk';
import { SSHCommunicator } from '../src/communicator/index.ts';
import { ShellProvisioner, unixLines } from '../src/provisioner/shell/index.ts';
import { SSHFixture } from './ssh-helpers.ts';

const pc = () => packerConfigRaw({
  buildName: 'b', builderType: 'null', coreVersion: '1.6.6', debug: false, force: false,
  onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
});

async function prepareErrors(raw: Record<string, unknown>): Promise<string[]> {
  try { await new ShellProvisioner().prepare(raw, pc()); } catch (e) {
    return e instanceof MultiError ? e.errors.map((x) => x.message) : [(e as Error).message];
  }
  return [];
}

test('prepare: Packer\'s defaults and validation messages', async () => {
  const p = new ShellProvisioner();
  await p.prepare({ inline: ['true'] }, pc());
  assert.equal(p.config.executeCommand, 'chmod +x {{.Path}}; {{.Vars}} {{.Path}}');
  assert.equal(p.config.inlineShebang, '/bin/sh -e');
  assert.equal(p.config.remoteFolder, '/tmp');
  assert.match(p.config.remotePath, /^\/tmp\/script_\d{1,4}\.sh$/);
  assert.equal(p.config.startRetryTimeout, 5 * 60_000);
  assert.equal(p.config.envVarFormat, "%s='%s' ");
  assert.deepEqual(await prepareErrors({}), ['Either a script file or inline script must be specified.']);
  assert.deepEqual(await prepareErrors({ inline: [] }), ['Either a script file or inline script must be specified.']);
  assert.deepEqual(await prepareErrors({ script: '/nope', scripts: ['/nope2'], environment_vars: ['=x', 'novalue'] }), [
    'Only one of script or scripts can be specified.',
    "Bad script '/nope': stat /nope: no such file or directory",
    "Environment variable not in format 'key=value': =x",
    "Environment variable not in format 'key=value': novalue",
  ]);
  assert.deepEqual(await prepareErrors({ inline: ['x'], scripts: ['/etc/hostname'] }), ['Only a script file or an inline script can be specified, not both.']);
});

test('scripts are uploaded with Unix line ends unless binary', () => {
  assert.equal(unixLines(Buffer.from('a\r\nb\nc')).toString(), 'a\nb\nc\n');
  assert.equal(unixLines(Buffer.from('')).toString(), '');
});

describe('shell provisioner over ssh', () => {
  const fx = new SSHFixture();
  let comm: SSHCommunicator;
  let remote: string;

  before(async () => {
    await fx.setup();
    const sshd = await fx.sshd();
    comm = await SSHCommunicator.connect({ host: '127.0.0.1', port: sshd.port, username: fx.user.name, privateKeys: [await readFile(fx.keys.key)] });
    remote = await fx.userDir('remote');
  });
  after(async () => { comm?.close(); await fx.teardown(); });

  async function provision(raw: Record<string, unknown>, data: Record<string, unknown> = {}): Promise<RecordingUi> {
    const p = new ShellProvisioner();
    await p.prepare({ remote_folder: remote, ...raw }, pc());
    const ui = new RecordingUi();
    await p.provision(ui, comm, { PackerHTTPAddr: 'ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER', ...data }, new AbortController().signal);
    return ui;
  }

  test('inline: shebang, environment (quotes escaped, PACKER_* set), output lines in order, temp script removed', async () => {
    const ui = await provision({
      inline: ['echo "A=$A B=$B"', 'echo "$PACKER_BUILD_NAME $PACKER_BUILDER_TYPE"', 'echo to-stderr >&2', 'echo "host {{ build `Host` }}"', 'printf "x\\r\\ny\\n\\nz"'],
      environment_vars: ["A=it's", 'B=two words'],
    }, { Host: '10.1.2.3' });
    assert.match(ui.text('say'), /^Provisioning with shell script: \/tmp\/packer-shell\d+$/);
    const lines = ui.text('message').split('\n');
    assert.deepEqual(lines, ["A=it's B=two words", 'b null', 'host 10.1.2.3', 'x', 'y', '', 'z']);
    assert.equal(ui.text('error'), 'to-stderr');
    assert.deepEqual(await readdir(remote), []);
  });

  test('script and scripts, remote_path, skip_clean, custom execute_command and env_var_format', async () => {
    const s1 = join(fx.dir, 's1.sh');
    const s2 = join(fx.dir, 's2.sh');
    await writeFile(s1, '#!/bin/sh\r\necho "one $V"\r\n');
    await writeFile(s2, '#!/bin/sh\necho two');
    const ui = await provision({
      scripts: [s1, s2], remote_path: `${remote}/kept.sh`, skip_clean: true,
      environment_vars: ['V=v'], env_var_format: 'export %s="%s"; ',
      execute_command: 'sh -c \'{{.Vars}} sh {{.Path}}\'',
    });
    assert.deepEqual(ui.calls.filter((c) => c.kind !== 'error').map((c) => c.text),
      [`Provisioning with shell script: ${s1}`, 'one v', `Provisioning with shell script: ${s2}`, 'two']);
    assert.equal(await readFile(`${remote}/kept.sh`, 'utf8'), '#!/bin/sh\necho two\n');
  });

  test('a failing script: its exit code in the error; valid_exit_codes accepts it', async () => {
    await assert.rejects(provision({ inline: ['echo before', 'exit 3'] }),
      { message: 'Script exited with non-zero exit status: 3.Allowed exit codes are: [0]' });
    await provision({ inline: ['exit 3'], valid_exit_codes: [0, 3] });
    await assert.rejects(provision({ inline: ['exit 4'], valid_exit_codes: [0, 3] }), /exit status: 4\.Allowed exit codes are: \[0 3\]/);
  });

  const killSession = 'p=$$; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(awk \'{print $4}\' /proc/$p/stat); done; kill -9 $p';

  test('expect_disconnect: a script that drops the connection passes; without it, Packer\'s error', async () => {
    const ui = await provision({ inline: ['echo going', killSession], expect_disconnect: true });
    assert.match(ui.text('message'), /going/);
    await assert.rejects(provision({ inline: [killSession] }), /^Error: Script disconnected unexpectedly\. If you expected your script to disconnect/);
    // the communicator reconnected for the next provisioner
    const ui2 = await provision({ inline: ['echo again'] });
    assert.equal(ui2.text('message'), 'again');
  });

  test('use_env_var_file: the variables come from an uploaded file, removed afterwards', async () => {
    const folder = await fx.userDir('envfile');
    const ui = await provision({ inline: ['echo "$FOO"; ls $(dirname $0)'], environment_vars: ['FOO=bar baz'], use_env_var_file: true, remote_folder: folder });
    const [value, ...listed] = ui.text('message').split('\n');
    assert.equal(value, 'bar baz');
    assert.equal(listed.filter((f) => /^varfile_\d+\.sh$/.test(f)).length, 1);
    assert.deepEqual(await readdir(folder), []);
  });

  test('many lines: every line, in order, in few Ui calls', async () => {
    const ui = await provision({ inline: ['seq 1 200000'] });
    const msgs = ui.calls.filter((c) => c.kind === 'message');
    const lines = msgs.map((m) => m.text).join('\n').split('\n');
    assert.equal(lines.length, 200000);
    assert.ok(lines.every((l, i) => l === String(i + 1)));
    assert.ok(msgs.length < 2000, `${msgs.length} Ui calls`);
  });
});
