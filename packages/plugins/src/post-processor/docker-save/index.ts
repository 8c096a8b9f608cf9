/** docker-save post-processor: `docker save` of a docker-import or docker-tag artifact's image into `path`. */
import { open, rm } from 'node:fs/promises';
import { decodeConfig, objectSpec, type ObjectSpec, type Artifact, type PostProcessResult, type PostProcessor, type Schema, type Ui } from '@packer-ts/sdk';
import { DockerDriver } from '../../builder/docker/driver.ts';
import { pathError } from '@packer-ts/sdk';
import { DOCKER_IMPORT_ID } from '../docker-import/index.ts';
import { DOCKER_TAG_ID } from '../docker-tag/index.ts';

export const DOCKER_SAVE_ID = 'packer.post-processor.docker-save';

export const schema: Schema = {
  path: { type: 'string' },
  keep_input_artifact: { type: 'bool', hcl: { omit: true } },
};

export class DockerSavePostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  private path = '';

  async configure(...raws: unknown[]): Promise<void> {
    this.path = decodeConfig<{ path?: string }>(schema, raws).config.path ?? '';
  }

  async postProcess(ui: Ui, artifact: Artifact): Promise<PostProcessResult> {
    const builderId = await artifact.builderId();
    if (builderId !== DOCKER_IMPORT_ID && builderId !== DOCKER_TAG_ID) {
      throw new Error(`Unknown artifact type: ${builderId}\nCan only save Docker builder artifacts.`);
    }
    const path = this.path;
    try {
      await (await open(path, 'w')).close();
    } catch (e) {
      throw new Error(`Error creating output file: ${pathError('open', path, e).message}`);
    }
    const id = await artifact.id();
    ui.message(`Saving image: ${id}`);
    try {
      await new DockerDriver(ui).saveImage(id, path);
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
    ui.message(`Saved to: ${path}`);
    return { artifact, keep: true, forceOverride: false };
  }
}
