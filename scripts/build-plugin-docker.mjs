// Builds the docker components into one plugin executable, packer-plugin-docker
// (Packer 1.7+ and packer-ts; see packages/plugins/src/plugin-docker.ts).
//   node scripts/build-plugin-docker.mjs [OUTDIR]      (default: dist/plugins)
//   packer plugins install --path OUTDIR/packer-plugin-docker github.com/packer-ts/docker
import { build } from 'esbuild';
import { chmod, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';
import { COMMON } from './programs.mjs';

const root = resolve(import.meta.dirname, '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist/plugins'));
const outfile = join(outdir, 'packer-plugin-docker');
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [join(root, 'packages/plugins/src/plugin-docker.ts')],
  outfile,
  ...COMMON,
  banner: { js: EXECUTABLE_BANNER },
});
await chmod(outfile, 0o755);
console.log(`built ${outfile}`);
