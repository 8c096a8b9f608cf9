/**
 * The qemu builder's steps, named and worded as in Packer 1.6.6
 * (builder/qemu/step_*.go).
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect as netConnect } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import {
  halt, render, setLongTimeout, sleep as sleepFor, StateCancelled, StateHalted,
  type Communicator, type InterpolateContext, type Step, type StepAction, type StateBag, type Ui,
} from '@packer-ts/sdk';
import { listenRange, type PortLease } from '../../common/http-server.ts';
import { VncClient } from '../../common/vnc.ts';
import { keyInterval, parseBootCommand, typeBootCommand } from '../../common/bootcommand.ts';
import type { QemuConfig } from './config.ts';
import { expandGlobs, floppyLabelError, hasTool, isoCommand, planFloppy, runAndStream, stageCDFiles, writeFloppy } from './media.ts';
import type { QemuDriver, VmExit } from './driver.ts';

/** Waits `ms`; false when `signal` aborted first. */
const sleep = (ms: number, signal?: AbortSignal): Promise<boolean> => sleepFor(ms, signal).then(() => true, () => false);

function cfg(state: StateBag): QemuConfig { return state.need<QemuConfig>('config'); }
function drv(state: StateBag): QemuDriver { return state.need<QemuDriver>('driver'); }
function ui(state: StateBag): Ui { return state.need<Ui>('ui'); }

/** iso_skip_cache: the URL is used as is. */
export class StepSetISO implements Step {
  readonly name = 'stepSetISO';
  constructor(private urls: string[]) {}
  async run(state: StateBag): Promise<StepAction> {
    const u = this.urls[0];
    if (!u) return halt(state, new Error('No ISO URL could be used'), ui(state));
    state.set('iso_path', /^[a-z][a-z0-9+.-]+:/i.test(u) && !u.startsWith('file:') ? u : resolve(u.replace(/^file:(\/\/)?/, '')));
    return 'continue';
  }
}

export class StepPrepareOutputDir implements Step {
  readonly name = 'stepPrepareOutputDir';
  private created = false;
  constructor(private force: boolean) {}
  async run(state: StateBag): Promise<StepAction> {
    const c = cfg(state);
    const exists = await stat(c.outputDir).then(() => true, () => false);
    if (exists && this.force) {
      ui(state).say('Deleting previous output directory...');
      await rm(c.outputDir, { recursive: true, force: true });
    }
    try {
      await mkdir(c.outputDir, { recursive: true });
    } catch (e) {
      return halt(state, e);
    }
    this.created = true;
    return 'continue';
  }
  async cleanup(state: StateBag): Promise<void> {
    if (!this.created || !(state.has(StateCancelled) || state.has(StateHalted))) return;
    ui(state).say('Deleting output directory...');
    for (let i = 0; i < 5; i++) {
      try { await rm(cfg(state).outputDir, { recursive: true, force: true }); return; } catch { await sleep(500); }
    }
  }
}

/** floppy_files / floppy_dirs: a 1.44 MB FAT12 image (mtools), attached with -fda. */
export class StepCreateFloppy implements Step {
  readonly name = 'StepCreateFloppy';
  private dir?: string;
  constructor(private files: string[], private dirs: string[], private label?: string) {}
  async run(state: StateBag): Promise<StepAction> {
    if (this.files.length === 0 && this.dirs.length === 0) return 'continue';
    const label = this.label || 'packer';
    const u = ui(state);
    if (!['mformat', 'mmd', 'mcopy'].every(hasTool)) return halt(state, new Error('Error creating floppy: floppy_files and floppy_dirs need mformat, mmd and mcopy (mtools) on this host'), u);
    u.say('Creating floppy disk...');
    const labelErr = floppyLabelError(label);
    if (labelErr) return halt(state, new Error(`Error creating floppy: ${labelErr}`), u);
    let plan;
    try {
      plan = await planFloppy(this.files, this.dirs, u);
    } catch (e) {
      return halt(state, e, u);
    }
    this.dir = await mkdtemp(join(tmpdir(), 'packer-floppy-'));
    const img = join(this.dir, 'floppy.img');
    try {
      await writeFloppy(img, label, plan);
    } catch (e) {
      return halt(state, new Error(`Error creating floppy: ${(e as Error).message}`), u);
    }
    state.set('floppy_path', img);
    return 'continue';
  }
  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** cd_files: an ISO labelled cd_label (default "packer"), made with xorriso or mkisofs. */
export class StepCreateCD implements Step {
  readonly name = 'StepCreateCD';
  private dir?: string;
  constructor(private files: string[], private label?: string) {}
  async run(state: StateBag): Promise<StepAction> {
    if (this.files.length === 0) return 'continue';
    const u = ui(state);
    u.say('Creating CD disk...');
    const label = this.label || 'packer';
    this.dir = await mkdtemp(join(tmpdir(), 'packer-cd-'));
    const content = join(this.dir, 'packer_to_cdrom');
    await mkdir(content);
    try {
      await stageCDFiles(await expandGlobs(this.files), content);
    } catch (e) {
      return halt(state, new Error(`Error creating temporary file for CD: ${(e as Error).message}`), u);
    }
    const iso = join(this.dir, 'packer.iso');
    const cmd = isoCommand(label, content, iso);
    if (!cmd) return halt(state, new Error('could not find a supported CD ISO creation command (the supported commands are: xorriso, mkisofs, hdiutil, oscdimg)'), u);
    try {
      await runAndStream(cmd[0], cmd[1], u);
    } catch (e) {
      return halt(state, e, u);
    }
    u.message('Done copying paths from CD_dirs');
    await rm(content, { recursive: true, force: true });
    state.set('cd_path', iso);
    return 'continue';
  }
  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

export class StepCreateDisk implements Step {
  readonly name = 'stepCreateDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.diskAdditionalSize.length > 0 || c.useBackingFile) u.say('Creating required virtual machine disks');
    const paths = [join(c.outputDir, c.vmName)];
    const sizes = [c.diskSize];
    c.diskAdditionalSize.forEach((s, i) => { paths.push(join(c.outputDir, `${c.vmName}-${i + 1}`)); sizes.push(s); });
    for (let i = 0; i < paths.length; i++) {
      if (c.diskImage && !c.useBackingFile && i === 0) continue;
      const args = ['create', '-f', c.format];
      if (c.diskImage && c.useBackingFile && i === 0) {
        const iso = resolve(state.need<string>('iso_path'));
        args.push('-b', iso, '-F', await backingFormat(drv(state), iso, signal));
      }
      args.push(...(c.qemuImgArgs.create ?? []), paths[i], sizes[i]);
      try {
        await drv(state).qemuImg(args, signal);
      } catch (e) {
        return halt(state, new Error(`Error creating hard drive: ${(e as Error).message}`), u);
      }
    }
    state.set('qemu_disk_paths', paths);
    return 'continue';
  }
}

/** The format of a backing file (newer qemu-img refuses to guess it). */
async function backingFormat(d: QemuDriver, path: string, signal: AbortSignal): Promise<string> {
  try {
    const info = JSON.parse(await d.qemuImg(['info', '--output=json', path], signal)) as { format?: string };
    return info.format ?? 'raw';
  } catch {
    return 'raw';
  }
}

export class StepCopyDisk implements Step {
  readonly name = 'stepCopyDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (!c.diskImage || c.useBackingFile) return 'continue';
    const iso = state.need<string>('iso_path');
    const path = join(c.outputDir, c.vmName);
    const ext = extname(iso);
    if (ext.length >= 2 && ext.slice(1) === c.format && (c.qemuImgArgs.convert ?? []).length === 0) {
      u.message('File extension already matches desired output format. Skipping qemu-img convert step');
      try {
        // a reflink where the file system has them, else a plain copy
        await copyFile(iso, path, fsConstants.COPYFILE_FICLONE);
      } catch (e) {
        return halt(state, new Error(`Error copying iso to output dir: ${(e as Error).message}`), u);
      }
      return 'continue';
    }
    u.say('Copying hard drive...');
    try {
      await drv(state).qemuImg(['convert', ...(c.qemuImgArgs.convert ?? []), '-O', c.format, iso, path], signal);
    } catch (e) {
      return halt(state, new Error(`Error creating hard drive: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
}

export class StepResizeDisk implements Step {
  readonly name = 'stepResizeDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    if (!c.diskImage || c.skipResizeDisk) return 'continue';
    const u = ui(state);
    u.say('Resizing hard drive...');
    try {
      await drv(state).qemuImg(['resize', '-f', c.format, ...(c.qemuImgArgs.resize ?? []), join(c.outputDir, c.vmName), c.diskSize], signal);
    } catch (e) {
      return halt(state, new Error(`Error creating hard drive: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
}

/** User-mode networking: the host is 10.0.2.2 as seen from the guest. */
export class StepHTTPIPDiscover implements Step {
  readonly name = 'stepHTTPIPDiscover';
  async run(state: StateBag): Promise<StepAction> {
    state.set('http_ip', '10.0.2.2');
    return 'continue';
  }
}

export class StepPortForward implements Step {
  readonly name = 'stepPortForward';
  private lease?: PortLease;
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.type === 'none') { u.message('No communicator is set; skipping port forwarding setup.'); return 'continue'; }
    if (c.skipNatMapping) { state.set('commHostPort', c.sshPort ?? 22); return 'continue'; }
    try {
      this.lease = await listenRange(c.vncBindAddress, c.hostPortMin, c.hostPortMax, undefined, signal);
    } catch (e) {
      return halt(state, new Error(`Error finding port: ${(e as Error).message}`), u);
    }
    u.say(`Found port for communicator (SSH, WinRM, etc): ${this.lease.port}.`);
    state.set('commHostPort', this.lease.port);
    state.set('commGuestPort', c.sshPort ?? 22);
    return 'continue';
  }
  async cleanup(): Promise<void> { this.lease?.release(); }
}

export class StepConfigureVNC implements Step {
  readonly name = 'stepConfigureVNC';
  private lease?: PortLease;
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    u.say(`Looking for available port between ${c.vncPortMin} and ${c.vncPortMax} on ${c.vncBindAddress}`);
    try {
      this.lease = await listenRange(c.vncBindAddress, c.vncPortMin, c.vncPortMax, undefined, signal);
    } catch (e) {
      return halt(state, new Error(`Error finding VNC port: ${(e as Error).message}`), u);
    }
    state.set('vnc_port', this.lease.port);
    state.set('vnc_password', '');
    return 'continue';
  }
  async cleanup(): Promise<void> { this.lease?.release(); }
}

/** The arguments QEMU is started with (Packer's getCommandArgs), qemuargs applied. */
export function qemuCommandArgs(c: QemuConfig, state: StateBag, u: Ui, ctx: InterpolateContext): string[] {
  const defaults = new Map<string, string | string[]>();
  if (c.diskImage) { u.say('Starting VM, booting disk image'); defaults.set('-boot', 'c'); }
  else { u.say('Starting VM, booting from CD-ROM'); defaults.set('-boot', 'once=d'); }
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
  const vnc = `${c.vncBindAddress}:${vncPort - 5900}`;
  defaults.set('-vnc', vnc);
  if (c.headless) {
    u.message(`The VM will be run headless, without a GUI. If you want to\nview the screen of the VM, connect via VNC without a password to\nvnc://${vnc}`);
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

export class StepRun implements Step {
  readonly name = 'stepRun';
  constructor(private ctx: InterpolateContext) {}
  async run(state: StateBag): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    let args: string[];
    try {
      args = qemuCommandArgs(c, state, u, this.ctx);
    } catch (e) {
      return halt(state, new Error(`Error processing QemuArgs: ${(e as Error).message}`), u);
    }
    try {
      await drv(state).start(args);
    } catch (e) {
      return halt(state, new Error(`Error launching VM: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
  async cleanup(state: StateBag): Promise<void> {
    try { await drv(state).stop(); } catch (e) { ui(state).error(`Error shutting down VM: ${(e as Error).message}`); }
  }
}

/** The error for a VM that ended (or broke) before the build was done, with QEMU's stderr. */
export function vmDiedError(exit: VmExit | undefined, fatal: string | undefined): Error {
  if (fatal && (!exit || exit.code === null || exit.code === 0)) return new Error(`QEMU reported a fatal error, the guest cannot run:\n${fatal}`);
  const how = !exit ? 'stopped' : exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
  const err = exit?.stderr || fatal || '';
  return new Error(`Qemu failed to start: QEMU ${how} before the build was done${err ? `; its stderr:\n${err}` : ' (no output on its stderr)'}`);
}

/**
 * Runs `inner` while watching the VM: when QEMU exits or reports a fatal
 * error, the step is cancelled and fails with QEMU's stderr.
 */
export class WatchVm implements Step {
  readonly name: string;
  /** `rewrite` may restate the inner step's error (e.g. with what only the builder knows). */
  constructor(private inner: Step, private rewrite?: (err: Error, state: StateBag) => Error | undefined) { this.name = inner.name; }
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const d = drv(state);
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let died: Error | undefined;
    const die = (e: Error) => { if (!died) { died = e; ac.abort(e); } };
    const stopFatal = d.onFatal((msg) => die(vmDiedError(undefined, msg)));
    if (d.fatal) die(vmDiedError(undefined, d.fatal));
    let done = false;
    if (d.running) void d.exited().then((x) => { if (!done) die(vmDiedError(x, d.fatal)); });
    else die(vmDiedError(await d.exited(), d.fatal));
    try {
      let action = died ? 'halt' as StepAction : await this.inner.run(state, ac.signal);
      if (action === 'halt' && !died && !signal.aborted && d.running) {
        // a failure may be the VM going away: give QEMU a moment to tell
        const x = await Promise.race([d.exited(), sleep(300).then(() => undefined)]);
        if (x) died = vmDiedError(x, d.fatal);
      }
      if (died && !signal.aborted) {
        state.set('error', died);
        ui(state).error(died.message);
        action = 'halt';
      } else if (action === 'halt' && this.rewrite && state.error()) {
        const e = this.rewrite(state.error()!, state);
        if (e) { state.set('error', e); ui(state).error(e.message); }
      }
      return action;
    } finally {
      done = true;
      stopFatal();
      signal.removeEventListener('abort', onAbort);
    }
  }
  cleanup(state: StateBag): Promise<void> { return this.inner.cleanup?.(state) ?? Promise.resolve(); }
}

export class StepTypeBootCommand implements Step {
  readonly name = 'stepTypeBootCommand';
  constructor(private ctx: InterpolateContext, private debug: boolean) {}
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.disableVnc) return 'continue';
    if (c.bootWait > 0) {
      u.say(`Waiting ${formatWait(c.bootWait)} for boot...`);
      if (!(await sleep(c.bootWait, signal))) return 'halt';
    }
    const port = state.need<number>('vnc_port');
    u.say(`Connecting to VM via VNC (${c.vncBindAddress}:${port})`);
    let client: VncClient | undefined;
    // QEMU opens its VNC server a few ms after it started
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        client = await VncClient.connect(c.vncBindAddress, port, { shared: true, signal });
        break;
      } catch (e) {
        if (signal.aborted) return 'halt';
        if (Date.now() > deadline || !/ECONNREFUSED/.test(String((e as Error).message))) {
          return halt(state, new Error(`Error connecting to VNC: ${(e as Error).message}`), u);
        }
        await sleep(50, signal);
      }
    }
    try {
      u.say('Typing the boot command over VNC...');
      let command: string;
      try {
        command = render(c.bootCommand.join(''), {
          ...this.ctx,
          data: { HTTPIP: String(state.get('http_ip') ?? ''), HTTPPort: Number(state.get('http_port') ?? 0), Name: c.vmName },
        });
      } catch (e) {
        return halt(state, new Error(`Error preparing boot command: ${(e as Error).message}`), u);
      }
      try {
        await typeBootCommand(parseBootCommand(command), client, keyInterval(c.bootKeyInterval), signal);
      } catch (e) {
        if (signal.aborted) return 'halt';
        return halt(state, new Error(`Error running boot command: ${(e as Error).message}`), u);
      }
      if (this.debug) await u.ask(`Pausing after run of step 'boot_command: ${command}'. Press enter to continue.`);
      return 'continue';
    } finally {
      client.close();
    }
  }
}

function formatWait(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export class StepWaitGuestAddress implements Step {
  readonly name = 'stepWaitGuestAddress';
  async run(state: StateBag): Promise<StepAction> {
    const c = cfg(state);
    if (c.type === 'none') return 'continue';
    ui(state).message('Not using a NetBridge -- skipping StepWaitGuestAddress');
    return 'continue';
  }
}

/** Streams a remote command's output into the Ui, line by line. */
function lineWriter(emit: (line: string) => void): Writable {
  let buf = '';
  return new Writable({
    write(chunk: Buffer, _e, cb) {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) { emit(buf.slice(0, i).replace(/\r$/, '')); buf = buf.slice(i + 1); }
      cb();
    },
    final(cb) { if (buf) emit(buf); cb(); },
  });
}

export class StepShutdown implements Step {
  readonly name = 'stepShutdown';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    const d = drv(state);
    if (c.type === 'none') {
      u.say('Waiting for shutdown...');
      if (await d.waitForShutdown(c.shutdownTimeout, signal)) return 'continue';
      return halt(state, new Error('Failed to shutdown'), u);
    }
    if (c.shutdownCommand) {
      const comm = state.need<Communicator>('communicator');
      u.say('Gracefully halting virtual machine...');
      const exited = d.exited();
      try {
        // The guest may drop the connection while it powers off: that is success.
        await Promise.race([
          comm.start({ command: c.shutdownCommand, stdout: lineWriter((l) => u.message(l)), stderr: lineWriter((l) => u.error(l)) }, signal),
          exited,
        ]);
      } catch (e) {
        if (signal.aborted) return 'halt';
        if (!(await Promise.race([exited.then(() => true), sleep(2000).then(() => false)]))) {
          return halt(state, new Error(`Failed to send shutdown command: ${(e as Error).message}`), u);
        }
      }
      if (!(await d.waitForShutdown(c.shutdownTimeout, signal))) {
        if (signal.aborted) return 'halt';
        return halt(state, new Error('Timeout while waiting for machine to shut down.'), u);
      }
    } else {
      u.say('Halting the virtual machine...');
      try { await d.stop(); } catch (e) { return halt(state, new Error(`Error stopping VM: ${(e as Error).message}`), u); }
    }
    return 'continue';
  }
}

export class StepConvertDisk implements Step {
  readonly name = 'stepConvertDisk';
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const u = ui(state);
    if (c.skipCompaction && !c.diskCompression) return 'continue';
    const src = join(c.outputDir, c.vmName);
    const dst = join(c.outputDir, `${c.vmName}.convert`);
    const args = ['convert', ...(c.diskCompression ? ['-c'] : []), ...(c.qemuImgArgs.convert ?? []), '-O', c.format, src, dst];
    u.say('Converting hard drive...');
    for (let attempt = 1; ; attempt++) {
      try {
        await drv(state).qemuImg(args, signal);
        break;
      } catch (e) {
        const msg = (e as Error).message;
        if (msg.includes('Failed to get shared "write" lock') && attempt < 10) {
          u.say('Error getting file lock for conversion; retrying...');
          if (!(await sleep(Math.min(attempt * 1000, 10_000), signal))) return 'halt';
          continue;
        }
        await rm(dst, { force: true });
        return halt(state, new Error(attempt >= 10 ? `Exhausted retries for getting file lock: ${msg}` : `Error converting hard drive: ${msg}`), u);
      }
    }
    try {
      await rename(dst, src);
    } catch (e) {
      return halt(state, new Error(`Error moving converted hard drive: ${(e as Error).message}`), u);
    }
    return 'continue';
  }
}

/** The SSH timeout, restated with the forwarded port that nothing answered on. */
export function sshTimeoutError(err: Error, state: StateBag): Error | undefined {
  if (!/^Timeout waiting for SSH/.test(err.message)) return undefined;
  const c = cfg(state);
  const host = state.get('commHostPort') as number | undefined;
  const guest = (state.get('commGuestPort') as number | undefined) ?? 22;
  if (host === undefined) return undefined;
  const secs = c.sshTimeout ? ` within ${formatWait(c.sshTimeout)}` : '';
  const detail = err.message === 'Timeout waiting for SSH.' ? '' : ` ${err.message}`;
  return new Error(`Timeout waiting for SSH: no SSH server answered on ${c.sshHost || '127.0.0.1'}:${host} (forwarded by QEMU to the guest's port ${guest})${secs}.${detail}`, { cause: err });
}

/**
 * Waits until the forwarded port answers with an SSH banner. QEMU's user-mode
 * network accepts on the host port at once and holds a connection while the
 * guest's network is down, so a plain SSH attempt can hang for seconds; short
 * probes (a new one every 100 ms, each given up after 1 s without a banner)
 * find the guest's SSH server as soon as it listens. The time spent here is
 * taken off ssh_timeout for StepConnect, which then connects at once.
 */
export class StepProbeSSH implements Step {
  readonly name = 'stepWaitGuestAddress';
  private saved?: number;
  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = cfg(state);
    const port = state.get('commHostPort') as number | undefined;
    if (c.type !== 'ssh' || port === undefined || c.sshBastionHost || c.sshProxyHost) return 'continue';
    const host = c.sshHost || '127.0.0.1';
    const timeout = c.sshTimeout || 5 * 60_000;
    const start = Date.now();
    let ready = false;
    while (!signal.aborted && Date.now() - start < timeout) {
      if ((ready = await bannerWithin(host, port, Math.min(1000, Math.max(1, timeout - (Date.now() - start))), signal))) break;
      await sleep(100, signal);
    }
    if (signal.aborted) return 'halt';
    if (!ready) {
      const u = ui(state);
      u.say(`Using ssh communicator to connect: ${host}`);
      u.say('Waiting for SSH to become available...');
      return halt(state, sshTimeoutError(new Error('Timeout waiting for SSH.'), state)!, u);
    }
    this.saved = c.sshTimeout;
    c.sshTimeout = Math.max(1, timeout - (Date.now() - start));
    return 'continue';
  }
  async cleanup(state: StateBag): Promise<void> {
    if (this.saved !== undefined) cfg(state).sshTimeout = this.saved;
  }
}

function bannerWithin(host: string, port: number, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      t.clear();
      signal.removeEventListener('abort', onAbort);
      s.destroy();
      resolve(ok);
    };
    const t = setLongTimeout(() => finish(false), ms);
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    let buf = '';
    s.on('data', (d: Buffer) => { buf += d.toString('latin1'); if (buf.length >= 4) finish(buf.startsWith('SSH-')); });
    s.on('error', () => finish(false));
    s.on('close', () => finish(false));
  });
}
