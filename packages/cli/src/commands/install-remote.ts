/**
 * Remote installs shared by `init` and `plugins install SOURCE [CONSTRAINT]`: the source's
 * getter (npm for `npmjs.com/SCOPE/NAME`, else the offline mirror or the GitHub-style release
 * server), a progress bar on a terminal, and the plugin directory.
 */
import { VERSION, type Constraints, type PluginSource } from '@packer-ts/core';
import { log } from '@packer-ts/sdk';
import { defaultGetters, installFromNpm, installLatest, NPM_HOST, type NewInstallation } from '@packer-ts/core/plugins-install';
import type { Meta } from '../meta.ts';

export interface RemoteInstall {
  dir: string;
  source: PluginSource;
  constraints?: Constraints;
  constraintText?: string;
  force?: boolean;
}

/** Installs the highest release matching; undefined when it is already installed. Throws a MultiError. */
export async function installRemote(meta: Meta, r: RemoteInstall): Promise<NewInstallation | undefined> {
  const trackProgress = meta.ui.trackProgress?.bind(meta.ui);
  if (r.source.parts[0] === NPM_HOST) {
    return installFromNpm({ ...r, env: meta.io.env, log });
  }
  return installLatest({
    ...r,
    getters: defaultGetters(meta.io.env, log, `packer-ts-getter-github-${VERSION}`),
    log,
    trackProgress,
  });
}
