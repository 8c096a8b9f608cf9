// dist/fmt.cjs: `packer-ts fmt` (start.ts programFor): the command and the HCL layer's parser
// and formatter, run as the whole CLI runs it.
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import { fmtCommand } from '../commands/fmt.ts';
import { commandMain } from '../run-command.ts';

commandMain('fmt', fmtCommand, { builders, provisioners, postProcessors, datasources });
