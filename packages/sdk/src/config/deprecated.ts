/**
 * Keys that `packer fix` rewrites, per component (Packer 1.6.6's
 * DeprecatedOptions, generated there from its fixers): a component whose
 * plugin type matches a pattern (`*` matches any run of characters) reports
 * those keys as deprecated rather than unknown.
 */
const DEPRECATED_OPTIONS: Record<string, string[]> = {
  '*': ['iso_md5', 'ssh_key_path', 'ssh_disable_agent', 'ssh_host_port_min', 'ssh_host_port_max',
    'ssh_skip_nat_mapping', 'ssh_wait_timeout', 'iso_checksum_url', 'iso_checksum_type'],
  '*amazon*': ['shutdown_behaviour', 'enhanced_networking', 'ssh_private_ip', 'temporary_security_group_source_cidr',
    'clean_ami_name', 'spot_price_auto_product'],
  'Azure*': ['clean_image_name', 'exlude_from_latest'],
  'MSOpenTech.hyperv': ['vhd_temp_path', 'clone_from_vmxc_path', 'cpu', 'ram_size'],
  'ansible': ['galaxycommand'],
  'hashicorp.scaleway': ['access_key'],
  'jetbrains.vsphere': ['network_card', 'network', 'networkCard', 'disk_size', 'disk_thin_provisioned', 'disk_eagerly_scrub'],
  'mitchellh.virtualbox': ['guest_additions_attach'],
  'packer.docker': ['login_email'],
  'packer.googlecompute': ['clean_image_name'],
  'packer.parallels': ['headless', 'parallels_tools_host_path', 'guest_os_distribution'],
  'packer.post-processor.docker-import': ['login_email'],
  'packer.post-processor.docker-tag': ['tag'],
  'packer.post-processor.manifest': ['filename'],
  'transcend.qemu': ['ssh_host_port_max', 'ssh_host_port_min'],
};

/** Glob with `*` only, as github.com/ryanuber/go-glob matches. */
function glob(pattern: string, subject: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(subject);
}

/** Whether `packer fix` knows `key` for the component `pluginType`. */
export function isDeprecatedKey(key: string, pluginType: string | undefined): boolean {
  if (!pluginType) return false;
  return Object.entries(DEPRECATED_OPTIONS).some(([p, keys]) => glob(p, pluginType) && keys.includes(key));
}

/** The error for a key no field takes, worded as Packer's config.Decode words it. */
export function unusedKeyError(key: string, pluginType: string | undefined): Error {
  if (isDeprecatedKey(key, pluginType)) {
    return new Error(`Deprecated configuration key: '${key}'. Please call \`packer fix\` against your template to ` +
      'update your template to be compatible with the current version of Packer. Visit ' +
      'https://www.packer.io/docs/commands/fix/ for more detail.');
  }
  return new Error(`unknown configuration key: '${JSON.stringify(key)}'`);
}
