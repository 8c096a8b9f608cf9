/**
 * The template fixers of `packer fix`, in the order they run. Each one
 * rewrites options that older Packer versions accepted into their current
 * form; names and synopses are the ones `packer fix -h` lists.
 */
import {
  DecodeError, has, isObj, kind, postProcessors, ppList, str, strictBuilders, typeOf, weakList, type Obj,
} from './decode.ts';

export interface Fixer {
  name: string;
  synopsis: string;
  /** Rewrites `input` (it may mutate it) and returns the result. Throws on undecodable templates. */
  fix(input: Obj): Obj;
}

/** Applies `each` to every builder map, then stores the list back (null when absent). */
function eachBuilder(input: Obj, each: (b: Obj) => void): Obj {
  const builders = strictBuilders(input);
  for (const b of builders ?? []) if (b) each(b);
  input.builders = builders;
  return input;
}

/** Same, for builders whose type passes `match`. */
function buildersOfType(match: (type: string) => boolean, each: (b: Obj) => void): (input: Obj) => Obj {
  return (input) => eachBuilder(input, (b) => {
    const t = typeOf(b);
    if (t !== undefined && match(t)) each(b);
  });
}

/** Moves `from` to `to` when `from` is present (overwriting `to`). */
function rename(b: Obj, from: string, to: string): void {
  if (!has(b, from)) return;
  b[to] = b[from];
  delete b[from];
}

/** Moves `from` to `to` unless `to` is already set; `from` is dropped either way. */
function renameUnlessSet(b: Obj, from: string, to: string, ok: (v: unknown) => boolean): void {
  if (!has(b, from) || !ok(b[from])) return;
  if (!has(b, to)) b[to] = b[from];
  delete b[from];
}

/** Applies `each` to every post-processor map when the template has post-processors. */
function eachPostProcessor(each: (pp: Obj) => void): (input: Obj) => Obj {
  return (input) => {
    const pps = postProcessors(input);
    if (pps === undefined) return input;
    for (const pp of ppList(pps)) each(pp);
    input['post-processors'] = pps;
    return input;
  };
}

/** Applies `each` to provisioner maps (weak decoding); stores the list back when not empty. */
function eachProvisioner(input: Obj, each: (p: Obj) => Obj | undefined): Obj {
  const provs = weakList(input, 'Provisioners');
  provs.forEach((raw, i) => {
    if (!isObj(raw)) return;
    const out = each({ ...raw });
    if (out) provs[i] = out;
  });
  if (provs.length > 0) input.provisioners = provs;
  return input;
}

/** Packer's "clean up" of a sub-map for keys that moved: keep `key`, drop `old`, else move `old`. */
function preferNew(m: Obj, key: string, old: string, ok: (v: unknown) => boolean = () => true): void {
  if (has(m, key)) delete m[old];
  else if (has(m, old) && ok(m[old])) {
    m[key] = m[old];
    delete m[old];
  }
}

const isString = (v: unknown) => typeof v === 'string';
const isBool = (v: unknown) => typeof v === 'boolean';
/** Go's regexp \s. */
const CREATE_TIME = /{{[\t\n\f\r ]*\.CreateTime[\t\n\f\r ]*}}/g;
const CLEAN_NAME = /clean_(image|ami)_name/g;
const PS_UNESCAPE: Record<string, string> = { '`$': '$', '`"': '"', '``': '`', "`'": "'" };
const psUnescape = (s: string) => s.replace(/`[$"`']/g, (m) => PS_UNESCAPE[m]!);

function parseGoBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`ssh_private_ip is not a boolean, strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
}

/** Tags from a docker-tag `tag`/`tags` value: a list, or a comma-separated string. */
function tagList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((t) => {
    if (typeof t !== 'string') throw new Error(`docker-tag: tag ${JSON.stringify(t)} is not a string`);
    return t;
  });
  if (typeof v === 'string') return v.split(',').map((t) => t.trim());
  return [];
}

export const FIXERS: Fixer[] = [
  {
    name: 'iso-md5',
    synopsis: 'Replaces "iso_md5" in builders with "iso_checksum"',
    fix: (input) => eachBuilder(input, (b) => {
      const md5 = str(b.iso_md5);
      if (md5 === undefined) return;
      delete b.iso_md5;
      b.iso_checksum = md5;
      b.iso_checksum_type = 'md5';
    }),
  },
  {
    name: 'createtime',
    synopsis: 'Replaces ".CreateTime" in builder configs with "{{timestamp}}"',
    fix: (input) => eachBuilder(input, (b) => {
      for (const k of ['ami_name', 'bundle_prefix', 'snapshot_name']) {
        const v = str(b[k]);
        if (v !== undefined) b[k] = v.replace(CREATE_TIME, '{{timestamp}}');
      }
    }),
  },
  {
    name: 'virtualbox-gaattach',
    synopsis: 'Updates VirtualBox builders using "guest_additions_attach" to use "guest_additions_mode"',
    fix: buildersOfType((t) => t === 'virtualbox', (b) => {
      const attach = b.guest_additions_attach;
      if (typeof attach !== 'boolean') return;
      delete b.guest_additions_attach;
      b.guest_additions_mode = attach ? 'attach' : 'upload';
    }),
  },
  {
    name: 'pp-vagrant-override',
    synopsis: 'Fixes provider-specific overrides for Vagrant post-processor',
    fix: eachPostProcessor((pp) => {
      if (pp.type !== 'vagrant') return;
      const overrides: Obj = {};
      for (const name of ['aws', 'digitalocean', 'virtualbox', 'vmware']) {
        if (!has(pp, name)) continue;
        overrides[name] = pp[name];
        delete pp[name];
      }
      if (Object.keys(overrides).length > 0) pp.override = overrides;
    }),
  },
  {
    name: 'virtualbox-rename',
    synopsis: 'Updates "virtualbox" builders to "virtualbox-iso"',
    fix: (input) => {
      const builders = weakList(input, 'Builders').map((b) => (isObj(b) ? { ...b } : b));
      for (const b of builders) if (isObj(b) && b.type === 'virtualbox') b.type = 'virtualbox-iso';
      const provs = weakList(input, 'Provisioners');
      provs.forEach((raw, i) => {
        if (!isObj(raw) || !has(raw, 'override')) return;
        const p = { ...raw };
        let override = p.override;
        if (override === null) return;
        if (Array.isArray(override)) {
          const merged: Obj = {};
          override.forEach((o, i) => {
            if (!isObj(o)) throw new Error(`'[${i}]' expected a map, got '${kind(o)}'`);
            Object.assign(merged, o);
          });
          override = merged;
        } else if (!isObj(override)) throw new Error(`'' expected a map, got '${kind(override)}'`);
        const o = { ...(override as Obj) };
        if (has(o, 'virtualbox')) {
          o['virtualbox-iso'] = o.virtualbox;
          delete o.virtualbox;
          p.override = o;
          provs[i] = p;
        }
      });
      if (builders.length > 0) input.builders = builders;
      if (provs.length > 0) input.provisioners = provs;
      return input;
    },
  },
  {
    name: 'vmware-rename',
    synopsis: 'Updates "vmware" builders to "vmware-iso"',
    fix: buildersOfType((t) => t === 'vmware', (b) => { b.type = 'vmware-iso'; }),
  },
  {
    name: 'parallels-headless',
    synopsis: 'Removes unused "headless" from Parallels builders',
    fix: buildersOfType((t) => t === 'parallels-iso' || t === 'parallels-pvm', (b) => { delete b.headless; }),
  },
  {
    name: 'parallels-deprecations',
    synopsis: 'Removes deprecated "parallels_tools_host_path" from Parallels builders and changes "guest_os_distribution" to "guest_os_type".',
    fix: buildersOfType((t) => t === 'parallels-iso' || t === 'parallels-pvm', (b) => {
      delete b.parallels_tools_host_path;
      rename(b, 'guest_os_distribution', 'guest_os_type');
    }),
  },
  {
    name: 'sshkeypath',
    synopsis: 'Updates builders using "ssh_key_path" to use "ssh_private_key_file"',
    fix: (input) => eachBuilder(input, (b) => renameUnlessSet(b, 'ssh_key_path', 'ssh_private_key_file', isString)),
  },
  {
    name: 'sshdisableagent',
    synopsis: 'Updates builders using "ssh_disable_agent" to use "ssh_disable_agent_forwarding"',
    fix: (input) => eachBuilder(input, (b) => renameUnlessSet(b, 'ssh_disable_agent', 'ssh_disable_agent_forwarding', isBool)),
  },
  {
    name: 'scaleway-access-key',
    synopsis: 'Updates builders using "access_key" to use "organization_id"',
    fix: buildersOfType((t) => t === 'scaleway', (b) => renameUnlessSet(b, 'access_key', 'organization_id', isString)),
  },
  {
    name: 'manifest-filename',
    synopsis: 'Updates "manifest" post-processor so any "filename" field is renamed to "output".',
    fix: eachPostProcessor((pp) => {
      if (pp.type !== 'manifest' || typeof pp.filename !== 'string') return;
      pp.output = pp.filename;
      delete pp.filename;
    }),
  },
  {
    name: 'amazon-shutdown_behavior',
    synopsis: 'Changes "shutdown_behaviour" to "shutdown_behavior" in Amazon builders.',
    fix: buildersOfType((t) => t.startsWith('amazon-'), (b) => rename(b, 'shutdown_behaviour', 'shutdown_behavior')),
  },
  {
    name: 'amazon-enhanced-networking',
    synopsis: 'Replaces "enhanced_networking" in builders with "ena_support"',
    fix: buildersOfType((t) => t.startsWith('amazon-'), (b) => {
      if (typeof b.enhanced_networking !== 'boolean') return;
      b.ena_support = b.enhanced_networking;
      delete b.enhanced_networking;
    }),
  },
  {
    name: 'amazon-private-ip',
    synopsis: 'Replaces `"ssh_private_ip": true` in amazon builders with `"ssh_interface": "private_ip"`',
    fix: buildersOfType((t) => t.startsWith('amazon-'), (b) => {
      if (has(b, 'ssh_interface') || !has(b, 'ssh_private_ip')) return;
      const raw = b.ssh_private_ip;
      const privateIp = typeof raw === 'boolean' ? raw : parseGoBool(typeof raw === 'string' ? raw : String(raw));
      delete b.ssh_private_ip;
      b.ssh_interface = privateIp ? 'private_ip' : 'public_ip';
    }),
  },
  {
    name: 'amazon-temp-sec-cidrs',
    synopsis: 'Replaces "temporary_security_group_source_cidr" (string) with "temporary_security_group_source_cidrs" (list of strings)',
    fix: buildersOfType((t) => t.startsWith('amazon-'), (b) => {
      const cidr = str(b.temporary_security_group_source_cidr);
      if (cidr === undefined) return;
      delete b.temporary_security_group_source_cidr;
      b.temporary_security_group_source_cidrs = [cidr];
    }),
  },
  {
    name: 'docker-email',
    synopsis: 'Removes "login_email" from the Docker builder.',
    fix: (input) => {
      if (input['post-processors'] === undefined || input['post-processors'] === null) return input;
      let builders: (Obj | null)[] | null = null;
      let pps: unknown[] | undefined;
      const errs: string[] = [];
      try { builders = strictBuilders(input); } catch (e) { errs.push(...pointsOf(e)); }
      try { pps = postProcessors(input); } catch (e) { errs.push(...pointsOf(e)); }
      if (errs.length > 0) throw new DecodeError(errs);
      for (const b of builders ?? []) if (b) delete b.login_email;
      for (const pp of ppList(pps ?? [])) delete pp.login_email;
      input.builders = builders;
      input['post-processors'] = pps ?? null;
      return input;
    },
  },
  {
    name: 'docker-tag-tags',
    synopsis: 'Updates "docker" post-processor so any "tag" field is renamed to "tags".',
    fix: eachPostProcessor((pp) => {
      if (pp.type !== 'docker-tag') return;
      const all = [...tagList(pp.tag), ...tagList(pp.tags)];
      delete pp.tag;
      pp.tags = [...new Set(all)];
    }),
  },
  {
    name: 'powershell-escapes',
    synopsis: 'Removes PowerShell escapes from user env vars and elevated username and password strings',
    fix: (input) => eachProvisioner(input, (p) => {
      if (p.type !== 'powershell') return undefined;
      const m = p;
      for (const k of ['elevated_user', 'elevated_password']) {
        if (has(m, k)) m[k] = psUnescape(String(m[k]));
      }
      if (has(m, 'environment_vars')) {
        const raw = m.environment_vars;
        if (raw !== null) {
          if (!Array.isArray(raw) || raw.some((v) => v !== null && typeof v !== 'string')) return undefined;
          m.environment_vars = raw.map((v) => psUnescape((v as string | null) ?? ''));
        }
      }
      return m;
    }),
  },
  {
    name: 'vmware-compaction',
    synopsis: 'Adds "skip_compaction = true" to "vmware-iso" builders with incompatible disk_type_id',
    fix: buildersOfType((t) => t === 'vmware-iso', (b) => {
      if (b.remote_type !== 'esx5') return;
      if (!has(b, 'disk_type_id')) b.disk_type_id = 'zeroedthick';
      else if (typeof b.disk_type_id !== 'string' || b.disk_type_id === 'thin') return;
      if (has(b, 'skip_compaction')) {
        if (b.skip_compaction === false) b.skip_compaction = true;
        return;
      }
      b.skip_compaction = true;
    }),
  },
  {
    name: 'hyperv-deprecations',
    synopsis: 'Removes the deprecated "vhd_temp_path" setting from Hyper-V ISO builder templates',
    fix: buildersOfType((t) => t === 'hyperv-iso', (b) => { delete b.vhd_temp_path; }),
  },
  {
    name: 'hyperv-vmxc-typo',
    synopsis: 'Fixes a typo replacing "clone_from_vmxc_path" with "clone_from_vmcx_path" in Hyper-V VMCX builder templates',
    fix: buildersOfType((t) => t === 'hyperv-vmcx', (b) => rename(b, 'clone_from_vmxc_path', 'clone_from_vmcx_path')),
  },
  {
    name: 'hyperv-cpu-and-ram',
    synopsis: 'Replaces "cpu" with "cpus" and "ram_size" with "memory"in Hyper-V VMCX builder templates',
    fix: buildersOfType((t) => t === 'hyperv-vmcx' || t === 'hyperv-iso', (b) => {
      rename(b, 'cpu', 'cpus');
      rename(b, 'ram_size', 'memory');
    }),
  },
  {
    name: 'clean-image-name',
    synopsis: 'Replaces /clean_(image|ami)_name/ in builder configs with "clean_resource_name"',
    fix: (input) => eachBuilder(input, (b) => {
      for (const [k, v] of Object.entries(b)) {
        if (typeof v === 'string') b[k] = v.replace(CLEAN_NAME, 'clean_resource_name');
        else if (isObj(v)) {
          for (const [ik, iv] of Object.entries(v)) if (typeof iv === 'string') v[ik] = iv.replace(CLEAN_NAME, 'clean_resource_name');
        }
      }
    }),
  },
  {
    name: 'spot-price-auto-product',
    synopsis: 'Removes the deprecated "spot_price_auto_product" setting from Amazon builder templates',
    fix: buildersOfType((t) => ['amazon-ebs', 'amazon-ebssurrogate', 'amazon-ebsvolume', 'amazon-instance'].includes(t), (b) => {
      delete b.spot_price_auto_product;
    }),
  },
  {
    name: 'qemu-disk-size',
    synopsis: 'Updates "disk_size" from int to string in QEMU builders.',
    fix: buildersOfType((t) => t === 'qemu', (b) => {
      if (typeof b.disk_size === 'number') b.disk_size = `${String(Math.trunc(b.disk_size) + 0)}M`;
    }),
  },
  {
    name: 'galaxy-command',
    synopsis: 'Replaces "galaxycommand" in ansible-local provisioner configs with "galaxy_command"',
    fix: (input) => eachProvisioner(input, (p) => {
      if (p.type !== 'ansible-local') return undefined;
      preferNew(p, 'galaxy_command', 'galaxycommand', isString);
      return p;
    }),
  },
  {
    name: 'comm-config',
    synopsis: 'Remove ssh prefixes from communicator port forwarding configuration (host_port_min, host_port_max, skip_nat_mapping)',
    fix: (input) => {
      const builders = weakList(input, 'Builders');
      builders.forEach((raw, i) => {
        if (!isObj(raw) || typeof raw.type !== 'string' || !raw.type.startsWith('virtualbox')) return;
        const b = { ...raw };
        preferNew(b, 'host_port_min', 'ssh_host_port_min');
        preferNew(b, 'host_port_max', 'ssh_host_port_max');
        preferNew(b, 'skip_nat_mapping', 'ssh_skip_nat_mapping', isBool);
        builders[i] = b;
      });
      if (builders.length > 0) input.builders = builders;
      return input;
    },
  },
  {
    name: 'ssh-wait-timeout',
    synopsis: 'Replaces "ssh_wait_timeout" with "ssh_timeout"',
    fix: (input) => {
      const builders = weakList(input, 'Builders');
      builders.forEach((raw, i) => {
        if (!isObj(raw)) return;
        const b = { ...raw };
        preferNew(b, 'ssh_timeout', 'ssh_wait_timeout', isString);
        builders[i] = b;
      });
      if (builders.length > 0) input.builders = builders;
      return input;
    },
  },
  {
    name: 'vsphere-iso-net-disk',
    synopsis: 'Removes deprecated network and disk fields from "vsphere-iso" builder',
    fix: buildersOfType((t) => t === 'vsphere-iso', (b) => {
      const gather = (moves: [string, string][], listKey: string) => {
        const item: Obj = {};
        let found = false;
        for (const [from, to] of moves) {
          if (!has(b, from)) continue;
          item[to] = b[from];
          delete b[from];
          found = true;
        }
        if (!found) return;
        const existing = b[listKey];
        if (has(b, listKey) && !Array.isArray(existing)) throw new Error(`vsphere-iso: "${listKey}" is not a list`);
        b[listKey] = [item, ...((existing as unknown[] | undefined) ?? [])];
      };
      gather([['network', 'network'], ['networkCard', 'network_card'], ['network_card', 'network_card']], 'network_adapters');
      gather([['disk_size', 'disk_size'], ['disk_thin_provisioned', 'disk_thin_provisioned'], ['disk_eagerly_scrub', 'disk_eagerly_scrub']], 'storage');
    }),
  },
  {
    name: 'iso-checksum-type-and-url',
    synopsis: 'Puts content of potential "iso_checksum_url" and "iso_checksum_url" in "iso_checksum"',
    fix: (input) => eachBuilder(input, (b) => {
      const url = str(b.iso_checksum_url) ?? '';
      const type = str(b.iso_checksum_type) ?? '';
      let checksum = str(b.iso_checksum) ?? '';
      delete b.iso_checksum_url;
      delete b.iso_checksum_type;
      if (checksum === '' && url === '') return;
      if (url !== '') checksum = `file:${url}`;
      else if (type !== '') checksum = `${type}:${checksum}`;
      b.iso_checksum = checksum;
    }),
  },
  {
    name: 'qemu-host-port',
    synopsis: 'Updates ssh_host_port_min and ssh_host_port_max to host_port_min and host_port_max',
    fix: buildersOfType((t) => t === 'qemu', (b) => {
      rename(b, 'ssh_host_port_min', 'host_port_min');
      rename(b, 'ssh_host_port_max', 'host_port_max');
    }),
  },
  {
    name: 'azure-exclude_from_latest',
    synopsis: 'Changes "exlude_from_latest" to "exclude_from_latest" in Azure builders.',
    fix: buildersOfType((t) => t.startsWith('azure-chroot'), (b) => {
      const dest = b.shared_image_destination;
      if (isObj(dest)) rename(dest, 'exlude_from_latest', 'exclude_from_latest');
    }),
  },
  {
    name: 'proxmox-type',
    synopsis: 'Updates the builder type proxmox to proxmox-iso',
    fix: buildersOfType((t) => t === 'proxmox', (b) => { b.type = 'proxmox-iso'; }),
  },
];

function pointsOf(e: unknown): string[] {
  if (e instanceof DecodeError) return e.message.split('\n').filter((l) => l.startsWith('* ')).map((l) => l.slice(2));
  throw e;
}

/** Runs every fixer in order. Throws with the message Packer prints after "Error fixing: ". */
export function fixTemplate(input: Obj): Obj {
  let out = input;
  for (const f of FIXERS) out = f.fix(out);
  return out;
}
