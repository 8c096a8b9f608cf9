/**
 * docker-tag post-processor: tags the image of a docker builder (commit) or
 * docker-import artifact as `repository:tag` for every tag.
 */
import { decodeConfig, objectSpec, type ObjectSpec, type Artifact, type PostProcessResult, type PostProcessor, type Schema, type Ui } from '@packer-ts/sdk';
import { ImportArtifact } from '../../builder/docker/artifact.ts';
import { DockerDriver } from '../../builder/docker/driver.ts';
import { DOCKER_IMPORT_ID } from '../docker-import/index.ts';

export const DOCKER_TAG_ID = 'packer.post-processor.docker-tag';

export const schema: Schema = {
  repository: { type: 'string' },
  tag: { type: 'string[]' },
  tags: { type: 'string[]' },
  force: { type: 'bool', goName: 'Force' },
  keep_input_artifact: { type: 'bool', hcl: { omit: true } },
};

interface TagConfig { repository?: string; tag?: string[]; tags?: string[]; force?: boolean }

export class DockerTagPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  private repository = '';
  private tags: string[] = [];
  private deprecatedTag = false;

  async configure(...raws: unknown[]): Promise<void> {
    const c = decodeConfig<TagConfig>(schema, raws).config;
    this.repository = c.repository ?? '';
    this.tags = [...(c.tags ?? []), ...(c.tag ?? [])];
    this.deprecatedTag = (c.tag ?? []).length > 0;
  }

  async postProcess(ui: Ui, artifact: Artifact): Promise<PostProcessResult> {
    if (this.deprecatedTag) {
      ui.say('Deprecation warning: "tag" option has been replaced with "tags". In future versions of Packer, ' +
        'this configuration may not work. Please call `packer fix` on your template to update.');
    }
    const builderId = await artifact.builderId();
    if (builderId !== DOCKER_TAG_ID && builderId !== DOCKER_IMPORT_ID) {
      throw new Error(`Unknown artifact type: ${builderId}\nCan only tag from Docker builder artifacts.`);
    }
    const driver = new DockerDriver(ui);
    const id = await artifact.id();
    let last = this.repository;
    const repoTags: string[] = [];
    if (this.tags.length > 0) {
      for (const tag of this.tags) {
        const local = `${this.repository}:${tag}`;
        ui.message(`Tagging image: ${id}`);
        ui.message(`Repository: ${local}`);
        await driver.tagImage(id, local);
        repoTags.push(local);
        last = local;
      }
    } else {
      ui.message(`Tagging image: ${id}`);
      ui.message(`Repository: ${this.repository}`);
      await driver.tagImage(id, this.repository);
    }
    // Deleting the input image would make the tag pointless: the input is always kept.
    return {
      artifact: new ImportArtifact({ builderId: DOCKER_TAG_ID, id: last, driver, state: { docker_tags: repoTags } }),
      keep: true,
      forceOverride: true,
    };
  }
}
