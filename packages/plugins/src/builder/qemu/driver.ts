/**
 * Runs QEMU and qemu-img. The VM runs in its own process group, recorded
 * with trackChildGroup so that it never outlives packer-ts; its stderr is
 * kept (the tail) for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { killChildGroup, prepareChildGroups, setLongTimeout, trackChildGroup, untrackChildGroup, type LongTimer } from '@packer-ts/sdk';

export interface VmExit { code: number | null; signal: NodeJS.Signals | null; stderr: string }

const STDERR_KEEP = 16 * 1024;

/** QEMU's messages that mean the guest cannot run (the process may stay alive, paused). */
const FATAL_STDERR = /KVM internal error[^\n]*|Could not access KVM kernel module[^\n]*|failed to initialize kvm[^\n]*/i;

export class QemuDriver {
  private vm?: ChildProcess;
  private stderrTail = '';
  private exitPromise?: Promise<VmExit>;
  private fatalListeners: ((msg: string) => void)[] = [];
  /** Set when QEMU printed a message that means the guest died. */
  fatal?: string;
  log: (line: string) => void = () => {};

  constructor(readonly qemuPath: string, readonly qemuImgPath = 'qemu-img') {}

  /** Starts the VM; rejects when QEMU cannot be started at all. */
  async start(args: string[]): Promise<void> {
    if (this.vm) throw new Error('Existing VM state found');
    this.log(`Executing ${this.qemuPath}: ${JSON.stringify(args)}`);
    prepareChildGroups();
    const child = spawn(this.qemuPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    trackChildGroup(child.pid);
    this.stderrTail = '';
    this.fatal = undefined;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (e) => reject(new Error(`Error starting VM: ${e.message}`)));
    });
    this.vm = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_KEEP);
      for (const line of d.split('\n')) if (line.trim()) this.log(`Qemu stderr: ${line}`);
      const m = FATAL_STDERR.exec(this.stderrTail);
      if (m && !this.fatal) {
        this.fatal = this.stderrTail.trim();
        for (const l of this.fatalListeners) l(this.fatal);
      }
    });
    this.exitPromise = new Promise<VmExit>((resolve) => {
      child.once('close', (code, signal) => {
        untrackChildGroup(child.pid);
        // the group may hold helpers QEMU started
        killChildGroup(child.pid!, 'SIGKILL');
        if (this.vm === child) this.vm = undefined;
        resolve({ code, signal, stderr: this.stderrTail.trim() });
      });
    });
  }

  get running(): boolean { return this.vm !== undefined; }
  get pid(): number | undefined { return this.vm?.pid; }

  /** Resolves when the VM process ended (immediately when none runs). */
  exited(): Promise<VmExit> {
    return this.exitPromise ?? Promise.resolve({ code: 0, signal: null, stderr: '' });
  }

  /** Calls `fn` when QEMU reports a fatal guest error; returns an unsubscribe function. */
  onFatal(fn: (msg: string) => void): () => void {
    this.fatalListeners.push(fn);
    return () => { this.fatalListeners = this.fatalListeners.filter((f) => f !== fn); };
  }

  stderr(): string { return this.stderrTail.trim(); }

  /** Kills the VM and waits for it to be gone. */
  async stop(): Promise<void> {
    const vm = this.vm;
    if (!vm) return;
    killChildGroup(vm.pid!, 'SIGKILL');
    await this.exited();
  }

  /** Waits up to `timeoutMs` for the VM to end by itself; true when it did. */
  async waitForShutdown(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (!this.vm) return true;
    let timer: LongTimer | undefined;
    let onAbort: (() => void) | undefined;
    const r = await Promise.race([
      this.exited().then(() => true),
      new Promise<boolean>((resolve) => { timer = setLongTimeout(() => resolve(false), timeoutMs); }),
      new Promise<boolean>((resolve) => { onAbort = () => resolve(false); signal?.addEventListener('abort', onAbort, { once: true }); }),
    ]);
    timer?.clear();
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    return r;
  }

  /** Runs qemu-img; rejects with "QemuImg error: <stderr>" as Packer does. */
  qemuImg(args: string[], signal?: AbortSignal): Promise<string> {
    this.log(`Executing qemu-img: ${JSON.stringify(args)}`);
    return new Promise((resolve, reject) => {
      const child = spawn(this.qemuImgPath, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
      let out = '';
      let err = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
      child.once('error', (e) => reject(e));
      child.once('close', (code) => {
        if (code === 0) resolve(out.trim());
        else reject(new Error(`QemuImg error: ${err.trim()}`));
      });
    });
  }

  /** The version of QEMU (`qemu-system-x86_64 -version`). */
  version(): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.qemuPath, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.once('error', (e) => reject(e));
      child.once('close', (code) => {
        if (code !== 0) { reject(new Error(`exit status ${code}`)); return; }
        const m = /\d+(\.\d+)+/.exec(out);
        if (!m) reject(new Error(`No version found: ${out.trim()}`));
        else resolve(m[0]);
      });
    });
  }
}
