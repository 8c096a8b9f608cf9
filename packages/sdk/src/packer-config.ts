/**
 * The settings the core passes to every component as the last raw
 * configuration (Packer's `common.PackerConfig`), under these exact keys.
 */
import { randomUUID } from './random.ts';

export interface PackerConfig {
  /** packer_build_name: the build's name (its `name`, else its `type`). */
  buildName: string;
  /** packer_builder_type: the builder's type. */
  builderType: string;
  /** packer_core_version: the core's version, e.g. "1.6.6". */
  coreVersion: string;
  /** packer_debug: -debug given. */
  debug: boolean;
  /** packer_force: -force given. */
  force: boolean;
  /** packer_on_error: "cleanup" | "abort" | "ask" | "run-cleanup-provisioner" | "". */
  onError: string;
  /** packer_template_path: absolute path of the template file. */
  templatePath: string;
  /** packer_user_variables: the template's variables after -var-file/-var. */
  userVariables: Record<string, string>;
  /** packer_sensitive_variables: names of the sensitive variables. */
  sensitiveVariables: string[];
}

/** Wire keys of PackerConfig, as Packer spells them. */
export const PACKER_CONFIG_KEYS = {
  buildName: 'packer_build_name',
  builderType: 'packer_builder_type',
  coreVersion: 'packer_core_version',
  debug: 'packer_debug',
  force: 'packer_force',
  onError: 'packer_on_error',
  templatePath: 'packer_template_path',
  userVariables: 'packer_user_variables',
  sensitiveVariables: 'packer_sensitive_variables',
} as const satisfies Record<keyof PackerConfig, string>;

/** Turns a PackerConfig into the raw map handed to prepare/configure. */
export function packerConfigRaw(c: PackerConfig): Record<string, unknown> {
  return {
    packer_build_name: c.buildName,
    packer_builder_type: c.builderType,
    packer_core_version: c.coreVersion,
    packer_debug: c.debug,
    packer_force: c.force,
    packer_on_error: c.onError,
    packer_template_path: c.templatePath,
    packer_user_variables: { ...c.userVariables },
    packer_sensitive_variables: [...c.sensitiveVariables],
  };
}

let generatedRunUUID: string | undefined;

/**
 * The id shared by every build of one run: `PACKER_RUN_UUID` from the
 * environment (the core sets it and every plugin and script inherits it),
 * else one generated once for this process.
 */
export function packerRunUUID(): string {
  const env = process.env.PACKER_RUN_UUID;
  if (env) return env;
  generatedRunUUID ??= randomUUID();
  return generatedRunUUID;
}
