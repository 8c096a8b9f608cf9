// The esbuild options of the programs in dist/ (scripts/build.mjs), shared with
// test/startup-graph.test.ts, which builds them again with a marker in every module to see
// what each program evaluates.
import { join } from 'node:path';
import { directImportsPlugin } from './direct-imports.mjs';

/** dist/NAME.cjs <- entry (start.ts says which the launcher runs). */
export const PROGRAMS = { 'packer-ts': 'packages/cli/src/main.ts', version: 'packages/cli/src/entry/version.ts', plugin: 'packages/cli/src/entry/plugin.ts', console: 'packages/cli/src/entry/console.ts', fmt: 'packages/cli/src/entry/fmt.ts' };

/** What every bundle of the project is built with (also scripts/build-plugin-docker.mjs). */
export const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
};

/** Options for building PROGRAMS from `root` into `outdir`; `transform(source, path)` edits each module's source after the import rewriting. */
export function programsOptions(root, outdir, transform) {
  return {
    ...COMMON,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(PROGRAMS).map(([k, v]) => [k, join(root, v)])),
    plugins: [directImportsPlugin(root, transform)],
    outdir,
    outExtension: { '.js': '.cjs' },
    // ssh2 (with its optional native binding) loads from node_modules on first SSH use, lzma-native
    // (liblzma's binding) on the first xz compression.
    external: ['ssh2', 'lzma-native'],
    // Every import() becomes require(): a vm.Script has no dynamic import on Node 20 without
    // --experimental-vm-modules (see packages/cli/src/launch.ts).
    supported: { 'dynamic-import': false },
    sourcemap: 'external',
    sourcesContent: false, // the map only names files and lines in stack traces
  };
}
