/**
 * docker-push post-processor: pushes the image of a docker-import or
 * docker-tag artifact and each of its tags, logged in around it with `login`.
 */
import { decodeConfig, objectSpec, type ObjectSpec, type Artifact, type PostProcessResult, type PostProcessor, type Schema, type Ui } from '@packer-ts/sdk';
import { dockerTags, ImportArtifact } from '../../builder/docker/artifact.ts';
import { loginSchema, prepareLogin, type LoginConfig } from '../../builder/docker/config.ts';
import { DockerDriver } from '../../builder/docker/driver.ts';
import { DOCKER_IMPORT_ID } from '../docker-import/index.ts';
import { DOCKER_TAG_ID } from '../docker-tag/index.ts';

// Packer's docker-push has an untagged Login field (the docker builder's is tagged `login`).
export const schema: Schema = { ...loginSchema, login: { ...loginSchema.login!, goName: 'Login' }, keep_input_artifact: { type: 'bool', hcl: { omit: true } } };

export class DockerPushPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  private c: LoginConfig = {};

  async configure(...raws: unknown[]): Promise<void> {
    this.c = decodeConfig<LoginConfig>(schema, raws).config;
    // Packer's docker-push returns its one problem as a plain error
    const errs = prepareLogin(this.c);
    if (errs.length > 0) throw new Error(errs[0]);
  }

  async postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    const builderId = await artifact.builderId();
    if (builderId !== DOCKER_IMPORT_ID && builderId !== DOCKER_TAG_ID) {
      throw new Error(`Unknown artifact type: ${builderId}\nCan only import from docker-import and docker-tag artifacts.`);
    }
    const driver = new DockerDriver(ui);
    const c = this.c;
    if (c.login) {
      ui.message('Logging in...');
      try {
        await driver.login(c.loginServer ?? '', c.loginUsername ?? '', c.loginPassword ?? '');
      } catch (e) {
        throw new Error(`Error logging in to Docker: ${(e as Error).message}`, { cause: e });
      }
    }
    const tags = dockerTags(await artifact.state('docker_tags'));
    const names = [await artifact.id(), ...tags];
    try {
      for (const name of names) {
        ui.message(`Pushing: ${name}`);
        await driver.push(name, signal);
      }
    } finally {
      if (c.login) {
        ui.message('Logging out...');
        try { await driver.logout(c.loginServer ?? ''); } catch (e) { ui.error(`Error logging out: ${(e as Error).message}`); }
      }
    }
    return {
      artifact: new ImportArtifact({ builderId: DOCKER_IMPORT_ID, id: names[0]!, driver, state: { docker_tags: tags } }),
      keep: true,
      forceOverride: false,
    };
  }
}
