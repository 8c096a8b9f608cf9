/** The SSH communicator and StepConnect against real sshd processes (see ssh-helpers.ts). */
import { after, before, describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { NoneCommunicator, RecordingUi, setupLog, StateBag, StepCleanupTempKeys } from '@packer-ts/sdk';
import { CMD_DISCONNECT } from '@packer-ts/sdk';
import { prepareComm, SSHCommunicator, StepConnect, type CommConfig } from '../src/communicator/index.ts';
import { freePort, SSHFixture, waitListening, type Sshd } from './ssh-helpers.ts';
import { parseTunnel } from '../src/communicator/tunnel.ts';
import { sshOptions } from '../src/communicator/step-connect.ts';
import { connect as netConnect, createServer } from 'node:net';
import { tree } from './fs-helpers.ts';
import { requireTools } from '../../../test/helpers/requires.ts';

const collect = (): { w: Writable; text: () => string } => {
  const chunks: Buffer[] = [];
  const w = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
  return { w, text: () => Buffer.concat(chunks).toString() };
};

describe('ssh communicator', () => {
  const fx = new SSHFixture();
  let sshd: Sshd;
  let bastion: Sshd;
  let key: Buffer;

  before(async () => {
    await fx.setup();
    sshd = await fx.sshd();
    // the bastion allows forwarding; the target only listens on 127.0.0.1 too
    bastion = await fx.sshd();
    key = await readFile(fx.keys.key);
  });
  after(() => fx.teardown());

  const connect = (o: Partial<Parameters<typeof SSHCommunicator.connect>[0]> = {}) => SSHCommunicator.connect({
    host: '127.0.0.1', port: sshd.port, username: fx.user.name, privateKeys: [key], ...o,
  });

  test('key auth: runs a command, exit status, stdout and stderr apart', async () => {
    const c = await connect();
    try {
      const out = collect();
      const err = collect();
      const code = await c.start({ command: 'echo out1; echo err1 >&2; echo out2; exit 7', stdout: out.w, stderr: err.w });
      assert.equal(code, 7);
      assert.equal(out.text(), 'out1\nout2\n');
      assert.equal(err.text(), 'err1\n');
      // the login shell is the test user's /bin/sh, not a bash with rc files
      const who = collect();
      assert.equal(await c.start({ command: 'id -un; echo $HOME', stdout: who.w }), 0);
      assert.equal(who.text(), `${fx.user.name}\n${fx.user.home}\n`);
    } finally {
      c.close();
    }
  });

  test('stdin reaches the command', async () => {
    const c = await connect();
    try {
      const out = collect();
      assert.equal(await c.start({ command: 'tr a-z A-Z', stdin: Readable.from(['hello ', 'world']), stdout: out.w }), 0);
      assert.equal(out.text(), 'HELLO WORLD');
    } finally { c.close(); }
  });

  test('output streams as it comes, before the command ends', async () => {
    const c = await connect();
    try {
      const seen: { t: number; s: string }[] = [];
      const w = new Writable({ write(ch: Buffer, _e, cb) { seen.push({ t: Date.now(), s: ch.toString() }); cb(); } });
      const t0 = Date.now();
      await c.start({ command: 'echo first; sleep 1; echo second', stdout: w });
      const end = Date.now();
      assert.equal(seen.map((x) => x.s).join(''), 'first\nsecond\n');
      assert.ok(seen[0]!.t - t0 < 900, `first line came after ${seen[0]!.t - t0} ms`);
      assert.ok(end - seen[0]!.t >= 800, 'first line arrived only at the end');
    } finally { c.close(); }
  });

  test('a killed command reports 128+signal; a dropped connection reports Packer\'s disconnect status', async () => {
    const c = await connect();
    try {
      assert.equal(await c.start({ command: 'kill -TERM $$' }), 128 + 15);
      // kill the sshd process serving this session: no exit status ever comes
      const script = 'p=$$; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(awk \'{print $4}\' /proc/$p/stat); done; kill -9 $p';
      assert.equal(await c.start({ command: script }), CMD_DISCONNECT);
      // the next command reconnects
      const out = collect();
      assert.equal(await c.start({ command: 'echo back', stdout: out.w }), 0);
      assert.equal(out.text(), 'back\n');
    } finally { c.close(); }
  });

  test('aborting a running command rejects promptly', async () => {
    const c = await connect();
    try {
      const ac = new AbortController();
      const t0 = Date.now();
      setTimeout(() => ac.abort(new Error('stop')), 200);
      await assert.rejects(c.start({ command: 'sleep 30' }, ac.signal), /stop/);
      assert.ok(Date.now() - t0 < 5000);
    } finally { c.close(); }
  });

  for (const useSftp of [false, true]) {
    const how = useSftp ? 'sftp' : 'scp';
    test(`${how}: upload and download of files, with mode, of a stream without size, and errors`, async () => {
      const c = await connect({ useSftp });
      const remote = await fx.userDir(`files-${how}`);
      try {
        const big = Buffer.alloc(3 << 20 | 12345);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 12)) & 0xff;
        await c.upload(`${remote}/big.bin`, Readable.from([big.subarray(0, 100000), big.subarray(100000)]), { size: big.length, mode: 0o100640 });
        assert.deepEqual(await readFile(`${remote}/big.bin`), big);
        assert.equal((await stat(`${remote}/big.bin`)).mode & 0o777, 0o640);
        await c.upload(`${remote}/nosize.txt`, Readable.from(['a', 'b\n']));
        assert.equal(await readFile(`${remote}/nosize.txt`, 'utf8'), 'ab\n');
        await c.upload(`${remote}/empty`, Readable.from([]), { size: 0, mode: 0o644 });
        assert.equal((await stat(`${remote}/empty`)).size, 0);

        const pt = new PassThrough();
        const chunks: Buffer[] = [];
        pt.on('data', (d: Buffer) => chunks.push(d));
        await c.download(`${remote}/big.bin`, pt);
        assert.deepEqual(Buffer.concat(chunks), big);

        await assert.rejects(c.download(`${remote}/missing`, new PassThrough()), /No such file|no such file/i);
        if (useSftp) await assert.rejects(c.upload(`${remote}/nodir/x`, Readable.from(['x']), { size: 1, mode: 0o644 }), /No such file|no such file/i);
      } finally { c.close(); }
    });

    test(`${how}: directory upload follows the trailing-slash rule, download of a directory`, async () => {
      const c = await connect({ useSftp });
      const remote = await fx.userDir(`dirs-${how}`);
      const local = join(fx.dir, `local-${how}`);
      await mkdir(join(local, 'd', 'sub'), { recursive: true });
      await writeFile(join(local, 'd', 'a.txt'), 'A');
      await writeFile(join(local, 'd', 'sub', 'b.txt'), 'B');
      try {
        await mkdir(`${remote}/with`, { recursive: true });
        await mkdir(`${remote}/without`, { recursive: true });
        await c.start({ command: `true` });
        await import('node:child_process').then(({ execFileSync }) => execFileSync('chown', ['-R', `${fx.user.uid}:${fx.user.gid}`, remote]));
        await c.uploadDir(`${remote}/with`, join(local, 'd') + '/');
        await c.uploadDir(`${remote}/without`, join(local, 'd'));
        assert.deepEqual(await tree(`${remote}/with`), ['a.txt=A', 'sub/', 'sub/b.txt=B']);
        assert.deepEqual(await tree(`${remote}/without`), ['d/', 'd/a.txt=A', 'd/sub/', 'd/sub/b.txt=B']);

        const dl = join(fx.dir, `dl-${how}`);
        await mkdir(dl);
        await c.downloadDir(`${remote}/with/`, dl);
        assert.deepEqual(await tree(dl), ['with/', 'with/a.txt=A', 'with/sub/', 'with/sub/b.txt=B']);
      } finally { c.close(); }
    });
  }

  test('password auth', async () => {
    const c = await SSHCommunicator.connect({ host: '127.0.0.1', port: sshd.port, username: fx.user.name, password: fx.user.password });
    try {
      const out = collect();
      assert.equal(await c.start({ command: 'id -un', stdout: out.w }), 0);
      assert.equal(out.text(), `${fx.user.name}\n`);
    } finally { c.close(); }
    await assert.rejects(
      SSHCommunicator.connect({ host: '127.0.0.1', port: sshd.port, username: fx.user.name, password: 'wrong' }),
      /unable to authenticate, attempted methods \[none password keyboard-interactive\]/,
    );
  });

  test('through a bastion (the connection to the target is forwarded by the bastion sshd)', async () => {
    const c = await connect({
      bastion: { host: '127.0.0.1', port: bastion.port, username: fx.user.name, privateKeys: [key] },
    });
    try {
      const out = collect();
      // SSH_CONNECTION names the client as the target sees it: the bastion's forwarding
      assert.equal(await c.start({ command: 'echo $SSH_CONNECTION', stdout: out.w }), 0);
      assert.match(out.text(), new RegExp(` 127\\.0\\.0\\.1 ${sshd.port}\\n$`));
    } finally { c.close(); }
    await assert.rejects(connect({
      bastion: { host: '127.0.0.1', port: bastion.port, username: fx.user.name, password: 'wrong' },
    }), /unable to authenticate/);
  });

  function stepConfig(over: Partial<CommConfig>): CommConfig {
    const c: CommConfig = { type: 'ssh', sshHost: '127.0.0.1', sshPort: sshd.port, sshUsername: fx.user.name, sshPrivateKeyFile: fx.keys.key, ...over };
    assert.deepEqual(prepareComm(c), []);
    return c;
  }

  async function runStep(c: CommConfig, signal = new AbortController().signal): Promise<{ action: string; ui: RecordingUi; state: StateBag; step: StepConnect }> {
    const ui = new RecordingUi();
    const state = new StateBag([['ui', ui]]);
    const step = new StepConnect({ config: c, retryDelay: 100, handshakeRetryDelay: 50 });
    const action = await step.run(state, signal);
    return { action, ui, state, step };
  }

  test('StepConnect: Packer\'s messages, communicator and communicator_data in the state, secrets registered', async () => {
    const { action, ui, state, step } = await runStep(stepConfig({ sshPrivateKeyFile: undefined, sshPassword: fx.user.password }));
    try {
      assert.equal(action, 'continue');
      assert.deepEqual(ui.calls.filter((x) => x.kind === 'say').map((x) => x.text), [
        'Using ssh communicator to connect: 127.0.0.1', 'Waiting for SSH to become available...', 'Connected to SSH!',
      ]);
      assert.ok(state.get('communicator') instanceof SSHCommunicator);
      const data = state.get('communicator_data') as Record<string, unknown>;
      assert.equal(data.Host, '127.0.0.1');
      assert.equal(data.Port, sshd.port);
      assert.equal(data.User, fx.user.name);
      assert.equal(data.ConnType, 'ssh');
      assert.equal(data.Password, fx.user.password);
      const { redact } = await import('@packer-ts/sdk');
      assert.equal(redact(`pw ${fx.user.password}`), 'pw <sensitive>');
    } finally { await step.cleanup(); }
  });

  test('StepConnect: wrong key -> clear authentication error after ssh_handshake_attempts', async () => {
    const { action, ui, state } = await runStep(stepConfig({ sshPrivateKeyFile: fx.keys.wrongKey, sshHandshakeAttempts: 2, sshTimeout: 20_000 }));
    assert.equal(action, 'halt');
    const msg = state.error()!.message;
    assert.match(msg, /^Packer experienced an authentication error when trying to connect via SSH\. This can happen if your username\/password are wrong\./);
    assert.match(msg, /original error: ssh: handshake failed: ssh: unable to authenticate, attempted methods \[none publickey\], no supported methods remain/);
    assert.match(ui.text('error'), /^Error waiting for SSH: Packer experienced an authentication error/);
  });

  test('StepConnect: nothing listening -> Packer\'s "Timeout waiting for SSH."; the log names host, port and why', async () => {
    const port = await freePort();
    const logFile = join(fx.dir, 'timeout.log');
    setupLog({ PACKER_LOG: '1', PACKER_LOG_PATH: logFile });
    const t0 = Date.now();
    try {
      const { action, ui, state } = await runStep(stepConfig({ sshPort: port, sshTimeout: 700 }));
      assert.equal(action, 'halt');
      assert.ok(Date.now() - t0 < 3000);
      assert.equal(state.error()!.message, 'Timeout waiting for SSH.');
      assert.equal(ui.text('error'), 'Timeout waiting for SSH.');
    } finally { setupLog({}); }
    const logged = await readFile(logFile, 'utf8');
    assert.match(logged, / \[INFO\] Waiting for SSH, up to timeout: 700ms\n/);
    assert.match(logged, new RegExp(` \\[INFO\\] Attempting SSH connection to 127\\.0\\.0\\.1:${port}\\.\\.\\.\n`));
    assert.match(logged, new RegExp(` \\[DEBUG\\] TCP connection to SSH ip/port failed: dial tcp 127\\.0\\.0\\.1:${port}: connect: connection refused\n`));
  });

  test('StepConnect: communicator none connects nothing (Packer\'s none communicator in the state); cancellation stops the wait', async () => {
    const none = await runStep({ type: 'none' });
    assert.equal(none.action, 'continue');
    assert.ok(none.state.get('communicator') instanceof NoneCommunicator);
    assert.deepEqual(none.ui.calls, []);
    const ac = new AbortController();
    const port = await freePort();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const r = await runStep(stepConfig({ sshPort: port, sshTimeout: 60_000 }), ac.signal);
    assert.equal(r.action, 'halt');
    assert.ok(Date.now() - t0 < 3000);
  });

  test('tunnels: a local one forwards through the server, a remote one back to us; both close with the connection', async () => {
    // an echo server on this side, which both tunnels reach
    const echo = createServer((sock) => sock.pipe(sock));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = (echo.address() as { port: number }).port;
    const [localPort, remotePort] = [await freePort(), await freePort()];
    // a round trip: "ping" out, its echo back
    const ping = (port: number) => new Promise<string>((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => s.write('ping'));
      let got = '';
      const timer = setTimeout(() => { s.destroy(); reject(new Error(`no echo through port ${port}: ${JSON.stringify(got)}`)); }, 5000);
      s.on('data', (d) => { got += d; if (got === 'ping') { clearTimeout(timer); s.end(); resolve(got); } });
      s.on('close', () => { clearTimeout(timer); reject(new Error(`closed: ${JSON.stringify(got)}`)); });
      s.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    const c = await connect({ tunnels: [
      { direction: 'local', listenPort: localPort, forwardHost: '127.0.0.1', forwardPort: echoPort },
      // the server listens on its localhost, which here is this machine's
      { direction: 'remote', listenPort: remotePort, forwardHost: '127.0.0.1', forwardPort: echoPort },
    ] });
    try {
      assert.equal(await ping(localPort), 'ping');
      assert.equal(await ping(remotePort), 'ping');
    } finally {
      c.close();
      echo.close();
    }
    // closed with the connection: nothing listens on either port
    await new Promise((r) => setTimeout(r, 200));
    for (const port of [localPort, remotePort]) await assert.rejects(ping(port), /ECONNREFUSED/);
  });

  test('ssh_proxy_host: the connection goes through a SOCKS5 proxy (OpenSSH\'s own, ssh -D)', async () => {
    const socksPort = await freePort();
    const proxy = spawn('ssh', ['-N', '-D', `127.0.0.1:${socksPort}`, '-p', String(sshd.port), '-i', fx.keys.key,
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ExitOnForwardFailure=yes',
      `${fx.user.name}@127.0.0.1`], { stdio: 'ignore' });
    try {
      await waitListening(socksPort, 'ssh -D');
      const c = await connect({ proxy: { host: '127.0.0.1', port: socksPort } });
      try {
        const out = collect();
        assert.equal(await c.start({ command: 'echo via-proxy', stdout: out.w }), 0);
        assert.equal(out.text(), 'via-proxy\n');
      } finally { c.close(); }
    } finally {
      const exited = new Promise((r) => proxy.once('exit', r));
      proxy.kill();
      await exited;
    }
    // no proxy listening: the connection fails, naming the proxy
    await assert.rejects(connect({ proxy: { host: '127.0.0.1', port: socksPort } }), /127\.0\.0\.1:\d+: connect: connection refused/);
  });

  test('ssh_proxy_username/password: RFC 1929 login at a SOCKS5 proxy that requires it (microsocks)', async () => {
    requireTools('/usr/bin/microsocks');
    const socksPort = await freePort();
    const proxy = spawn('/usr/bin/microsocks', ['-i', '127.0.0.1', '-p', String(socksPort), '-u', 'proxyuser', '-P', 'proxy pass'], { stdio: 'ignore' });
    try {
      await waitListening(socksPort, 'microsocks');
      const c = await connect({ proxy: { host: '127.0.0.1', port: socksPort, username: 'proxyuser', password: 'proxy pass' } });
      try {
        const out = collect();
        assert.equal(await c.start({ command: 'echo via-auth-proxy', stdout: out.w }), 0);
        assert.equal(out.text(), 'via-auth-proxy\n');
      } finally { c.close(); }
      // x/net/proxy's words for a refused login, and for a proxy that wants one when none is given
      await assert.rejects(connect({ proxy: { host: '127.0.0.1', port: socksPort, username: 'proxyuser', password: 'wrong' } }),
        new RegExp(`^Error: socks connect tcp 127\\.0\\.0\\.1:${socksPort}->127\\.0\\.0\\.1:${sshd.port}: username/password authentication failed$`));
      await assert.rejects(connect({ proxy: { host: '127.0.0.1', port: socksPort } }),
        new RegExp(`^Error: socks connect tcp 127\\.0\\.0\\.1:${socksPort}->127\\.0\\.0\\.1:${sshd.port}: no acceptable authentication methods$`));
    } finally {
      const exited = new Promise((r) => proxy.once('exit', r));
      proxy.kill();
      await exited;
    }
  });

  test('ssh_certificate_file: refused with a clear error, not ignored (ssh2 has no certificate authentication)', () => {
    const errs = prepareComm({ type: 'ssh', sshHost: 'h', sshUsername: 'u', sshPassword: 'pw123', sshCertificateFile: 'id.crt', sshBastionHost: 'b', sshBastionPassword: 'bp123' });
    assert.deepEqual(errs, ['ssh_certificate_file is not supported by packer-ts yet']);
  });

  test('tunnel arguments: Packer\'s parse and its errors', async () => {
    assert.deepEqual(parseTunnel('8080:example.com:80', 'local'), { direction: 'local', listenPort: 8080, forwardHost: 'example.com', forwardPort: 80 });
    assert.deepEqual(parseTunnel('9000:[::1]:22', 'remote'), { direction: 'remote', listenPort: 9000, forwardHost: '::1', forwardPort: 22 });
    for (const [arg, msg] of [
      ['bad', "Error parsing tunnel 'bad': [bad]"],
      ['1:host', 'Error parsing forwarding, must be a tcp address: address host: missing port in address'],
      ['0.0.0.0:8080:h:80', 'Error parsing forwarding, must be a tcp address: address 8080:h:80: too many colons in address'],
      ['1:h:x', 'Error parsing forwarding port, must be a valid port: strconv.Atoi: parsing "x": invalid syntax'],
      ['p:h:1', 'Error parsing listening port, must be a valid port: strconv.Atoi: parsing "p": invalid syntax'],
    ]) assert.throws(() => parseTunnel(arg!, 'local'), { message: msg }, arg);
    // the connect step opens what the configuration names
    const opts = await sshOptions({ type: 'ssh', sshUsername: 'u', sshLocalTunnels: ['8080:h:80'], sshRemoteTunnels: ['9090:127.0.0.1:22'] }, 'host', 22);
    assert.deepEqual(opts.tunnels, [
      { direction: 'local', listenPort: 8080, forwardHost: 'h', forwardPort: 80 },
      { direction: 'remote', listenPort: 9090, forwardHost: '127.0.0.1', forwardPort: 22 },
    ]);
    const errs = prepareComm({ type: 'ssh', sshHost: 'h', sshUsername: 'u', sshPassword: 'pw123', sshLocalTunnels: ['bad'], sshRemoteTunnels: ['1:h:x'] });
    assert.deepEqual(errs.filter((e) => e.includes('tunnels')), [
      "ssh_local_tunnels ('bad') is invalid: Error parsing tunnel 'bad': [bad]",
      'ssh_remote_tunnels (\'1:h:x\') is invalid: Error parsing forwarding port, must be a valid port: strconv.Atoi: parsing "x": invalid syntax',
    ]);
  });

  test('StepCleanupTempKeys: removes the temporary key\'s line from ~/.ssh/authorized_keys, shows the output, never fails', async () => {
    const dotSsh = join(fx.user.home, '.ssh');
    await mkdir(dotSsh, { recursive: true });
    await chown(dotSsh, fx.user.uid, fx.user.gid);
    const keys = join(dotSsh, 'authorized_keys');
    const before = 'ssh-ed25519 AAAA keep@host\nssh-ed25519 BBBB packer_tmpkey\nssh-ed25519 CCCC xpacker_tmpkey\n';
    await writeFile(keys, before);
    await chown(keys, fx.user.uid, fx.user.gid);
    const { action, state, step } = await runStep(stepConfig({}));
    assert.equal(action, 'continue');
    try {
      // not asked for, or no name: nothing runs
      for (const over of [{}, { sshClearAuthorizedKeys: true }, { temporaryKeyPairName: 'packer_tmpkey' }]) {
        const ui = new RecordingUi();
        const s2 = new StateBag([['ui', ui], ['communicator', state.get('communicator')]]);
        assert.equal(await new StepCleanupTempKeys({ type: 'ssh', ...over }).run(s2, new AbortController().signal), 'continue');
        assert.deepEqual(ui.calls, []);
      }
      assert.equal(await readFile(keys, 'utf8'), before);
      const ui = new RecordingUi();
      const s3 = new StateBag([['ui', ui], ['communicator', state.get('communicator')]]);
      const cleanup = new StepCleanupTempKeys({ type: 'ssh', sshClearAuthorizedKeys: true, temporaryKeyPairName: 'packer_tmpkey' });
      assert.equal(await cleanup.run(s3, new AbortController().signal), 'continue');
      assert.equal(await readFile(keys, 'utf8'), 'ssh-ed25519 AAAA keep@host\nssh-ed25519 CCCC xpacker_tmpkey\n');
      await assert.rejects(stat(`${keys}.bak`), { code: 'ENOENT' });
      assert.deepEqual(ui.calls.filter((x) => x.kind === 'say').map((x) => x.text), ['Trying to remove ephemeral keys from authorized_keys files']);
      // the root cleanup fails for this user (no sudo, or no rights): shown, not fatal
      assert.notEqual(ui.text('error'), '');
      assert.equal(s3.error(), undefined);
    } finally { await step.cleanup(); }
  });
});

describe('ssh_agent_auth', () => {
  const fx = new SSHFixture();
  let sshd: Sshd;
  let agent: import('node:child_process').ChildProcess | undefined;
  let sock = '';

  before(async () => {
    await fx.setup();
    sshd = await fx.sshd();
    const { spawn, execFileSync } = await import('node:child_process');
    sock = join(fx.dir, 'agent.sock');
    // a private ssh-agent in the foreground, holding only the authorized key
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      try { await stat(sock); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    execFileSync('ssh-add', ['-q', fx.keys.key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  });
  after(async () => { agent?.kill(); await fx.teardown(); });

  test('authenticates with the key held by the agent in SSH_AUTH_SOCK, and fails without it', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = sock;
    try {
      const ui = new RecordingUi();
      const state = new StateBag([['ui', ui]]);
      const config: CommConfig = { type: 'ssh', sshHost: '127.0.0.1', sshPort: sshd.port, sshUsername: fx.user.name, sshAgentAuth: true, sshTimeout: 20_000, sshHandshakeAttempts: 2 };
      assert.deepEqual(prepareComm(config), []);
      const step = new StepConnect({ config, retryDelay: 100, handshakeRetryDelay: 50 });
      try {
        assert.equal(await step.run(state, new AbortController().signal), 'continue', state.error()?.message);
        const out = collect();
        const comm = state.get('communicator') as SSHCommunicator;
        assert.equal(await comm.start({ command: 'id -un', stdout: out.w }), 0);
        assert.equal(out.text(), `${fx.user.name}\n`);
      } finally { await step.cleanup(); }
      // the agent emptied: the same settings can no longer log in
      const { execFileSync } = await import('node:child_process');
      execFileSync('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const state2 = new StateBag([['ui', new RecordingUi()]]);
      const step2 = new StepConnect({ config, retryDelay: 100, handshakeRetryDelay: 50 });
      try {
        assert.equal(await step2.run(state2, new AbortController().signal), 'halt');
        assert.match(state2.error()!.message, /authentication/i);
      } finally { await step2.cleanup(); }
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK; else process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
