/**
 * The docker builder's configuration: schema, defaults and Packer 1.6.6's
 * validation messages (builder/docker/config.go).
 */
import { statSync } from 'node:fs';
import { addSecret, decodeConfig, PackerMultiError, type InterpolateContext, type PackerConfig, type Schema } from '@packer-ts/sdk';
import { commSchema, prepareComm, type CommConfig } from '../../communicator/config.ts';

export const BUILDER_ID = 'packer.docker';
/** The id of a committed image's artifact (Packer gives it the docker-import post-processor's id). */
export const BUILDER_ID_IMPORT = 'packer.post-processor.docker-import';

export const ERR_ARTIFACT_NOT_USED = 'No instructions given for handling the artifact; expected commit, discard, or export_path';
export const ERR_ARTIFACT_USE_CONFLICT = 'Cannot specify more than one of commit, discard, and export_path';
export const ERR_EXPORT_PATH_NOT_FILE = 'export_path must be a file, not a directory';
export const ERR_IMAGE_NOT_SPECIFIED = 'Image must be specified';

export const DEFAULT_RUN_COMMAND = ['-d', '-i', '-t', '--entrypoint=/bin/sh', '--', '{{.Image}}'];

/** The login keys the builder and the docker-push post-processor share. */
export const loginSchema: Schema = {
  login: { type: 'bool' },
  login_username: { type: 'string' },
  login_password: { type: 'string' },
  login_server: { type: 'string' },
  ecr_login: { type: 'bool' },
  // Packer's AwsAccessConfig, used by ecr_login only
  aws_access_key: { type: 'string' },
  aws_secret_key: { type: 'string' },
  aws_token: { type: 'string' },
  aws_profile: { type: 'string' },
};

export interface LoginConfig {
  login?: boolean;
  loginUsername?: string;
  loginPassword?: string;
  loginServer?: string;
  ecrLogin?: boolean;
  awsAccessKey?: string;
  awsSecretKey?: string;
  awsToken?: string;
}

export const schema: Schema = {
  ...commSchema,
  ...loginSchema,
  author: { type: 'string' },
  changes: { type: 'string[]' },
  commit: { type: 'bool' },
  container_dir: { type: 'string' },
  device: { type: 'string[]' },
  discard: { type: 'bool' },
  cap_add: { type: 'string[]' },
  cap_drop: { type: 'string[]' },
  exec_user: { type: 'string' },
  export_path: { type: 'string' },
  image: { type: 'string' },
  message: { type: 'string' },
  privileged: { type: 'bool' },
  pty: { type: 'bool', goName: 'Pty' },
  pull: { type: 'bool', default: true },
  run_command: { type: 'string[]', interpolate: false },
  tmpfs: { type: 'string[]', as: 'tmpFs' },
  volumes: { type: 'map' },
  fix_upload_owner: { type: 'bool', default: true },
  windows_container: { type: 'bool' },
};

export interface DockerConfig extends CommConfig, LoginConfig {
  author?: string;
  changes?: string[];
  commit?: boolean;
  containerDir: string;
  device?: string[];
  discard?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  execUser?: string;
  exportPath?: string;
  image?: string;
  message?: string;
  privileged?: boolean;
  pty?: boolean;
  pull: boolean;
  runCommand: string[];
  tmpFs?: string[];
  volumes?: Record<string, string>;
  fixUploadOwner: boolean;
  windowsContainer?: boolean;
}

/** Records the secrets of a login configuration and returns the problems of its keys. */
export function prepareLogin(c: LoginConfig): string[] {
  for (const s of [c.loginPassword, c.awsSecretKey, c.awsToken]) if (s) addSecret(s);
  const errs: string[] = [];
  if (c.ecrLogin && !c.loginServer) errs.push('ECR login requires login server to be provided.');
  else if (c.ecrLogin) errs.push('ecr_login is not supported by packer-ts yet');
  return errs;
}

export function prepareConfig(raws: unknown[]): { config: DockerConfig; packer: PackerConfig; ctx: InterpolateContext } {
  const decoded = decodeConfig<DockerConfig>(schema, raws, {});
  const c = decoded.config;
  if (!c.runCommand || c.runCommand.length === 0) c.runCommand = [...DEFAULT_RUN_COMMAND];
  if (!c.type) c.type = 'docker';
  const errs: string[] = [...prepareComm(c)];
  if (!c.image) errs.push(ERR_IMAGE_NOT_SPECIFIED);
  const exp = c.exportPath ?? '';
  if ((exp !== '' && c.commit) || (exp !== '' && c.discard) || (c.commit && c.discard)) errs.push(ERR_ARTIFACT_USE_CONFLICT);
  if (exp === '' && !c.commit && !c.discard) errs.push(ERR_ARTIFACT_NOT_USED);
  if (exp !== '') {
    try { if (statSync(exp).isDirectory()) errs.push(ERR_EXPORT_PATH_NOT_FILE); } catch { /* absent: created at export */ }
  }
  if (!c.containerDir) c.containerDir = '/packer-files';
  errs.push(...prepareLogin(c));
  if (c.windowsContainer) errs.push('windows_container is not supported by packer-ts yet');
  // packer.MultiError, as Packer's docker builder collects its Prepare problems
  PackerMultiError.throwIf(errs);
  return { config: c, packer: decoded.packer, ctx: decoded.ctx };
}
