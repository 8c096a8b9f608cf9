// Where the Packer oracles are.
import { existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function oracleBinary(which: '1.6.6' | '1.16'): string | undefined {
  if (which === '1.6.6') return existsSync('/usr/bin/packer') ? '/usr/bin/packer' : undefined;
  const dirs = [process.env.PACKER_TS_ORACLES, resolve(here, '../../../../shared/fixtures/modern-plugins/bin'), '/work/shared/fixtures/modern-plugins/bin'];
  for (const d of dirs) {
    if (d && existsSync(join(d, 'packer-1.16'))) return join(d, 'packer-1.16');
  }
  return undefined;
}
