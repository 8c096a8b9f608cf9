import { resolve } from 'node:path';
import { halt, type Step, type StepAction, type StateBag } from '@packer-ts/sdk';
import { ui } from './state.ts';

/** iso_skip_cache: the URL is used as is. */
export class StepSetISO implements Step {
  readonly name = 'stepSetISO';
  constructor(private urls: string[]) {}
  async run(state: StateBag): Promise<StepAction> {
    const u = this.urls[0];
    if (!u) return halt(state, new Error('No ISO URL could be used'), ui(state));
    state.set('iso_path', /^[a-z][a-z0-9+.-]+:/i.test(u) && !u.startsWith('file:') ? u : resolve(u.replace(/^file:(\/\/)?/, '')));
    return 'continue';
  }
}
