// The formatter against `packer fmt` (Packer 1.6.6, hclwrite.Format) on a
// corpus of badly laid out files and on the examples Packer ships.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatHCL } from '../src/index.ts';
import { packerOn } from './oracle.ts';

const corpus = fileURLToPath(new URL('./fmt', import.meta.url));
const examples = '/usr/share/doc/packer/examples/hcl/linux';

const files = [
  ...readdirSync(corpus).filter((f) => f.endsWith('.hcl')).sort().map((f) => join(corpus, f)),
  ...(existsSync(examples) ? readdirSync(examples).filter((f) => f.endsWith('.pkr.hcl')).sort().map((f) => join(examples, f)) : []),
];

describe('formatHCL is byte-identical to packer fmt', () => {
  for (const f of files) {
    test(f.split('/').slice(-2).join('/'), async () => {
      const src = readFileSync(f);
      const real = await packerOn('x.pkr.hcl', src, ['fmt']);
      assert.equal(real.code, 0, real.stdout + real.stderr);
      assert.equal(formatHCL(new Uint8Array(src)), real.after.toString('utf8'));
    });
  }
  test('formatting is idempotent', () => {
    for (const f of files) {
      const once = formatHCL(readFileSync(f, 'utf8'));
      assert.equal(formatHCL(once), once, f);
    }
  });
});
