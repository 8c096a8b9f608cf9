/**
 * vnc_use_password with real QEMU: the qemu builder's own steps start QEMU with
 * `-vnc ADDR:N,password` and its QMP socket, set the password over QMP, and the
 * VNC client authenticates with it (VNC authentication, DES computed in
 * TypeScript). Also DES against published vectors and OpenSSL, and the
 * builder's steps in Packer 1.6.6's order.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingUi, redact, StateBag, type Step } from '@packer-ts/sdk';
import { requireTools } from '../../../test/helpers/requires.ts';
import { desEncryptBlock } from '../src/common/des.ts';
import { VncClient, VncHandshakeError } from '../src/common/vnc.ts';
import { prepareConfig } from '../src/builder/qemu/config.ts';
import { QemuDriver } from '../src/builder/qemu/driver.ts';
import { QemuBuilder } from '../src/builder/qemu/index.ts';
import {
  StepConfigureQMP, StepConfigureVNC, StepPrepareOutputDir, StepRun, StepTypeBootCommand, vncPassword,
} from '../src/builder/qemu/steps/index.ts';

function raw(outputDir: string, extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return [{
    iso_url: 'img.qcow2', iso_checksum: 'none', disk_image: true, accelerator: 'tcg', communicator: 'none',
    output_directory: outputDir, ...extra,
  }, { packer_build_name: 'qemu', packer_builder_type: 'qemu' }];
}

describe('DES (one block, for VNC authentication)', () => {
  test('published test vectors', () => {
    // FIPS 81 / Rivest's and Schneier's vectors, and the worked example of the standard's walk-throughs
    const vectors: [string, string, string][] = [
      ['0000000000000000', '0000000000000000', '8ca64de9c1b123a7'],
      ['ffffffffffffffff', 'ffffffffffffffff', '7359b2163e4edc58'],
      ['3000000000000000', '1000000000000001', '958e6e627a05557b'],
      ['1111111111111111', '1111111111111111', 'f40379ab9e0ec533'],
      ['0123456789abcdef', '1111111111111111', '17668dfc7292532d'],
      ['1111111111111111', '0123456789abcdef', '8a5ae1f81ab8f2dd'],
      ['fedcba9876543210', '0123456789abcdef', 'ed39d950fa74bcc4'],
      ['0101010101010101', '8000000000000000', '95f8a5e5dd31d900'],
      ['133457799bbcdff1', '0123456789abcdef', '85e813540f0ab405'],
    ];
    for (const [k, p, c] of vectors) {
      assert.equal(desEncryptBlock(Buffer.from(k, 'hex'), Buffer.from(p, 'hex')).toString('hex'), c, `key ${k} block ${p}`);
    }
    assert.throws(() => desEncryptBlock(Buffer.alloc(7), Buffer.alloc(8)), /invalid key size 7/);
  });

  test("random keys and blocks: as OpenSSL's des-ecb (its legacy provider)", () => {
    const pairs = Array.from({ length: 64 }, () => [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')]);
    const script = `const c = require('node:crypto');
for (const [k, b] of ${JSON.stringify(pairs)}) {
  const x = c.createCipheriv('des-ecb', Buffer.from(k, 'hex'), null);
  x.setAutoPadding(false);
  console.log(x.update(Buffer.from(b, 'hex')).toString('hex'));
}`;
    const want = execFileSync(process.execPath, ['--openssl-legacy-provider', '-e', script], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(pairs.map(([k, b]) => desEncryptBlock(Buffer.from(k!, 'hex'), Buffer.from(b!, 'hex')).toString('hex')), want);
  });
});

test("VNC password: Packer's length and alphabet", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const p = vncPassword();
    assert.match(p, /^[0-689a-zA-Z]{8}$/);
    for (const ch of p) seen.add(ch);
  }
  assert.equal(seen.has('7'), false);
  assert.ok(seen.size > 40, `only ${seen.size} distinct characters`);
});

test("configuration: vnc_use_password turns qmp_enable on (the default socket path); net_bridge is still refused", () => {
  const out = join(tmpdir(), `qemu-vncpw-${process.pid}-nonexistent`);
  const p = prepareConfig(raw(out, { vnc_use_password: true }));
  assert.equal(p.config.qmpEnable, true);
  assert.equal(p.config.qmpSocketPath, join(out, 'packer-qemu.monitor'));
  assert.equal(prepareConfig(raw(out, { vnc_use_password: true, qmp_socket_path: '/tmp/x.sock' })).config.qmpSocketPath, '/tmp/x.sock');
  assert.equal(prepareConfig(raw(out)).config.qmpEnable, undefined);
  assert.throws(() => prepareConfig(raw(out, { net_bridge: 'virbr0' })), /net_bridge is not supported by packer-ts yet/);
});

test("the qemu builder's steps: Packer 1.6.6's, in its order (builder/qemu/builder.go)", async () => {
  const out = join(tmpdir(), `qemu-vncpw-${process.pid}-nonexistent`);
  const names = async (extra: Record<string, unknown>) => {
    const b = new QemuBuilder();
    await b.prepare(...raw(out, extra));
    return b.steps().map((s: Step) => s.name);
  };
  const rest = [
    'stepPrepareOutputDir', 'StepCreateFloppy', 'StepCreateCD', 'stepCreateDisk', 'stepCopyDisk', 'stepResizeDisk',
    'stepHTTPIPDiscover', 'StepHTTPServer', 'stepPortForward', 'stepConfigureVNC', 'stepRun', 'stepConfigureQMP',
    'stepTypeBootCommand', 'stepWaitGuestAddress', 'StepConnect', 'StepProvision', 'StepCleanupTempKeys', 'stepShutdown', 'stepConvertDisk',
  ];
  assert.deepEqual(await names({}), ['StepDownload', ...rest]);
  assert.deepEqual(await names({ iso_skip_cache: true }), ['stepSetISO', ...rest]);
});

describe('vnc_use_password with real QEMU', { concurrency: false }, () => {
  test('the password set over QMP; the VNC client gets in with it, not with another', async (t) => {
    requireTools('qemu-system-x86_64');
    const dir = await mkdtemp(join(tmpdir(), 'qemu-vncpw-'));
    const p = prepareConfig(raw(join(dir, 'out'), {
      vnc_use_password: true, headless: true, // no guest: stopped at once, a null drive in place of the disk
      qemuargs: [['-S'], ['-drive', 'if=none,id=drive0,driver=null-co']], boot_wait: '-1s', boot_command: ['a<enter>'],
    }));
    const driver = new QemuDriver(p.config.qemuBinary);
    const log: string[] = [];
    driver.log = (l) => log.push(l);
    const ui = new RecordingUi();
    const state = new StateBag([['config', p.config], ['debug', false], ['driver', driver], ['ui', ui]]);
    const signal = new AbortController().signal;
    const steps = [new StepPrepareOutputDir(false), new StepConfigureVNC(), new StepRun(p.ctx), new StepConfigureQMP()];
    const ran: Step[] = [];
    t.after(async () => {
      for (const s of ran.reverse()) await s.cleanup?.(state);
      await driver.stop();
      await rm(dir, { recursive: true, force: true });
    });
    for (const s of steps) {
      ran.push(s);
      assert.equal(await s.run(state, signal), 'continue', `${s.name}: ${state.error()?.message}\n${driver.stderr()}`);
    }
    const password = state.get('vnc_password') as string;
    const port = state.get('vnc_port') as number;
    assert.match(password, /^[0-689a-zA-Z]{8}$/);
    const socket = join(dir, 'out', 'packer-qemu.monitor');
    // Packer's command line and messages
    const args = log.find((l) => l.startsWith('Executing '))!;
    assert.ok(args.includes(`"-vnc","127.0.0.1:${port - 5900},password"`), args);
    assert.ok(args.includes(`"-qmp","unix:${socket},server,nowait"`), args);
    assert.ok(ui.calls.some((c) => c.kind === 'message' && c.text === `The VM will be run headless, without a GUI. If you want to\nview the screen of the VM, connect via VNC to vnc://127.0.0.1:${port - 5900},password\nwith the password: ${password}`), ui.text());
    assert.ok(ui.calls.some((c) => c.kind === 'say' && c.text === `QMP socket at: ${socket}`), ui.text());
    // a secret from then on: masked in output and logs
    assert.equal(redact(`pw ${password}`), 'pw <sensitive>');
    assert.ok(log.includes('QMP Command: { "execute": "change-vnc-password", "arguments": { "password": "<sensitive>" } }\nResult: {"return": {}}'), log.join('\n'));
    assert.ok(state.get('qmp_monitor'));

    const c = await VncClient.connect('127.0.0.1', port, { password });
    assert.equal(c.desktopName, 'QEMU (packer-qemu)');
    c.close();
    // go-vnc's wording, with the reason QEMU sends (its terminating NUL included)
    await assert.rejects(VncClient.connect('127.0.0.1', port, { password: password.slice(1) + 'x' }),
      (e: Error) => e instanceof VncHandshakeError && e.message === 'security handshake failed: Authentication failed\0');
    await assert.rejects(VncClient.connect('127.0.0.1', port), /^Error: no suitable auth schemes found. server supported: \[\]byte\{0x2\}$/);

    // the boot command step authenticates with the state's password
    const typed = await new StepTypeBootCommand(p.ctx, false).run(state, signal);
    assert.equal(typed, 'continue', state.error()?.message);
    assert.match(ui.text('say'), /Typing the boot command over VNC/);
    const wrong = new StateBag([['config', p.config], ['debug', false], ['driver', driver], ['ui', new RecordingUi()], ['vnc_port', port], ['vnc_password', 'nottheone']]);
    assert.equal(await new StepTypeBootCommand(p.ctx, false).run(wrong, signal), 'halt');
    assert.equal(wrong.error()?.message, 'Error handshaking with VNC: security handshake failed: Authentication failed\0');

    // cleanup: the monitor disconnected, the socket file deleted
    await steps[3]!.cleanup!(state);
    assert.equal(existsSync(socket), false);
    ran.pop();
  });

  test("no QMP socket: Packer's error after the 2 s it waits", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qemu-vncpw-'));
    try {
      const p = prepareConfig(raw(join(dir, 'out'), { qmp_enable: true }));
      const ui = new RecordingUi();
      const state = new StateBag([['config', p.config], ['driver', new QemuDriver('qemu-system-x86_64')], ['ui', ui], ['vnc_password', '']]);
      const t0 = Date.now();
      const step = new StepConfigureQMP();
      assert.equal(await step.run(state, new AbortController().signal), 'halt');
      const took = Date.now() - t0;
      assert.ok(took >= 1900 && took < 4000, `${took} ms`);
      const msg = `Error opening QMP socket: dial unix ${p.config.qmpSocketPath}: connect: no such file or directory`;
      assert.equal(state.error()?.message, msg);
      assert.deepEqual(ui.calls, [{ kind: 'say', text: `QMP socket at: ${p.config.qmpSocketPath}` }, { kind: 'error', text: msg }]);
      await step.cleanup(state);
    } finally { await rm(dir, { recursive: true, force: true }); }
  });
});
