/** The sleep provisioner: Packer's duration decoding, and a cancelled build does not wait. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingUi } from '@packer-ts/sdk';
import { SleepProvisioner } from '../src/provisioner/sleep/index.ts';
import { packerRaw } from './pp-helpers.ts';

test('duration: Go durations and nanoseconds; no interpolation (as Packer)', async () => {
  const p = new SleepProvisioner();
  await p.prepare({ duration: '1m30s' }, packerRaw());
  assert.equal(p.duration, 90_000);
  await p.prepare({ duration: 2_500_000 }, packerRaw());
  assert.equal(p.duration, 2.5);
  await p.prepare({}, packerRaw());
  assert.equal(p.duration, 0);
  await assert.rejects(new SleepProvisioner().prepare({ duration: '{{user `d`}}' }, packerRaw()), /error decoding 'Duration': time: invalid duration "\{\{user `d`\}\}"/);
});

test('provision waits until aborted, then rejects at once', async () => {
  const p = new SleepProvisioner();
  await p.prepare({ duration: '1h' }, packerRaw());
  const ac = new AbortController();
  const run = p.provision(new RecordingUi(), undefined, {}, ac.signal);
  setTimeout(() => ac.abort(new Error('cancelled')), 50);
  await assert.rejects(run, /cancelled|aborted/i);
  const q = new SleepProvisioner();
  await q.prepare({ duration: '1ms' }, packerRaw());
  await q.provision(new RecordingUi(), undefined, {}, new AbortController().signal);
});
