/** HCL2 templates: reading, blocks, builds. */
export * from './files.ts';
export * from './config.ts';
export * from './builds.ts';
export * from './inspect.ts';
export { compileGlob, GlobError } from './glob.ts';
