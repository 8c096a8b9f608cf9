/**
 * The packer-ts command as a user runs it: commands, flags, output modes,
 * secrets, signals. Real processes only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizedLines, onTerminal, PACKER_TS, REAL_PACKER, removeDir, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';

async function workdir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-cli-'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

test('no command or an unknown one prints the usage and exits 127', async () => {
  const dir = await workdir({});
  try {
    for (const args of [[], ['frobnicate']]) {
      const r = await run(PACKER_TS, args, { cwd: dir });
      assert.equal(r.code, 127);
      // on stdout, as Packer (its HelpWriter is os.Stdout)
      assert.match(r.stdout, /Usage: packer-ts \[--version\] \[--help\] <command> \[<args>\]/);
      assert.match(r.stdout, /build\s+build image\(s\) from template/);
      assert.equal(r.stderr, '');
    }
    const v = await run(PACKER_TS, ['version'], { cwd: dir });
    assert.equal(v.code, 0);
    assert.match(v.stdout, /packer-ts v\d+\.\d+\.\d+ \(Packer v1\.6\.6 compatible\)/);
    const h = await run(PACKER_TS, ['build'], { cwd: dir });
    assert.equal(h.code, 1);
    assert.match(h.stdout, /Usage: packer build \[options\] TEMPLATE/);
    const f = await run(PACKER_TS, ['build', '-nope', 't.json'], { cwd: dir });
    assert.equal(f.code, 1);
    assert.match(f.stdout, /flag provided but not defined: -nope/);
    const oe = await run(PACKER_TS, ['build', '-on-error=explode', 't.json'], { cwd: dir });
    assert.equal(oe.code, 1);
    assert.match(oe.stdout, /\ninvalid value "explode" for flag -on-error: expected one of \["cleanup" "abort" "ask" "run-cleanup-provisioner"\]\n$/);
  } finally { await removeDir(dir); }
});

const SECRET = 's3cr3t-Value,with-comma';
const sensitiveTemplate = {
  variables: { password: SECRET, plain: 'visible' },
  'sensitive-variables': ['password'],
  builders: [{ type: 'null', communicator: 'none' }],
  provisioners: [{ type: 'shell-local', inline: ['echo "pw={{user `password`}} plain={{user `plain`}}"', 'echo "$SECRET_ENV"'], environment_vars: ['SECRET_ENV={{user `password`}}'] }],
};

test('sensitive variables are masked in colored, machine-readable output and in the log', async () => {
  const dir = await workdir({ 't.json': sensitiveTemplate });
  try {
    const logPath = join(dir, 'packer.log');
    for (const extra of [[], ['-machine-readable'], ['-color=false', '-timestamp-ui']]) {
      const r = await run(PACKER_TS, ['build', ...extra, 't.json'], { cwd: dir, env: { PACKER_LOG: '1', PACKER_LOG_PATH: logPath } });
      const all = r.stdout + r.stderr;
      assert.equal(r.code, 0, all);
      assert.ok(!all.includes('s3cr3t'), `secret leaked with ${extra.join(' ')}:\n${all}`);
      assert.match(all, /pw=<sensitive> plain=visible/);
    }
    const log = await readFile(logPath, 'utf8');
    assert.ok(log.length > 0, 'log written');
    assert.ok(!log.includes('s3cr3t'), 'secret leaked into the log');
    // Packer 1.6.6 itself leaks the value in -machine-readable mode: the reason we mask there.
    requireTools(REAL_PACKER);
    const p = await run(REAL_PACKER, ['build', '-machine-readable', 't.json'], { cwd: dir });
    assert.ok(p.stdout.includes('s3cr3t'));
  } finally { await removeDir(dir); }
});

test('-color=false, -timestamp-ui and -machine-readable formats', async () => {
  const dir = await workdir({ 't.json': { builders: [{ type: 'file', content: 'x', target: 'out.txt' }] } });
  try {
    const plain = await run(PACKER_TS, ['build', '-color=false', '-timestamp-ui', 't.json'], { cwd: dir });
    assert.equal(plain.code, 0);
    assert.ok(!plain.stdout.includes('\x1b['), 'no escape codes');
    assert.match(plain.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d): Build 'file' finished after /m);
    const colored = await run(PACKER_TS, ['build', '-force', 't.json'], { cwd: dir });
    assert.match(colored.stdout, /^\x1b\[1;32mfile: output will be in this color.\x1b\[0m\n\n/);
    const mr = await run(PACKER_TS, ['build', '-machine-readable', 't.json'], { cwd: dir });
    const lines = mr.stdout.trim().split('\n');
    for (const l of lines) assert.match(l, /^\d+,[^,]*,[^,]+(,.*)?$/);
    assert.ok(lines.some((l) => /^\d+,file,artifact,0,builder-id,packer\.file$/.test(l)));
    assert.ok(lines.some((l) => /^\d+,file,artifact-count,1$/.test(l)));
    assert.ok(lines.some((l) => /^\d+,,ui,say,\\n==> Builds finished\. The artifacts of successful builds are:$/.test(l)));
  } finally { await removeDir(dir); }
});

test('-parallel-builds bounds how many builds run at once', async () => {
  const builders = ['a', 'b', 'c'].map((name) => ({ type: 'null', name, communicator: 'none' }));
  const template = {
    builders,
    provisioners: [{ type: 'shell-local', inline: ['echo "start $PACKER_BUILD_NAME $(date +%s%N)" >> events.log', 'sleep 0.3', 'echo "end $PACKER_BUILD_NAME $(date +%s%N)" >> events.log'] }],
  };
  const maxOverlap = async (args: string[]) => {
    const dir = await workdir({ 't.json': template });
    try {
      const r = await run(PACKER_TS, ['build', ...args, 't.json'], { cwd: dir });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const events = (await readFile(join(dir, 'events.log'), 'utf8')).trim().split('\n').map((l) => l.split(' '))
        .sort((x, y) => Number(BigInt(x[2]!) - BigInt(y[2]!)));
      let cur = 0;
      let max = 0;
      for (const [kind] of events) { cur += kind === 'start' ? 1 : -1; max = Math.max(max, cur); }
      return max;
    } finally { await removeDir(dir); }
  };
  assert.equal(await maxOverlap(['-parallel-builds=1']), 1);
  assert.equal(await maxOverlap([]), 3);
});

test('-debug: on a terminal, pauses where Packer does and goes on at Enter; without one, asks nothing (as Packer 1.6.6)', async () => {
  requireTools(REAL_PACKER, '/usr/bin/script');
  const dir = await workdir({ 't.json': { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell-local', inline: ['echo one > one.txt'] }, { type: 'shell-local', inline: ['echo two > two.txt'] }] } });
  const norm = (o: string) => o.replace(/packer-shell\d+/g, 'packer-shellN').replace(/after [^\n]*/g, 'after T');
  try {
    const ours = await onTerminal(PACKER_TS, ['build', '-debug', '-color=false', 't.json'], dir, /Press enter to continue\. /);
    assert.equal(ours.code, 0, ours.out);
    assert.equal(ours.out.match(/Pausing before the next provisioner \. Press enter to continue\. /g)?.length, 2, ours.out);
    assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.txt')).sort(), ['one.txt', 'two.txt']);
    const theirs = await onTerminal(REAL_PACKER, ['build', '-debug', '-color=false', 't.json'], dir, /Press enter to continue\. /);
    assert.equal(theirs.code, 0, theirs.out);
    assert.equal(norm(ours.out), norm(theirs.out));
    // no terminal: nothing asked, nothing waited for
    const a = await run(PACKER_TS, ['build', '-debug', '-color=false', 't.json'], { cwd: dir });
    const b = await run(REAL_PACKER, ['build', '-debug', '-color=false', 't.json'], { cwd: dir });
    assert.equal(a.code, 0, a.stdout);
    assert.doesNotMatch(a.stdout, /Pausing/);
    assert.equal(norm(a.stdout), norm(b.stdout));
  } finally { await removeDir(dir); }
});

test('-on-error=ask: the answer is read from the terminal; without one, the build cleans up as Packer\'s', async () => {
  requireTools(REAL_PACKER, '/usr/bin/script');
  const dir = await workdir({ 't.json': { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell-local', inline: ['exit 1'] }] } });
  const norm = (o: string) => o.replace(/packer-shell\d+/g, 'packer-shellN').replace(/after [^\n]*/g, 'after T');
  try {
    // on a terminal: "a" (abort without cleanup), then the same as Packer's
    const asked = /\[c\] Clean up and exit, \[a\] abort without cleanup, or \[r\] retry step \(build may fail even if retry succeeds\)\? /;
    const ours = await onTerminal(PACKER_TS, ['build', '-on-error=ask', '-color=false', 't.json'], dir, asked, 'a\r');
    assert.match(ours.out, asked);
    assert.equal(ours.code, 1, ours.out);
    const theirs = await onTerminal(REAL_PACKER, ['build', '-on-error=ask', '-color=false', 't.json'], dir, asked, 'a\r');
    assert.equal(norm(ours.out), norm(theirs.out));
    const a = await run(PACKER_TS, ['build', '-on-error=ask', '-color=false', 't.json'], { cwd: dir });
    const b = await run(REAL_PACKER, ['build', '-on-error=ask', '-color=false', 't.json'], { cwd: dir });
    assert.equal(a.code, 1);
    assert.doesNotMatch(a.stdout, /Clean up and exit/);
    assert.equal(norm(a.stdout), norm(b.stdout));
  } finally { await removeDir(dir); }
});

test('-h, -help, --help anywhere before `--`: the command\'s help on stdout, exit 0, before any other flag is looked at (mitchellh/cli, as Packer 1.6.6)', async () => {
  requireTools(REAL_PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-help-'));
  // packer-ts's own build flag, the one line Packer does not have
  const ownFlags = (o: string) => o.replace(/^ {2}-timeline=.*\n/m, '');
  try {
    for (const command of ['build', 'validate', 'inspect', 'fix', 'console', 'fmt', 'hcl2_upgrade', 'version']) {
      for (const args of [['-h'], ['--help'], ['-bogus', '-help'], ['-machine-readable', '-h']]) {
        const argv = args[0] === '-machine-readable' ? ['-machine-readable', command, ...args.slice(1)] : [command, ...args];
        const ours = await run(PACKER_TS, argv, { cwd: dir });
        const theirs = await run(REAL_PACKER, argv, { cwd: dir });
        assert.equal(ours.code, theirs.code, `${argv.join(' ')}: ${ours.stdout}`);
        assert.equal(ours.code, 0, argv.join(' '));
        assert.equal(ownFlags(ours.stdout), theirs.stdout, argv.join(' '));
      }
    }
    // after `--` it is an argument, not a request for help
    const ours = await run(PACKER_TS, ['build', '--', '-h'], { cwd: dir });
    const theirs = await run(REAL_PACKER, ['build', '--', '-h'], { cwd: dir });
    assert.equal(ours.code, 1);
    assert.equal(theirs.code, 1);
  } finally { await removeDir(dir); }
});

test('the command line as mitchellh/cli reads it (Packer 1.6.6): flags before the command, help and version flags anywhere, unknown commands', async () => {
  requireTools(REAL_PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-cmdline-'));
  // what only packer-ts has: its name, its two 1.16 commands, its -timeline flag
  const own = (o: string) => o.replace(/^Usage: packer-ts /m, 'Usage: packer ').replace(/^ {4}(init|plugins) .*\n/gm, '').replace(/^ {2}-timeline=.*\n/m, '');
  try {
    for (const argv of [
      ['-foo', 'build', 'x'], ['-debug', 'build', 'x'], ['-machine-readable', '-foo', 'validate', 'x'], ['--foo', 'version'],
      ['-h', 'build'], ['-h', 'version'], ['-h', '-foo'], ['-foo', '-h'], ['-h', 'bogus'], ['bogus', '-h'], ['help'], ['help', 'build'],
      ['-h', '-v'], ['-v', '-h'], ['-v', 'build'], ['build', '-v'], ['-autocomplete-install', '-h'], ['-autocomplete-install', '-v'],
      ['-autocomplete-install', '-autocomplete-uninstall'], ['--', 'build'], [], ['bogus'], ['-foo'],
    ]) {
      const env = { HOME: dir };
      const ours = await run(PACKER_TS, argv, { cwd: dir, env });
      const theirs = await run(REAL_PACKER, argv, { cwd: dir, env });
      assert.equal(ours.code, theirs.code, `${argv.join(' ')}: ${ours.stdout}`);
      assert.equal(own(ours.stdout), theirs.stdout, argv.join(' '));
    }
  } finally { await removeDir(dir); }
});

test('-v, -version, --version print the bare version as Packer\'s; `version` gives Packer\'s machine-readable records in Packer\'s order', async () => {
  requireTools(REAL_PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-version-'));
  try {
    for (const argv of [['-v'], ['-version'], ['--version'], ['-v', 'extra'], ['-machine-readable', '-v']]) {
      const ours = await run(PACKER_TS, argv, { cwd: dir });
      const theirs = await run(REAL_PACKER, argv, { cwd: dir });
      assert.equal(ours.code, 0);
      assert.equal(ours.stdout, theirs.stdout, argv.join(' '));
    }
    const records = (o: string) => o.split('\n').filter((l) => l !== '').map((l) => l.replace(/^\d+,/, 'T,'));
    const ours = records((await run(PACKER_TS, ['-machine-readable', 'version'], { cwd: dir })).stdout);
    const theirs = records((await run(REAL_PACKER, ['-machine-readable', 'version'], { cwd: dir })).stdout);
    // the one line that says which program this is
    assert.match(ours.at(-1)!, /^T,,ui,say,packer-ts v\S+ \(Packer v1\.6\.6 compatible\)$/);
    assert.equal(theirs.at(-1), 'T,,ui,say,Packer v1.6.6');
    assert.deepEqual(ours.slice(0, -1), theirs.slice(0, -1));
  } finally { await removeDir(dir); }
});

test('Packer 1.16\'s flags about undeclared variables (validate -no-warn-undeclared-var, build -warn-on-undeclared-var) and build -skip-enforcement are accepted', async () => {
  requireTools(REAL_PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-undeclared-'));
  try {
    await writeFile(join(dir, 't.pkr.hcl'), 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n');
    await writeFile(join(dir, 'u.pkrvars.hcl'), 'x = 1\n');
    // without the flag: Packer 1.6.6's warning
    const plain = await run(PACKER_TS, ['validate', '-var-file=u.pkrvars.hcl', 't.pkr.hcl'], { cwd: dir });
    const theirs = await run(REAL_PACKER, ['validate', '-var-file=u.pkrvars.hcl', 't.pkr.hcl'], { cwd: dir });
    assert.deepEqual({ code: plain.code, out: plain.stdout }, { code: theirs.code, out: theirs.stdout });
    assert.match(plain.stdout, /^Warning: Undefined variable\n/);
    const quiet = await run(PACKER_TS, ['validate', '-no-warn-undeclared-var', '-var-file=u.pkrvars.hcl', 't.pkr.hcl'], { cwd: dir });
    assert.deepEqual({ code: quiet.code, out: quiet.stdout }, { code: 0, out: '' });
    const build = await run(PACKER_TS, ['build', '-color=false', '-warn-on-undeclared-var', '-skip-enforcement', '-var-file=u.pkrvars.hcl', 't.pkr.hcl'], { cwd: dir });
    assert.equal(build.code, 0, build.stdout);
    assert.match(build.stdout, /^Warning: Undefined variable\n[^]*Build 'null\.a' finished/);
  } finally { await removeDir(dir); }
});

test('validate and inspect report like Packer', async () => {
  const good = { description: 'demo', variables: { b: 'x', a: null, pw: 'hidden' }, 'sensitive-variables': ['pw'], builders: [{ type: 'file', name: 'f', content: 'x', target: 'o.txt' }, { type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell-local', inline: ['true'] }] };
  const dir = await workdir({ 'good.json': good, 'bad.json': { builders: [{ type: 'file', content: 'x' }] } });
  try {
    const ok = await run(PACKER_TS, ['validate', '-var', 'a=1', 'good.json'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const missing = await run(PACKER_TS, ['validate', 'good.json'], { cwd: dir });
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /required variable not set: a/);
    const bad = await run(PACKER_TS, ['validate', 'bad.json'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /Failed to prepare build: "file"/);
    assert.match(bad.stdout, /target required|target.*must be specified/);
    const syntax = await run(PACKER_TS, ['validate', '-syntax-only', 'bad.json'], { cwd: dir });
    assert.equal(syntax.code, 0);
    assert.match(syntax.stdout, /Syntax-only check passed\. Everything looks okay\./);
    assert.equal((await readdir(dir)).includes('o.txt'), false, 'validate writes nothing');
    const ours = await run(PACKER_TS, ['inspect', 'good.json'], { cwd: dir });
    assert.equal(ours.code, 0);
    assert.match(ours.stdout, /pw = <sensitive>/);
    requireTools(REAL_PACKER);
    const theirs = await run(REAL_PACKER, ['inspect', 'good.json'], { cwd: dir });
    assert.equal(ours.stdout, theirs.stdout);
    const p = await run(REAL_PACKER, ['validate', 'bad.json'], { cwd: dir });
    assert.equal(p.code, bad.code);
    const om = await run(PACKER_TS, ['inspect', '-machine-readable', 'good.json'], { cwd: dir });
    const tm = await run(REAL_PACKER, ['inspect', '-machine-readable', 'good.json'], { cwd: dir });
    const strip = (s: string) => s.replace(/^\d+,/gm, '');
    assert.equal(strip(om.stdout), strip(tm.stdout));
  } finally { await removeDir(dir); }
});

function processesMatching(pattern: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(pattern) && !l.includes('ps -eo'));
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`${sig} cancels running builds, runs their cleanup, exits 1 and leaves no child`, async () => {
    const marker = `sleep 3${Math.floor(Math.random() * 1000)}.5`;
    const template = {
      builders: [{ type: 'null', name: 'a', communicator: 'none' }, { type: 'null', name: 'b', communicator: 'none' }],
      provisioners: [{ type: 'shell-local', inline: [marker] }],
      'error-cleanup-provisioner': { type: 'shell-local', inline: ['echo cleaned > cleanup-$PACKER_BUILD_NAME.txt'] },
    };
    const dir = await workdir({ 't.json': template });
    try {
      const child = spawn(PACKER_TS, ['build', 't.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      for (let i = 0; i < 100 && processesMatching(marker).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(processesMatching(marker).length, 2, 'both provisioners running');
      const t0 = Date.now();
      child.kill(sig);
      const code = await exited;
      assert.ok(Date.now() - t0 < 5000, 'exits within a few seconds');
      assert.equal(code, 1, out);
      assert.match(out, new RegExp(`Cancelling build after receiving ${sig === 'SIGINT' ? 'interrupt' : 'terminated'}`));
      assert.match(out, /Cleanly cancelled builds after being interrupted\./);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(processesMatching(marker), [], 'no provisioner process left');
    } finally { await removeDir(dir); }
  });
}

test('-machine-readable reports error-count and error records for failed builds', async () => {
  const template = { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'shell-local', inline: ['exit 4'] }] };
  const dir = await workdir({ 't.json': template });
  try {
    const r = await run(PACKER_TS, ['build', '-machine-readable', 't.json'], { cwd: dir });
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n').map((l) => l.replace(/^\d+,/, ''));
    assert.ok(lines.includes(',error-count,1'), r.stdout);
    assert.ok(lines.some((l) => l.startsWith('null,error,Script exited with non-zero exit status: 4.')), r.stdout);
    assert.ok(lines.some((l) => l === ',ui,say,\\n==> Builds finished but no artifacts were created.'), r.stdout);
  } finally { await removeDir(dir); }
});

test('an HCL2 template (file or directory) is read as HCL2, as Packer 1.6.6 reads it', async () => {
  requireTools('packer');
  const dir = await workdir({ 'a.pkr.hcl': 'source "null" "x" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.x"]\n}\n' });
  try {
    for (const [cmd, path] of [['validate', 'a.pkr.hcl'], ['build', 'a.pkr.hcl'], ['build', '.'], ['validate', 'missing.pkr.hcl']]) {
      const ours = await run(PACKER_TS, ['-machine-readable', cmd!, path!], { cwd: dir });
      const theirs = await run(REAL_PACKER, ['-machine-readable', cmd!, path!], { cwd: dir });
      assert.equal(ours.code, theirs.code, ours.stdout + ours.stderr);
      assert.deepEqual(normalizedLines(ours.stdout, dir), normalizedLines(theirs.stdout, dir));
    }
    assert.deepEqual(await readdir(dir), ['a.pkr.hcl']);
  } finally {
    await removeDir(dir);
  }
});
