import type { Communicator } from './communicator.ts';
import type { Ui } from './ui.ts';

/** Hook run by builders once the machine is up: the core runs the provisioners. */
export const HookProvision = 'packer_provision';
/** Hook run by the core for the error-cleanup-provisioner. */
export const HookCleanupProvision = 'packer_cleanup_provision';

/**
 * Hook lets a builder hand control back to the core at named points.
 * Mirrors Packer's `packer.Hook`.
 */
export interface Hook {
  run(name: string, ui: Ui, comm: Communicator | undefined, data: unknown, signal?: AbortSignal): Promise<void>;
}

/** Runs hooks registered by name, in order. */
export class DispatchHook implements Hook {
  constructor(readonly hooks: Record<string, Hook[]> = {}) {}
  async run(name: string, ui: Ui, comm: Communicator | undefined, data: unknown, signal?: AbortSignal): Promise<void> {
    for (const h of this.hooks[name] ?? []) {
      signal?.throwIfAborted();
      await h.run(name, ui, comm, data, signal);
    }
  }
}
