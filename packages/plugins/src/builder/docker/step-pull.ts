/** StepPull: `docker pull IMAGE` unless `pull: false`, logged in around it with `login`. */
import { halt, type StateBag, type Step, type StepAction, type Ui } from '@packer-ts/sdk';
import type { DockerConfig } from './config.ts';
import type { DockerDriver } from './driver.ts';

export class StepPull implements Step {
  readonly name = 'StepPull';

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    const c = state.need<DockerConfig>('config');
    if (!c.pull) return 'continue';
    const driver = state.need<DockerDriver>('driver');
    ui.say(`Pulling Docker image: ${c.image}`);
    if (c.login) {
      ui.message('Logging in...');
      try {
        await driver.login(c.loginServer ?? '', c.loginUsername ?? '', c.loginPassword ?? '');
      } catch (e) {
        return halt(state, new Error(`Error logging in: ${(e as Error).message}`, { cause: e }), ui);
      }
    }
    try {
      await driver.pull(c.image!, signal);
    } catch (e) {
      return halt(state, new Error(`Error pulling Docker image: ${(e as Error).message}`, { cause: e }), ui);
    } finally {
      if (c.login) {
        ui.message('Logging out...');
        try { await driver.logout(c.loginServer ?? ''); } catch (e) { ui.error(`Error logging out: ${(e as Error).message}`); }
      }
    }
    return 'continue';
  }
}
