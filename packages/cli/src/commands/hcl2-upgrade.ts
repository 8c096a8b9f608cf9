import type { Meta } from '../meta.ts';
export async function hcl2UpgradeCommand(meta: Meta, _argv: string[]): Promise<number> {
  meta.ui.error('not yet');
  return 1;
}
