/** protocol.ts: --protobuf only when every plugin with components describes v2 and PACKER_FORCE_GOB is unset or 0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEncoding, withEncoding, type PluginMap, type PluginRef } from '../src/plugins/index.ts';

const ref = (path: string, protocolVersion: string | undefined, kind: PluginRef['kind'] = 'builder'): PluginRef =>
  ({ kind, name: `x-${path}`, path, args: ['start', kind, 'c'], source: '/d', multi: { component: 'c', protocolVersion } });

function map(...refs: PluginRef[]): PluginMap {
  const m: PluginMap = { builder: new Map(), provisioner: new Map(), 'post-processor': new Map(), datasource: new Map() };
  for (const r of refs) m[r.kind].set(r.name, r);
  return m;
}

test('protobuf when every plugin says v2 (and with no plugins at all)', () => {
  assert.equal(chooseEncoding(map(ref('/a', 'v2'), ref('/b', 'v2', 'datasource'))), 'protobuf');
  assert.equal(chooseEncoding(map(), {}), 'protobuf');
  for (const v of ['', '0']) assert.equal(chooseEncoding(map(ref('/a', 'v2')), { PACKER_FORCE_GOB: v }), 'protobuf');
});

test('gob when one plugin lacks v2 or PACKER_FORCE_GOB is set; Packer\'s log line names the plugin', () => {
  const lines: string[] = [];
  assert.equal(chooseEncoding(map(ref('/a', 'v2'), ref('/old', undefined, 'provisioner')), {}, (l) => lines.push(l)), 'gob');
  assert.deepEqual(lines, ['plugin "/old" does not support Protobuf, forcing use of Gob']);
  assert.equal(chooseEncoding(map(ref('/a', 'v2')), { PACKER_FORCE_GOB: '1' }), 'gob');
  assert.equal(chooseEncoding(map(), { PACKER_FORCE_GOB: 'true' }), 'gob');
  // Packer 1.6 executables have no describe and do not count
  const legacy: PluginRef = { kind: 'builder', name: 'file', path: '/p/packer-builder-file', args: [], source: '/p' };
  assert.equal(chooseEncoding(map(ref('/a', 'v2'), legacy)), 'protobuf');
});

test('the flag goes before the component name (core 1.12+); legacy refs are left alone', () => {
  assert.deepEqual(withEncoding(ref('/a', 'v2'), 'protobuf').args, ['start', 'builder', '--protobuf', 'c']);
  assert.equal(withEncoding(ref('/a', 'v2'), 'protobuf').encoding, 'protobuf');
  assert.deepEqual(withEncoding(ref('/a', 'v2'), 'gob').args, ['start', 'builder', 'c']);
  const legacy: PluginRef = { kind: 'builder', name: 'file', path: '/p', args: [], source: '/p' };
  assert.equal(withEncoding(legacy, 'protobuf'), legacy);
});
