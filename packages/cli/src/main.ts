// Entry point. `plugin` (started once per component by a core) takes a
// short path that loads only the plugin server and the component it serves.
const argv = process.argv.slice(2);
if (argv[0] === 'plugin') {
  const { setupLog } = await import('@packer-ts/core');
  try {
    setupLog(process.env);
  } catch (e) {
    process.stderr.write(`Couldn't setup log output: ${(e as Error).message}`);
    process.exit(1);
  }
  const { pluginCommand } = await import('./commands/plugin.ts');
  process.exitCode = await pluginCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
} else {
  const { run } = await import('./cli.ts');
  process.exitCode = await run(argv);
}
