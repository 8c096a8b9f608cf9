/**
 * Artifact is the result of a build or a post-processor: files, an id, a
 * human-readable description. Mirrors Packer's `packer.Artifact`.
 *
 * Every method is async because the artifact may live in another process.
 */
export interface Artifact {
  /** Id of the builder (or post-processor) that made it, e.g. `packer.file`. */
  builderId(): Promise<string>;
  /** Local files that make up the artifact, if any. */
  files(): Promise<string[]>;
  /** Unique id of the artifact, e.g. an image id. `""` when it has none. */
  id(): Promise<string>;
  /** One line shown to the user in the final summary. */
  string(): Promise<string>;
  /** Arbitrary builder-specific state, by name. `undefined` when unknown. */
  state(name: string): Promise<unknown>;
  /** Deletes the artifact. */
  destroy(): Promise<void>;
}

/**
 * The artifact's `generated_data` state (the builder's generated variables)
 * as a fresh plain object: `{}` when absent or not a map. Over RPC it may
 * arrive as a Map.
 */
export async function generatedData(artifact: Artifact): Promise<Record<string, unknown>> {
  const s = await artifact.state('generated_data');
  const out: Record<string, unknown> = {};
  if (s instanceof Map) {
    for (const [k, v] of s) if (typeof k === 'string') out[k] = v;
  } else if (s && typeof s === 'object' && !Array.isArray(s)) Object.assign(out, s);
  return out;
}

/** Plain description of an artifact, for building simple ones. */
export interface ArtifactData {
  builderId: string;
  files?: string[];
  id?: string;
  string: string;
  state?: Record<string, unknown>;
  /** Called by destroy(); by default destroy removes `files`. */
  destroy?: () => Promise<void>;
}

/** An artifact made of plain data. destroy() removes its files unless told otherwise. */
export class BasicArtifact implements Artifact {
  constructor(readonly data: ArtifactData) {}
  async builderId(): Promise<string> { return this.data.builderId; }
  async files(): Promise<string[]> { return [...(this.data.files ?? [])]; }
  async id(): Promise<string> { return this.data.id ?? ''; }
  async string(): Promise<string> { return this.data.string; }
  async state(name: string): Promise<unknown> { return this.data.state?.[name]; }
  async destroy(): Promise<void> {
    if (this.data.destroy) return this.data.destroy();
    const { rm } = await import('node:fs/promises');
    for (const f of this.data.files ?? []) await rm(f, { force: true, recursive: true });
  }
}
