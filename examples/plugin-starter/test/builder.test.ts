/** The builder through the real plugin protocol, both ends in this process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DispatchHook, NullUi } from '@packer-ts/sdk';
import { connectInMemory } from '@packer-ts/sdk/plugin';
import { GreetingBuilder } from '../src/builder.ts';

test('greeting builder writes its file and reports it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'greeting-'));
  const p = await connectInMemory('builder', new GreetingBuilder());
  try {
    const out = join(dir, 'g.txt');
    await p.client.prepare({ greeting: 'Hi', output: out });
    const a = await p.client.run(new NullUi(), new DispatchHook(), new AbortController().signal);
    assert.equal(await readFile(out, 'utf8'), 'Hi\n');
    assert.deepEqual(await a?.files(), [out]);
  } finally {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing output is a configuration error naming the field', async () => {
  const p = await connectInMemory('builder', new GreetingBuilder());
  try {
    await assert.rejects(p.client.prepare({ greeting: 'Hi' }), /output/);
  } finally {
    await p.close();
  }
});
