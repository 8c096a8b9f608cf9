/** StepRun: starts the container (`docker run` + run_command); its cleanup kills and removes it. */
import { halt, type StateBag, type Step, type StepAction, type Ui } from '@packer-ts/sdk';
import type { DockerConfig } from './config.ts';
import type { DockerDriver } from './driver.ts';

export class StepRun implements Step {
  readonly name = 'StepRun';
  private containerId = '';

  async run(state: StateBag): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    const c = state.need<DockerConfig>('config');
    const driver = state.need<DockerDriver>('driver');
    const volumes: [string, string][] = [[state.need<string>('temp_dir'), c.containerDir]];
    for (const [host, guest] of Object.entries(c.volumes ?? {})) volumes.push([host, guest]);
    ui.say('Starting docker container...');
    let id: string;
    try {
      // Not cancellable: a `docker run` cut short may leave a container whose id we never learn.
      id = await driver.startContainer({
        image: c.image!, runCommand: c.runCommand, device: c.device, tmpFs: c.tmpFs, volumes,
        capAdd: c.capAdd, capDrop: c.capDrop, privileged: c.privileged,
      });
    } catch (e) {
      return halt(state, new Error(`Error running container: ${(e as Error).message}`, { cause: e }), ui);
    }
    this.containerId = id;
    state.set('container_id', id);
    state.set('instance_id', id);
    ui.message(`Container ID: ${id}`);
    return 'continue';
  }

  async cleanup(state: StateBag): Promise<void> {
    if (!this.containerId) return;
    const ui = state.need<Ui>('ui');
    ui.say(`Killing the container: ${this.containerId}`);
    await state.need<DockerDriver>('driver').killContainer(this.containerId);
    this.containerId = '';
  }
}
