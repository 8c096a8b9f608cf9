/** Temporary directories for a test file, removed when its tests are done. */
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const temps: string[] = [];
let registered = false;

/** A new directory under the system temp dir, removed after the file's tests. */
export async function tempDir(prefix: string): Promise<string> {
  if (!registered) {
    registered = true;
    test.after(async () => { for (const d of temps.splice(0)) await rm(d, { recursive: true, force: true }); });
  }
  const d = await mkdtemp(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}
