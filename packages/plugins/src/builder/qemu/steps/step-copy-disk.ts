import { constants as fsConstants } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { cfg, drv, ui } from './state.ts';

export class StepCopyDisk implements Step {
  readonly name = 'stepCopyDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (!c.diskImage || c.useBackingFile) return 'continue';
    const iso = state.need<string>('iso_path');
    const path = join(c.outputDir, c.vmName);
    const ext = extname(iso);
    if (ext.length >= 2 && ext.slice(1) === c.format && (c.qemuImgArgs.convert ?? []).length === 0) {
      u.message('File extension already matches desired output format. Skipping qemu-img convert step');
      try {
        // a reflink where the file system has them, else a plain copy
        await copyFile(iso, path, fsConstants.COPYFILE_FICLONE);
      } catch (e) {
        return halt(state, new Error(`Error copying iso to output dir: ${(e as Error).message}`), u);
      }
      return 'continue';
    }
    u.say('Copying hard drive...');
    try {
      await drv(state).qemuImg(['convert', ...(c.qemuImgArgs.convert ?? []), '-O', c.format, iso, path], signal);
    } catch (e) {
      return halt(state, new Error(`Error creating hard drive: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
}
