import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  Session, Stream, YamuxError, encodeHeader, INITIAL_STREAM_WINDOW,
  TYPE_DATA, TYPE_WINDOW_UPDATE, TYPE_PING, TYPE_GO_AWAY, FLAG_SYN, FLAG_ACK, FLAG_FIN, FLAG_RST,
} from '../src/rpc/yamux.ts';
import { duplexPair, sessionPair, tap } from '../src/rpc/pair.ts';

interface Frame { type: number; flags: number; id: number; length: number; data: Buffer }

/** Parses every yamux frame out of a byte log. */
function frames(bytes: Buffer): Frame[] {
  const out: Frame[] = [];
  let o = 0;
  while (o + 12 <= bytes.length) {
    const type = bytes[o + 1]!;
    const length = bytes.readUInt32BE(o + 8);
    const dl = type === TYPE_DATA ? length : 0;
    out.push({ type, flags: bytes.readUInt16BE(o + 2), id: bytes.readUInt32BE(o + 4), length, data: bytes.subarray(o + 12, o + 12 + dl) });
    o += 12 + dl;
  }
  return out;
}

function recorder(d: Duplex): () => Frame[] {
  const chunks: Buffer[] = [];
  tap(d, (c) => chunks.push(Buffer.from(c)));
  return () => frames(Buffer.concat(chunks));
}

/** Reads a stream to its end without destroying it (for-await would abort a duplex's write side). */
function readAll(s: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    s.once('end', () => resolve(Buffer.concat(parts)));
    s.once('error', reject);
    s.resume();
  });
}

const tick = () => new Promise((r) => setImmediate(r));

test('open/accept: odd ids for the client, even for the server; SYN then ACK window updates', async () => {
  const { client, server, clientConn, serverConn } = sessionPair();
  const cw = recorder(clientConn);
  const sw = recorder(serverConn);
  const a = client.open();
  const b = client.open();
  assert.equal(a.id, 1);
  assert.equal(b.id, 3);
  const sa = await server.accept();
  assert.equal(sa.id, 1);
  const c = server.open();
  assert.equal(c.id, 2);
  const cc = await client.accept();
  assert.equal(cc.id, 2);
  await tick();
  const cf = cw();
  assert.deepEqual(cf.slice(0, 2).map((f) => [f.type, f.flags, f.id, f.length]), [[TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0], [TYPE_WINDOW_UPDATE, FLAG_SYN, 3, 0]]);
  const sf = sw();
  assert.deepEqual(sf[0] && [sf[0].type, sf[0].flags, sf[0].id, sf[0].length], [TYPE_WINDOW_UPDATE, FLAG_ACK, 1, 0]);
  client.close();
  server.close();
});

test('header encoding is 12 bytes big-endian, version 0', () => {
  assert.equal(encodeHeader(TYPE_WINDOW_UPDATE, FLAG_SYN | FLAG_FIN, 0x01020304, 0x0a0b0c0d).toString('hex'), '0001000501020304' + '0a0b0c0d');
});

test('data both ways, FIN half-close: the peer sees end and can still answer', async () => {
  const { client, server } = sessionPair();
  const a = client.open();
  a.end(Buffer.from('hello'));
  const b = await server.accept();
  assert.equal((await readAll(b)).toString(), 'hello');
  b.end('world');
  assert.equal((await readAll(a)).toString(), 'world');
  await tick();
  assert.equal(client.numStreams, 0);
  assert.equal(server.numStreams, 0);
  client.close();
  server.close();
});

test('flow control: a writer stops at the peer window and resumes as the reader consumes', async () => {
  const { client, server, clientConn } = sessionPair();
  const cw = recorder(clientConn);
  const a = client.open();
  const b = await server.accept();
  b.pause();
  const big = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  let written = false;
  a.write(big, () => { written = true; });
  for (let i = 0; i < 20; i++) await tick();
  const sent = cw().filter((f) => f.type === TYPE_DATA).reduce((n, f) => n + f.length, 0);
  assert.equal(sent, INITIAL_STREAM_WINDOW, 'only one window of data goes out while the reader is paused');
  assert.equal(written, false);
  a.end();
  const got = await readAll(b);
  assert.equal(written, true);
  assert.ok(got.equals(big));
  const dataFrames = cw().filter((f) => f.type === TYPE_DATA);
  assert.ok(dataFrames.every((f) => f.length <= INITIAL_STREAM_WINDOW));
  client.close();
  server.close();
});

test('a larger maxStreamWindow is advertised on SYN/ACK (delta over 256 KiB)', async () => {
  const { client, server, clientConn } = sessionPair({ maxStreamWindow: 1 << 20 });
  const cw = recorder(clientConn);
  client.open();
  await server.accept();
  await tick();
  const f = cw()[0]!;
  assert.deepEqual([f.type, f.flags, f.length], [TYPE_WINDOW_UPDATE, FLAG_SYN, (1 << 20) - INITIAL_STREAM_WINDOW]);
  client.close();
  server.close();
});

test('RST: reset() destroys the peer stream with ECONNRESET', async () => {
  const { client, server } = sessionPair();
  const a = client.open();
  a.write('x');
  const b = await server.accept();
  const err = once(b, 'error');
  a.reset();
  const [e] = await err;
  assert.ok(e instanceof YamuxError);
  assert.equal(e.code, 'ECONNRESET');
  client.close();
  server.close();
});

test('ping: answered by the peer; a raw SYN ping gets an ACK with the same id', async () => {
  const { client, server } = sessionPair();
  const rtt = await client.ping();
  assert.equal(typeof rtt, 'number');
  assert.ok(rtt >= 0);
  client.close();
  server.close();

  const [x, y] = duplexPair();
  const s = Session.server(y);
  const got: Buffer[] = [];
  x.on('data', (c: Buffer) => got.push(c));
  x.write(encodeHeader(TYPE_PING, FLAG_SYN, 0, 77));
  await tick(); await tick();
  const f = frames(Buffer.concat(got));
  assert.deepEqual(f.map((g) => [g.type, g.flags, g.id, g.length]), [[TYPE_PING, FLAG_ACK, 0, 77]]);
  s.close();
});

test('GoAway: the peer refuses to open; incoming SYNs are answered with RST', async () => {
  const { client, server, serverConn } = sessionPair();
  const sw = recorder(serverConn);
  server.goAway();
  await tick(); await tick();
  assert.throws(() => client.open(), (e: unknown) => e instanceof YamuxError && e.code === 'REMOTE_GO_AWAY');
  assert.deepEqual(sw().map((f) => [f.type, f.length]), [[TYPE_GO_AWAY, 0]]);
  // a raw SYN is reset
  const [x, y] = duplexPair();
  const s = Session.server(y);
  s.goAway();
  const got: Buffer[] = [];
  x.on('data', (c: Buffer) => got.push(c));
  x.write(encodeHeader(TYPE_WINDOW_UPDATE, FLAG_SYN, 5, 0));
  await tick(); await tick();
  assert.deepEqual(frames(Buffer.concat(got)).map((f) => [f.type, f.flags, f.id]), [[TYPE_GO_AWAY, 0, 0], [TYPE_WINDOW_UPDATE, FLAG_RST, 5]]);
  s.close();
  client.close();
  server.close();
});

test('session close destroys streams and fails accept; peer sees its streams closed', async () => {
  const { client, server } = sessionPair();
  const a = client.open();
  const b = await server.accept();
  const pending = server.accept();
  const closedA = once(a, 'close');
  const closedB = once(b, 'close');
  client.close();
  await closedA;
  await closedB;
  await assert.rejects(pending, (e: unknown) => e instanceof YamuxError && e.code === 'SESSION_SHUTDOWN');
  assert.equal(server.isClosed, true);
  assert.throws(() => client.open());
});

test('protocol error: data beyond the receive window closes the session with GoAway(protocol error)', async () => {
  const [x, y] = duplexPair();
  const s = Session.server(y);
  const got: Buffer[] = [];
  x.on('data', (c: Buffer) => got.push(c));
  x.write(encodeHeader(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0));
  const st = await s.accept();
  st.on('error', () => {});
  const closed = once(s, 'close');
  x.write(Buffer.concat([encodeHeader(TYPE_DATA, 0, 1, INITIAL_STREAM_WINDOW + 1), Buffer.alloc(INITIAL_STREAM_WINDOW + 1)]));
  const [err] = await closed;
  assert.ok(err instanceof YamuxError && err.code === 'PROTOCOL');
  const f = frames(Buffer.concat(got));
  assert.deepEqual(f.map((g) => [g.type, g.length]).at(-1), [TYPE_GO_AWAY, 1]);
});

test('frames split at every byte boundary are reassembled; data for unknown streams is skipped', async () => {
  const [x, y] = duplexPair();
  const s = Session.server(y);
  const wire = Buffer.concat([
    encodeHeader(TYPE_DATA, 0, 99, 3), Buffer.from('zzz'),
    encodeHeader(TYPE_WINDOW_UPDATE, FLAG_SYN, 1, 0),
    encodeHeader(TYPE_DATA, 0, 1, 5), Buffer.from('abcde'),
    encodeHeader(TYPE_DATA, FLAG_FIN, 1, 2), Buffer.from('fg'),
  ]);
  for (const b of wire) x.write(Buffer.from([b]));
  const st = await s.accept();
  assert.equal((await readAll(st)).toString(), 'abcdefg');
  s.close();
});

test('keepalive pings the peer periodically', async () => {
  const [x, y] = duplexPair();
  const c = Session.client(x, { keepAliveMs: 20 });
  const s = Session.server(y);
  const rec = recorder(x);
  await new Promise((r) => setTimeout(r, 90));
  assert.ok(rec().filter((f) => f.type === TYPE_PING && f.flags === FLAG_SYN).length >= 2);
  assert.equal(c.isClosed, false);
  c.close();
  s.close();
});

test('throughput over a unix socket (printed, not asserted)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yamux-'));
  const sock = path.join(dir, 's');
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(sock, r));
  try {
    for (const win of [INITIAL_STREAM_WINDOW, 16 << 20]) {
      const acceptedP = once(srv, 'connection');
      const c = net.connect(sock);
      await once(c, 'connect');
      const [sconn] = (await acceptedP) as [net.Socket];
      const cs = Session.client(c, { maxStreamWindow: win });
      const ss = Session.server(sconn, { maxStreamWindow: win });
      const total = 512 << 20;
      const chunk = Buffer.alloc(4 << 20, 1);
      const a: Stream = cs.open();
      const b = await ss.accept();
      let got = 0;
      const done = new Promise<void>((r) => { b.on('data', (d: Buffer) => { got += d.length; }); b.on('end', r); });
      const t0 = performance.now();
      for (let sent = 0; sent < total; sent += chunk.length) {
        if (!a.write(chunk)) await once(a, 'drain');
      }
      a.end();
      await done;
      const secs = (performance.now() - t0) / 1000;
      assert.equal(got, total);
      console.log(`# yamux unix socket, window ${win >> 10} KiB: ${(total / secs / 1e9).toFixed(2)} GB/s`);
      cs.close();
      ss.close();
    }
  } finally {
    srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
