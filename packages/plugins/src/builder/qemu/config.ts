/**
 * The qemu builder's configuration: schema, defaults and Packer 1.6.6's
 * validation messages (builder/qemu/config.go and the shared ISO, HTTP,
 * floppy, CD, VNC/boot and communicator configurations).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeConfig, PackerMultiError, withPrepareWarnings, type InterpolateContext, type PackerConfig, type Schema } from '@packer-ts/sdk';
import { commSchema, prepareComm, type CommConfig } from '../../communicator/config.ts';
import { parseBootCommand, validateBootCommand } from '../../common/bootcommand.ts';
import { checksumSyntaxError } from '../../common/download.ts';
import { checkMediaPath } from './media.ts';

export const schema: Schema = {
  ...commSchema,
  // ISO / image source
  iso_url: { type: 'string' },
  iso_urls: { type: 'string[]' },
  iso_checksum: { type: 'string' },
  iso_target_path: { type: 'string' },
  iso_target_extension: { type: 'string' },
  iso_skip_cache: { type: 'bool' },
  disk_image: { type: 'bool' },
  use_backing_file: { type: 'bool' },
  // output
  output_directory: { type: 'string', as: 'outputDir' },
  vm_name: { type: 'string', as: 'vmName' },
  format: { type: 'string' },
  // disks
  disk_size: { type: 'string' },
  disk_additional_size: { type: 'string[]' },
  disk_interface: { type: 'string' },
  disk_cache: { type: 'string' },
  disk_discard: { type: 'string' },
  disk_detect_zeroes: { type: 'string' },
  skip_resize_disk: { type: 'bool' },
  skip_compaction: { type: 'bool' },
  disk_compression: { type: 'bool' },
  qemu_img_args: { type: { object: { create: { type: 'string[]' }, convert: { type: 'string[]' }, resize: { type: 'string[]' } } } },
  cdrom_interface: { type: 'string' },
  // machine
  net_device: { type: 'string' },
  net_bridge: { type: 'string' },
  accelerator: { type: 'string' },
  cpus: { type: 'int', as: 'cpuCount' },
  memory: { type: 'int', as: 'memorySize' },
  machine_type: { type: 'string' },
  firmware: { type: 'string' },
  headless: { type: 'bool' },
  display: { type: 'string' },
  use_default_display: { type: 'bool' },
  qemu_binary: { type: 'string' },
  // rendered per run with the build's data; Packer still checks the templates at prepare
  qemuargs: { type: { array: 'string[]' }, interpolate: false, as: 'qemuArgs' },
  run_once: { type: 'bool' },
  qmp_enable: { type: 'bool' },
  qmp_socket_path: { type: 'string' },
  // port forwarding
  host_port_min: { type: 'int' },
  host_port_max: { type: 'int' },
  ssh_host_port_min: { type: 'int' },
  ssh_host_port_max: { type: 'int' },
  skip_nat_mapping: { type: 'bool' },
  // VNC and boot
  vnc_bind_address: { type: 'string' },
  vnc_port_min: { type: 'int' },
  vnc_port_max: { type: 'int' },
  vnc_use_password: { type: 'bool' },
  disable_vnc: { type: 'bool' },
  boot_wait: { type: 'duration' },
  boot_command: { type: 'string[]', interpolate: false },
  boot_key_interval: { type: 'duration' },
  boot_keygroup_interval: { type: 'duration' },
  // HTTP
  http_directory: { type: 'string', as: 'httpDir' },
  http_content: { type: 'map' },
  http_port_min: { type: 'int' },
  http_port_max: { type: 'int' },
  http_bind_address: { type: 'string' },
  http_interface: { type: 'string' },
  // shutdown
  shutdown_command: { type: 'string' },
  shutdown_timeout: { type: 'duration' },
  // floppy and CD
  floppy_files: { type: 'string[]' },
  floppy_dirs: { type: 'string[]' },
  floppy_label: { type: 'string' },
  cd_files: { type: 'string[]' },
  cd_label: { type: 'string' },
};

export interface QemuConfig extends CommConfig {
  isoUrl?: string;
  isoUrls: string[];
  isoChecksum: string;
  isoTargetPath?: string;
  isoTargetExtension: string;
  isoSkipCache?: boolean;
  diskImage: boolean;
  useBackingFile: boolean;
  outputDir: string;
  vmName: string;
  format: string;
  diskSize: string;
  diskAdditionalSize: string[];
  diskInterface: string;
  diskCache: string;
  diskDiscard: string;
  diskDetectZeroes: string;
  skipResizeDisk: boolean;
  skipCompaction: boolean;
  diskCompression: boolean;
  qemuImgArgs: { create?: string[]; convert?: string[]; resize?: string[] };
  cdromInterface?: string;
  netDevice: string;
  netBridge?: string;
  accelerator: string;
  cpuCount: number;
  memorySize: number;
  machineType: string;
  firmware?: string;
  headless: boolean;
  display?: string;
  useDefaultDisplay?: boolean;
  qemuBinary: string;
  qemuArgs: string[][];
  hostPortMin: number;
  hostPortMax: number;
  sshHostPortMin?: number;
  sshHostPortMax?: number;
  skipNatMapping?: boolean;
  vncBindAddress: string;
  vncPortMin: number;
  vncPortMax: number;
  vncUsePassword?: boolean;
  disableVnc?: boolean;
  /** qmp_enable (vnc_use_password turns it on): a QMP socket at qmpSocketPath (`-qmp unix:PATH,server,nowait`). */
  qmpEnable?: boolean;
  qmpSocketPath?: string;
  bootWait: number;
  bootCommand: string[];
  bootKeyInterval?: number;
  httpDir?: string;
  httpContent?: Record<string, string>;
  httpPortMin: number;
  httpPortMax: number;
  httpBindAddress: string;
  /** http_interface (undocumented in Packer): only checked, as in Packer 1.6.6 */
  httpInterface?: string;
  shutdownCommand?: string;
  shutdownTimeout: number;
  floppyFiles: string[];
  floppyDirs: string[];
  floppyLabel?: string;
  cdFiles: string[];
  cdLabel?: string;
}

const ACCELS = ['none', 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx'];
const DISK_INTERFACES = ['ide', 'scsi', 'virtio', 'virtio-scsi'];
const DISK_CACHES = ['writethrough', 'writeback', 'none', 'unsafe', 'directsync'];
const DISK_DISCARDS = ['unmap', 'ignore'];
const DETECT_ZEROES = ['unmap', 'on', 'off'];

/** The device checked for the kvm accelerator; PACKER_TS_KVM_DEVICE overrides it (tests). */
export function kvmDevice(): string {
  return process.env.PACKER_TS_KVM_DEVICE || '/dev/kvm';
}

export interface Prepared {
  config: QemuConfig;
  packer: PackerConfig;
  ctx: InterpolateContext;
  warnings: string[];
}

export function prepareConfig(raws: unknown[]): Prepared {
  const decoded = decodeConfig<QemuConfig>(schema, raws, { pluginType: 'transcend.qemu' });
  const c = decoded.config;
  const packer = decoded.packer;
  const errs: string[] = [];
  const warnings: string[] = [];

  // shutdown
  if (!c.shutdownTimeout) c.shutdownTimeout = 5 * 60_000;

  // disk size: a number is MiB
  if (!c.diskSize || c.diskSize === '0') c.diskSize = '40960M';
  else if (!/^\d+[bkmgt]?$/.test(c.diskSize.toLowerCase())) errs.push('Invalid disk size.');
  else if (/^\d+$/.test(c.diskSize)) c.diskSize = `${c.diskSize}M`;

  c.diskCache ||= 'writeback';
  c.diskDiscard ||= 'ignore';
  c.diskDetectZeroes ||= 'off';
  c.diskAdditionalSize ??= [];
  c.qemuImgArgs ??= {};
  if (!c.accelerator) c.accelerator = existsSync(kvmDevice()) ? 'kvm' : 'tcg';
  c.machineType ||= 'pc';
  c.outputDir ||= `output-${packer.buildName}`;
  c.qemuBinary ||= 'qemu-system-x86_64';
  if (!c.memorySize || c.memorySize < 10) c.memorySize = 512;
  if (!c.cpuCount || c.cpuCount < 1) c.cpuCount = 1;
  c.vncBindAddress ||= '127.0.0.1';
  c.vncPortMin ||= 5900;
  c.vncPortMax ||= 6000;
  c.vmName ||= `packer-${packer.buildName}`;
  // a VNC password is set over QMP (net_bridge turns it on too in Packer, refused below)
  if (c.vncUsePassword) c.qmpEnable = true;
  if (c.qmpEnable && !c.qmpSocketPath) c.qmpSocketPath = join(c.outputDir, `${c.vmName}.monitor`);
  c.format ||= 'qcow2';
  c.headless ??= false;
  c.diskImage ??= false;
  c.useBackingFile ??= false;
  c.skipResizeDisk ??= false;
  c.skipCompaction ??= false;
  c.diskCompression ??= false;

  // floppy / CD
  c.floppyFiles ??= [];
  c.floppyDirs ??= [];
  c.cdFiles ??= [];
  for (const f of c.floppyFiles) { const e = checkMediaPath(f, 'Floppy disk file'); if (e) errs.push(e); }
  for (const d of c.floppyDirs) { const e = checkMediaPath(d, 'Floppy disk directory'); if (e) errs.push(e); }
  for (const f of c.cdFiles) { const e = checkMediaPath(f, 'CD disk file'); if (e) errs.push(e); }

  // VNC and boot command
  c.bootCommand ??= [];
  if (c.bootCommand.length > 0 && c.disableVnc) errs.push('A boot command cannot be used when vnc is disabled.');
  if (c.bootWait === undefined || c.bootWait === 0) c.bootWait = 10_000;
  if (c.bootCommand.length > 0) errs.push(...validateBootCommand(parseBootCommand(c.bootCommand.join(''))));

  c.netDevice ||= 'virtio-net';
  c.diskInterface ||= 'virtio';

  // ISO
  if (c.isoSkipCache) c.isoChecksum = 'none';
  c.isoUrls ??= [];
  c.isoChecksum ??= '';
  c.isoTargetExtension = (c.isoTargetExtension || 'iso').toLowerCase();
  let urlError: string | undefined;
  if (c.isoUrl && c.isoUrls.length > 0) urlError = 'Only one of iso_url or iso_urls must be specified';
  else if (c.isoUrl) c.isoUrls = [c.isoUrl];
  else if (c.isoUrls.length === 0) urlError = 'One of iso_url or iso_urls must be specified';
  // Packer checks the checksum only once the URLs are valid.
  const ce = urlError ?? checksumSyntaxError(c.isoChecksum);
  if (ce) errs.push(ce);
  if (c.isoChecksum.toLowerCase() === 'none') {
    warnings.push("A checksum of 'none' was specified. Since ISO files are so big,\na checksum is highly recommended.");
  }

  // HTTP
  c.httpPortMin ||= 8000;
  c.httpPortMax ||= 9000;
  c.httpBindAddress ||= '0.0.0.0';
  if (c.httpPortMin > c.httpPortMax) errs.push('http_port_min must be less than http_port_max');
  // (Packer's wording; http_interface with the default bind address is refused there too)
  if (c.httpInterface && c.httpBindAddress === '0.0.0.0') errs.push('either http_interface of http_bind_address can be specified');
  if (c.httpDir && c.httpContent && Object.keys(c.httpContent).length > 0) errs.push('http_directory and http_content should not be used together');

  // communicator + host port forwarding
  if (c.sshHostPortMin) {
    warnings.push('ssh_host_port_min is deprecated and is being replaced by host_port_min. Please, update your template to use host_port_min. In future versions of Packer, inclusion of ssh_host_port_min will error your builds.');
    c.hostPortMin = c.sshHostPortMin;
  }
  if (c.sshHostPortMax) {
    warnings.push('ssh_host_port_max is deprecated and is being replaced by host_port_max. Please, update your template to use host_port_max. In future versions of Packer, inclusion of ssh_host_port_max will error your builds.');
    c.hostPortMax = c.sshHostPortMax;
  }
  if (!c.sshHost && c.skipNatMapping) c.sshHost = '127.0.0.1';
  c.hostPortMin ||= 2222;
  c.hostPortMax ||= 4444;
  errs.push(...prepareComm(c));
  if (c.hostPortMin > c.hostPortMax) errs.push('host_port_min must be less than host_port_max');
  if (c.hostPortMin < 0) errs.push('host_port_min must be positive');

  if (c.format !== 'qcow2' && c.format !== 'raw') errs.push("invalid format, only 'qcow2' or 'raw' are allowed");
  if (c.format !== 'qcow2') { c.skipCompaction = true; c.diskCompression = false; }
  if (c.useBackingFile) {
    c.skipCompaction = true;
    if (!(c.diskImage && c.format === 'qcow2')) errs.push('use_backing_file can only be enabled for QCOW2 images and when disk_image is true');
  }
  if (c.skipResizeDisk && !c.diskImage) errs.push('skip_resize_disk can only be used when disk_image is true');
  if (!ACCELS.includes(c.accelerator)) errs.push("invalid accelerator, only 'kvm', 'tcg', 'xen', 'hax', 'hvf', 'whpx', or 'none' are allowed");
  else if (c.accelerator === 'kvm' && !existsSync(kvmDevice())) {
    errs.push(`accelerator "kvm" was asked for, but ${kvmDevice()} does not exist: this host cannot run KVM guests (use "accelerator": "tcg", or load the kvm module)`);
  }
  if (!DISK_INTERFACES.includes(c.diskInterface)) errs.push('unrecognized disk interface type');
  if (!DISK_CACHES.includes(c.diskCache)) errs.push('unrecognized disk cache type');
  if (!DISK_DISCARDS.includes(c.diskDiscard)) errs.push('unrecognized disk discard type');
  if (!DETECT_ZEROES.includes(c.diskDetectZeroes)) errs.push('unrecognized disk detect zeroes setting');
  if (!packer.force && existsSync(c.outputDir)) errs.push(`Output directory '${c.outputDir}' already exists. It must not exist.`);
  if (c.vncPortMin > c.vncPortMax) errs.push('vnc_port_min must be less than vnc_port_max');
  if (c.vncPortMin < 5900) errs.push('vnc_port_min must be 5900 or more (QEMU numbers VNC displays from 5900)');
  if (c.netBridge) errs.push('net_bridge is not supported by packer-ts yet');

  c.qemuArgs ??= [];

  if (errs.length > 0) throw withPrepareWarnings(new PackerMultiError(errs), warnings);
  return { config: c, packer, ctx: decoded.ctx, warnings };
}
