/** HCL2 templates: reading, blocks, builds. */
export * from './files.ts';
export * from './config.ts';
export * from './builds.ts';
export * from './inspect.ts';
export { compileGlob, GlobError } from './glob.ts';
export { initializeDatasources, evaluateDatasources, decodeDataBlocks, dataVariable, type DataBlock, type PrereqLocal, type DatasourcesOptions, type DatasourcesResult } from './datasources.ts';
