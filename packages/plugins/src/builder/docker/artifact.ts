/**
 * The docker builder's artifacts: an image in the daemon (ImportArtifact,
 * also made by docker-import, docker-tag and docker-push; Destroy removes the
 * image) or a tarball of the container (ExportArtifact).
 */
import { rm } from 'node:fs/promises';
import type { Artifact } from '@packer-ts/sdk';
import { BUILDER_ID } from './config.ts';
import type { DockerDriver } from './driver.ts';

/** The names in an artifact's `docker_tags` state (a list of strings, or of anything over RPC). */
export function dockerTags(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
}

export class ImportArtifact implements Artifact {
  constructor(readonly data: {
    builderId: string;
    id: string;
    driver: DockerDriver;
    state?: Record<string, unknown>;
  }) {}

  async builderId(): Promise<string> { return this.data.builderId; }
  async files(): Promise<string[]> { return []; }
  async id(): Promise<string> { return this.data.id; }
  async string(): Promise<string> {
    const tags = dockerTags(this.data.state?.docker_tags);
    if (tags.length > 0) return `Imported Docker image: ${this.data.id} with tags ${tags.join(' ')}`;
    return `Imported Docker image: ${this.data.id}`;
  }
  async state(name: string): Promise<unknown> { return this.data.state?.[name]; }
  async destroy(): Promise<void> { await this.data.driver.deleteImage(this.data.id); }
}

export class ExportArtifact implements Artifact {
  constructor(readonly path: string, readonly stateData: Record<string, unknown> = {}) {}
  async builderId(): Promise<string> { return BUILDER_ID; }
  async files(): Promise<string[]> { return [this.path]; }
  async id(): Promise<string> { return 'Container'; }
  async string(): Promise<string> { return `Exported Docker file: ${this.path}`; }
  async state(name: string): Promise<unknown> { return this.stateData[name]; }
  async destroy(): Promise<void> { if (this.path) await rm(this.path); }
}
