/**
 * StepTempDir: the host directory shared with the container (mounted at
 * container_dir): `$PACKER_TMP_DIR` or `~/.packer.d`, a fresh `tmpNNN` inside.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { halt, type StateBag, type Step, type StepAction, type Ui } from '@packer-ts/sdk';

/** Packer's ConfigTmpDir. */
export async function configTmpDir(): Promise<string> {
  const base = process.env.PACKER_TMP_DIR ? resolve(process.env.PACKER_TMP_DIR) : join(process.env.HOME || homedir(), '.packer.d');
  await mkdir(base, { recursive: true, mode: 0o755 });
  try {
    return await mkdtemp(join(base, 'tmp'));
  } catch (e) {
    throw new Error(`Error creating temp dir: ${(e as Error).message}`, { cause: e });
  }
}

export class StepTempDir implements Step {
  readonly name = 'StepTempDir';
  private dir = '';

  async run(state: StateBag): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    ui.say('Creating a temporary directory for sharing data...');
    try {
      this.dir = await configTmpDir();
    } catch (e) {
      return halt(state, new Error(`Error making temp dir: ${(e as Error).message}`, { cause: e }), ui);
    }
    state.set('temp_dir', this.dir);
    return 'continue';
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}
