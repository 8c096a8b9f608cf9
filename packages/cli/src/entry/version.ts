// dist/version.cjs: `packer-ts version` alone (start.ts programFor). Static imports only, so
// that the bundle holds just what the command runs.
import { runVersion } from '../commands/version.ts';

runVersion(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }).then((code) => { process.exitCode = code; });
