import type { Artifact } from './artifact.ts';
import type { Hook } from './hook.ts';
import type { Ui } from './ui.ts';

/** What a component's prepare/configure returns. */
export interface PrepareResult {
  /** Names of variables the builder will generate, usable as `{{ build `Name` }}` by provisioners. */
  generatedVars?: string[];
  /** Warnings shown to the user; the build goes on. */
  warnings?: string[];
}

/**
 * Builder creates a machine, runs the provision hook on it and returns an
 * artifact. Mirrors Packer's `packer.Builder`.
 *
 * `prepare` receives the raw configurations, later ones overriding earlier
 * ones: the template's block (without `type`), then the core's
 * `packer_*` settings (see `PackerConfig`). It throws a `MultiError` listing
 * every problem of the configuration.
 */
export interface Builder {
  prepare(...raws: unknown[]): Promise<PrepareResult>;
  /**
   * Builds. Runs `hook.run(HookProvision, ui, comm, generatedData)` once the
   * machine is reachable. Returns `undefined` when nothing was produced.
   * Aborting `signal` cancels: clean up and reject (or return) promptly.
   */
  run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined>;
}
