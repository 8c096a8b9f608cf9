/**
 * The built-in components of packer-ts, by kind and type name. They run
 * in-process by default and can be served as plugins
 * (`packer-ts plugin packer-builder-file`).
 */
import type { Builder, PostProcessor, Provisioner } from '@packer-ts/sdk';
import { FactoryStore, LayeredStore, type ComponentFinder } from '@packer-ts/core';
import { FileBuilder } from './builder/file/index.ts';
import { NullBuilder } from './builder/null/index.ts';
import { BreakpointProvisioner } from './provisioner/breakpoint/index.ts';
import { ShellLocalProvisioner } from './provisioner/shell-local/index.ts';
import { ArtificePostProcessor } from './post-processor/artifice/index.ts';
import { ChecksumPostProcessor } from './post-processor/checksum/index.ts';
import { CompressPostProcessor } from './post-processor/compress/index.ts';
import { ManifestPostProcessor } from './post-processor/manifest/index.ts';
import { ShellLocalPostProcessor } from './post-processor/shell-local/index.ts';

export const builders: Record<string, () => Builder> = {
  file: () => new FileBuilder(),
  null: () => new NullBuilder(),
};

export const provisioners: Record<string, () => Provisioner> = {
  breakpoint: () => new BreakpointProvisioner(),
  'shell-local': () => new ShellLocalProvisioner(),
};

export const postProcessors: Record<string, () => PostProcessor> = {
  artifice: () => new ArtificePostProcessor(),
  checksum: () => new ChecksumPostProcessor(),
  compress: () => new CompressPostProcessor(),
  manifest: () => new ManifestPostProcessor(),
  'shell-local': () => new ShellLocalPostProcessor(),
};

/** A component finder with only the built-ins, in-process. */
export function builtinComponents(): ComponentFinder {
  return {
    builders: new LayeredStore('builder', [new FactoryStore('builder', builders)]),
    provisioners: new LayeredStore('provisioner', [new FactoryStore('provisioner', provisioners)]),
    postProcessors: new LayeredStore('post-processor', [new FactoryStore('post-processor', postProcessors)]),
    close: async () => {},
  };
}
