/**
 * Parity: every folder in test/fixtures runs through packer-ts and through
 * real Packer 1.6.6 in separate copies; exit status, stdout and stderr (each
 * on its own), produced files and the reported artifacts must match.
 * case.json says what to expect: see test/helpers/parity.ts (checkParity).
 */
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_PACKER, ROOT } from './helpers/run.ts';
import { checkParity, type ParityCase } from './helpers/parity.ts';
import { requireTools } from './helpers/requires.ts';

const FIXTURES = join(ROOT, 'test/fixtures');

for (const name of readdirSync(FIXTURES).sort()) {
  const dir = join(FIXTURES, name);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as ParityCase;
  test(`fixture ${name}`, { todo: c.todo }, async () => {
    requireTools(REAL_PACKER);
    await checkParity(dir, c);
  });
}
