import type { Meta } from '../meta.ts';
export async function consoleCommand(meta: Meta, _args: string[]): Promise<number> {
  meta.ui.error('console: not available yet');
  return 1;
}
