/** @packer-ts/sdk: everything a plugin author needs. */
export * from './ui.ts';
export * from './artifact.ts';
export * from './communicator.ts';
export * from './hook.ts';
export * from './builder.ts';
export * from './provisioner.ts';
export * from './postprocessor.ts';
export * from './errors.ts';
export * from './secrets.ts';
export * from './packer-config.ts';
export * from './template/interpolate/index.ts';
export * from './config/index.ts';
export * from './multistep/index.ts';
export * from './children.ts';
export * from './trace.ts';
export * from './lines.ts';
export * from './time.ts';
