/**
 * Datasources and ConfigSpec across the real RPC layer (in-memory yamux pair), in gob and protobuf
 * mode: the client proxy decodes what the server wrapper sends, errors come back with their text,
 * execute() results take the output spec's types.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectInMemory } from '../src/plugin/index.ts';
import { decodeConfig, objectSpec, type Datasource, type Schema } from '../src/index.ts';
import { specLines } from '../src/rpc/hcl-spec.ts';

const CONFIG: Schema = { name: { type: 'string', required: true }, count: { type: 'int', default: 1 } };
const OUTPUT: Schema = {
  id: { type: 'string' }, size: { type: 'int' }, tags: { type: 'string[]' }, labels: { type: 'map' }, ok: { type: 'bool' },
  disk: { type: { object: { path: { type: 'string' } } } },
};

class Lookup implements Datasource {
  private cfg: { name: string; count: number } = { name: '', count: 0 };
  configSpec() { return objectSpec(CONFIG); }
  outputSpec() { return objectSpec(OUTPUT); }
  async configure(...raws: unknown[]): Promise<void> { this.cfg = decodeConfig<{ name: string; count: number }>(CONFIG, raws).config; }
  async execute(): Promise<Record<string, unknown>> {
    if (this.cfg.name === 'boom') throw new Error('lookup failed: boom');
    return { id: `id-${this.cfg.name}`, size: this.cfg.count * 10, tags: ['a', 'b'], labels: { k: 'v' }, ok: true, disk: { path: '/d' } };
  }
}

for (const encoding of ['gob', 'protobuf'] as const) {
  test(`datasource over RPC (${encoding}): specs, configure, execute, errors`, async () => {
    const { client, close } = await connectInMemory('datasource', new Lookup(), encoding);
    try {
      assert.deepEqual(specLines(await client.specOf()), specLines(objectSpec(CONFIG)));
      assert.deepEqual(specLines(await client.outputSpecOf()), specLines(objectSpec(OUTPUT)));
      // The core sends the HCL2 config as cty JSON bytes.
      await client.configure(Buffer.from(JSON.stringify({ value: { name: 'x', count: 3 }, type: ['object', { name: 'string', count: 'number' }] })));
      const v = await client.executeValue();
      assert.deepEqual(v.type, ['object', {
        id: 'string', size: 'number', tags: ['list', 'string'], labels: ['map', 'string'], ok: 'bool', disk: ['object', { path: 'string' }],
      }]);
      assert.deepEqual(v.value, { id: 'id-x', size: 30, tags: ['a', 'b'], labels: { k: 'v' }, ok: true, disk: { path: '/d' } });
      await assert.rejects(client.configure({}), (e: Error) => /name must be specified/.test(e.message));
      await client.configure({ name: 'boom' });
      await assert.rejects(client.execute(), { message: 'Datasource.Execute failed: lookup failed: boom' }); // the Go SDK client's wording
    } finally {
      await close();
    }
  });
}

test('builder ConfigSpec over RPC in both encodings; none declared: an empty spec', async () => {
  for (const encoding of ['gob', 'protobuf'] as const) {
    const b = { configSpec: () => objectSpec(CONFIG, { packerConfig: true }), prepare: async () => ({}), run: async () => undefined };
    const { client, close } = await connectInMemory('builder', b, encoding);
    try {
      assert.deepEqual(specLines(await client.specOf()), specLines(objectSpec(CONFIG, { packerConfig: true })));
    } finally { await close(); }
    const p = { prepare: async () => {}, provision: async () => {} };
    const c2 = await connectInMemory('provisioner', p, encoding);
    try {
      assert.deepEqual(await c2.client.specOf(), { kind: 'object', attributes: {} });
    } finally { await c2.close(); }
  }
});
