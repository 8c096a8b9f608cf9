import type { Meta } from '../meta.ts';
export async function fixCommand(meta: Meta, _args: string[]): Promise<number> {
  meta.ui.error('fix: not available yet');
  return 1;
}
