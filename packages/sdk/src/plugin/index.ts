/** @packer-ts/sdk/plugin: serving a component to a Packer core, and starting plugin executables. */
export * from './server.ts';
export * from './set.ts';
export * from './client.ts';
export * from './testing.ts';
