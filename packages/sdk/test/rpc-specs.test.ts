/**
 * ConfigSpec/OutputSpec and Datasource.Execute payloads, compared with what packer-plugin-oracle
 * (packer-plugin-sdk v0.6.4) put on the wire (../shared/fixtures/modern-plugins/wire/*.bin, raw
 * yamux frames of a session per component): byte for byte where Go's output is deterministic
 * (one-entry maps, protobuf, msgpack), decoded otherwise (Go writes map entries in random order).
 * Also round trips of every spec shape and cty value through both encodings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Decoder } from '../src/rpc/codec.ts';
import {
  objectSpec, specFromGob, specFromProtobuf, specLines, specToGob, specToProtobuf,
} from '../src/rpc/hcl-spec.ts';
import { ctyGob, ctyJsonConfig, ctyJsonDynamic, ctyMsgpackDynamic, decodeCtyGob, decodeCtyMsgpackDynamic, UNKNOWN, type CtyValue } from '../src/rpc/cty-msgpack.ts';
import { gobDecode, gobEncode, goStruct, goInt } from '../src/rpc/gob-codec.ts';
import { encodeCommandFinished } from '../src/rpc/adapters/gob.ts';
import type { Schema } from '../src/config/index.ts';

const WIRE = resolve(process.env.PACKER_TS_ORACLES ?? resolve(import.meta.dirname, '../../../../shared/fixtures/modern-plugins/bin'), '../wire');
const skip = existsSync(WIRE) ? undefined : `missing ${WIRE} (the modern-plugins fixtures; set PACKER_TS_ORACLES)`;

/** The reply body of `method` in a capture of the plugin's side. */
function reply(file: string, method: string): Record<string, unknown> {
  const b = readFileSync(join(WIRE, file));
  const streams = new Map<number, Buffer[]>();
  for (let p = 0; p + 12 <= b.length;) {
    const type = b[p + 1], id = b.readUInt32BE(p + 4), len = b.readUInt32BE(p + 8);
    p += 12;
    if (type === 0) { streams.set(id, [...(streams.get(id) ?? []), b.subarray(p, p + len)]); p += len; }
  }
  for (const chunks of streams.values()) {
    const d = new Decoder();
    d.push(Buffer.concat(chunks));
    const vs: unknown[] = [];
    try { for (let r = d.next(); r; r = d.next()) vs.push(r.value); } catch { continue; }
    const i = vs.findIndex((v) => (v as { ServiceMethod?: string } | null)?.ServiceMethod === method);
    if (i >= 0) return vs[i + 1] as Record<string, unknown>;
  }
  throw new Error(`${method} not in ${file}`);
}

// Gob type ids are process-wide and the oracle encoded ConfigSpec first: so does this test.
test('gob ConfigSpec of a one-attribute config: the oracle\'s bytes', { skip }, () => {
  const ours = specToGob(objectSpec({ mock: { type: 'string' } }));
  assert.deepEqual(ours, reply('gob-datasource.plugin-to-client.bin', 'Datasource.ConfigSpec').ConfigSpec);
});

test('gob specs and values with several map entries: what the oracle sent, decoded', { skip }, () => {
  const builder = objectSpec({ mock: { type: 'string' } }, { packerConfig: true });
  const theirs = specFromGob(reply('gob-builder.plugin-to-client.bin', 'Builder.ConfigSpec').ConfigSpec as Buffer);
  assert.deepEqual(specLines(theirs), specLines(builder));
  assert.equal(specLines(theirs).length, 9);
  const out = objectSpec({ foo: { type: 'string' }, bar: { type: 'string' } });
  const wireOut = reply('gob-datasource.plugin-to-client.bin', 'Datasource.OutputSpec').OutputSpec as Buffer;
  assert.deepEqual(specLines(specFromGob(wireOut)), specLines(out));
  assert.equal(specToGob(out).length, wireOut.length);
  const v: CtyValue = { type: ['object', { foo: 'string', bar: 'string' }], value: { foo: 'foo-value', bar: 'bar-value' } };
  const wireV = reply('gob-datasource.plugin-to-client.bin', 'Datasource.Execute').Value as Buffer;
  assert.deepEqual(decodeCtyGob(wireV), decodeCtyGob(ctyGob(v)));
  assert.equal(ctyGob(v).length, wireV.length);
});

test('protobuf specs and msgpack Execute: the oracle\'s bytes', { skip }, () => {
  assert.deepEqual(specToProtobuf(objectSpec({ mock: { type: 'string' } })),
    reply('protobuf-datasource.plugin-to-client.bin', 'Datasource.ConfigSpec').ConfigSpec);
  assert.deepEqual(specToProtobuf(objectSpec({ foo: { type: 'string' }, bar: { type: 'string' } })),
    reply('protobuf-datasource.plugin-to-client.bin', 'Datasource.OutputSpec').OutputSpec);
  const theirs = specFromProtobuf(reply('protobuf-builder.plugin-to-client.bin', 'Builder.ConfigSpec').ConfigSpec as Buffer);
  assert.deepEqual(specLines(theirs), specLines(objectSpec({ mock: { type: 'string' } }, { packerConfig: true })));
  const v: CtyValue = { type: ['object', { foo: 'string', bar: 'string' }], value: { foo: 'foo-value', bar: 'bar-value' } };
  assert.deepEqual(ctyMsgpackDynamic(v), reply('protobuf-datasource.plugin-to-client.bin', 'Datasource.Execute').Value);
});

test('a cty config (Packer 1.7+ sends Prepare/Configure configs as cty JSON bytes) decodes to its value', () => {
  const wire = Buffer.from('{"value":{"mock":"prov-msg","packer_force":null},"type":["object",{"mock":"string","packer_force":"bool"}]}');
  assert.deepEqual(ctyJsonConfig(wire), { mock: 'prov-msg', packer_force: null });
  assert.throws(() => ctyJsonConfig(Buffer.from('[1]')), /expected \{"value"/);
});

const NESTED: Schema = {
  name: { type: 'string' }, count: { type: 'int' }, ratio: { type: 'float' }, on: { type: 'bool' }, wait: { type: 'duration' },
  tags: { type: 'string[]' }, env: { type: 'map' }, ports: { type: { array: 'int' } },
  disk: { type: { object: { size: { type: 'int' }, label: { type: 'string' } } } },
  nic: { type: { array: { model: { type: 'string' }, mac: { type: 'string' } } } },
};

test('spec derivation follows packer-sdc: types, blocks and block lists', () => {
  assert.deepEqual(specLines(objectSpec(NESTED)), [
    'count attr name="count" type="number" required=false',
    'disk block type_name="disk" required=false',
    'disk.label attr name="label" type="string" required=false',
    'disk.size attr name="size" type="number" required=false',
    'env attr name="env" type=["map","string"] required=false',
    'name attr name="name" type="string" required=false',
    'nic block_list type_name="nic" min=0 max=0',
    'nic.mac attr name="mac" type="string" required=false',
    'nic.model attr name="model" type="string" required=false',
    'on attr name="on" type="bool" required=false',
    'ports attr name="ports" type=["list","number"] required=false',
    'ratio attr name="ratio" type="number" required=false',
    'tags attr name="tags" type=["list","string"] required=false',
    'wait attr name="wait" type="string" required=false',
  ]);
});

test('specs round-trip through gob and protobuf', () => {
  const s = objectSpec(NESTED, { packerConfig: true });
  assert.deepEqual(specLines(specFromGob(specToGob(s))), specLines(s));
  assert.deepEqual(specLines(specFromProtobuf(specToProtobuf(s))), specLines(s));
  assert.throws(() => specToProtobuf(objectSpec({ x: { type: 'any' } })), /unsupported cty\.Type conversion to protobuf-compatible structure: "dynamic"/);
});

test('cty values round-trip through gob and msgpack', () => {
  const v: CtyValue = {
    type: ['object', { s: 'string', n: 'number', f: 'number', b: 'bool', l: ['list', 'string'], m: ['map', 'number'], o: ['object', { x: 'string' }], z: 'string' }],
    value: { s: 'x', n: 42, f: 1.5, b: true, l: ['a', 'b'], m: { k: -3 }, o: { x: 'y' }, z: null },
  };
  assert.deepEqual(decodeCtyGob(ctyGob(v)).value, v.value);
  assert.deepEqual(decodeCtyMsgpackDynamic(ctyMsgpackDynamic(v)), v);
  const u: CtyValue = { type: ['object', { a: 'string' }], value: { a: UNKNOWN } };
  assert.equal((decodeCtyMsgpackDynamic(ctyMsgpackDynamic(u)).value as { a: unknown }).a, UNKNOWN);
  assert.throws(() => ctyGob(u), /type not registered for interface: cty\.unknownType/);
  assert.deepEqual(JSON.parse(ctyJsonDynamic(v).toString()).type[0], 'object');
  assert.deepEqual(ctyJsonConfig(ctyJsonDynamic(v)), { ...v.value as object });
});

test('the generic gob encoder writes CommandFinished as the communicator does', () => {
  const t = goStruct('CommandFinished', [{ name: 'ExitStatus', type: goInt }]);
  // A fresh process would give it id 64; this one has allocated others: compare decoded values.
  for (const code of [0, 1, 255, 2300218]) {
    assert.deepEqual(gobDecode(gobEncode(t, { ExitStatus: code })), code === 0 ? {} : { ExitStatus: code });
    assert.deepEqual(gobDecode(encodeCommandFinished(code)), code === 0 ? {} : { ExitStatus: code });
  }
});
