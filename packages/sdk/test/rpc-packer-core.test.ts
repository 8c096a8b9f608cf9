// Acceptance: real Packer 1.6.6 (`packer build`) runs a builder plugin served by our transport.
import { before, test } from 'node:test';
import { REAL_PACKER, requireTools } from '../../../test/helpers/requires.ts';

before(() => requireTools(REAL_PACKER));
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

test('packer build drives a TS builder plugin: Prepare warning, Ui calls, provision hook, artifact', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpc-core-'));
  try {
    const plugin = fileURLToPath(new URL('./fixtures/rpc/ts-builder-plugin.ts', import.meta.url));
    const tsx = fileURLToPath(import.meta.resolve('tsx/esm'));
    const exe = path.join(dir, 'packer-builder-tsfake');
    fs.writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${plugin}"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 't.json'), JSON.stringify({ builders: [{ type: 'tsfake', name: 'x', foo: 'bar' }] }));
    const t0 = Date.now();
    const r = spawnSync(REAL_PACKER, ['build', '-color=false', 't.json'], {
      cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_CONFIG: path.join(dir, 'none') },
    });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 0, out);
    assert.match(out, /ts warning/);
    assert.match(out, /==> x: hello from ts/);
    assert.match(out, /x: configs: \{"foo":"bar"\}/);
    assert.match(out, /--> x: a TS artifact/);
    assert.ok(Date.now() - t0 < 4000, `no broker timeouts (took ${Date.now() - t0} ms)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
