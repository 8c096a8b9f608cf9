import { join } from 'node:path';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { cfg, drv, ui } from './state.ts';

export class StepResizeDisk implements Step {
  readonly name = 'stepResizeDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    if (!c.diskImage || c.skipResizeDisk) return 'continue';
    const u = ui(state);
    u.say('Resizing hard drive...');
    try {
      await drv(state).qemuImg(['resize', '-f', c.format, ...(c.qemuImgArgs.resize ?? []), join(c.outputDir, c.vmName), c.diskSize], signal);
    } catch (e) {
      return halt(state, new Error(`Error creating hard drive: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
}
