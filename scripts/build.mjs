// Bundles the CLI into dist/ (start-up time: few files, no module resolution).
// Builds into a fresh folder and swaps it in, so a running packer-ts never
// sees a half-written dist/.
import { renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const tmp = `dist.tmp-${process.pid}`;
await build({
  entryPoints: { 'packer-ts': 'packages/cli/src/main.ts' },
  outdir: tmp,
  outExtension: { '.js': '.mjs' },
  // Commands and components load on demand (see cli.ts, plugins/src/index.ts), as chunks.
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
const old = `dist.old-${process.pid}`;
try { renameSync('dist', old); } catch { /* first build */ }
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });
