/**
 * packer-plugin-docker: the docker builder and the docker post-processors as
 * one multi-component plugin, for Packer 1.7+ (`packer plugins install --path`)
 * and packer-ts, with the names HashiCorp's docker plugin uses: builder
 * `docker`, post-processors `docker-import`, `docker-push`, `docker-save`,
 * `docker-tag`. Built to one executable by scripts/build-plugin-docker.mjs.
 */
import { DEFAULT_NAME, pluginSet } from '@packer-ts/sdk/plugin';
import { DockerBuilder } from './builder/docker/index.ts';
import { DockerImportPostProcessor } from './post-processor/docker-import/index.ts';
import { DockerPushPostProcessor } from './post-processor/docker-push/index.ts';
import { DockerSavePostProcessor } from './post-processor/docker-save/index.ts';
import { DockerTagPostProcessor } from './post-processor/docker-tag/index.ts';

const set = pluginSet();
set.registerBuilder(DEFAULT_NAME, new DockerBuilder());
set.registerPostProcessor('import', new DockerImportPostProcessor());
set.registerPostProcessor('push', new DockerPushPostProcessor());
set.registerPostProcessor('save', new DockerSavePostProcessor());
set.registerPostProcessor('tag', new DockerTagPostProcessor());
set.setVersion('0.1.0');
void set.run();
