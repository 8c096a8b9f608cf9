/** @packer-ts/core: templates, builds, UI, logging. */
export * from './template/json.ts';
export * from './template/template.ts';
export * from './components.ts';
export * from './plugins/index.ts';
export * from './core.ts';
export * from './build.ts';
export * from './provisioners.ts';
export * from './ui/basic.ts';
export * from './ui/closed-output.ts';
export * from './version.ts';
export * from './timeline.ts';
export { isHcl2Path } from './template/kind.ts';
