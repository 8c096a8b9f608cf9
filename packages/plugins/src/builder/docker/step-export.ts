/** StepExport: `docker export` of the container into export_path (removed again if the export fails). */
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { halt, type StateBag, type Step, type StepAction, type Ui } from '@packer-ts/sdk';
import { pathError } from '@packer-ts/sdk';
import type { DockerConfig } from './config.ts';
import type { DockerDriver } from './driver.ts';

export class StepExport implements Step {
  readonly name = 'StepExport';

  async run(state: StateBag): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    const c = state.need<DockerConfig>('config');
    const path = c.exportPath ?? '';
    if (path === '') return halt(state, new Error("No output file specified, we can't export anything"), ui);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    } catch (e) {
      return halt(state, pathError('mkdir', dirname(path), e));
    }
    try {
      await (await open(path, 'w')).close();
    } catch (e) {
      return halt(state, new Error(`Error creating output file: ${pathError('open', path, e).message}`), ui);
    }
    ui.say('Exporting the container');
    try {
      await state.need<DockerDriver>('driver').export(state.need<string>('container_id'), path);
    } catch (e) {
      await rm(path, { force: true });
      return halt(state, e, ui);
    }
    return 'continue';
  }
}
