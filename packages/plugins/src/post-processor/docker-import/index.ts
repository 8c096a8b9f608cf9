/**
 * docker-import post-processor: imports the tarball of a docker builder
 * (export_path) or artifice artifact as an image `repository[:tag]`.
 */
import { decodeConfig, objectSpec, type ObjectSpec, type Artifact, type PostProcessResult, type PostProcessor, type Schema, type Ui } from '@packer-ts/sdk';
import { ImportArtifact } from '../../builder/docker/artifact.ts';
import { BUILDER_ID } from '../../builder/docker/config.ts';
import { DockerDriver } from '../../builder/docker/driver.ts';
import { ARTIFICE_BUILDER_ID } from '../artifice/index.ts';

export const DOCKER_IMPORT_ID = 'packer.post-processor.docker-import';

export const schema: Schema = {
  repository: { type: 'string' },
  tag: { type: 'string' },
  changes: { type: 'string[]' },
  keep_input_artifact: { type: 'bool', hcl: { omit: true } },
};

interface ImportConfig { repository?: string; tag?: string; changes?: string[] }

export class DockerImportPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  private c: ImportConfig = {};

  async configure(...raws: unknown[]): Promise<void> {
    this.c = decodeConfig<ImportConfig>(schema, raws).config;
  }

  async postProcess(ui: Ui, artifact: Artifact): Promise<PostProcessResult> {
    const builderId = await artifact.builderId();
    if (builderId !== BUILDER_ID && builderId !== ARTIFICE_BUILDER_ID) {
      throw new Error(`Unknown artifact type: ${builderId}\nCan only import from Docker builder and Artifice ` +
        'post-processor artifacts. If you are getting this error after having run the docker builder, it may be ' +
        'because you set commit: true in your Docker builder, so the image is already imported. ');
    }
    let repo = this.c.repository ?? '';
    if (this.c.tag) repo += `:${this.c.tag}`;
    const driver = new DockerDriver(ui);
    ui.message(`Importing image: ${await artifact.id()}`);
    ui.message(`Repository: ${repo}`);
    const files = await artifact.files();
    const id = await driver.importImage(files[0] ?? '', this.c.changes ?? [], repo);
    ui.message(`Imported ID: ${id}`);
    return { artifact: new ImportArtifact({ builderId: DOCKER_IMPORT_ID, id: repo, driver }), keep: false, forceOverride: false };
  }
}
