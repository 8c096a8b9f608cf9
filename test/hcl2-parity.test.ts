/**
 * HCL2 parity: every folder in test/hcl2-fixtures is an HCL2 template (the folder itself, `.`,
 * unless case.json names another template) run through packer-ts and through real Packer 1.6.6
 * in separate copies with one fresh HOME, compared as test/parity.test.ts compares the JSON
 * fixtures (exit status, stdout and stderr, produced files, artifacts); `exact` cases
 * (inspect, console) compare stdout byte for byte; `absent` lists sensitive values neither tool
 * may print. case.json is described in test/helpers/parity.ts; `todo` marks a known gap of
 * packer-ts with its reason.
 */
import { test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_PACKER, ROOT } from './helpers/run.ts';
import { checkParity, type ParityCase } from './helpers/parity.ts';
import { requireTools } from './helpers/requires.ts';

const FIXTURES = join(ROOT, 'test/hcl2-fixtures');

for (const name of readdirSync(FIXTURES).sort()) {
  const dir = join(FIXTURES, name);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as ParityCase;
  test(`hcl2 fixture ${name}`, { todo: c.todo }, async () => {
    requireTools(REAL_PACKER);
    await checkParity(dir, { ...c, template: c.template === undefined ? '.' : c.template }, { freshHome: true });
  });
}
