import { render, type InterpolateContext, type StateBag, type Ui } from '@packer-ts/sdk';
import type { QemuConfig } from '../config.ts';

/** The arguments QEMU is started with (Packer's getCommandArgs), qemuargs applied. */
export function qemuCommandArgs(c: QemuConfig, state: StateBag, u: Ui, ctx: InterpolateContext): string[] {
  const defaults = new Map<string, string | string[]>();
  if (c.diskImage) { u.say('Starting VM, booting disk image'); defaults.set('-boot', 'c'); }
  else { u.say('Starting VM, booting from CD-ROM'); defaults.set('-boot', 'once=d'); }
  if (c.qmpEnable) defaults.set('-qmp', `unix:${c.qmpSocketPath},server,nowait`);
  defaults.set('-name', c.vmName);
  if (c.accelerator === 'none') {
    defaults.set('-machine', `type=${c.machineType}`);
    u.message('WARNING: The VM will be started with no hardware acceleration.\nThe installation may take considerably longer to finish.\n');
  } else {
    defaults.set('-machine', `type=${c.machineType},accel=${c.accelerator}`);
  }
  const hostPort = state.get('commHostPort') as number | undefined;
  defaults.set('-netdev', c.type !== 'none' && hostPort !== undefined
    ? `user,id=user.0,hostfwd=tcp::${hostPort}-:${(state.get('commGuestPort') as number | undefined) ?? c.sshPort ?? 22}` : 'user,id=user.0');
  const vncPort = state.need<number>('vnc_port');
  let vnc = `${c.vncBindAddress}:${vncPort - 5900}`;
  if (c.vncUsePassword) vnc += ',password';
  defaults.set('-vnc', vnc);
  const vncPass = (state.get('vnc_password') as string | undefined) ?? '';
  if (c.headless) {
    // Packer shows the password (and the `,password` of the -vnc argument) here
    u.message(vncPass
      ? `The VM will be run headless, without a GUI. If you want to\nview the screen of the VM, connect via VNC to vnc://${vnc}\nwith the password: ${vncPass}`
      : `The VM will be run headless, without a GUI. If you want to\nview the screen of the VM, connect via VNC without a password to\nvnc://${vnc}`);
  }
  defaults.set('-m', `${c.memorySize}M`);
  if (c.cpuCount > 1) defaults.set('-smp', `cpus=${c.cpuCount},sockets=${c.cpuCount}`);
  const floppy = state.get('floppy_path') as string | undefined;
  if (floppy) defaults.set('-fda', floppy);
  if (c.firmware) defaults.set('-bios', c.firmware);
  if (!c.headless) {
    if (c.display && c.display !== 'none') defaults.set('-display', c.display);
    else if (!c.useDefaultDisplay) defaults.set('-display', 'gtk');
  }
  const devices: string[] = [];
  const drives: string[] = [];
  const disks = (state.get('qemu_disk_paths') as string[] | undefined) ?? [];
  disks.forEach((p, i) => {
    let d = `file=${p},if=${c.diskInterface},cache=${c.diskCache},discard=${c.diskDiscard},format=${c.format}`;
    if (c.diskInterface === 'virtio-scsi') {
      if (i === 0) devices.push(`virtio-scsi-pci,id=scsi${i}`);
      devices.push(`scsi-hd,bus=scsi0.0,drive=drive${i}`);
      d = `if=none,file=${p},id=drive${i},cache=${c.diskCache},discard=${c.diskDiscard},format=${c.format}`;
    }
    if (c.diskDetectZeroes !== 'off') d += `,detect-zeroes=${c.diskDetectZeroes}`;
    drives.push(d);
  });
  devices.push(`${c.netDevice},netdev=user.0`);
  const cds: string[] = [];
  if (!c.diskImage) cds.push(state.need<string>('iso_path'));
  const cd = state.get('cd_path') as string | undefined;
  if (cd) cds.push(cd);
  cds.forEach((p, i) => {
    if (!c.cdromInterface) drives.push(`file=${p},index=${i},media=cdrom`);
    else if (c.cdromInterface === 'virtio-scsi') {
      drives.push(`file=${p},if=none,index=${i},id=cdrom${i},media=cdrom`);
      devices.push('virtio-scsi-device', `scsi-cd,drive=cdrom${i}`);
    } else drives.push(`file=${p},if=${c.cdromInterface},index=${i},id=cdrom${i},media=cdrom`);
  });
  defaults.set('-device', devices);
  defaults.set('-drive', drives);

  const user = new Map<string, string[]>();
  if (c.qemuArgs.length > 0) {
    u.say('Overriding default Qemu arguments with qemuargs template option...');
    const data = {
      HTTPIP: String(state.get('http_ip') ?? ''),
      HTTPPort: Number(state.get('http_port') ?? 0),
      HTTPDir: c.httpDir ?? '',
      OutputDir: c.outputDir,
      Name: c.vmName,
      SSHHostPort: c.type !== 'none' ? hostPort ?? 0 : 0,
    };
    for (const row of c.qemuArgs) {
      const r = row.map((a) => render(a, { ...ctx, data }));
      if (r.length === 0) continue;
      const key = r[0];
      const val = r.slice(1).join('');
      if (!user.has(key)) user.set(key, []);
      if (val.length > 0) user.get(key)!.push(val);
    }
  }
  const out: string[] = [];
  const merged = new Map<string, string[]>();
  for (const [k, v] of defaults) merged.set(k, user.has(k) ? user.get(k)! : Array.isArray(v) ? v : [v]);
  for (const [k, v] of user) if (!merged.has(k)) merged.set(k, v);
  if (user.has('-device')) {
    const dev = merged.get('-device')!;
    if (!dev.join('').includes(c.netDevice)) dev.push(`${c.netDevice},netdev=user.0`);
  }
  for (const [k, vs] of merged) {
    if (vs.length === 0) out.push(k);
    else for (const v of vs) out.push(k, v);
  }
  return out;
}
