/**
 * The modern-Packer oracles (packer-1.16, packer-plugin-oracle, sdk-drive, sdk-drive-testplugin):
 * found at $PACKER_TS_ORACLES or ../shared/fixtures/modern-plugins/bin (no registry has them, so a
 * test may skip when they are absent, naming what is missing), and bundling a TS plugin into the
 * single executable file Packer runs.
 */
import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './run.ts';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';

export const ORACLES_DIR = process.env.PACKER_TS_ORACLES ?? resolve(ROOT, '../shared/fixtures/modern-plugins/bin');
export const FIXTURES_DIR = resolve(ORACLES_DIR, '..');
export const oracle = (name: string): string => join(ORACLES_DIR, name);

/** undefined when every named oracle exists, else the reason to skip. */
export function missingOracles(...names: string[]): string | undefined {
  const missing = names.filter((n) => !existsSync(oracle(n)));
  return missing.length === 0 ? undefined : `missing ${missing.join(', ')} in ${ORACLES_DIR} (set PACKER_TS_ORACLES)`;
}

/** Bundles `entry` (a TS file that runs a plugin) into one executable `outfile` (EXECUTABLE_BANNER: sh, then node). */
export async function bundlePlugin(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    legalComments: 'none', logLevel: 'warning', banner: { js: EXECUTABLE_BANNER },
  });
  await chmod(outfile, 0o755);
  return outfile;
}
