// Builds the example plugin into one executable file, packer-plugin-example (a multi-component
// plugin: Packer 1.7+ and packer-ts run it as example-localdir, example-write-file,
// example-listing), and links it under the Packer 1.6 plugin names packer-builder-localdir,
// packer-provisioner-write-file and packer-post-processor-listing (one component each).
//   node examples/plugins/build.mjs [OUTDIR]     (default: examples/plugins/dist)
// Put OUTDIR in PACKER_PLUGIN_PATH (or copy the files into ~/.packer.d/plugins) to use them;
// `packer plugins install --path OUTDIR/packer-plugin-example github.com/you/example` for Packer 1.16.
import { build } from 'esbuild';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';
import { chmod, mkdir, rm, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
const outdir = resolve(process.argv[2] ?? join(here, 'dist'));
const outfile = join(outdir, 'packer-plugin-example');

await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: EXECUTABLE_BANNER }, // sh, then node: see @packer-ts/sdk/banner
});
await chmod(outfile, 0o755);
const legacy = ['packer-builder-localdir', 'packer-provisioner-write-file', 'packer-post-processor-listing'];
for (const name of legacy) {
  await rm(join(outdir, name), { force: true });
  await symlink('packer-plugin-example', join(outdir, name));
}
console.log(`built packer-plugin-example (and ${legacy.join(', ')}) in ${outdir}`);
