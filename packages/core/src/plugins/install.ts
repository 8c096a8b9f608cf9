/**
 * The install side of plugins, `@packer-ts/core/plugins-install`: `packer { required_plugins }`
 * (./required.ts, which parses HCL), the release-server and mirror getters (./getter.ts) and the
 * npm installer (./npm.ts). Kept out of the package's index so that the commands that do not
 * install or select plugins -- `plugin` (every plugin process), `version`, JSON-template builds --
 * never load packages/hcl or the getters; the commands that need them import this entry.
 */
export * from './required.ts';
export * from './getter.ts';
export * from './npm.ts';
