import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { encode, encodeAll, decode, Decoder, float64, Ext, MsgpackError } from '../src/rpc/codec.ts';

const wire = JSON.parse(fs.readFileSync(new URL('./fixtures/rpc/go-wire.json', import.meta.url), 'utf8')) as Record<string, string>;
const hex = (b: Buffer) => b.toString('hex');

/** Decodes every value of a byte string. */
function decodeAllOf(buf: Buffer): unknown[] {
  const d = new Decoder();
  d.push(buf);
  const out: unknown[] = [];
  for (let r = d.next(); r; r = d.next()) out.push(r.value);
  assert.equal(d.buffered, 0, 'no bytes left over');
  return out;
}

test('integers use the smallest form, non-negative as uint (ugorji EncodeInt)', () => {
  const cases: [unknown, string][] = [
    [0, '00'], [127, '7f'], [128, 'cc80'], [255, 'ccff'], [256, 'cd0100'], [65535, 'cdffff'], [65536, 'ce00010000'],
    [4294967295, 'ceffffffff'], [4294967296, 'cf0000000100000000'], [-1, 'ff'], [-32, 'e0'], [-33, 'd0df'], [-128, 'd080'],
    [-129, 'd1ff7f'], [-32768, 'd18000'], [-32769, 'd2ffff7fff'], [-2147483649, 'd3ffffffff7fffffff'],
    [18446744073709551615n, 'cfffffffffffffffff'], [-9223372036854775808n, 'd38000000000000000'], [5n, '05'],
  ];
  for (const [v, h] of cases) assert.equal(hex(encode(v)), h, `encode ${String(v)}`);
  for (const [v, h] of cases) assert.equal(decode(Buffer.from(h, 'hex')), v === 5n ? 5 : v, `decode ${h}`);
});

test('floats: fractional numbers and float64() go as float64, like Go float64', () => {
  assert.equal(hex(encode(1.5)), 'cb3ff8000000000000');
  assert.equal(hex(encode(float64(3))), 'cb4008000000000000');
  assert.equal(hex(encode(NaN)).slice(0, 2), 'cb');
  assert.equal(decode(Buffer.from('ca3fc00000', 'hex')), 1.5);
});

test('strings: fixstr, then str8 (WriteExt), str16, str32; bytes: bin', () => {
  assert.equal(hex(encode('')), 'a0');
  assert.equal(hex(encode('abc')), 'a3616263');
  assert.equal(hex(encode('x'.repeat(31))).slice(0, 2), 'bf');
  assert.equal(hex(encode('x'.repeat(32))).slice(0, 4), 'd920');
  assert.equal(hex(encode('é'.repeat(20))).slice(0, 4), 'd928', 'UTF-8 length decides the form');
  assert.equal(hex(encode('x'.repeat(256))).slice(0, 6), 'da0100');
  assert.equal(hex(encode('x'.repeat(65536))).slice(0, 10), 'db00010000');
  assert.equal(hex(encode(Buffer.from([1, 2]))), 'c4020102');
  assert.equal(hex(encode(new Uint8Array(300))).slice(0, 6), 'c5012c');
  const s = 'héllo wörld ✓ '.repeat(50);
  assert.equal(decode(encode(s)), s);
  const b = decode(Buffer.from('c4020102', 'hex'));
  assert.ok(Buffer.isBuffer(b));
  assert.deepEqual([...(b as Buffer)], [1, 2]);
});

test('nil, bools, arrays, maps, Map, ext; undefined keys are left out', () => {
  assert.equal(hex(encode(null)), 'c0');
  assert.equal(hex(encode(undefined)), 'c0');
  assert.equal(hex(encode([true, false, null])), '93c3c2c0');
  assert.equal(hex(encode({})), '80');
  assert.equal(hex(encode({ a: 1, b: undefined })), '81a16101');
  assert.equal(hex(encode(new Map<unknown, unknown>([[1, 'x']]))), '8101a178');
  assert.equal(hex(encode(new Array(16).fill(0))).slice(0, 6), 'dc0010');
  assert.equal(hex(encode(new Ext(5, Buffer.from([9])))), 'd40509');
  assert.deepEqual(decode(Buffer.from('8101a178', 'hex')), new Map([[1, 'x']]));
  const e = decode(Buffer.from('c70305010203', 'hex'));
  assert.ok(e instanceof Ext && e.type === 5 && e.data.length === 3);
  const proto = decode(encode({ ['__proto__']: 1 })) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
  assert.throws(() => encode(() => 1), MsgpackError);
  assert.throws(() => decode(Buffer.from('c1', 'hex')), MsgpackError);
  assert.throws(() => decode(Buffer.from('92c0', 'hex')), MsgpackError);
  assert.throws(() => decode(Buffer.from('c0c0', 'hex')), MsgpackError);
});

test('real Packer core request: Builder.Prepare header and configs (JSON numbers arrive as float64)', () => {
  const [h, body] = decodeAllOf(Buffer.from(wire.core_prepare_request!, 'hex')) as [Record<string, unknown>, { Configs: Record<string, unknown>[] }];
  assert.deepEqual(h, { ServiceMethod: 'Builder.Prepare', Seq: 0 });
  const [tpl, packer] = body.Configs;
  assert.equal(tpl!.foo, 'bar');
  assert.equal(tpl!.n, 3);
  assert.deepEqual(tpl!.list, [1, 'a']);
  assert.equal(tpl!.nil, null);
  assert.deepEqual(tpl!.obj, {});
  assert.equal((tpl!.s300 as string).length, 147);
  assert.equal('type' in tpl!, false);
  assert.equal(packer!.packer_core_version, '1.6.6');
  assert.deepEqual(packer!.packer_user_variables, {});
  // The header is re-encoded byte for byte (Go's struct fields in declaration order).
  assert.equal(hex(encode(h)), wire.core_prepare_request!.slice(0, hex(encode(h)).length));
});

test('responses of a real Go plugin decode, and re-encode to the same bytes', () => {
  const keys = ['go_prepare_error_response', 'go_prepare_ok_response', 'go_method_not_found_response', 'go_service_not_found_response',
    'go_hook_run_request', 'go_ui_say_request', 'go_ui_say_response', 'go_builder_run_response', 'go_artifact_builder_id_response',
    'go_artifact_files_response', 'go_artifact_state_response'];
  for (const k of keys) {
    const bytes = Buffer.from(wire[k]!, 'hex');
    const values = decodeAllOf(bytes);
    assert.equal(values.length, 2, k);
    assert.equal(hex(encodeAll(...values)), wire[k], `${k} re-encodes identically`);
  }
  const [h, body] = decodeAllOf(Buffer.from(wire.go_prepare_error_response!, 'hex'));
  assert.deepEqual(h, { ServiceMethod: 'Builder.Prepare', Seq: 0, Error: '' });
  assert.deepEqual(body, { GeneratedVars: null, Warnings: [], Error: { Message: '1 error(s) occurred:\n\n* target required' } });
  const [nh, nb] = decodeAllOf(Buffer.from(wire.go_method_not_found_response!, 'hex'));
  assert.equal((nh as Record<string, unknown>).Error, "rpc: can't find method Builder.Nope");
  assert.deepEqual(nb, {}, 'an error reply carries an empty struct, an empty map');
  assert.deepEqual(decodeAllOf(Buffer.from(wire.go_hook_run_request!, 'hex'))[1], { Name: 'packer_provision', Data: null, StreamId: 1 });
  assert.equal(decodeAllOf(Buffer.from(wire.go_ui_say_response!, 'hex'))[1], null, 'interface{} nil reply');
});

test('Decoder: values split at every byte boundary, many values in one chunk', () => {
  const values = [{ ServiceMethod: 'A.B', Seq: 7 }, ['x'.repeat(300), Buffer.alloc(70000, 2), -5, 1.25], null, { deep: { er: [1, { a: 'b' }] } }];
  const bytes = encodeAll(...values);
  const d = new Decoder();
  const got: unknown[] = [];
  for (const byte of bytes) {
    d.push(Buffer.from([byte]));
    for (let r = d.next(); r; r = d.next()) got.push(r.value);
  }
  assert.deepEqual(got, values);
  assert.deepEqual(decodeAllOf(bytes), values);
});

test('Decoder: nested values in chunks of every size decode as one-shot; state survives between chunks', () => {
  const value = { a: [1, [2, [3, 'x'.repeat(300)]], { b: Buffer.from([1, 2, 3]) }], c: new Map<unknown, unknown>([[1, -0.5]]), d: -(2n ** 60n) };
  const bytes = encodeAll(value, [[], {}], 'tail');
  const want = [decode(encode(value)), [[], {}], 'tail'];
  for (const size of [1, 2, 3, 7, 64, bytes.length]) {
    const d = new Decoder();
    const got: unknown[] = [];
    for (let i = 0; i < bytes.length; i += size) {
      d.push(bytes.subarray(i, i + size));
      for (let r = d.next(); r; r = d.next()) got.push(r.value);
      if (i + size < bytes.length) assert.ok(got.length < 3, 'no value before its last byte');
    }
    assert.deepEqual(got, want, `chunks of ${size}`);
    assert.equal(d.buffered, 0);
    assert.equal(d.partial, false);
  }
  // an array still open after 20,000 one-byte elements arrived in small chunks keeps them all
  const d = new Decoder();
  const open = Buffer.concat([Buffer.from([0xdd, 0, 0, 0x4e, 0x21]), Buffer.alloc(20_000, 1)]);
  for (let i = 0; i < open.length; i += 10) { d.push(open.subarray(i, i + 10)); assert.equal(d.next(), undefined); }
  assert.equal(d.partial, true);
  assert.equal(d.buffered, 0, 'consumed bytes are not kept');
  d.push(Buffer.from([7]));
  const r = d.next() as { value: number[] };
  assert.equal(r.value.length, 20_001);
  assert.equal(r.value[20_000], 7);
});

test('float64 -0 round-trips; nesting beyond 1024 levels is an error, not a stack overflow', () => {
  assert.equal(hex(encode(-0)), 'cb8000000000000000');
  assert.ok(Object.is(decode(encode(-0)), -0));
  assert.ok(Object.is((decode(encode([-0])) as number[])[0], -0));
  const deep = (n: number) => Buffer.concat([Buffer.alloc(n, 0x91), Buffer.from([0xc0])]);
  let v = decode(deep(1024));
  for (let i = 0; i < 1024; i++) v = (v as unknown[])[0];
  assert.equal(v, null);
  assert.throws(() => decode(deep(1025)), /^MsgpackError: msgpack: maximum decoding depth exceeded$/);
  assert.throws(() => decode(deep(1_000_000)), /maximum decoding depth exceeded/);
});
