/**
 * `packer-ts plugin packer-TYPE-NAME`: serves a built-in component as a plugin (Packer's
 * `packer plugin packer-builder-file`). Started by a core (ours with PACKER_TS_BUILTINS=plugin, or
 * Packer 1.6 through a wrapper in ~/.packer.d/plugins), never by hand: without the magic cookie it
 * prints Packer's message and exits 1. It serves one connection and exits when the core leaves.
 */
import { errorMessage, type Builder, type Datasource, type PostProcessor, type Provisioner } from '@packer-ts/sdk';
import { serveComponent } from '@packer-ts/sdk/plugin';
import { log, setupLog } from '@packer-ts/sdk';
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import type { Io } from '../meta.ts';

const PLUGIN_NAME = /^packer-(builder|post-processor|provisioner|datasource)-(.+)$/;

/** The whole run of `plugin ARGS` (main.ts and dist/plugin.cjs): the log, then the server. */
export async function pluginMain(args: string[]): Promise<number> {
  try {
    setupLog(process.env);
  } catch (e) {
    process.stderr.write(`Couldn't setup log output: ${errorMessage(e)}`);
    return 1;
  }
  return pluginCommand(args, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
}

export async function pluginCommand(args: string[], io: Io): Promise<number> {
  log(`args: []string{${args.map((a) => JSON.stringify(a)).join(', ')}}`);
  if (args.length !== 1) {
    io.stdout.write('Wrong number of args\n');
    return 1;
  }
  const m = PLUGIN_NAME.exec(args[0]!);
  if (!m) {
    io.stdout.write(`Error parsing plugin argument: ${JSON.stringify(args[0])} is not packer-builder-NAME, packer-provisioner-NAME or packer-post-processor-NAME\n`);
    return 1;
  }
  const kind = m[1] as 'builder' | 'provisioner' | 'post-processor' | 'datasource';
  const name = m[2]!;
  const factories: Record<string, () => Promise<Builder | Provisioner | PostProcessor | Datasource>> =
    kind === 'builder' ? builders : kind === 'provisioner' ? provisioners : kind === 'datasource' ? datasources : postProcessors;
  const factory = Object.hasOwn(factories, name) ? factories[name] : undefined;
  if (!factory) {
    io.stdout.write(`Could not load ${kind}: ${name} (built-in ${kind}s: ${Object.keys(factories).sort().join(', ')})\n`);
    return 1;
  }
  try {
    // Checks the cookie (exit 1 with Packer's message), serves, then ends the process.
    await serveComponent(kind, (await factory()) as never, { env: io.env });
  } catch (e) {
    io.stdout.write(`Error starting plugin server: ${errorMessage(e)}\n`);
    return 1;
  }
  return 0;
}
