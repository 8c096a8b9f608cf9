// Builds the example plugins into single executable files: packer-builder-localdir,
// packer-provisioner-write-file, packer-post-processor-listing.
//   node examples/plugins/build.mjs [OUTDIR]     (default: examples/plugins/dist)
// Copy them into ~/.packer.d/plugins (or a PACKER_PLUGIN_PATH directory) to use them.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
const outdir = resolve(process.argv[2] ?? join(here, 'dist'));

const plugins = [
  { name: 'packer-builder-localdir', kind: 'builder', file: './src/localdir-builder.ts', cls: 'LocalDirBuilder' },
  { name: 'packer-provisioner-write-file', kind: 'provisioner', file: './src/write-file-provisioner.ts', cls: 'WriteFileProvisioner' },
  { name: 'packer-post-processor-listing', kind: 'post-processor', file: './src/listing-post-processor.ts', cls: 'ListingPostProcessor' },
];

await Promise.all(plugins.map(async (p) => {
  const outfile = join(outdir, p.name);
  await build({
    // One process serves one component: the entry registers it and serves until the core leaves.
    stdin: {
      contents: `import { serveComponent } from '@packer-ts/sdk/plugin';\nimport { ${p.cls} } from '${p.file}';\nvoid serveComponent('${p.kind}', new ${p.cls}());\n`,
      resolveDir: here,
      sourcefile: `${p.name}.ts`,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node' },
  });
  await chmod(outfile, 0o755);
}));
console.log(`built ${plugins.map((p) => p.name).join(', ')} in ${outdir}`);
