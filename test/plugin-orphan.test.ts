/**
 * A plugin whose core goes away before connecting exits by itself: it does
 * not keep listening for a core that will never come.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PACKER_TS, run } from './helpers/run.ts';
import { requireBundle } from './helpers/requires.ts';

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

test('a plugin started by a core that exits before connecting ends within seconds', async () => {
  requireBundle();
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-orphan-'));
  try {
    // The "core" (sh) starts the plugin, waits for its handshake line, and exits without connecting.
    const r = await run('sh', ['-c', `"$0" plugin packer-builder-file > "$1/out" 2>/dev/null & echo $!; while ! grep -q unix "$1/out"; do sleep 0.1; done`, PACKER_TS, dir], {
      cwd: dir, env: { PACKER_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2' }, timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const pid = Number(r.stdout.trim());
    assert.match(await readFile(join(dir, 'out'), 'utf8'), /^5\|unix\|/);
    let waited = 0;
    while (alive(pid) && waited < 15_000) { await delay(200); waited += 200; }
    const left = alive(pid);
    if (left) process.kill(pid, 'SIGKILL');
    assert.equal(left, false, 'the orphaned plugin still runs');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
