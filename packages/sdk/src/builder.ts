import type { Artifact } from './artifact.ts';
import type { Hook } from './hook.ts';
import type { Ui } from './ui.ts';
import type { ObjectSpec } from './rpc/hcl-spec.ts';

/** What a component's prepare/configure returns. */
export interface PrepareResult {
  /** Names of variables the builder will generate, usable as `{{ build `Name` }}` by provisioners. */
  generatedVars?: string[];
  /** Warnings shown to the user; the build goes on. */
  warnings?: string[];
}

const PREPARE_WARNINGS = Symbol('prepareWarnings');

/**
 * A failed prepare's warnings: Go's Prepare returns warnings together with its error, and
 * Packer shows both. `prepare` throws `withPrepareWarnings(error, warnings)`; whoever catches
 * it reads them back with `prepareWarnings(error)`. A thrown non-object becomes an Error.
 */
export function withPrepareWarnings(error: unknown, warnings: readonly string[]): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  if (warnings.length > 0) Object.defineProperty(e, PREPARE_WARNINGS, { value: [...warnings], configurable: true });
  return e;
}

/** The warnings a failed prepare's error carries (see `withPrepareWarnings`); [] for none. */
export function prepareWarnings(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return [];
  const w = (error as { [PREPARE_WARNINGS]?: string[] })[PREPARE_WARNINGS];
  return w ? [...w] : [];
}

/**
 * Builder creates a machine, runs the provision hook on it and returns an
 * artifact. Mirrors Packer's `packer.Builder`.
 *
 * `prepare` receives the raw configurations, later ones overriding earlier
 * ones: the template's block (without `type`), then the core's
 * `packer_*` settings (see `PackerConfig`). It throws a `MultiError` listing
 * every problem of the configuration, with the warnings it found attached by
 * `withPrepareWarnings`.
 */
export interface Builder {
  /**
   * The HCL2 spec of the configuration (Packer 1.7+ decodes HCL2 templates with it; Go's
   * `ConfigSpec()`): derive it from the same Schema `prepare` decodes with, `objectSpec(SCHEMA)`.
   * Without it the component accepts no HCL2 attributes.
   */
  configSpec?(): ObjectSpec;
  prepare(...raws: unknown[]): Promise<PrepareResult>;
  /**
   * Builds. Runs `hook.run(HookProvision, ui, comm, generatedData)` once the
   * machine is reachable. Returns `undefined` when nothing was produced.
   * Aborting `signal` cancels: clean up and reject (or return) promptly.
   */
  run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined>;
}
