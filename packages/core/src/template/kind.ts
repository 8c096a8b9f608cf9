/**
 * Whether a TEMPLATE argument is an HCL2 template (Packer's
 * MetaArgs.GetConfigType). Apart from the rest of hcl2/ so that a command
 * can ask without loading the HCL layer.
 */
import { statSync } from 'node:fs';

export const HCL2_FILE_EXT = '.pkr.hcl';
export const HCL2_JSON_FILE_EXT = '.pkr.json';

/** A `*.pkr.hcl` / `*.pkr.json` name, or a directory. */
export function isHcl2Path(path: string): boolean {
  if (path === '' || path === '-') return false;
  if (path.endsWith(HCL2_FILE_EXT) || path.endsWith(HCL2_JSON_FILE_EXT)) return true;
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
