/**
 * Vagrant providers: what goes into a box for an artifact (Packer 1.6.6's
 * post-processor/vagrant/{libvirt,docker}.go). packer-ts packs the providers
 * whose artifacts it can produce: libvirt (qemu builder) and docker.
 */
import { join } from 'node:path';
import type { Artifact, Ui } from '@packer-ts/sdk';
import { copyContents } from './box.ts';

export interface Provider {
  /** Whether the input artifact is kept by default. */
  keepInputArtifact: boolean;
  /** Puts the provider's files into `dir`; returns the Vagrantfile part and metadata.json's contents. */
  process(ui: Ui, artifact: Artifact, dir: string): Promise<{ vagrantfile: string; metadata: Record<string, unknown> }>;
}

/** Provider of each builder id (Packer's table). */
export const PROVIDER_OF_BUILDER: Record<string, string> = {
  'mitchellh.amazonebs': 'aws',
  'mitchellh.amazon.instance': 'aws',
  'mitchellh.virtualbox': 'virtualbox',
  'mitchellh.vmware': 'vmware',
  'mitchellh.vmware-esx': 'vmware',
  'pearkes.digitalocean': 'digitalocean',
  'packer.googlecompute': 'google',
  'hashicorp.scaleway': 'scaleway',
  'packer.parallels': 'parallels',
  'MSOpenTech.hyperv': 'hyperv',
  'transcend.qemu': 'libvirt',
  'ustream.lxc': 'lxc',
  'Azure.ResourceManagement.VMImage': 'azure',
  'packer.post-processor.docker-import': 'docker',
  'packer.post-processor.docker-tag': 'docker',
  'packer.post-processor.docker-push': 'docker',
};

/** Provider of each builder type of Packer 1.6.6, to reject an unsupported one at configure time. */
export function providerOfBuilderType(type: string): string | undefined {
  if (type === 'qemu') return 'libvirt';
  if (type === 'docker') return 'docker';
  const prefixes: [RegExp, string][] = [
    [/^amazon-(ebs|instance)$/, 'aws'], [/^virtualbox-/, 'virtualbox'], [/^vmware-/, 'vmware'],
    [/^digitalocean$/, 'digitalocean'], [/^googlecompute$/, 'google'], [/^scaleway$/, 'scaleway'],
    [/^parallels-/, 'parallels'], [/^hyperv-/, 'hyperv'], [/^lxc$/, 'lxc'], [/^azure-arm$/, 'azure'],
  ];
  return prefixes.find(([re]) => re.test(type))?.[1];
}

/** Every provider name Packer knows, sorted. */
export const PACKER_PROVIDERS = [...new Set(Object.values(PROVIDER_OF_BUILDER))].sort();

/** Size of a qemu disk ("40960M", "10G", "512") in megabytes (Packer's sizeInMegabytes). */
export function sizeInMegabytes(size: string): number {
  let unit = size[size.length - 1] ?? 'm';
  let digits = size;
  if (unit >= '0' && unit <= '9') unit = 'm';
  else digits = size.slice(0, -1);
  const value = /^\d+$/.test(digits) ? Number(digits) : 0;
  const mul: Record<string, number> = { b: 1 / (1024 * 1024), k: 1 / 1024, m: 1, g: 1024, t: 1024 ** 2, p: 1024 ** 3, e: 1024 ** 4 };
  const m = mul[unit.toLowerCase()];
  if (m === undefined) throw new Error(`Unknown size unit ${unit}`);
  return Math.floor(value * m);
}

function stateString(v: unknown, name: string, provider: string): string {
  if (typeof v !== 'string') {
    throw new Error(`The ${provider} provider needs the artifact's "${name}" (an artifact of the qemu builder); this artifact has none`);
  }
  return v;
}

export const libvirt: Provider = {
  keepInputArtifact: false,
  async process(ui, artifact, dir) {
    const diskName = stateString(await artifact.state('diskName'), 'diskName', 'libvirt');
    for (const path of await artifact.files()) {
      if (path.endsWith(`/${diskName}`)) {
        ui.message(`Copying from artifact: ${path}`);
        await copyContents(join(dir, 'box.img'), path);
      }
    }
    const format = stateString(await artifact.state('diskType'), 'diskType', 'libvirt');
    const origSize = sizeInMegabytes(stateString(await artifact.state('diskSize'), 'diskSize', 'libvirt'));
    const size = Math.floor(origSize / 1024) + (origSize % 1024 > 0 ? 1 : 0);
    const domainType = stateString(await artifact.state('domainType'), 'domainType', 'libvirt');
    let driver: string;
    if (domainType === 'none' || domainType === 'tcg' || domainType === 'hvf') driver = 'qemu';
    else if (domainType === 'kvm') driver = domainType;
    else throw new Error(`Unknown libvirt domain type: ${domainType}`);
    return {
      metadata: { provider: 'libvirt', format, virtual_size: size },
      vagrantfile: `
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.driver = "${driver}"
  end
end
`,
    };
  },
};

export const docker: Provider = {
  keepInputArtifact: false,
  async process(_ui, artifact) {
    return {
      metadata: { provider: 'docker' },
      vagrantfile: `
Vagrant.configure("2") do |config|
	config.vm.provider :docker do |docker, override|
		docker.image = "${await artifact.id()}"
	end
end
`,
    };
  },
};

/** The providers packer-ts packs. */
export const PROVIDERS: Record<string, Provider> = { libvirt, docker };
