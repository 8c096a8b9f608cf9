// Acceptance: real Packer 1.6.6 (`packer build`) discovers and runs a builder, a provisioner and a
// post-processor written with the SDK's plugin server (fixtures/plugin/ts-plugins.ts).
import { before, test } from 'node:test';
import { REAL_PACKER, requireTools } from '../../../test/helpers/requires.ts';

before(() => requireTools(REAL_PACKER));
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAGIC_COOKIE_KEY, MANUALLY_STARTED_MESSAGE } from '../src/rpc/handshake.ts';

const fixture = fileURLToPath(new URL('./fixtures/plugin/ts-plugins.ts', import.meta.url));
const tsx = fileURLToPath(import.meta.resolve('tsx/esm'));

function wrapper(dir: string, name: string, kind: string): string {
  const exe = path.join(dir, name);
  fs.writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${fixture}" ${kind}\n`, { mode: 0o755 });
  return exe;
}

function socketDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('packer-plugin') && fs.existsSync(path.join(os.tmpdir(), f, 'plugin.sock')));
}

function processesMentioning(s: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(s) && !l.includes('ps -eo'));
}

test('packer build runs our TS builder, provisioner (through the core to the builder\'s communicator) and post-processor', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-core-'));
  try {
    const plugins = path.join(home, '.packer.d', 'plugins');
    fs.mkdirSync(plugins, { recursive: true });
    wrapper(plugins, 'packer-builder-tsb', 'builder');
    wrapper(plugins, 'packer-provisioner-tsp', 'provisioner');
    wrapper(plugins, 'packer-post-processor-tspp', 'post-processor');
    const work = path.join(home, 'work');
    fs.mkdirSync(work);
    const out = path.join(work, 'machine');
    const uploadSize = 8 * 1024 * 1024;
    fs.writeFileSync(path.join(work, 't.json'), JSON.stringify({
      builders: [{ type: 'tsb', name: 'ts', output_dir: out }],
      provisioners: [{ type: 'tsp', message: 'hello provisioner', upload_size: uploadSize }],
      'post-processors': [{ type: 'tspp', output: path.join(work, 'sums.txt') }],
    }));
    const before = new Set(socketDirs());
    const t0 = Date.now();
    // Asynchronous spawn: the test process must stay responsive while packer runs.
    const child = spawn(REAL_PACKER, ['build', '-color=false', 't.json'], {
      cwd: work, env: { ...process.env, HOME: home, CHECKPOINT_DISABLE: '1', PACKER_LOG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    const code = await new Promise<number | null>((r) => child.once('close', r));
    clearTimeout(timer);
    console.log(`# packer build with three TS plugins: ${Date.now() - t0} ms`);
    assert.equal(code, 0, text);
    assert.match(text, /tsb: a warning/);
    assert.match(text, new RegExp(`==> ts: tsb: machine ready in ${out} \\(build ts\\)`));
    assert.match(text, /==> ts: tsp: hello provisioner \(MachineDir=.*machine\)/);
    assert.match(text, /ts: tsp: exit=5 stdout=answer=42 stderr=to-stderr/);
    const sha = createHash('sha256').update(Buffer.alloc(uploadSize, 'u')).digest('hex');
    assert.match(text, new RegExp(`ts: tsp: uploaded ${uploadSize} bytes in \\d+ ms sha256=${sha}`));
    assert.match(text, new RegExp(`ts: tsp: downloaded ${uploadSize} bytes`));
    assert.match(text, /ts: tsp: stdin round trip exit=0 via stdin/);
    assert.match(text, /==> ts: Running post-processor: tspp/);
    assert.match(text, /ts \(tspp\): tspp: wrote .*sums\.txt/);
    assert.match(text, /--> ts: TS machine in /);
    assert.match(text, /--> ts: sums in .*sums\.txt/);
    const uploaded = fs.readFileSync(path.join(out, 'uploaded.bin'));
    assert.equal(uploaded.length, uploadSize);
    assert.equal((fs.statSync(path.join(out, 'uploaded.bin')).mode & 0o777), 0o640, 'FileInfo mode crossed Packer');
    assert.equal(fs.readFileSync(path.join(out, 'from-stdin.txt'), 'utf8'), 'via stdin\n');
    const built = createHash('sha256').update('built by tsb\n').digest('hex');
    assert.equal(fs.readFileSync(path.join(work, 'sums.txt'), 'utf8'), `ts.builder TSB\n${built}  built.txt\n`);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(processesMentioning(home), [], 'no plugin process is left');
    assert.deepEqual(socketDirs().filter((d) => !before.has(d)), [], 'socket dirs removed');
  } finally {
    for (const l of processesMentioning(home)) process.kill(Number(l.trim().split(/\s+/)[0]), 'SIGKILL');
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('our plugin server: refuses without the cookie; handshake line; ignores SIGTERM; exits 0 when the core leaves', async () => {
  const env = { ...process.env };
  delete env[MAGIC_COOKIE_KEY];
  const r = spawnSync(process.execPath, ['--import', tsx, fixture, 'builder'], { env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), MANUALLY_STARTED_MESSAGE);

  const { startPlugin } = await import('../src/plugin/client.ts');
  for (const tcp of [false, true]) {
    const p = await startPlugin(process.execPath, ['--import', tsx, fixture, 'builder'], { env: tcp ? { PACKER_PLUGIN_TCP: '1', PACKER_PLUGIN_MIN_PORT: '23000', PACKER_PLUGIN_MAX_PORT: '23100' } : {} });
    try {
      assert.equal(p.handshake.network, tcp ? 'tcp' : 'unix');
      if (tcp) assert.match(p.handshake.address, /^127\.0\.0\.1:23\d\d\d$/);
      else {
        assert.match(p.handshake.address, new RegExp(`^${os.tmpdir()}/packer-plugin[^/]+/plugin\\.sock$`));
        for (let i = 0; i < 250 && fs.existsSync(path.dirname(p.handshake.address)); i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(fs.existsSync(path.dirname(p.handshake.address)), false, 'socket dir removed once connected');
      }
      const b = await p.component('builder');
      await assert.rejects(b.prepare({}), { message: MultiError1('output_dir is required') });
      p.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(p.child.exitCode, null, 'SIGTERM ignored');
      assert.deepEqual(await b.prepare({ output_dir: '/tmp/x' }), { generatedVars: ['MachineDir'], warnings: ['tsb: a warning'] });
      const exited = new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
      p.broker.close();
      assert.equal(await exited, 0, 'exits 0 once the connection closed');
    } finally {
      await p.kill();
    }
  }
});

function MultiError1(m: string): string {
  return `1 error occurred:\n\t* ${m}\n\n`;
}
