// dist/console.cjs: `packer-ts console` (start.ts programFor). The command and what it reads
// templates with; no other command, no plugin server.
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import { consoleCommand } from '../commands/console.ts';
import type { Io } from '../meta.ts';
import { prepareRun, runCommand } from '../run-command.ts';
import { commandLine } from '../start.ts';

async function main(argv: string[]): Promise<number> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  const prepared = prepareRun(argv, io);
  if (!prepared) return 1;
  return runCommand('console', consoleCommand, prepared.argv.slice(1), io, prepared.machineReadable, { builders, provisioners, postProcessors, datasources });
}

main(commandLine(process.argv[1], process.argv.slice(2))).then((code) => { process.exitCode = code; });
