import type { Artifact } from './artifact.ts';
import type { Ui } from './ui.ts';
import type { ObjectSpec } from './rpc/hcl-spec.ts';

/** What a post-processor returns. Mirrors the Go tuple (artifact, keep, forceOverride). */
export interface PostProcessResult {
  /** The new artifact, or undefined when the post-processor produced none. */
  artifact?: Artifact;
  /** Whether the input artifact should be kept (unless the user's keep_input_artifact says otherwise). */
  keep: boolean;
  /** When true, `keep` wins over the user's keep_input_artifact. */
  forceOverride: boolean;
}

/**
 * PostProcessor turns an artifact into another (compress, checksum, upload...).
 * Mirrors Packer's `packer.PostProcessor`.
 */
export interface PostProcessor {
  /**
   * The HCL2 spec of the configuration (Packer 1.7+ decodes HCL2 templates with it; Go's
   * `ConfigSpec()`): derive it from the same Schema `prepare` decodes with, `objectSpec(SCHEMA)`.
   * Without it the component accepts no HCL2 attributes.
   */
  configSpec?(): ObjectSpec;
  /** Validates and stores the configuration; throws a `MultiError` listing every problem. */
  configure(...raws: unknown[]): Promise<void>;
  postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult>;
}
