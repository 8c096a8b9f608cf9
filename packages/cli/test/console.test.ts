/**
 * `packer-ts console`: lines piped in (and read from a file) give what
 * Packer 1.6.6 prints for the same input.
 */
import { test } from 'node:test';
import { REAL_PACKER as PACKER, requireBundle, requireTools } from '../../../test/helpers/requires.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { clearSecrets } from '@packer-ts/sdk';
import { wordWrap as wrapText } from '@packer-ts/sdk';
import { consoleCommand, consoleHelp } from '../src/commands/console.ts';
import { CONSOLE_HELP } from '../src/commands/console-json.ts';
import { testMeta } from './helpers.ts';


const CLI = fileURLToPath(new URL('../../../bin/packer-ts', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'console-'));
const TPL = join(dir, 't.json');
writeFileSync(TPL, JSON.stringify({
  variables: { a: 'x', b: '{{user `a`}}-y', pw: 'hunter2' },
  'sensitive-variables': ['pw'],
  builders: [{ type: 'null', communicator: 'none' }],
}));
const REQ = join(dir, 'req.json');
writeFileSync(REQ, JSON.stringify({ variables: { r: null, d: 'v' }, builders: [{ type: 'null' }] }));
const VARFILE = join(dir, 'vars.json');
writeFileSync(VARFILE, JSON.stringify({ a: 'from-file', c: 'file-only' }));

/** Runs consoleCommand with `input` on a pipe-like stdin. */
async function piped(input: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  clearSecrets();
  const stdin = new PassThrough();
  stdin.end(input);
  const { meta, out, err } = testMeta(stdin);
  const code = await consoleCommand(meta, args);
  return { code, out: out(), err: err() };
}

/** Output lines sorted: Packer lists variables in random (map) order. */
const sortedLines = (s: string) => s.split('\n').sort().join('\n');

test('piped: only the last result is printed', async () => {
  assert.deepEqual(await piped('help\nhello\n', [TPL]), { code: 0, out: 'hello\n', err: '' });
  assert.deepEqual(await piped('hello\n', [TPL]), { code: 0, out: 'hello\n', err: '' });
  assert.deepEqual(await piped('help\n', [TPL]), { code: 0, out: CONSOLE_HELP + '\n', err: '' });
  // Lines are trimmed; `exit` does not stop a pipe; an empty last line prints an empty result.
  assert.deepEqual(await piped('  exit  \nlast', [TPL]), { code: 0, out: 'last\n', err: '' });
  assert.deepEqual(await piped('a\n\n', [TPL]), { code: 0, out: '\n', err: '' });
  assert.deepEqual(await piped('', []), { code: 0, out: '\n', err: '' });
});

test('variables: rendered values, -var over -var-file over defaults, sensitive values hidden', async () => {
  const r = await piped('variables\n', ['-var-file', VARFILE, '-var', 'b=cli', TPL]);
  assert.equal(r.code, 0);
  assert.equal(sortedLines(r.out), sortedLines('\n: ,\na: from-file,\nb: cli,\nc: file-only,\npw: <sensitive>,\n\n'));
  // No variables at all: nothing listed.
  assert.deepEqual(await piped('variables\n', []), { code: 0, out: '\n\n', err: '' });
  // A missing required variable: the console still runs, with the command-line variables only.
  assert.deepEqual(await piped('variables\n', ['-var', 'z=1', REQ]), { code: 0, out: '\nz: 1,\n\n', err: '' });
});

test('errors before the console starts', async () => {
  const missing = join(dir, 'nope.json');
  assert.deepEqual(await piped('x\n', [missing]), { code: 1, out: `"${missing}": stat ${missing}: no such file or directory\n`, err: '' });
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"builders": [}');
  const r = await piped('x\n', [bad]);
  assert.equal(r.code, 1);
  assert.match(r.out, /^Failed to parse template: Error parsing JSON: invalid character '}' looking for beginning of value/);
  const h = await piped('x\n', ['-config-type=yaml', TPL]);
  assert.equal(h.code, 1);
  assert.equal(h.out, consoleHelp + '\ninvalid value "yaml" for flag -config-type: yaml does not belong to configType values\n');
  // More than one argument: no template, like Packer.
  assert.deepEqual(await piped('x\n', ['a', 'b']), { code: 0, out: 'x\n', err: '' });
});

test('diagnostic detail is wrapped at 80 columns like Packer', () => {
  assert.equal(
    wrapText('template: root:1:2: executing "root" at <template_dir>: error calling template_dir: template path not available', 80),
    'template: root:1:2: executing "root" at <template_dir>: error calling\ntemplate_dir: template path not available',
  );
  assert.equal(
    wrapText('template: root:1:2: executing "root" at <build_name>: error calling build_name: build_name not available', 80),
    'template: root:1:2: executing "root" at <build_name>: error calling build_name:\nbuild_name not available',
  );
  assert.equal(wrapText('short', 80), 'short');
  // A word longer than the limit stays whole; the next one goes to a new line.
  assert.equal(wrapText(`${'x'.repeat(90)} y`, 80), `${'x'.repeat(90)}\ny`);
});

test('interpolation through render()', async () => {
  assert.deepEqual(await piped('{{user `b`}}\n', [TPL]), { code: 0, out: 'x-y\n', err: '' });
  const r = await piped('{{ nope }}\n', [TPL]);
  assert.deepEqual(r, { code: 0, out: '???????: Interpolation error\n\ntemplate: root:1: function "nope" not defined\n\n\n\n', err: '' });
});

/** Runs a shell command line (with a real pipe or file on stdin) and returns stdout+stderr and the status. */
function sh(cmd: string): { out: string; code: number | null } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8', cwd: dir, env: { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1' } });
  return { out: r.stdout + r.stderr, code: r.status };
}

const CASES: { input: string; args: string }[] = [
  { input: '{{user `a`}}\\n{{user `b`}}\\n', args: 't.json' },
  { input: '{{user `a`}}\\n{{ bad\\n', args: 't.json' },
  { input: '{{ bad\\n{{user `a`}}\\n', args: 't.json' },
  { input: 'help\\n{{template_dir}}\\n', args: 't.json' },
  { input: '{{template_dir}}\\n', args: '' },
  { input: '{{env `HOME`}}\\n', args: 't.json' },
  { input: '{{build_name}}\\n', args: 't.json' },
  { input: '{{ .Foo }}|{{user `missing`}}|{{upper `a`}}\\n', args: 't.json' },
  { input: '{{user `pw`}}\\n', args: 't.json' },
  { input: 'variables\\n', args: '-var a=1 -var-file vars.json t.json' },
  { input: 'variables\\nhelp\\n', args: 'req.json' },
  { input: '{{user `a`}}\\n{{ bad\\nhelp\\n\\nexit\\n{{user `a`}}\\n', args: 't.json' },
  { input: ' exit \\n{{user `a`}}\\r\\nlast', args: 't.json' },
];

for (const { input, args } of CASES) {
  for (const how of ['pipe', 'file'] as const) {
    test(`CLI vs Packer (${how}): console ${args} <<< ${input}`, () => {
      requireTools(PACKER);
      requireBundle();
      const run = (bin: string) => (how === 'pipe'
        ? sh(`printf '%b' '${input}' | ${bin} console ${args}`)
        : sh(`printf '%b' '${input}' > in-${process.pid}.txt && ${bin} console ${args} < in-${process.pid}.txt`));
      const real = run(PACKER);
      const ours = run(CLI);
      assert.equal(sortedLines(ours.out), sortedLines(real.out));
      if (!input.startsWith('variables')) assert.equal(ours.out, real.out);
      assert.equal(ours.code, real.code);
    });
  }
}
