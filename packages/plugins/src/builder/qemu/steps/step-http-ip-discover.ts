import { type Step, type StepAction, type StateBag } from '@packer-ts/sdk';

/** User-mode networking: the host is 10.0.2.2 as seen from the guest. */
export class StepHTTPIPDiscover implements Step {
  readonly name = 'stepHTTPIPDiscover';
  async run(state: StateBag): Promise<StepAction> {
    state.set('http_ip', '10.0.2.2');
    return 'continue';
  }
}
