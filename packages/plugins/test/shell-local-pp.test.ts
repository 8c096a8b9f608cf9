import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicArtifact, MultiError, packerConfigRaw, RecordingUi } from '@packer-ts/sdk';
import { ShellLocalPostProcessor } from '../src/post-processor/shell-local/index.ts';
import { goos } from '../src/common/shell-local.ts';

function pc() {
  return packerConfigRaw({
    buildName: 'b1', builderType: 'null', coreVersion: '1.6.6', debug: false, force: false,
    onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
  });
}

const nullArtifact = () => new BasicArtifact({
  builderId: 'fnoeding.null', id: 'Null', string: 'x', files: [], state: { generated_data: { ID: 'Null' } },
});

async function pp(raw: Record<string, unknown>, art = nullArtifact()) {
  const p = new ShellLocalPostProcessor();
  await p.configure(raw, pc());
  const ui = new RecordingUi();
  const res = await p.postProcess(ui, art, new AbortController().signal);
  return { res, ui, art };
}

test('returns the input artifact, keep and force override, as Packer', async () => {
  const { res, ui, art } = await pp({ inline: ['echo "pp $PACKER_BUILD_NAME $PACKER_BUILDER_TYPE"'] });
  assert.equal(res.artifact, art);
  assert.equal(res.keep, true);
  assert.equal(res.forceOverride, true);
  assert.match(ui.text('say'), /^Running local shell script: .*packer-shell\d+$/);
  assert.equal(ui.text('message'), 'pp b1 null');
});

test('{{build `X`}} reads the artifact\'s generated_data state', async () => {
  const { ui } = await pp({ inline: ['echo "id={{build `ID`}}"'] });
  assert.equal(ui.text('message'), 'id=Null');
  const art = new BasicArtifact({ builderId: 'x', string: 'x', state: { generated_data: new Map([['ID', 'from-map']]) } });
  const r2 = await pp({ inline: ['echo "id={{build `ID`}}"'] }, art);
  assert.equal(r2.ui.text('message'), 'id=from-map');
});

test('a one-element execute_command runs through sh -c', async () => {
  const { ui } = await pp({ execute_command: ['echo single {{.Vars}} | tr -s " "'], inline: ['true'] });
  assert.equal(ui.text('message'), "single PACKER_BUILDER_TYPE=null PACKER_BUILD_NAME=b1");
});

test('only_on skip still returns the artifact', async () => {
  const { res, ui } = await pp({ inline: ['echo no'], only_on: [goos() === 'darwin' ? 'freebsd' : 'darwin'] });
  assert.ok(res.artifact);
  assert.equal(ui.text(), 'Skipping shell-local due to runtime OS');
});

test('failing script rejects with Packer\'s error', async () => {
  const p = new ShellLocalPostProcessor();
  await p.configure({ inline: ['exit 2'] }, pc());
  await assert.rejects(p.postProcess(new RecordingUi(), nullArtifact(), new AbortController().signal),
    { message: 'Script exited with non-zero exit status: 2.Allowed exit codes are: [0]' });
});

test('configure errors as Packer', async () => {
  await assert.rejects(new ShellLocalPostProcessor().configure({}, pc()),
    (e: unknown) => e instanceof MultiError && e.errors[0]!.message === 'Command, Inline, Script and Scripts options cannot all be empty.');
});
