import { test } from 'node:test';
import { REAL_PACKER as PACKER, requireTools } from '../../../test/helpers/requires.ts';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  basicPlaceholderData,
  HookProvision,
  MultiError,
  packerConfigRaw,
  PackerError,
  RecordingUi,
  type Artifact,
  type Builder,
  type Communicator,
  type Hook,
  type PostProcessor,
  type Provisioner,
  type Ui,
} from '@packer-ts/sdk';
import { ShellLocalProvisioner, schema } from '../src/provisioner/shell-local/index.ts';
import { ShellLocalPostProcessor } from '../src/post-processor/shell-local/index.ts';
import { FileBuilder } from '../src/builder/file/index.ts';
import { NullBuilder } from '../src/builder/null/index.ts';
import { cleanOutputLine } from '@packer-ts/sdk';
import { sprintfS, goos } from '../src/common/shell-local.ts';


function pc(buildName = 'mybuild', builderType = 'null') {
  return packerConfigRaw({
    buildName, builderType, coreVersion: '1.6.6', debug: false, force: false,
    onError: '', templatePath: '/tmp/t.json', userVariables: {}, sensitiveVariables: [],
  });
}

async function provision(raw: Record<string, unknown>, data: Record<string, unknown> = {}, signal = new AbortController().signal) {
  const p = new ShellLocalProvisioner();
  await p.prepare(raw, pc());
  const ui = new RecordingUi();
  let error: unknown;
  try {
    await p.provision(ui, undefined, data, signal);
  } catch (e) {
    error = e;
  }
  return { ui, error, messages: ui.calls.filter((c) => c.kind === 'message').map((c) => c.text) };
}

async function prepareError(raw: Record<string, unknown>): Promise<unknown> {
  return new ShellLocalProvisioner().prepare(raw, pc()).then(() => undefined, (e) => e);
}

function packerShellFiles(): Promise<string[]> {
  return readdir(tmpdir()).then((l) => l.filter((f) => f.startsWith('packer-shell')));
}

test('schema has the shell-local keys', () => {
  for (const k of ['command', 'inline', 'script', 'scripts', 'inline_shebang', 'environment_vars', 'env_var_format',
    'execute_command', 'use_linux_pathing', 'only_on', 'valid_exit_codes', 'tempfile_extension']) assert.ok(k in schema, k);
  assert.equal(schema.execute_command!.interpolate, false);
});

test('inline: temp script with shebang and lines, output streamed line by line, stderr to ui.error, script removed', async () => {
  const before = new Set(await packerShellFiles());
  const { ui, error, messages } = await provision({
    inline: ['echo one', 'echo two >&2', "printf 'a\\r b  \\n\\nlast'", 'cat "$0"'],
  });
  assert.equal(error, undefined);
  const say = ui.calls.filter((c) => c.kind === 'say').map((c) => c.text);
  assert.equal(say.length, 1);
  const m = /^Running local shell script: (.*\/packer-shell\d+)$/.exec(say[0]!);
  assert.ok(m, say[0]);
  assert.equal(ui.text('error'), 'two');
  assert.deepEqual(messages, ['one', ' b', '', 'last#!/bin/sh -e', 'echo one', 'echo two >&2', "printf 'a\\r b  \\n\\nlast'", 'cat "$0"']);
  assert.equal(existsSync(m[1]!), false);
  const after = (await packerShellFiles()).filter((f) => !before.has(f));
  assert.deepEqual(after, []);
});

test('command runs like a one-line inline; inline_shebang is used', async () => {
  const { messages, error } = await provision({ command: 'echo "$0"; head -1 "$0"', inline_shebang: '/bin/bash -eu' });
  assert.equal(error, undefined);
  assert.match(messages[0]!, /packer-shell\d+$/);
  assert.equal(messages[1], '#!/bin/bash -eu');
});

test('script and scripts run in order, named as given', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pts-sl-'));
  try {
    const a = join(dir, 'a.sh');
    const b = join(dir, 'b.sh');
    await writeFile(a, '#!/bin/sh\necho "A $1 $0"\n');
    await writeFile(b, 'echo B; echo "$PACKER_BUILDER_TYPE"\n');
    await chmod(a, 0o755);
    await chmod(b, 0o755);
    const one = await provision({ script: a });
    assert.equal(one.error, undefined);
    assert.deepEqual(one.messages, [`A  ${a}`]);
    assert.equal(one.ui.text('say'), `Running local shell script: ${a}`);
    const two = await provision({ scripts: [a, b] });
    assert.equal(two.error, undefined);
    assert.deepEqual(two.messages, [`A  ${a}`, 'B', 'null']);
    assert.equal(two.ui.text('say'), `Running local shell script: ${a}\nRunning local shell script: ${b}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('environment: PACKER_BUILD_NAME, PACKER_BUILDER_TYPE, user variables with spaces and quotes, PACKER_RUN_UUID', async () => {
  const { messages, error } = await provision({
    inline: [
      'echo "name=[$PACKER_BUILD_NAME] type=[$PACKER_BUILDER_TYPE]"',
      'echo "FOO=[$FOO] Q=[$Q] E=[$E] EQ=[$EQ]"',
      'echo "uuid=[$PACKER_RUN_UUID] http=[${PACKER_HTTP_ADDR-unset}]"',
    ],
    environment_vars: ['FOO=bar baz', 'Q=it\'s "q" $HOME `x`', 'E=', 'EQ=a=b'],
  }, { PackerRunUUID: 'u-1', PackerHTTPAddr: 'ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER' });
  assert.equal(error, undefined);
  const uuid = process.env.PACKER_RUN_UUID ?? 'u-1';
  assert.deepEqual(messages, [
    'name=[mybuild] type=[null]',
    'FOO=[bar baz] Q=[it\'s "q" $HOME `x`] E=[] EQ=[a=b]',
    `uuid=[${uuid}] http=[unset]`,
  ]);
  const http = await provision({ inline: ['echo "$PACKER_HTTP_ADDR $PACKER_HTTP_IP $PACKER_HTTP_PORT"'] },
    { PackerHTTPAddr: '10.0.0.1:8080', PackerHTTPIP: '10.0.0.1', PackerHTTPPort: '8080' });
  assert.deepEqual(http.messages, ['10.0.0.1:8080 10.0.0.1 8080']);
});

test('execute_command override: {{.Vars}}, {{.Script}}, {{.Command}}; env_var_format', async () => {
  const { messages, error } = await provision({
    inline: ['echo body'],
    environment_vars: ['A=1'],
    env_var_format: 'export %s=%s; ',
    execute_command: ['/bin/bash', '-c', 'echo "V:{{.Vars}}"; echo "S:{{.Script}}"; echo "C:{{.Command}}"; {{.Vars}} bash {{.Script}}; echo "$A"'],
  });
  assert.equal(error, undefined);
  assert.equal(messages[0], 'V:export A=1; export PACKER_BUILDER_TYPE=null; export PACKER_BUILD_NAME=mybuild;');
  assert.match(messages[1]!, /^S:\/.*packer-shell\d+$/);
  assert.equal(messages[2], messages[1]!.replace('S:', 'C:'));
  assert.deepEqual(messages.slice(3), ['body', '1']);
});

test('tempfile_extension is appended (leading dot dropped)', async () => {
  const { messages, ui } = await provision({ inline: ['echo "$0"'], tempfile_extension: '.sh' });
  assert.match(messages[0]!, /packer-shell\d+\.sh$/);
  assert.match(ui.text('say'), /packer-shell\d+\.sh$/);
});

test('failing command: Packer\'s error text; valid_exit_codes accepted', async () => {
  const bad = await provision({ inline: ['echo before', 'exit 3', 'echo after'] });
  assert.ok(bad.error instanceof Error);
  assert.equal(bad.error.message, 'Script exited with non-zero exit status: 3.Allowed exit codes are: [0]');
  assert.deepEqual(bad.messages, ['before']);
  const ok = await provision({ inline: ['exit 3'], valid_exit_codes: [0, 3] });
  assert.equal(ok.error, undefined);
  const other = await provision({ inline: ['exit 4'], valid_exit_codes: [0, 3] });
  assert.equal((other.error as Error).message, 'Script exited with non-zero exit status: 4.Allowed exit codes are: [0 3]');
  const killed = await provision({ inline: ['kill -9 $$'], execute_command: ['/bin/sh', '{{.Script}}'] });
  assert.equal((killed.error as Error).message, 'Script exited with non-zero exit status: -1.Allowed exit codes are: [0]');
});

test('a command that cannot start: Packer\'s error', async () => {
  const r = await provision({ inline: ['true'], execute_command: ['/nonexistent/shell', '{{.Script}}'] });
  assert.match((r.error as Error).message, /^Error executing script: \/.*packer-shell\d+\n\nPlease see output above for more information\.$/);
});

test('only_on: skipped on other systems with Packer\'s message, run on this one', async () => {
  const other = goos() === 'darwin' ? 'freebsd' : 'darwin';
  const skip = await provision({ inline: ['echo ran'], only_on: [other] });
  assert.equal(skip.error, undefined);
  assert.deepEqual(skip.ui.calls, [{ kind: 'say', text: 'Skipping shell-local due to runtime OS' }]);
  const run = await provision({ inline: ['echo ran'], only_on: [other, goos()] });
  assert.deepEqual(run.messages, ['ran']);
});

test('abort kills the whole process group (no sleep left) and rejects', async () => {
  const marker = `30.${randomInt(100000, 999999)}`;
  const p = new ShellLocalProvisioner();
  await p.prepare({ inline: ['echo started', `sleep ${marker}`, 'echo never'] }, pc());
  const ac = new AbortController();
  let started!: () => void;
  const startedP = new Promise<void>((r) => { started = r; });
  const ui = new RecordingUi();
  const orig = ui.message.bind(ui);
  ui.message = (m: string) => { orig(m); if (m === 'started') started(); };
  const run = p.provision(ui, undefined, {}, ac.signal);
  await startedP;
  const alive = () => execFileSync('ps', ['-eo', 'stat=,args='], { encoding: 'utf8' })
    .split('\n').filter((l) => l.includes(`sleep ${marker}`) && !l.trim().startsWith('Z'));
  for (let i = 0; i < 50 && alive().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive().length, 1, 'the sleep runs before the abort');
  const t0 = Date.now();
  ac.abort();
  await assert.rejects(run, (e: unknown) => e instanceof PackerError && e.code === 'CANCELLED');
  assert.ok(Date.now() - t0 < 2000);
  for (let i = 0; i < 50 && alive().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(alive(), []);
  assert.ok(!ui.text('message').includes('never'));
});

test('validation errors as Packer words them', async () => {
  const none = await prepareError({});
  assert.ok(none instanceof MultiError);
  assert.deepEqual(none.errors.map((e) => e.message), ['Command, Inline, Script and Scripts options cannot all be empty.']);
  const tooMany = 'You may only specify one of the following options: Command, Inline, Script or Scripts. Please consolidate these options in your config.';
  const many = await prepareError({ command: 'x', inline: ['y'], script: '/nonexistent.sh' });
  assert.ok(many instanceof MultiError);
  assert.deepEqual(many.errors.map((e) => e.message), [tooMany, tooMany]);
  const bad = await prepareError({ scripts: ['/nonexistent.sh'], environment_vars: ['NOEQ', '=v'] });
  assert.ok(bad instanceof MultiError);
  assert.deepEqual(bad.errors.map((e) => e.message), [
    "Bad script '/nonexistent.sh': stat /nonexistent.sh: no such file or directory",
    "Environment variable not in format 'key=value': NOEQ",
    "Environment variable not in format 'key=value': =v",
  ]);
  const os = await prepareError({ scripts: ['/nonexistent.sh'], only_on: ['linux', 'plan9'] });
  assert.equal((os as Error).message, "Invalid OS specified in only_on: 'plan9'\nSupported OS names: darwin, freebsd, linux, openbsd, solaris, windows");
  const decode = await prepareError({ inline: ['x'], foo: 1 });
  assert.match((decode as Error).message, /^Error decoding config: /);
  assert.match((decode as Error).message, /foo/);
});

test('generated data: {{build}} placeholders from prepare resolve at provision time; unknown names fail at prepare', async () => {
  const p = new ShellLocalProvisioner();
  await p.prepare({ inline: ['echo "{{build `ID`}} {{build `ConnType`}}"'], environment_vars: ['H={{build `Host`}}'] },
    pc(), basicPlaceholderData());
  const ui = new RecordingUi();
  await p.provision(ui, undefined, { ID: 'Null', Host: '1.2.3.4' }, new AbortController().signal);
  assert.equal(ui.text('message'), 'Null <no value>');
  const env = new ShellLocalProvisioner();
  await env.prepare({ inline: ['echo "$H"'], environment_vars: ['H={{build `Host`}}'] }, pc(), basicPlaceholderData());
  const ui2 = new RecordingUi();
  await env.provision(ui2, undefined, { Host: '1.2.3.4' }, new AbortController().signal);
  assert.equal(ui2.text('message'), '1.2.3.4');
  const err = await new ShellLocalProvisioner().prepare({ inline: ['echo {{build `Nope`}}'] }, pc(), basicPlaceholderData())
    .then(() => undefined, (e: Error) => e);
  assert.match(err!.message, /^Error decoding config: /);
  assert.match(err!.message, /loaded data, but couldnt find Nope in it\./);
});

test('helpers: Go-style %s formatting and output line cleaning', () => {
  assert.equal(sprintfS("%s='%s' ", 'A', 'b c'), "A='b c' ");
  assert.equal(sprintfS('%s=%s%%', 'A', '1'), 'A=1%');
  assert.equal(sprintfS('%s', 'A', '1'), 'A%!(EXTRA string=1)');
  assert.equal(cleanOutputLine('abc\r def  \t'), ' def');
});

// ---------------------------------------------------------------------------
// Parity: one template through /usr/bin/packer and through our components.

/** Collects what a build printed, prefixed like Packer's console. */
class BuildUi implements Ui {
  constructor(readonly lines: string[], readonly prefix: string) {}
  async ask(): Promise<string> { return ''; }
  say(m: string): void { this.lines.push(`say|==> ${this.prefix}: ${m}`); }
  message(m: string): void { this.lines.push(`message|    ${this.prefix}: ${m}`.trimEnd()); }
  error(m: string): void { this.lines.push(`error|==> ${this.prefix}: ${m}`); }
  machine(): void {}
}

/** Minimal stand-in for the core: builder, provisioners through the hook, then one-element post-processor chains. */
async function runBuild(name: string, builder: Builder, builderRaw: unknown, provs: Record<string, unknown>[], pps: Record<string, unknown>[], lines: string[]): Promise<string | undefined> {
  const type = (builderRaw as { type: string }).type;
  const { type: _t, name: _n, ...braw } = builderRaw as Record<string, unknown>;
  await builder.prepare(braw, pc(name, type));
  const prepared: Provisioner[] = [];
  for (const raw of provs) {
    const { type: _pt, ...rest } = raw;
    const p = new ShellLocalProvisioner();
    await p.prepare(rest, pc(name, type), basicPlaceholderData());
    prepared.push(p);
  }
  const ui = new BuildUi(lines, name);
  const hook: Hook = {
    async run(hname: string, hui: Ui, comm: Communicator | undefined, data: unknown, signal?: AbortSignal) {
      if (hname !== HookProvision) return;
      for (const p of prepared) await p.provision(hui, comm, (data ?? {}) as Record<string, unknown>, signal ?? new AbortController().signal);
    },
  };
  let art: Artifact | undefined;
  try {
    art = await builder.run(ui, hook, new AbortController().signal);
  } catch (e) {
    return (e as Error).message;
  }
  for (const raw of pps) {
    const { type: _pt, ...rest } = raw;
    const pp: PostProcessor = new ShellLocalPostProcessor();
    await pp.configure(rest, pc(name, type), basicPlaceholderData());
    ui.say('Running post-processor: shell-local');
    try {
      await pp.postProcess(new BuildUi(lines, `${name} (shell-local)`), art!, new AbortController().signal);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}

function normalize(line: string): string {
  return line.replace(/packer-shell\d+/g, 'packer-shellN').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
}

test('parity with /usr/bin/packer: null and file builders, shell-local provisioners and post-processors', async (t) => {
  requireTools(PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'pts-parity-'));
  try {
    const builders = [
      { type: 'null', communicator: 'none' },
      { type: 'file', name: 'f', target: 'out/f.txt', content: 'hello' },
    ];
    const provisioners = [
      {
        type: 'shell-local',
        inline: [
          'echo "name=$PACKER_BUILD_NAME type=$PACKER_BUILDER_TYPE FOO=[$FOO] Q=[$Q] E=[$E]"',
          'echo "to stderr" >&2',
          "printf 'x\\r y  \\n\\nno-newline'",
          'echo',
          'echo \'id={{build `ID`}} http={{build `PackerHTTPAddr`}}\'',
          '[ "{{build `PackerRunUUID`}}" = "$PACKER_RUN_UUID" ] && echo uuid-matches || true',
          'echo "$PACKER_BUILD_NAME" > "out/prov-$PACKER_BUILD_NAME.txt"',
        ],
        environment_vars: ['FOO=bar baz', 'Q=it\'s "q" $HOME', 'E='],
      },
      { type: 'shell-local', script: 'script.sh', environment_vars: ['X=1'] },
      {
        type: 'shell-local', command: 'echo cmd-$A',
        env_var_format: 'export %s=\'%s\'; ', environment_vars: ['A=b'],
        execute_command: ['/bin/bash', '-c', 'echo "vars={{.Vars}}"; {{.Vars}} bash {{.Script}}'],
      },
      { type: 'shell-local', inline: ['exit 7'], valid_exit_codes: [0, 7] },
      { type: 'shell-local', inline: ['echo skipped'], only_on: [goos() === 'darwin' ? 'freebsd' : 'darwin'] },
    ];
    const pps = [
      { type: 'shell-local', inline: ['echo "pp $PACKER_BUILD_NAME id={{build `ID`}}"', 'echo pp > "out/pp-$PACKER_BUILD_NAME.txt"'] },
      { type: 'shell-local', execute_command: ['echo single {{.Vars}}'], inline: ['true'] },
    ];
    const template = { builders, provisioners, 'post-processors': pps };
    const script = '#!/bin/sh\necho "script X=$X $PACKER_BUILDER_TYPE"\n';

    const results: Record<string, { lines: Record<string, string[]>; files: Record<string, string> }> = {};
    for (const side of ['packer', 'ours']) {
      const d = join(dir, side);
      await mkdir(join(d, 'out'), { recursive: true });
      await writeFile(join(d, 'script.sh'), script);
      await chmod(join(d, 'script.sh'), 0o755);
      await writeFile(join(d, 't.json'), JSON.stringify(template));
      const lines: Record<string, string[]> = { null: [], f: [] };
      if (side === 'packer') {
        const r = spawnSync(PACKER, ['build', '-machine-readable', 't.json'], { cwd: d, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        for (const l of r.stdout.split('\n')) {
          const m = /^\d+,,ui,(say|message|error),(.*)$/.exec(l);
          if (!m) continue;
          const text = m[2]!.replace(/%!\(PACKER_COMMA\)/g, ',').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
          const who = /^(?:==>|   ) (null|f)(?: \(shell-local\))?:/.exec(text);
          if (who) lines[who[1]!]!.push(`${m[1]}|${text}`);
        }
      } else {
        const cwd = process.cwd();
        process.chdir(d);
        try {
          const errs = await Promise.all([
            runBuild('null', new NullBuilder(), builders[0], provisioners, pps, lines.null!),
            runBuild('f', new FileBuilder(), builders[1], provisioners, pps, lines.f!),
          ]);
          assert.deepEqual(errs, [undefined, undefined]);
        } finally {
          process.chdir(cwd);
        }
      }
      const files: Record<string, string> = {};
      for (const f of (await readdir(join(d, 'out'))).sort()) files[f] = await readFile(join(d, 'out', f), 'utf8');
      results[side] = { lines, files };
    }
    for (const b of ['null', 'f']) {
      // stdout and stderr are separate pipes: compare stdout lines in order, stderr and headlines as sets
      const pick = (side: string, kind: string) => results[side]!.lines[b]!.filter((l) => l.startsWith(kind + '|')).map(normalize);
      assert.deepEqual(pick('ours', 'message'), pick('packer', 'message'), `${b} messages`);
      assert.deepEqual(pick('ours', 'error').sort(), pick('packer', 'error').sort(), `${b} errors`);
      assert.deepEqual(pick('ours', 'say'), pick('packer', 'say'), `${b} headlines`);
    }
    assert.deepEqual(results.ours!.files, results.packer!.files);
    assert.ok(Object.keys(results.packer!.files).length >= 5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
