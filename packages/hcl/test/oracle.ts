// Runs Packer 1.6.6 (/usr/bin/packer, the oracle) on a file in a temp dir.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_PACKER, run } from '../../../test/helpers/run.ts';

export function requirePacker(): void {
  assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install the Debian package "packer" (scripts/test-deps.apt)`);
}

/** Writes `src` as `name` in a fresh dir, runs `packer ARGS... name` there, returns output and the file afterwards. */
export async function packerOn(name: string, src: string | Uint8Array, args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string; after: Buffer }> {
  requirePacker();
  const dir = await mkdtemp(join(tmpdir(), 'hcl-oracle-'));
  try {
    await writeFile(join(dir, name), src);
    const r = await run(REAL_PACKER, [...args, name], { cwd: dir, env: { HOME: dir }, input, timeoutMs: 30_000 });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, after: await readFile(join(dir, name)) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
