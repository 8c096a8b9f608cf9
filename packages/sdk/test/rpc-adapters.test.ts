// The per-interface adapters over in-memory broker pairs: client proxies driving server wrappers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { brokerPair } from '../src/rpc/pair.ts';
import { RpcError } from '../src/rpc/netrpc.ts';
import { decode, encode, Float64 } from '../src/rpc/codec.ts';
import {
  dialComponent, serveComponentOn, RemoteError, CMD_DISCONNECT, encodeCommandFinished, readCommandFinished, toWireConfig,
  type ComponentKind, type ComponentOf, type ClientOf,
} from '../src/rpc/adapters/index.ts';
import { BasicArtifact, type Artifact } from '../src/artifact.ts';
import { prepareWarnings, withPrepareWarnings, type Builder, type PrepareResult } from '../src/builder.ts';
import type { Communicator, FileInfo, RemoteCmd } from '../src/communicator.ts';
import type { Hook } from '../src/hook.ts';
import type { PostProcessor, PostProcessResult } from '../src/postprocessor.ts';
import type { Provisioner } from '../src/provisioner.ts';
import { RecordingUi, type Ui } from '../src/ui.ts';
import { MultiError } from '../src/errors.ts';

/** Serves `impl` on a fresh in-memory pair ("plugin" side) and returns the client proxy ("core" side). */
async function connect<K extends ComponentKind>(kind: K, impl: ComponentOf[K]): Promise<{ c: ClientOf[K]; close(): void }> {
  const { client, server } = brokerPair();
  void serveComponentOn(server, kind, impl).catch(() => {});
  const c = await dialComponent(client, kind);
  return { c, close: () => { client.close(); server.close(); } };
}

/** A communicator living in memory: scripted commands, files in a Map. */
class MemComm implements Communicator {
  files = new Map<string, Buffer>();
  uploads: { path: string; bytes: number; sha: string; info?: FileInfo }[] = [];
  dirs: string[] = [];
  commands: string[] = [];
  async start(cmd: RemoteCmd): Promise<number> {
    this.commands.push(cmd.command);
    const [verb, ...rest] = cmd.command.split(' ');
    if (verb === 'fail-to-start') throw new Error('cannot start: no route to host');
    if (verb === 'disconnect') { await new Promise((r) => setTimeout(r, 30)); throw new Error('lost'); }
    if (verb === 'echo') { cmd.stdout?.write(rest.join(' ') + '\n'); return 0; }
    if (verb === 'cat') { // stdin -> stdout
      for await (const chunk of cmd.stdin!) cmd.stdout!.write(chunk);
      return 0;
    }
    if (verb === 'big') { // N bytes of stdout, some stderr, exit 3
      let left = Number(rest[0]);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!cmd.stdout!.write(part)) await new Promise((r) => cmd.stdout!.once('drain', r));
      }
      cmd.stderr?.write('done\n');
      return 3;
    }
    return 127;
  }
  async upload(path: string, input: Readable, info?: FileInfo): Promise<void> {
    const h = createHash('sha256');
    let bytes = 0;
    const keep: Buffer[] = [];
    for await (const c of input) { h.update(c as Buffer); bytes += (c as Buffer).length; if (bytes <= 1 << 20) keep.push(c as Buffer); }
    this.files.set(path, Buffer.concat(keep));
    this.uploads.push({ path, bytes, sha: h.digest('hex'), ...(info ? { info } : {}) });
  }
  async uploadDir(dst: string, src: string, exclude?: string[]): Promise<void> {
    if (src === '/missing') throw new Error(`stat ${src}: no such file or directory`);
    this.dirs.push(`up ${src} -> ${dst} [${(exclude ?? []).join(',')}]`);
  }
  async download(path: string, output: Writable): Promise<void> {
    const f = this.files.get(path);
    if (!f) throw new Error(`open ${path}: no such file`);
    output.write(f);
  }
  async downloadDir(src: string, dst: string, exclude?: string[]): Promise<void> {
    this.dirs.push(`down ${src} -> ${dst} [${(exclude ?? []).join(',')}]`);
  }
}

function collect(): { w: Writable; text(): string; bytes(): number } {
  const parts: Buffer[] = [];
  let n = 0;
  const w = new Writable({ write(c: Buffer, _e, cb) { n += c.length; if (parts.length < 64) parts.push(c); cb(); } });
  return { w, text: () => Buffer.concat(parts).toString(), bytes: () => n };
}

test('gob CommandFinished: encode/decode round trip, split across chunks', async () => {
  for (const code of [0, 1, 3, 127, 255, 70000, -1, CMD_DISCONNECT]) {
    const bytes = encodeCommandFinished(code);
    const s = new PassThrough();
    const got = readCommandFinished(s);
    for (const b of bytes) s.write(Buffer.from([b]));
    assert.equal(await got, code);
  }
  // Value message for ExitStatus 7 after the type definition: len 5, type id 65 (ff 82), field 1, 7<<1, end.
  assert.deepEqual([...encodeCommandFinished(7).subarray(-6)], [0x05, 0xff, 0x82, 0x01, 0x0e, 0x00]);
  assert.deepEqual([...encodeCommandFinished(0).subarray(-4)], [0x03, 0xff, 0x82, 0x00]);
  // A definition under another id (a Go process that registered other gob types first): type -128
  // (ff ff) is skipped, then a value of type 128 (fe 01 00) with ExitStatus = 4.
  const s = new PassThrough();
  const got = readCommandFinished(s);
  s.end(Buffer.from([0x04, 0xff, 0xff, 0x03, 0x00, 0x06, 0xfe, 0x01, 0x00, 0x01, 0x08, 0x00]));
  assert.equal(await got, 4);
  await assert.rejects(readCommandFinished(Readable.from([Buffer.from([0x05, 0xff])])), /EOF/);
});

test('Configs travel with numbers as float64, as Packer sends them', () => {
  const wire = decode(encode(toWireConfig({ n: 3, list: [1, 'a', { x: 2.5 }] }))) as Record<string, unknown>;
  assert.deepEqual(wire, { n: 3, list: [1, 'a', { x: 2.5 }] });
  const raw = encode(toWireConfig({ n: 3 }));
  assert.equal(raw.at(-9), 0xcb, 'float64 tag');
  assert.ok(toWireConfig(1) instanceof Float64);
});

class TsBuilder implements Builder {
  configs: unknown[] = [];
  signal: AbortSignal | undefined;
  constructor(readonly comm: Communicator = new MemComm()) {}
  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    this.configs = raws;
    const c = raws[0] as Record<string, unknown>;
    if (c.bad) throw new MultiError(['target required', 'content or source required']);
    if (c.warnAndFail) throw withPrepareWarnings(new MultiError(['target required']), ['blank content']);
    return { warnings: ['w1'], generatedVars: ['Foo'] };
  }
  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    this.signal = signal;
    const c = this.configs[0] as Record<string, unknown>;
    if (c.fail) throw new Error('mkdir /x: permission denied\nsecond line');
    if (c.wait) {
      await new Promise((resolve, reject) => { signal.addEventListener('abort', () => reject(new Error('builder cancelled'))); void resolve; });
    }
    for (let i = 0; i < 200; i++) ui.say(`line ${i}`);
    ui.message('detail');
    ui.error('oops');
    ui.machine('artifact', '0', 'id', 'x');
    const answer = await ui.ask('continue?');
    ui.say(`answer: ${answer}`);
    await hook.run('packer_provision', ui, this.comm, { ID: 'i-1', Port: 22, Nested: { a: [1, 'b'] } }, signal);
    if (c.none) return undefined;
    return new BasicArtifact({ builderId: 'ts.builder', files: ['/a', '/b'], id: 'ART', string: 'a TS artifact', state: { n: 1, s: 'x' } });
  }
}

test('Builder: Prepare/Run through the proxies, Ui order kept, hook with data and communicator, artifact', async () => {
  const b = new TsBuilder();
  const { c, close } = await connect('builder', b);
  try {
    const prep = await c.prepare({ foo: 'bar', n: 3, list: [1, 'a'] }, { packer_build_name: 'x' });
    assert.deepEqual(prep, { generatedVars: ['Foo'], warnings: ['w1'] });
    assert.deepEqual(b.configs, [{ foo: 'bar', n: 3, list: [1, 'a'] }, { packer_build_name: 'x' }]);

    const ui = new RecordingUi();
    ui.answers = ['yes'];
    const hookCalls: { name: string; data: unknown; out: string }[] = [];
    const hook: Hook = {
      async run(name, hui, comm, data) {
        hui.say('from the hook');
        const out = collect();
        const code = await comm!.start({ command: 'echo hi there', stdout: out.w });
        hookCalls.push({ name, data, out: `${code}:${out.text()}` });
      },
    };
    const art = await c.run(ui, hook, new AbortController().signal);
    assert.ok(art);
    const says = ui.calls.filter((x) => x.kind === 'say').map((x) => x.text);
    assert.deepEqual(says.slice(0, 200), Array.from({ length: 200 }, (_, i) => `line ${i}`), 'every say arrived, in order, before Run returned');
    assert.deepEqual(ui.calls.slice(200).map((x) => `${x.kind}:${x.text}`), [
      'message:detail', 'error:oops', 'machine:artifact,0,id,x', 'say:answer: yes', 'say:from the hook',
    ]);
    assert.deepEqual(hookCalls, [{ name: 'packer_provision', data: { ID: 'i-1', Port: 22, Nested: { a: [1, 'b'] } }, out: '0:hi there\n' }]);
    assert.equal(await art.builderId(), 'ts.builder');
    assert.deepEqual(await art.files(), ['/a', '/b']);
    assert.equal(await art.id(), 'ART');
    assert.equal(await art.string(), 'a TS artifact');
    assert.equal(await art.state('n'), 1);
    assert.equal(await art.state('missing'), undefined);
  } finally {
    close();
  }
});

test('Builder errors cross with their messages: Prepare in the reply, Run as the call error; no artifact', async () => {
  const b = new TsBuilder();
  const { c, close } = await connect('builder', b);
  try {
    await assert.rejects(c.prepare({ bad: true }), (e: unknown) =>
      e instanceof RemoteError && e.message === MultiError.format([new Error('target required'), new Error('content or source required')]));
    await c.prepare({ fail: true });
    await assert.rejects(c.run(new RecordingUi(), { run: async () => {} }, new AbortController().signal),
      (e: unknown) => e instanceof RpcError && e.message === 'mkdir /x: permission denied\nsecond line');
    await c.prepare({ none: true });
    assert.equal(await c.run(new RecordingUi(), { run: async () => {} }, new AbortController().signal), undefined);
  } finally {
    close();
  }
});

test('Builder.Prepare: warnings a failing prepare found cross with its error, as Go\'s Prepare returns both', async () => {
  const { c, close } = await connect('builder', new TsBuilder());
  try {
    await assert.rejects(c.prepare({ warnAndFail: true }), (e: unknown) =>
      e instanceof RemoteError && e.message === MultiError.format([new Error('target required')]) &&
      JSON.stringify(prepareWarnings(e)) === JSON.stringify(['blank content']));
    // an error without warnings carries none
    await assert.rejects(c.prepare({ bad: true }), (e: unknown) => e instanceof RemoteError && prepareWarnings(e).length === 0);
  } finally {
    close();
  }
});

test('cancellation: aborting the signal sends X.Cancel, which aborts the implementation\'s signal', async () => {
  const b = new TsBuilder();
  const { c, close } = await connect('builder', b);
  try {
    await c.prepare({ wait: true });
    const ac = new AbortController();
    const running = c.run(new RecordingUi(), { run: async () => {} }, ac.signal);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(b.signal?.aborted, false);
    ac.abort();
    await assert.rejects(running, { message: 'builder cancelled' });
    assert.equal(b.signal?.aborted, true);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(c.run(new RecordingUi(), { run: async () => {} }, pre.signal), { name: 'AbortError' });
  } finally {
    close();
  }

  // Provisioner and hook: the same path.
  let provSignal: AbortSignal | undefined;
  const prov: Provisioner = {
    async prepare() {},
    provision: (_ui, _comm, _data, signal) => new Promise((_, reject) => {
      provSignal = signal;
      signal.addEventListener('abort', () => reject(new Error('provisioner cancelled')));
    }),
  };
  const p = await connect('provisioner', prov);
  try {
    const ac = new AbortController();
    const running = p.c.provision(new RecordingUi(), undefined, {}, ac.signal);
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    await assert.rejects(running, { message: 'provisioner cancelled' });
    assert.equal(provSignal?.aborted, true);
  } finally {
    p.close();
  }

  let hookSignal: AbortSignal | undefined;
  const bh = new TsBuilder();
  const h = await connect('builder', bh);
  try {
    await h.c.prepare({});
    const ac = new AbortController();
    const hook: Hook = {
      run: (_n, _u, _c, _d, signal) => new Promise((_, reject) => {
        hookSignal = signal;
        setTimeout(() => ac.abort(), 20);
        signal!.addEventListener('abort', () => reject(new Error('hook cancelled')));
      }),
    };
    // Builder.Cancel reaches the builder, whose hook.run(signal) sends Hook.Cancel to our hook.
    await assert.rejects(h.c.run(new RecordingUi(), hook, ac.signal), { message: 'hook cancelled' });
    assert.equal(hookSignal?.aborted, true);
    assert.equal(bh.signal?.aborted, true);
  } finally {
    h.close();
  }
});

test('Hook -> provisioner in another process -> communicator served by the builder (two pairs chained)', async () => {
  // "plugin A": a builder whose communicator is in memory. "plugin B": a provisioner. The core in between.
  const comm = new MemComm();
  const builder = await connect('builder', new TsBuilder(comm));
  let seenData: Record<string, unknown> | undefined;
  const provisioner = await connect('provisioner', {
    async prepare() {},
    async provision(ui: Ui, c: Communicator | undefined, data: Record<string, unknown>) {
      seenData = data;
      ui.say('provisioning');
      const out = collect();
      const err = collect();
      const code = await c!.start({ command: 'big 1000', stdout: out.w, stderr: err.w });
      ui.message(`exit ${code}, ${out.bytes()} bytes, stderr ${err.text().trim()}`);
      await c!.upload('/remote/f.txt', Readable.from([Buffer.from('hello '), Buffer.from('world')]), { name: 'f.txt', size: 11, mode: 0o644 });
      const back = collect();
      await c!.download('/remote/f.txt', back.w);
      ui.message(`downloaded: ${back.text()}`);
      await c!.uploadDir('/dst', '/src/', ['.git']);
      await c!.downloadDir('/rsrc', '/ldst', []);
      await assert.rejects(c!.uploadDir('/dst', '/missing'), { message: 'stat /missing: no such file or directory' });
      await assert.rejects(c!.download('/nope', collect().w), { message: 'open /nope: no such file' });
      await assert.rejects(c!.start({ command: 'fail-to-start' }), { message: 'cannot start: no route to host' });
      await assert.rejects(c!.start({ command: 'disconnect' }), /disconnected/);
    },
  } as Provisioner);
  try {
    await builder.c.prepare({});
    await provisioner.c.prepare({ inline: ['x'] });
    const ui = new RecordingUi();
    ui.answers = ['a'];
    const core: Hook = {
      async run(name, hui, hcomm, data, signal) {
        assert.equal(name, 'packer_provision');
        await provisioner.c.provision(hui, hcomm, data as Record<string, unknown>, signal!);
      },
    };
    await builder.c.run(ui, core, new AbortController().signal);
    assert.deepEqual(seenData, { ID: 'i-1', Port: 22, Nested: { a: [1, 'b'] } });
    assert.match(ui.text(), /provisioning\nexit 3, 1000 bytes, stderr done\ndownloaded: hello world/);
    assert.deepEqual(comm.uploads.map(({ path, bytes, info }) => ({ path, bytes, info })), [{ path: '/remote/f.txt', bytes: 11, info: { name: 'f.txt', size: 11, mode: 0o644 } }]);
    assert.deepEqual(comm.dirs, ['up /src/ -> /dst [.git]', 'down /rsrc -> /ldst []']);
    assert.deepEqual(comm.commands, ['big 1000', 'fail-to-start', 'disconnect']);
  } finally {
    builder.close();
    provisioner.close();
  }
});

/** A communicator proxy whose server side is a MemComm, through one in-memory pair (via a hook). */
async function commThroughBoundary(comm: Communicator, body: (c: Communicator) => Promise<void>): Promise<void> {
  const b = await connect('builder', new TsBuilder(comm));
  try {
    await b.c.prepare({ none: true });
    let failure: unknown;
    await b.c.run(new RecordingUi(), { async run(_n, _u, c) { try { await body(c!); } catch (e) { failure = e; } } }, new AbortController().signal);
    if (failure) throw failure;
  } finally {
    b.close();
  }
}

test('Communicator.Start streams 10 MB of stdout, stdin both ways, and delivers the exit code', async () => {
  await commThroughBoundary(new MemComm(), async (c) => {
    const out = collect();
    const err = collect();
    const t0 = process.hrtime.bigint();
    const code = await c.start({ command: `big ${10 * 1024 * 1024}`, stdout: out.w, stderr: err.w });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`# 10 MB remote stdout through the boundary: ${(10 / s).toFixed(0)} MB/s`);
    assert.equal(code, 3);
    assert.equal(out.bytes(), 10 * 1024 * 1024);
    assert.equal(err.text(), 'done\n');
    const echoed = collect();
    assert.equal(await c.start({ command: 'cat', stdin: Readable.from([Buffer.from('a'), Buffer.from('b\n')]), stdout: echoed.w }), 0);
    assert.equal(echoed.text(), 'ab\n');
    assert.equal(await c.start({ command: 'unknown' }), 127, 'no streams at all');
  });
});

test('Communicator.Upload of 50 MB through the boundary (streamed, checked by hash)', async () => {
  const comm = new MemComm();
  const size = 50 * 1024 * 1024;
  const h = createHash('sha256');
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
  let sent = 0;
  const input = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      sent += chunk.length;
      h.update(chunk);
      this.push(chunk);
    },
  });
  await commThroughBoundary(comm, async (c) => {
    const t0 = process.hrtime.bigint();
    await c.upload('/big.bin', input);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`# 50 MB upload through the boundary: ${(50 / s).toFixed(0)} MB/s`);
  });
  assert.equal(comm.uploads.length, 1);
  assert.equal(comm.uploads[0]!.bytes, size);
  assert.equal(comm.uploads[0]!.sha, h.digest('hex'));
  assert.equal(comm.uploads[0]!.info, undefined);
});

test('PostProcessor: Configure, PostProcess with the input artifact served back, new artifact, Err in the reply', async () => {
  const seen: string[] = [];
  let configured: unknown[] = [];
  const pp: PostProcessor = {
    async configure(...raws) { configured = raws; },
    async postProcess(ui, a): Promise<PostProcessResult> {
      const mode = (configured[0] as { mode: string }).mode;
      seen.push(`${await a.builderId()} ${await a.id()} ${(await a.files()).join(',')} ${String(await a.state('k'))}`);
      ui.say(`processing ${await a.string()}`);
      if (mode === 'fail') throw new Error('checksum: open /a: no such file');
      if (mode === 'same') return { artifact: a, keep: true, forceOverride: true };
      if (mode === 'none') return { keep: true, forceOverride: false };
      return { artifact: new BasicArtifact({ builderId: 'ts.pp', files: ['/a.sum'], string: 'sums' }), keep: false, forceOverride: false };
    },
  };
  const { c, close } = await connect('post-processor', pp);
  const input = new BasicArtifact({ builderId: 'b', id: 'I', files: ['/a'], string: 'input', state: { k: 'v' } });
  const ui = new RecordingUi();
  try {
    await c.configure({ mode: 'new' });
    const r1 = await c.postProcess(ui, input, new AbortController().signal);
    assert.equal(r1.keep, false);
    assert.equal(await r1.artifact!.builderId(), 'ts.pp');
    assert.deepEqual(await r1.artifact!.files(), ['/a.sum']);
    await c.configure({ mode: 'same' });
    const r2 = await c.postProcess(ui, input, new AbortController().signal);
    assert.deepEqual([r2.keep, r2.forceOverride], [true, true]);
    assert.equal(await r2.artifact!.string(), 'input', 'the input artifact, served back through the plugin');
    await c.configure({ mode: 'none' });
    assert.deepEqual(await c.postProcess(ui, input, new AbortController().signal), { keep: false, forceOverride: false });
    await c.configure({ mode: 'fail' });
    await assert.rejects(c.postProcess(ui, input, new AbortController().signal), (e: unknown) => e instanceof RemoteError && e.message === 'checksum: open /a: no such file');
    assert.deepEqual(seen, Array(4).fill('b I /a v'));
    assert.equal(ui.text('say'), Array(4).fill('processing input').join('\n'));
  } finally {
    close();
  }
});

test('Artifact.Destroy and Provisioner.Prepare errors keep their message', async () => {
  const prov: Provisioner = {
    async prepare() { throw new MultiError(['inline or script required']); },
    async provision() {},
  };
  const p = await connect('provisioner', prov);
  try {
    await assert.rejects(p.c.prepare({}), (e: unknown) => e instanceof RpcError && e.message === MultiError.format([new Error('inline or script required')]));
  } finally {
    p.close();
  }
  const b = await connect('builder', {
    async prepare() { return {}; },
    async run() { return new BasicArtifact({ builderId: 'x', string: 's', destroy: async () => { throw new Error('cannot delete image ami-1'); } }); },
  });
  try {
    await b.c.prepare();
    const art = await b.c.run(new RecordingUi(), { run: async () => {} }, new AbortController().signal);
    await assert.rejects(art!.destroy(), { message: 'cannot delete image ami-1' });
  } finally {
    b.close();
  }
});
