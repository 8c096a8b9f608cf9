import { mkdir, rm, stat } from 'node:fs/promises';
import { halt, StateCancelled, StateHalted, waitFor, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { cfg, ui } from './state.ts';

export class StepPrepareOutputDir implements Step {
  readonly name = 'stepPrepareOutputDir';
  private created = false;
  constructor(private force: boolean) {}
  async run(state: StateBag): Promise<StepAction> {
    const c = cfg(state);
    const exists = await stat(c.outputDir).then(() => true, () => false);
    if (exists && this.force) {
      ui(state).say('Deleting previous output directory...');
      await rm(c.outputDir, { recursive: true, force: true });
    }
    try {
      await mkdir(c.outputDir, { recursive: true });
    } catch (e) {
      return halt(state, e);
    }
    this.created = true;
    return 'continue';
  }
  async cleanup(state: StateBag): Promise<void> {
    if (!this.created || !(state.has(StateCancelled) || state.has(StateHalted))) return;
    ui(state).say('Deleting output directory...');
    for (let i = 0; i < 5; i++) {
      try { await rm(cfg(state).outputDir, { recursive: true, force: true }); return; } catch { await waitFor(500); }
    }
  }
}
