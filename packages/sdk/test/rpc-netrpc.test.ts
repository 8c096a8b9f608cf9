import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcClient, RpcServer, RpcError, RpcConnectionError } from '../src/rpc/netrpc.ts';
import { Decoder, encodeAll } from '../src/rpc/codec.ts';
import { brokerPair, duplexPair, sessionPair, tap } from '../src/rpc/pair.ts';
import { BrokerError, MuxBroker } from '../src/rpc/broker.ts';
import { parseHandshake, waitForHandshake, formatHandshake, HandshakeError, MANUALLY_STARTED_MESSAGE } from '../src/rpc/handshake.ts';
import { PassThrough } from 'node:stream';

async function rpcPair(server: RpcServer) {
  const { client, server: ss } = sessionPair();
  const a = client.open();
  const b = await ss.accept();
  const serving = server.serve(b);
  return { rpc: RpcClient.over(a), serving, client, ss };
}

test('calls, concurrent replies matched by Seq (out of order), handler name forms', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const server = new RpcServer().register('Svc', {
    async Slow(n: number) { await gate; return n * 2; },
    fast(s: string) { return s.toUpperCase(); },
    Nothing() { return undefined; },
  });
  const { rpc, client, ss } = await rpcPair(server);
  const slow = rpc.call<number>('Svc.Slow', 21);
  const fast = await rpc.call<string>('Svc.Fast', 'abc');
  assert.equal(fast, 'ABC');
  release();
  assert.equal(await slow, 42);
  assert.equal(await rpc.call('Svc.Nothing'), null);
  client.close();
  ss.close();
});

test('errors: thrown/rejected handlers and Go texts for unknown service/method', async () => {
  const server = new RpcServer().register('Svc', {
    Boom() { throw new Error('it broke'); },
    async Later() { throw new Error('later'); },
  });
  const { rpc, client, ss } = await rpcPair(server);
  await assert.rejects(rpc.call('Svc.Boom'), (e: unknown) => e instanceof RpcError && e.message === 'it broke' && e.method === 'Svc.Boom');
  await assert.rejects(rpc.call('Svc.Later'), { name: 'RpcError', message: 'later' });
  await assert.rejects(rpc.call('Svc.Missing'), { name: 'RpcError', message: "rpc: can't find method Svc.Missing" });
  await assert.rejects(rpc.call('Svc.constructor'), { message: "rpc: can't find method Svc.constructor" });
  await assert.rejects(rpc.call('Svc.toString'), { message: "rpc: can't find method Svc.toString" });
  await assert.rejects(rpc.call('Nope.X'), { message: "rpc: can't find service Nope.X" });
  await assert.rejects(rpc.call('NoDot'), { message: 'rpc: service/method request ill-formed: NoDot' });
  client.close();
  ss.close();
});

test('server wire format: response header {ServiceMethod, Seq, Error}; error body is an empty map; nil reply is nil', async () => {
  const [a, b] = duplexPair();
  const server = new RpcServer().register('Ui', { Say() {}, Fail() { throw new Error('x'); } });
  void server.serve(b);
  const dec = new Decoder();
  const values: unknown[] = [];
  a.on('data', (c: Buffer) => { dec.push(c); for (let r = dec.next(); r; r = dec.next()) values.push(r.value); });
  a.write(encodeAll({ ServiceMethod: 'Ui.Say', Seq: 0 }, 'hi'));
  a.write(encodeAll({ ServiceMethod: 'Ui.Fail', Seq: 1 }, null));
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(values, [
    { ServiceMethod: 'Ui.Say', Seq: 0, Error: '' }, null,
    { ServiceMethod: 'Ui.Fail', Seq: 1, Error: 'x' }, {},
  ]);
  const [c, d] = duplexPair();
  const sent: Buffer[] = [];
  tap(c, (x) => sent.push(x));
  const rpc = RpcClient.over(c);
  const pending = rpc.call('Builder.Prepare', { Configs: [] });
  assert.equal(Buffer.concat(sent).toString('hex'), encodeAll({ ServiceMethod: 'Builder.Prepare', Seq: 0 }, { Configs: [] }).toString('hex'));
  assert.equal(Buffer.concat(sent).subarray(0, 3).toString('hex'), '82ad53', 'header is a 2-entry map starting with ServiceMethod');
  rpc.close();
  await assert.rejects(pending, { message: 'connection is shut down' });
  d.destroy();
});

test('connection loss rejects pending calls; close() rejects with "connection is shut down"', async () => {
  const server = new RpcServer().register('S', { Hang() { return new Promise(() => {}); } });
  const { rpc, client, ss } = await rpcPair(server);
  const p = rpc.call('S.Hang');
  ss.close();
  await assert.rejects(p, (e: unknown) => e instanceof RpcConnectionError && e.message === 'unexpected EOF');
  await assert.rejects(rpc.call('S.Hang'), RpcConnectionError);
  client.close();

  const again = await rpcPair(server);
  const q = again.rpc.call('S.Hang');
  again.rpc.close();
  await assert.rejects(q, { message: 'connection is shut down' });
  again.client.close();
  again.ss.close();
});

test('broker: dial/accept in either order, id echoed little-endian, nested servers', async () => {
  const { client, server } = brokerPair();
  // main channel: core dials 0, plugin accepts 0
  const acceptMain = server.accept(0);
  const main = await client.dial(0);
  const srvMain = await acceptMain;
  assert.ok(main.id % 2 === 1);
  assert.ok(srvMain);
  // accept after the dial arrived (parked stream)
  const id = client.nextId();
  assert.equal(id, 1);
  assert.equal(client.nextId(), 2);
  const dialing = server.dial(7);
  await new Promise((r) => setTimeout(r, 5));
  const got = await client.accept(7);
  const dialed = await dialing;
  dialed.write('ping');
  const data = await new Promise<Buffer>((r) => got.once('data', r));
  assert.equal(data.toString(), 'ping');
  // RPC through the broker
  const ui = new RpcServer().register('Ui', { Say: (m: string) => `said ${m}` });
  const serving = client.serveRpc(3, ui);
  const rpc = await server.dialRpc(3);
  assert.equal(await rpc.call('Ui.Say', 'x'), 'said x');
  rpc.close();
  await serving;
  client.close();
  await server.session.closed;
});

test('broker: the dialer writes the id as 4 little-endian bytes; accept times out', async () => {
  const { client, server, clientConn } = sessionPair();
  const bc = new MuxBroker(client);
  const bs = new MuxBroker(server);
  const sent: Buffer[] = [];
  tap(clientConn, (x) => sent.push(x));
  const acc = bs.accept(0x01020304);
  await bc.dial(0x01020304);
  await acc;
  const payloads = Buffer.concat(sent);
  assert.ok(payloads.includes(Buffer.from('04030201', 'hex')));
  await assert.rejects(bs.accept(9, 20), (e: unknown) => e instanceof BrokerError && e.message === 'timeout waiting for accept');
  client.close();
  server.close();
});

test('handshake: both line forms, tcp, and Packer error texts', async () => {
  assert.deepEqual(parseHandshake('5|unix|/tmp/packer-plugin123\n'), { apiVersion: '5', network: 'unix', address: '/tmp/packer-plugin123' });
  assert.deepEqual(parseHandshake('5|0|unix|/tmp/p'), { apiVersion: '5', apiMinor: '0', network: 'unix', address: '/tmp/p' });
  assert.deepEqual(parseHandshake('5|tcp|127.0.0.1:10000'), { apiVersion: '5', network: 'tcp', address: '127.0.0.1:10000' });
  assert.throws(() => parseHandshake('4|unix|/x'), { message: 'Incompatible API version with plugin. Plugin version: 4, Ours: 5' });
  assert.throws(() => parseHandshake('garbage'), { message: 'Unrecognized remote plugin message: garbage' });
  assert.throws(() => parseHandshake('5|udp|x'), (e: unknown) => e instanceof HandshakeError && e.message === 'Unknown address type: udp');
  assert.equal(formatHandshake('unix', '/a'), '5|unix|/a');
  assert.equal(MANUALLY_STARTED_MESSAGE, 'Please do not execute plugins directly. Packer will execute these for you.');
  const out = new PassThrough();
  const p = waitForHandshake(out, 1000);
  out.write('5|un');
  out.write('ix|/tmp/s\nmore output\n');
  assert.equal((await p).address, '/tmp/s');
  const out2 = new PassThrough();
  const p2 = waitForHandshake(out2, 1000);
  out2.end();
  await assert.rejects(p2, { message: 'plugin exited before we could connect' });
  await assert.rejects(waitForHandshake(new PassThrough(), 10), { message: 'timeout while waiting for plugin to start' });
});
