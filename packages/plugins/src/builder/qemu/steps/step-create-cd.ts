import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { expandGlobs, isoCommand, runAndStream, stageCDFiles } from '../media.ts';
import { ui } from './state.ts';

/** cd_files: an ISO labelled cd_label (default "packer"), made with xorriso or mkisofs. */
export class StepCreateCD implements Step {
  readonly name = 'StepCreateCD';
  private dir?: string;
  constructor(private files: string[], private label?: string) {}
  async run(state: StateBag): Promise<StepAction> {
    if (this.files.length === 0) return 'continue';
    const u = ui(state);
    u.say('Creating CD disk...');
    const label = this.label || 'packer';
    this.dir = await mkdtemp(join(tmpdir(), 'packer-cd-'));
    const content = join(this.dir, 'packer_to_cdrom');
    await mkdir(content);
    try {
      await stageCDFiles(await expandGlobs(this.files), content);
    } catch (e) {
      return halt(state, new Error(`Error creating temporary file for CD: ${(e as Error).message}`), u);
    }
    const iso = join(this.dir, 'packer.iso');
    const cmd = isoCommand(label, content, iso);
    if (!cmd) return halt(state, new Error('could not find a supported CD ISO creation command (the supported commands are: xorriso, mkisofs, hdiutil, oscdimg)'), u);
    try {
      await runAndStream(cmd[0], cmd[1], u);
    } catch (e) {
      return halt(state, e, u);
    }
    u.message('Done copying paths from CD_dirs');
    await rm(content, { recursive: true, force: true });
    state.set('cd_path', iso);
    return 'continue';
  }
  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
