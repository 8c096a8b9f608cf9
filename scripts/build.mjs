// Bundles the CLI into dist/ (start-up time: one file, no module resolution):
//   dist/packer-ts.cjs      the whole CLI, one CommonJS script; modules that commands and
//                           components load on demand stay uninitialised until then
//   dist/packer-ts.cjs.map  its source map, read only when a stack trace is printed
//   dist/launch.cjs         runs the bundle through V8's code cache (packages/cli/src/launch.ts)
// CommonJS, not ESM: Node 20 can give cached compiled code (vm.Script cachedData) only to
// scripts. Builds into a fresh folder and swaps it in, so a running packer-ts never sees a
// half-written dist/ (and code caches of the old bundle go with the old folder).
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const tmp = `dist.tmp-${process.pid}`;
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: { 'packer-ts': 'packages/cli/src/main.ts' },
  outdir: tmp,
  outExtension: { '.js': '.cjs' },
  // ssh2 (with its optional native binding) loads from node_modules on first SSH use.
  external: ['ssh2'],
  // Every import() becomes require(): a vm.Script has no dynamic import on Node 20 without
  // --experimental-vm-modules (see packages/cli/src/launch.ts).
  supported: { 'dynamic-import': false },
  sourcemap: 'external',
  sourcesContent: false, // the map only names files and lines in stack traces
});
// The launcher names code caches after the bundle's content: a cache left in ~/.cache by
// another build of the same size is never used for this one.
const bundleId = createHash('sha256').update(readFileSync(`${tmp}/packer-ts.cjs`)).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: { launch: 'packages/cli/src/launch.ts' },
  outdir: tmp,
  outExtension: { '.js': '.cjs' },
  define: { PACKER_TS_BUNDLE_ID: JSON.stringify(bundleId) },
});
const old = `dist.old-${process.pid}`;
try { renameSync('dist', old); } catch { /* first build */ }
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });
