// dist/plugin.cjs: a built-in served as a plugin (`packer-ts plugin packer-builder-file`, or a
// link named packer-builder-file started alone). Static imports only: the bundle evaluates the
// plugin server, the log and, once named, the one component it serves.
import { pluginMain } from '../commands/plugin.ts';
import { commandLine } from '../start.ts';

pluginMain(commandLine(process.argv[1], process.argv.slice(2)).slice(1)).then((code) => { process.exitCode = code; });
