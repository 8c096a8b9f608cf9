/**
 * Packer's output, exactly, in the human (non machine-readable) mode: errors
 * on stdout, logs on stderr, diagnostics wrapped at 80 columns, file errors
 * in Go's words, a closed stdout ending the process by SIGPIPE. Each case
 * runs packer-ts and Packer 1.6.6 live and compares what they print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, removeDir, run, type RunResult } from './helpers/run.ts';
import { requireRoot, requireTools } from './helpers/requires.ts';

async function workdir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-output-'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

/** Runs both tools with the same arguments in `dir`. */
async function both(args: string[], dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ ours: RunResult; theirs: RunResult }> {
  requireTools(REAL_PACKER);
  const ours = await run(PACKER_TS, args, { cwd: dir, env });
  const theirs = await run(REAL_PACKER, args, { cwd: dir, env });
  return { ours, theirs };
}

function assertSame(ours: RunResult, theirs: RunResult, what: string): void {
  assert.equal(ours.stdout, theirs.stdout, `stdout of ${what}`);
  assert.equal(ours.stderr, theirs.stderr, `stderr of ${what}`);
  assert.equal(ours.code, theirs.code, `exit status of ${what}`);
}

const DEPRECATED = {
  builders: [{ type: 'null', communicator: 'none', ssh_key_path: 'k', ssh_skip_nat_mapping: true }],
  provisioners: [{ type: 'shell', inline: ['true'], iso_checksum_type: 'md5', bogus: 1 }],
};

test('errors go to stdout, as Packer prints them: lists in each component\'s style, wrapped at 80 columns', async () => {
  const dir = await workdir({
    'deprecated.json': DEPRECATED,
    'multi.json': { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell-local', script: 'a.sh', scripts: ['b.sh'] }] },
    'types.json': { builders: [{ type: 'null', communicator: 'none' }], provisioners: 'x', 'sensitive-variables': [5] },
    'decode.json': { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell', inline: ['true'], expect_disconnect: 'no way' }] },
    'file.json': { builders: [{ type: 'file', target: 'out', content: 'x', source: 'y', iso_md5: 'x' }] },
    'file2.json': { builders: [{ type: 'file', source: 'a', content: 'b' }] },
    'null.json': { builders: [{ type: 'null', ssh_username: 'u' }] },
    'pp.json': { builders: [{ type: 'null', communicator: 'none' }], 'post-processors': [{ type: 'checksum', checksum_types: ['nope'] }] },
  });
  try {
    for (const t of ['deprecated.json', 'multi.json', 'types.json', 'decode.json', 'file.json', 'file2.json', 'null.json', 'pp.json']) {
      for (const cmd of ['validate', 'build']) {
        const { ours, theirs } = await both([cmd, t], dir);
        assert.equal(ours.code, 1, `${cmd} ${t}: ${ours.stdout}`);
        assert.equal(ours.stderr, '', `${cmd} ${t} wrote to stderr`);
        // after a build failed to prepare, the others run and the wait is reported, as in Packer
        const timeless = (r: RunResult): RunResult => ({ ...r, stdout: r.stdout.replace(/ after [^\n]*/g, ' after <duration>') });
        assertSame(timeless(ours), timeless(theirs), `${cmd} ${t}`);
      }
    }
    // what the comparisons above saw: long lines wrapped, each list in its component's style
    const text = async (t: string) => (await both(['validate', t], dir)).ours.stdout;
    assert.match(await text('deprecated.json'), /\n2 errors occurred:\n\t\* Deprecated configuration key: 'ssh_key_path'\. Please call `packer fix`\nagainst your template/);
    assert.match(await text('multi.json'), /\n2 error\(s\) occurred:\n\n\* You may only specify one of the following options: Command, Inline, Script or\nScripts\./);
    assert.match(await text('types.json'), /^Failed to parse template: 2 error\(s\) decoding:\n\n\* 'Provisioners': source data must be an array or slice, got string\n/);
  } finally { await removeDir(dir); }
});

test('PACKER_LOG goes to stderr; stdout keeps exactly what Packer prints', async () => {
  const dir = await workdir({ 't.json': DEPRECATED });
  try {
    const { ours, theirs } = await both(['validate', 't.json'], dir, { PACKER_LOG: '1' });
    assert.equal(ours.code, 1);
    assert.equal(ours.stdout, theirs.stdout);
    assert.match(ours.stderr, /packer-ts version/);
    assert.ok(!ours.stderr.includes('Deprecated configuration key'), 'the error went to the log stream');
  } finally { await removeDir(dir); }
});

test('a PACKER_LOG_PATH that cannot be opened: Packer\'s message on stderr, exit 1', async () => {
  const dir = await workdir({ 't.json': DEPRECATED });
  try {
    const { ours, theirs } = await both(['validate', 't.json'], dir, { PACKER_LOG: '1', PACKER_LOG_PATH: join(dir, 'no/such/dir/log') });
    assertSame(ours, theirs, 'validate with a bad PACKER_LOG_PATH');
    assert.equal(ours.stderr, `Couldn't setup log output: open ${join(dir, 'no/such/dir/log')}: no such file or directory`);
  } finally { await removeDir(dir); }
});

/** Runs `cmd args`, reads its stdout until the first newline, closes the pipe; resolves with how it ended. */
function closeAfterFirstLine(cmd: string, args: string[], cwd: string): Promise<{ first: string; code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) child.stdout.destroy();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} did not end after its stdout closed`)); }, 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ first: out.split('\n')[0]!, code, signal, stderr }); });
  });
}

test('a closed stdout (`inspect -machine-readable t.json | head -1`) ends the process quietly by SIGPIPE, like Packer', async () => {
  const variables: Record<string, string> = {};
  for (let i = 0; i < 5000; i++) variables[`v${i}`] = 'x'.repeat(60);
  const dir = await workdir({ 't.json': { variables, builders: [{ type: 'null', communicator: 'none' }] } });
  try {
    requireTools(REAL_PACKER);
    for (const args of [['inspect', '-machine-readable', 't.json'], ['inspect', 't.json']]) {
      const theirs = await closeAfterFirstLine(REAL_PACKER, args, dir);
      const ours = await closeAfterFirstLine(PACKER_TS, args, dir);
      assert.equal(theirs.signal, 'SIGPIPE', `Packer: ${JSON.stringify(theirs)}`);
      assert.deepEqual({ signal: ours.signal, code: ours.code, stderr: ours.stderr }, { signal: theirs.signal, code: theirs.code, stderr: theirs.stderr });
      assert.equal(ours.first.replace(/^\d+,/, ''), theirs.first.replace(/^\d+,/, ''));
    }
  } finally { await removeDir(dir); }
});

// (A directory as the template is an HCL2 configuration folder for Packer, not a file error.)
test('file errors in Go\'s words: missing, a directory, permission denied (run as nobody)', async () => {
  requireRoot('running the tools as another user (permission errors cannot happen to root)');
  const dir = await workdir({ 'ok.json': { builders: [{ type: 'null', communicator: 'none' }] }, 'locked.json': '{}', 'vars-locked.json': '{}' });
  const home = join(dir, 'home');
  try {
    await mkdir(join(dir, 'vdir'));
    await mkdir(home);
    await chmod(dir, 0o755);
    await chown(home, 65534, 65534);
    for (const f of ['ok.json', 'locked.json', 'vars-locked.json']) await chmod(join(dir, f), f === 'ok.json' ? 0o644 : 0o000);
    const cases: string[][] = [
      ['validate', 'locked.json'], ['inspect', 'locked.json'], ['build', 'locked.json'], ['validate', '-syntax-only', 'locked.json'],
      ['validate', 'missing.json'], ['inspect', 'missing.json'], ['build', 'missing.json'], ['console', 'missing.json'], ['fix', 'locked.json'], ['fix', 'vdir'], ['fix', 'missing.json'],
      ['validate', '-var-file=vars-locked.json', 'ok.json'], ['inspect', '-var-file=vdir', 'ok.json'], ['build', '-var-file=missing.json', 'ok.json'],
      ['console', 'locked.json'],
    ];
    requireTools(REAL_PACKER);
    for (const args of cases) {
      const asNobody = (cmd: string) => run(cmd, args, { cwd: dir, env: { HOME: home }, uid: 65534 });
      const ours = await asNobody(PACKER_TS);
      const theirs = await asNobody(REAL_PACKER);
      assertSame(ours, theirs, args.join(' '));
      assert.doesNotMatch(ours.stdout, /EACCES|EISDIR|ENOENT/);
    }
  } finally { await removeDir(dir); }
});
