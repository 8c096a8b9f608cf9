import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { floppyLabelError, hasTool, planFloppy, writeFloppy } from '../media.ts';
import { ui } from './state.ts';

/** floppy_files / floppy_dirs: a 1.44 MB FAT12 image (mtools), attached with -fda. */
export class StepCreateFloppy implements Step {
  readonly name = 'StepCreateFloppy';
  private dir?: string;
  constructor(private files: string[], private dirs: string[], private label?: string) {}
  async run(state: StateBag): Promise<StepAction> {
    if (this.files.length === 0 && this.dirs.length === 0) return 'continue';
    const label = this.label || 'packer';
    const u = ui(state);
    if (!['mformat', 'mmd', 'mcopy'].every(hasTool)) return halt(state, new Error('Error creating floppy: floppy_files and floppy_dirs need mformat, mmd and mcopy (mtools) on this host'), u);
    u.say('Creating floppy disk...');
    const labelErr = floppyLabelError(label);
    if (labelErr) return halt(state, new Error(`Error creating floppy: ${labelErr}`), u);
    let plan;
    try {
      plan = await planFloppy(this.files, this.dirs, u);
    } catch (e) {
      return halt(state, e, u);
    }
    this.dir = await mkdtemp(join(tmpdir(), 'packer-floppy-'));
    const img = join(this.dir, 'floppy.img');
    try {
      await writeFloppy(img, label, plan);
    } catch (e) {
      return halt(state, new Error(`Error creating floppy: ${(e as Error).message}`), u);
    }
    state.set('floppy_path', img);
    return 'continue';
  }
  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
