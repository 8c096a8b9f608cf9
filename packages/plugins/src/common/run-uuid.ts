/**
 * The run UUID shared by every build of one run: `PACKER_RUN_UUID` from the
 * environment (set by the core), else one generated once for this process.
 */
import { randomBytes } from 'node:crypto';

let generated: string | undefined;

/** Random 128-bit id formatted 8-4-4-4-12 in lower-case hex, like Packer's run ids. */
export function newUUID(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function packerRunUUID(): string {
  const env = process.env.PACKER_RUN_UUID;
  if (env) return env;
  generated ??= newUUID();
  return generated;
}
