/**
 * The built-in components of packer-ts, by kind and type name. They run
 * in-process by default and can be served as plugins
 * (`packer-ts plugin packer-builder-file`).
 */
import type { Builder, Datasource, PostProcessor, Provisioner } from '@packer-ts/sdk';
// Each component's module loads on first use: a build pays only for what it uses.
export const builders: Record<string, () => Promise<Builder>> = {
  docker: async () => new (await import('./builder/docker/index.ts')).DockerBuilder(),
  file: async () => new (await import('./builder/file/index.ts')).FileBuilder(),
  null: async () => new (await import('./builder/null/index.ts')).NullBuilder(),
  qemu: async () => new (await import('./builder/qemu/index.ts')).QemuBuilder(),
};

export const provisioners: Record<string, () => Promise<Provisioner>> = {
  breakpoint: async () => new (await import('./provisioner/breakpoint/index.ts')).BreakpointProvisioner(),
  'shell-local': async () => new (await import('./provisioner/shell-local/index.ts')).ShellLocalProvisioner(),
  shell: async () => new (await import('./provisioner/shell/index.ts')).ShellProvisioner(),
  file: async () => new (await import('./provisioner/file/index.ts')).FileProvisioner(),
  sleep: async () => new (await import('./provisioner/sleep/index.ts')).SleepProvisioner(),
};

export const postProcessors: Record<string, () => Promise<PostProcessor>> = {
  artifice: async () => new (await import('./post-processor/artifice/index.ts')).ArtificePostProcessor(),
  checksum: async () => new (await import('./post-processor/checksum/index.ts')).ChecksumPostProcessor(),
  compress: async () => new (await import('./post-processor/compress/index.ts')).CompressPostProcessor(),
  'docker-import': async () => new (await import('./post-processor/docker-import/index.ts')).DockerImportPostProcessor(),
  'docker-push': async () => new (await import('./post-processor/docker-push/index.ts')).DockerPushPostProcessor(),
  'docker-save': async () => new (await import('./post-processor/docker-save/index.ts')).DockerSavePostProcessor(),
  'docker-tag': async () => new (await import('./post-processor/docker-tag/index.ts')).DockerTagPostProcessor(),
  manifest: async () => new (await import('./post-processor/manifest/index.ts')).ManifestPostProcessor(),
  'shell-local': async () => new (await import('./post-processor/shell-local/index.ts')).ShellLocalPostProcessor(),
  vagrant: async () => new (await import('./post-processor/vagrant/index.ts')).VagrantPostProcessor(),
};

export const datasources: Record<string, () => Promise<Datasource>> = {
  http: async () => new (await import('./datasource/http/index.ts')).HttpDatasource(),
  null: async () => new (await import('./datasource/null/index.ts')).NullDatasource(),
};
