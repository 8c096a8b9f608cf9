// Bundles the CLI into dist/ (start-up time: one file per program, no module resolution):
//   dist/packer-ts.cjs      the whole CLI, one CommonJS script; modules that commands and
//                           components load on demand stay uninitialised until then
//   dist/version.cjs        `version` alone (packages/cli/src/entry/version.ts)
//   dist/plugin.cjs         a built-in served as a plugin (packages/cli/src/entry/plugin.ts)
//   dist/console.cjs        `console` (packages/cli/src/entry/console.ts)
//   dist/fmt.cjs            `fmt` (packages/cli/src/entry/fmt.ts)
//   dist/*.cjs.map          their source maps, read only when a stack trace is printed
//   dist/launch.cjs         picks the program for the command line (packages/cli/src/start.ts)
//                           and runs it through V8's code cache (packages/cli/src/launch.ts)
//   dist/.cache/            the code caches of the main commands, written by running each once
//                           (scripts/warm-caches.mjs); others are written by a command's first run
// The programs other than the whole CLI import their command statically: esbuild then keeps only what they use of the
// packages' index files (sideEffects: false). A module behind an import() is wrapped and
// initialised with all its imports on first use; scripts/direct-imports.mjs points imports of
// an index file at the modules that define the names, so that this is only what it uses.
// test/startup-graph.test.ts checks what each program evaluates.
// CommonJS, not ESM: Node 20 can give cached compiled code (vm.Script cachedData) only to
// scripts. Builds into a fresh folder and swaps it in, so a running packer-ts never sees a
// half-written dist/ (and code caches of the old bundle go with the old folder).
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { COMMON, PROGRAMS, programsOptions } from './programs.mjs';
import { warmCaches } from './warm-caches.mjs';

const tmp = `dist.tmp-${process.pid}`;
await build(programsOptions(process.cwd(), tmp));
// The launcher reads a bundle as latin1 (a byte per character, nothing to decode): that is its
// text only while it is ASCII, which esbuild keeps it except in a regular expression literal.
for (const p of Object.keys(PROGRAMS)) {
  const text = readFileSync(`${tmp}/${p}.cjs`, 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`dist/${p}.cjs is not ASCII at line ${text.slice(0, at).split('\n').length}: write the character as an escape (\\uXXXX) in its source`);
  }
}
// The launcher names code caches after the bundle's content: a cache left in ~/.cache by
// another build of the same size is never used for this one.
const bundleIds = Object.fromEntries(Object.keys(PROGRAMS).map((p) => [`${p}.cjs`, createHash('sha256').update(readFileSync(`${tmp}/${p}.cjs`)).digest('hex').slice(0, 16)]));
await build({
  ...COMMON,
  entryPoints: { launch: 'packages/cli/src/launch.ts' },
  outdir: tmp,
  outExtension: { '.js': '.cjs' },
  define: { PACKER_TS_BUNDLE_IDS: JSON.stringify(bundleIds) },
  // bin/packer-ts runs it as node's main module; tests require it for its functions.
  footer: { js: 'if (require.main === module) module.exports.start(__dirname);' },
});
const old = `dist.old-${process.pid}`;
try { renameSync('dist', old); } catch { /* first build */ }
renameSync(tmp, 'dist');
rmSync(old, { recursive: true, force: true });
// The code caches of the main commands, made by running them (scripts/warm-caches.mjs) through
// bin/packer-ts: the node and flags that read them. PACKER_TS_WARM_CACHES=0 skips it.
if (process.env.PACKER_TS_WARM_CACHES !== '0') await warmCaches(process.cwd());
