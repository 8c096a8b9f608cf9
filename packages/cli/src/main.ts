// Entry point. `plugin` (started once per component by a core) takes a
// short path that loads only the plugin server and the component it serves.
// No top-level await: the bundle is a CommonJS script (see scripts/build.mjs).
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'plugin') {
    const { setupLog } = await import('@packer-ts/core');
    try {
      setupLog(process.env);
    } catch (e) {
      process.stderr.write(`Couldn't setup log output: ${(e as Error).message}`);
      return 1;
    }
    const { pluginCommand } = await import('./commands/plugin.ts');
    return pluginCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
  }
  const { run } = await import('./cli.ts');
  return run(argv);
}

// Run through a link or copy named packer-TYPE-NAME (as Packer 1.6 runs plugins it finds in its
// plugin directories, without arguments), packer-ts serves that built-in component.
const PLUGIN_EXE = /^packer-(builder|provisioner|post-processor)-[^/]+$/;
const invokedAs = (process.argv[1] ?? '').slice((process.argv[1] ?? '').lastIndexOf('/') + 1);
const args = process.argv.slice(2);
main(PLUGIN_EXE.test(invokedAs) && args.length === 0 ? ['plugin', invokedAs] : args).then((code) => { process.exitCode = code; });
