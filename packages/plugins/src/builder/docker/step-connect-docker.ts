/** StepConnectDocker: the docker communicator for the running container (Packer's CustomConnect "docker"). */
import { halt, type StateBag, type Step, type StepAction } from '@packer-ts/sdk';
import { DockerCommunicator } from './communicator.ts';
import type { DockerConfig } from './config.ts';
import type { DockerDriver } from './driver.ts';

export class StepConnectDocker implements Step {
  readonly name = 'StepConnectDocker';

  async run(state: StateBag): Promise<StepAction> {
    const c = state.need<DockerConfig>('config');
    const driver = state.need<DockerDriver>('driver');
    const containerId = state.need<string>('container_id');
    let containerUser: string;
    try {
      containerUser = await driver.containerUser(containerId);
    } catch (e) {
      return halt(state, e);
    }
    state.set('communicator', new DockerCommunicator({
      containerId,
      hostDir: state.need<string>('temp_dir'),
      containerDir: c.containerDir,
      execUser: c.execUser,
      pty: c.pty,
      fixUploadOwner: c.fixUploadOwner,
      containerUser,
      engine: driver.engine,
    }));
    return 'continue';
  }
}
