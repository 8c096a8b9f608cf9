import { test } from 'node:test';
import { REAL_PACKER as PACKER, requireTools } from '../../../test/helpers/requires.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packerConfigRaw, RecordingUi, type Ui } from '@packer-ts/sdk';
import { BreakpointProvisioner, schema } from '../src/provisioner/breakpoint/index.ts';


function pc() {
  return packerConfigRaw({
    buildName: 'null', builderType: 'null', coreVersion: '1.6.6', debug: false, force: false,
    onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
  });
}

/** A Ui without a terminal: its asks fail as the core's BasicUi's do. */
function noTerminal(ui = new RecordingUi()): RecordingUi {
  ui.ask = async () => { throw new Error('no available tty'); };
  return ui;
}

async function run(raw: Record<string, unknown>, opts: { tty: boolean; ui?: Ui; signal?: AbortSignal }) {
  const p = new BreakpointProvisioner();
  await p.prepare(raw, pc());
  const ui = opts.ui ?? (opts.tty ? new RecordingUi() : noTerminal());
  await p.provision(ui, undefined, {}, opts.signal ?? new AbortController().signal);
  return ui;
}

test('schema: note and disable', () => {
  assert.deepEqual(Object.keys(schema).sort(), ['disable', 'note']);
});

test('disabled: Packer\'s messages, no question asked', async () => {
  const asked: string[] = [];
  const ui = new RecordingUi();
  ui.ask = async (q?: string) => { asked.push(q ?? ""); return ''; };
  await run({ disable: true, note: 'n2' }, { tty: true, ui });
  await run({ disable: true }, { tty: false, ui: noTerminal(ui) });
  assert.deepEqual(ui.calls, [
    { kind: 'say', text: 'Breakpoint provisioner with note "n2" disabled; continuing...' },
    { kind: 'say', text: 'Breakpoint provisioner disabled; continuing...' },
  ]);
  assert.deepEqual(asked, []);
});

test('with a terminal: pauses until the answer comes', async () => {
  const asked: string[] = [];
  let answer!: (s: string) => void;
  const ui = new RecordingUi();
  ui.ask = (q?: string) => { asked.push(q ?? ""); return new Promise((r) => { answer = r; }); };
  let done = false;
  const p = run({ note: 'hi there' }, { tty: true, ui }).then(() => { done = true; });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(done, false);
  assert.deepEqual(asked, ['Press enter to continue.']);
  answer('');
  await p;
  assert.equal(done, true);
  assert.deepEqual(ui.calls, [{ kind: 'say', text: 'Pausing at breakpoint provisioner with note "hi there".' }]);
  const ui2 = await run({}, { tty: true }) as RecordingUi;
  assert.equal(ui2.text('say'), 'Pausing at breakpoint provisioner.');
});

test('with a terminal: a failing question and an abort reject', async () => {
  const ui = new RecordingUi();
  ui.ask = async () => { throw new Error('closed'); };
  await assert.rejects(run({}, { tty: true, ui }), { message: 'Error asking for input: closed' });
  const ac = new AbortController();
  const ui2 = new RecordingUi();
  ui2.ask = () => new Promise(() => {});
  const p = run({}, { tty: true, ui: ui2, signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p);
});

test('without a terminal: fails like Packer', async () => {
  const ui = noTerminal();
  await assert.rejects(run({ note: 'hi there' }, { tty: false, ui }), { message: 'Error asking for input: no available tty' });
  assert.deepEqual(ui.calls, [{ kind: 'say', text: 'Pausing at breakpoint provisioner with note "hi there".' }]);
});

test('parity: /usr/bin/packer without a terminal gives the same error', async (t) => {
  requireTools(PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'pts-bp-'));
  try {
    await writeFile(join(dir, 't.json'), JSON.stringify({
      builders: [{ type: 'null', communicator: 'none' }],
      provisioners: [{ type: 'breakpoint', disable: true, note: 'n' }, { type: 'breakpoint', note: 'hi there' }],
    }));
    const r = spawnSync(PACKER, ['build', 't.json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' } });
    const ui = noTerminal();
    const p1 = new BreakpointProvisioner();
    await p1.prepare({ disable: true, note: 'n' }, pc());
    await p1.provision(ui, undefined, {}, new AbortController().signal);
    const p2 = new BreakpointProvisioner();
    await p2.prepare({ note: 'hi there' }, pc());
    const err = await p2.provision(ui, undefined, {}, new AbortController().signal).then(() => undefined, (e: Error) => e);
    for (const c of ui.calls) assert.ok(r.stdout.includes(`==> null: ${c.text}`), c.text);
    assert.ok(r.stdout.includes(`--> null: ${err!.message}`), r.stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
