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
