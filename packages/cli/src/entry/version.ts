// dist/version.cjs: `packer-ts version` alone (start.ts programFor). Static imports only, so
// that the bundle holds just what the command runs.
import { runVersion } from '../commands/version.ts';

runVersion(process.argv.slice(2)).then((code) => { process.exitCode = code; });
