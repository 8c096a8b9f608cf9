import { join, resolve } from 'node:path';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import type { QemuDriver } from '../driver.ts';
import { cfg, drv, ui } from './state.ts';

export class StepCreateDisk implements Step {
  readonly name = 'stepCreateDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.diskAdditionalSize.length > 0 || c.useBackingFile) u.say('Creating required virtual machine disks');
    const paths = [join(c.outputDir, c.vmName)];
    const sizes = [c.diskSize];
    c.diskAdditionalSize.forEach((s, i) => { paths.push(join(c.outputDir, `${c.vmName}-${i + 1}`)); sizes.push(s); });
    for (let i = 0; i < paths.length; i++) {
      if (c.diskImage && !c.useBackingFile && i === 0) continue;
      const args = ['create', '-f', c.format];
      if (c.diskImage && c.useBackingFile && i === 0) {
        const iso = resolve(state.need<string>('iso_path'));
        args.push('-b', iso, '-F', await backingFormat(drv(state), iso, signal));
      }
      args.push(...(c.qemuImgArgs.create ?? []), paths[i], sizes[i]);
      try {
        await drv(state).qemuImg(args, signal);
      } catch (e) {
        return halt(state, new Error(`Error creating hard drive: ${(e as Error).message}`), u);
      }
    }
    state.set('qemu_disk_paths', paths);
    return 'continue';
  }
}

/** The format of a backing file (newer qemu-img refuses to guess it). */
async function backingFormat(d: QemuDriver, path: string, signal: AbortSignal): Promise<string> {
  try {
    const info = JSON.parse(await d.qemuImg(['info', '--output=json', path], signal)) as { format?: string };
    return info.format ?? 'raw';
  } catch {
    return 'raw';
  }
}
