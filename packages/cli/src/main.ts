// Entry point of the CLI (dist/packer-ts.cjs). The launcher starts dist/version.cjs or
// dist/plugin.cjs instead for those two (start.ts); run directly, this bundle answers them too.
// `plugin` (started once per component by a core) takes a short path that loads only the
// plugin server and the component it serves.
// No top-level await: the bundle is a CommonJS script (see scripts/build.mjs).
import { commandLine } from './start.ts';
import { withDeepThread } from './deep-thread.ts';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'plugin') return (await import('./commands/plugin.ts')).pluginMain(argv.slice(1));
  // HCL input nested deeper than this thread's stack holds runs again on a thread with a
  // large one (deep-thread.ts).
  return withDeepThread(argv, async (a) => (await import('./cli.ts')).run(a));
}

main(commandLine(process.argv[1], process.argv.slice(2))).then((code) => { process.exitCode = code; });
