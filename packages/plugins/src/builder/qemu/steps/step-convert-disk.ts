import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { halt, waitFor, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { cfg, drv, ui } from './state.ts';

export class StepConvertDisk implements Step {
  readonly name = 'stepConvertDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.skipCompaction && !c.diskCompression) return 'continue';
    const src = join(c.outputDir, c.vmName);
    const dst = join(c.outputDir, `${c.vmName}.convert`);
    const args = ['convert', ...(c.diskCompression ? ['-c'] : []), ...(c.qemuImgArgs.convert ?? []), '-O', c.format, src, dst];
    u.say('Converting hard drive...');
    for (let attempt = 1; ; attempt++) {
      try {
        await drv(state).qemuImg(args, signal);
        break;
      } catch (e) {
        const msg = (e as Error).message;
        if (msg.includes('Failed to get shared "write" lock') && attempt < 10) {
          u.say('Error getting file lock for conversion; retrying...');
          if (!(await waitFor(Math.min(attempt * 1000, 10_000), signal))) return 'halt';
          continue;
        }
        await rm(dst, { force: true });
        return halt(state, new Error(attempt >= 10 ? `Exhausted retries for getting file lock: ${msg}` : `Error converting hard drive: ${msg}`), u);
      }
    }
    try {
      await rename(dst, src);
    } catch (e) {
      return halt(state, new Error(`Error moving converted hard drive: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
}
