// Entry point. `plugin` (started once per component by a core) takes a
// short path that loads only the plugin server and the component it serves.
// No top-level await: the bundle is a CommonJS script (see scripts/build.mjs).
async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'plugin') {
    const { setupLog } = await import('@packer-ts/core');
    setupLog(process.env);
    const { pluginCommand } = await import('./commands/plugin.ts');
    return pluginCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
  }
  const { run } = await import('./cli.ts');
  return run(argv);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
