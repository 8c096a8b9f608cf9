/** StepCommit: `docker commit` of the container with author, changes and message. */
import { halt, type StateBag, type Step, type StepAction, type Ui } from '@packer-ts/sdk';
import type { DockerConfig } from './config.ts';
import type { DockerDriver } from './driver.ts';

export class StepCommit implements Step {
  readonly name = 'StepCommit';

  async run(state: StateBag): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    const c = state.need<DockerConfig>('config');
    const driver = state.need<DockerDriver>('driver');
    ui.say('Committing the container');
    let imageId: string;
    try {
      imageId = await driver.commit(state.need<string>('container_id'), c.author ?? '', c.changes ?? [], c.message ?? '');
    } catch (e) {
      return halt(state, e, ui);
    }
    state.set('image_id', imageId);
    ui.message(`Image ID: ${imageId}`);
    return 'continue';
  }
}
