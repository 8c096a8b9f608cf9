/** `packer-ts plugin packer-TYPE-NAME`: serves a built-in component as a plugin. */
import type { Io } from '../meta.ts';

export async function pluginCommand(args: string[], io: Io): Promise<number> {
  io.stderr.write(`packer-ts plugin ${args.join(' ')}: serving built-ins as plugins is not available yet\n`);
  return 1;
}
