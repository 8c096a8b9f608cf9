// Bundles the CLI into one ESM file (start-up time: one file, no resolution).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: { 'packer-ts': 'packages/cli/src/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Commands and heavy components load on demand (see cli.ts), as chunks.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
