// dist/console.cjs: `packer-ts console` (start.ts programFor): the command and what it reads
// templates with, run as the whole CLI runs it; no other command, no plugin server.
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import { consoleCommand } from '../commands/console.ts';
import { commandMain } from '../run-command.ts';

commandMain('console', consoleCommand, { builders, provisioners, postProcessors, datasources }, { directStdio: true });
