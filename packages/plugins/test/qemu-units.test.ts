/** The qemu builder's parts that need no VM: boot command syntax, the VNC client, QEMU's command line, config checks, downloads, the HTTP server. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingUi, StateBag } from '@packer-ts/sdk';
import { parseBootCommand, typeBootCommand, validateBootCommand } from '../src/common/bootcommand.ts';
import { VncClient } from '../src/common/vnc.ts';
import { StepDownload } from '../src/common/download.ts';
import { StepHTTPServer, listenRange } from '../src/common/http-server.ts';
import { prepareConfig } from '../src/builder/qemu/config.ts';
import { qemuCommandArgs } from '../src/builder/qemu/steps/index.ts';


describe('boot command', () => {
  test('Packer key syntax', () => {
    assert.deepEqual(parseBootCommand('a<enter><wait5><wait><wait1m30s><leftCtrlOn>c<leftCtrlOff><F1><xOn><foo>'), [
      { kind: 'literal', ch: 'a', action: 'press' },
      { kind: 'special', key: 'enter', action: 'press' },
      { kind: 'wait', ms: 5000 },
      { kind: 'wait', ms: 1000 },
      { kind: 'wait', ms: 90_000 },
      { kind: 'special', key: 'leftctrl', action: 'on' },
      { kind: 'literal', ch: 'c', action: 'press' },
      { kind: 'special', key: 'leftctrl', action: 'off' },
      { kind: 'special', key: 'f1', action: 'press' },
      { kind: 'literal', ch: 'x', action: 'on' },
      ...'<foo>'.split('').map((ch) => ({ kind: 'literal', ch, action: 'press' })),
    ]);
    assert.deepEqual(validateBootCommand(parseBootCommand('<wait0s>')), ['Expecting a positive wait value. Got 0ms']);
  });

  test('typed as X11 keysyms, shift for capitals and shifted characters', async () => {
    const ev: string[] = [];
    await typeBootCommand(parseBootCommand('A:<enter>'), { keyEvent: async (k, d) => { ev.push(`${k.toString(16)}${d ? 'v' : '^'}`); } }, 0);
    assert.deepEqual(ev, ['ffe1v', '41v', '41^', 'ffe1^', 'ffe1v', '3av', '3a^', 'ffe1^', 'ff0dv', 'ff0d^']);
  });
});

test('VNC client: RFB 3.8 handshake with security None, then KeyEvents', async () => {
  const got: Buffer[] = [];
  const server = createNetServer((s) => {
    s.write('RFB 003.008\n');
    let stage = 0;
    s.on('data', (d) => {
      if (stage === 0) { assert.equal(d.toString(), 'RFB 003.008\n'); s.write(Buffer.from([1, 1])); stage = 1; return; }
      if (stage === 1) { assert.equal(d[0], 1); s.write(Buffer.alloc(4)); stage = 2; return; }
      if (stage === 2) {
        assert.equal(d[0], 1); // shared
        const init = Buffer.alloc(24 + 4);
        init.writeUInt16BE(720, 0); init.writeUInt16BE(400, 2); init.writeUInt32BE(4, 20); init.write('QEMU', 24);
        s.write(init); stage = 3; return;
      }
      got.push(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const c = await VncClient.connect('127.0.0.1', port);
  assert.equal(c.desktopName, 'QEMU');
  assert.equal(c.width, 720);
  await c.keyEvent(0xff0d, true);
  await c.keyEvent(0xff0d, false);
  await new Promise((r) => setTimeout(r, 50));
  c.close();
  server.close();
  assert.deepEqual([...Buffer.concat(got)], [4, 1, 0, 0, 0, 0, 0xff, 0x0d, 4, 0, 0, 0, 0, 0, 0xff, 0x0d]);
});

function raw(extra: Record<string, unknown> = {}): Record<string, unknown>[] {
  return [{
    iso_url: 'img.qcow2', iso_checksum: 'none', disk_image: true, accelerator: 'tcg', communicator: 'ssh', ssh_username: 'root', ssh_password: 'x',
    output_directory: join(tmpdir(), `qemu-unit-${process.pid}-nonexistent`), ...extra,
  }, { packer_build_name: 'qemu', packer_builder_type: 'qemu' }];
}

describe('configuration', () => {
  test("Packer's defaults", () => {
    const { config: c, warnings } = prepareConfig(raw());
    assert.equal(c.diskSize, '40960M');
    assert.equal(c.vmName, 'packer-qemu');
    assert.equal(c.format, 'qcow2');
    assert.equal(c.netDevice, 'virtio-net');
    assert.equal(c.diskInterface, 'virtio');
    assert.equal(c.bootWait, 10_000);
    assert.deepEqual([c.hostPortMin, c.hostPortMax, c.vncPortMin, c.vncPortMax, c.httpPortMin, c.httpPortMax], [2222, 4444, 5900, 6000, 8000, 9000]);
    assert.equal(c.shutdownTimeout, 300_000);
    assert.match(warnings.join('\n'), /A checksum of 'none' was specified/);
  });

  test("Packer's validation messages", () => {
    assert.throws(() => prepareConfig(raw({ format: 'vmdk', use_backing_file: true, disk_image: false, skip_resize_disk: true, disk_size: '10x', accelerator: 'qemu' })), (e: Error) => {
      for (const m of ["invalid format, only 'qcow2' or 'raw' are allowed", 'use_backing_file can only be enabled for QCOW2 images and when disk_image is true',
        'skip_resize_disk can only be used when disk_image is true', 'Invalid disk size.', "invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed"]) {
        assert.ok(e.message.includes(m), `${m} in ${e.message}`);
      }
      return true;
    });
    assert.throws(() => prepareConfig(raw({ output_directory: tmpdir() })), /Output directory '.*' already exists. It must not exist./);
    assert.doesNotThrow(() => prepareConfig([...raw({ output_directory: tmpdir() }), { packer_force: true }]));
    assert.throws(() => prepareConfig(raw({ iso_checksum: 'sha256:zz' })), /invalid checksum/);
    assert.throws(() => prepareConfig(raw({ boot_command: ['<wait0s>'] })), /Expecting a positive wait value/);
  });

  test('kvm without its device: a clear error', () => {
    process.env.PACKER_TS_KVM_DEVICE = '/nonexistent/kvm';
    try {
      assert.throws(() => prepareConfig(raw({ accelerator: 'kvm' })), /accelerator "kvm" was asked for, but \/nonexistent\/kvm does not exist/);
      assert.equal(prepareConfig(raw({ accelerator: '' })).config.accelerator, 'tcg');
    } finally { delete process.env.PACKER_TS_KVM_DEVICE; }
  });

  test('ssh_host_port_min/_max: deprecated names of host_port_min/_max', () => {
    const p = prepareConfig(raw({ ssh_host_port_min: 3000, ssh_host_port_max: 3001 }));
    assert.deepEqual([p.config.hostPortMin, p.config.hostPortMax], [3000, 3001]);
    assert.match(p.warnings.join('\n'), /ssh_host_port_min is deprecated/);
  });
});

test("QEMU's command line: defaults, then qemuargs with template variables", () => {
  const p = prepareConfig(raw({ headless: true, cpus: 2, memory: 256, qemuargs: [['-serial', 'file:{{ .OutputDir }}/{{ .Name }}.log'], ['-netdev', 'user,id=user.0,hostfwd=tcp::{{ .SSHHostPort }}-:22'], ['-nodefaults']] }));
  const state = new StateBag([['commHostPort', 2345], ['commGuestPort', 22], ['vnc_port', 5901], ['http_ip', '10.0.2.2'], ['http_port', 0], ['qemu_disk_paths', ['out/packer-qemu']]]);
  const ui = new RecordingUi();
  const args = qemuCommandArgs(p.config, state, ui, p.ctx);
  const pairs = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const k = args[i];
    const v = args[i + 1]?.startsWith('-') || args[i + 1] === undefined ? undefined : args[++i];
    pairs.set(k, [...(pairs.get(k) ?? []), ...(v === undefined ? [] : [v])]);
  }
  assert.deepEqual(pairs.get('-machine'), ['type=pc,accel=tcg']);
  assert.deepEqual(pairs.get('-m'), ['256M']);
  assert.deepEqual(pairs.get('-smp'), ['cpus=2,sockets=2']);
  assert.deepEqual(pairs.get('-vnc'), ['127.0.0.1:1']);
  assert.deepEqual(pairs.get('-boot'), ['c']);
  assert.deepEqual(pairs.get('-drive'), ['file=out/packer-qemu,if=virtio,cache=writeback,discard=ignore,format=qcow2']);
  assert.deepEqual(pairs.get('-device'), ['virtio-net,netdev=user.0']);
  assert.deepEqual(pairs.get('-netdev'), ['user,id=user.0,hostfwd=tcp::2345-:22']);
  assert.deepEqual(pairs.get('-serial'), [`file:${p.config.outputDir}/packer-qemu.log`]);
  assert.deepEqual(pairs.get('-nodefaults'), []);
  assert.equal(pairs.has('-display'), false);
  assert.match(ui.text('say'), /Overriding default Qemu arguments with qemuargs template option/);
  assert.equal(pairs.has('-qmp'), false);
  // qmp_enable: the QMP socket in the output directory unless qmp_socket_path names one (Packer's step_run)
  const q = prepareConfig(raw({ headless: true, qmp_enable: true }));
  assert.equal(q.config.qmpSocketPath, join(q.config.outputDir, 'packer-qemu.monitor'));
  const qa = qemuCommandArgs(q.config, state, new RecordingUi(), q.ctx);
  assert.equal(qa[qa.indexOf('-qmp') + 1], `unix:${q.config.qmpSocketPath},server,nowait`);
  const qp = prepareConfig(raw({ headless: true, qmp_enable: true, qmp_socket_path: '/tmp/q.sock' }));
  const qpa = qemuCommandArgs(qp.config, state, new RecordingUi(), qp.ctx);
  assert.equal(qpa[qpa.indexOf('-qmp') + 1], 'unix:/tmp/q.sock,server,nowait');
});

describe('downloads', () => {
  test('local file in place, checksums: TYPE:HEX, bare hex, file:, mismatch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dl-'));
    try {
      const f = join(dir, 'disk.img');
      await writeFile(f, 'hello');
      const sha = createHash('sha256').update('hello').digest('hex');
      await writeFile(join(dir, 'SHA256SUMS'), `${sha}  disk.img\n`);
      for (const checksum of [`sha256:${sha}`, sha, `file:${join(dir, 'SHA256SUMS')}`, 'none']) {
        const state = new StateBag([['ui', new RecordingUi()]]);
        const a = await new StepDownload({ urls: [f], checksum, description: 'ISO', extension: 'iso', resultKey: 'iso_path' }).run(state, new AbortController().signal);
        assert.equal(a, 'continue', `${checksum}: ${state.error()?.message}`);
        assert.equal(state.get('iso_path'), f);
      }
      const ui = new RecordingUi();
      const state = new StateBag([['ui', ui]]);
      const a = await new StepDownload({ urls: [f], checksum: `md5:${'0'.repeat(32)}`, description: 'ISO', extension: 'iso', resultKey: 'iso_path' }).run(state, new AbortController().signal);
      assert.equal(a, 'halt');
      assert.equal(state.error()?.message, `error downloading ISO: [Checksums did not match for ${f}.\nExpected: ${'0'.repeat(32)}\nGot: 5d41402abc4b2a76b9719d911017c592\n*md5.digest]`);
    } finally { await rm(dir, { recursive: true, force: true }); }
  });

  test('http: fetched into PACKER_CACHE_DIR once, then reused; the next URL is tried on failure', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dl-'));
    let hits = 0;
    const server = createHttpServer((req, res) => {
      if (req.url === '/img') { hits++; res.end('image-bytes'); } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    process.env.PACKER_CACHE_DIR = join(dir, 'cache');
    try {
      const sha = createHash('sha256').update('image-bytes').digest('hex');
      for (let i = 0; i < 2; i++) {
        const state = new StateBag([['ui', new RecordingUi()]]);
        const a = await new StepDownload({ urls: [`${base}/missing`, `${base}/img`], checksum: `sha256:${sha}`, description: 'ISO', extension: 'qcow2', resultKey: 'iso_path' }).run(state, new AbortController().signal);
        assert.equal(a, 'continue', state.error()?.message);
        const p = state.get('iso_path') as string;
        assert.equal(p, join(dir, 'cache', `${createHash('sha1').update(`sha256:${sha}`).digest('hex')}.qcow2`));
      }
      assert.equal(hits, 1);
      assert.deepEqual((await readdir(join(dir, 'cache'))).length, 1);
    } finally {
      delete process.env.PACKER_CACHE_DIR;
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('HTTP server: http_directory and http_content on a port of the range', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'http-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'ks.cfg'), 'kickstart');
  // Disjoint ranges: the client's pooled keep-alive socket to the first server must not be reused.
  for (const [opts, min] of [[{ directory: dir }, 8100], [{ content: { '/preseed.cfg': 'preseed' } }, 8150]] as const) {
    const ui = new RecordingUi();
    const state = new StateBag([['ui', ui]]);
    const step = new StepHTTPServer({ ...opts, portMin: min, portMax: min + 49, bindAddress: '127.0.0.1' });
    assert.equal(await step.run(state, new AbortController().signal), 'continue');
    const port = state.get('http_port') as number;
    assert.ok(port >= min && port <= min + 49);
    assert.match(ui.text('say'), new RegExp(`Starting HTTP server on port ${port}`));
    const path = 'directory' in opts ? '/sub/ks.cfg' : '/preseed.cfg';
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    assert.equal(await r.text(), 'directory' in opts ? 'kickstart' : 'preseed');
    assert.equal((await fetch(`http://127.0.0.1:${port}/../etc/passwd`)).status, 404);
    await step.cleanup();
  }
  const lease = await listenRange('127.0.0.1', 8300, 8300);
  await assert.rejects(listenRange('127.0.0.1', 8300, 8300), /no free port in 8300-8300/);
  lease.release();
  await rm(dir, { recursive: true, force: true });
});
