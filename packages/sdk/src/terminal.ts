/**
 * The user's terminal, as Packer reads it: /dev/tty, not stdin (a plugin's
 * stdin is never the user's). Asks read lines from it; keyboard-interactive
 * SSH answers read passwords from it without echo.
 */
import type { ReadStream } from 'node:tty';
import { pathError } from './go-errors.ts';

function openTTY(): ReadStream {
  const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  const fd = fs.openSync('/dev/tty', 'r');
  const tty = process.getBuiltinModule('node:tty') as typeof import('node:tty');
  return new tty.ReadStream(fd);
}

/** Opens the terminal asks read from, as Packer's openTTY: /dev/tty, or undefined without one. */
export function openTerminal(): NodeJS.ReadableStream | undefined {
  try {
    return openTTY();
  } catch {
    return undefined;
  }
}

/**
 * The terminal opened for password answers: echo is off from the opening
 * (so an answer typed ahead is not shown either) until restore(); opening
 * fails as Go's os.Open("/dev/tty") does ("open /dev/tty: no such device or
 * address"). Line editing and Ctrl-C stay the terminal's own.
 */
export class PasswordTerminal {
  private readonly fd: number;
  private readonly input: ReadStream;
  private readonly saved: string;
  private echoOff = false;
  private buffered = '';
  private ended = false;
  private closed = false;
  private readonly onExit = (): void => this.restore();

  constructor() {
    const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
    try {
      this.fd = fs.openSync('/dev/tty', 'r');
    } catch (e) {
      throw pathError('open', '/dev/tty', e);
    }
    this.saved = this.stty('-g').trim();
    const tty = process.getBuiltinModule('node:tty') as typeof import('node:tty');
    this.input = new tty.ReadStream(this.fd);
    this.input.setEncoding('utf8');
    this.input.on('data', (d: string) => { this.buffered += d; this.wake?.(); });
    this.input.on('end', () => { this.ended = true; this.wake?.(); });
    this.input.on('error', () => { this.ended = true; this.wake?.(); });
    this.input.pause();
    this.input.unref();
    process.once('exit', this.onExit);
    this.noEcho();
  }

  private wake: (() => void) | undefined;

  /** Runs stty on the terminal; its output. */
  private stty(...args: string[]): string {
    const cp = process.getBuiltinModule('node:child_process') as typeof import('node:child_process');
    const r = cp.spawnSync('stty', args, { stdio: [this.fd, 'pipe', 'ignore'], encoding: 'utf8', timeout: 5000 });
    return r.stdout ?? '';
  }

  private noEcho(): void {
    if (this.echoOff || this.closed) return;
    this.stty('-echo');
    this.echoOff = true;
  }

  /** Gives the terminal its settings back (echo on); the next readPassword turns echo off again. */
  restore(): void {
    if (!this.echoOff) return;
    if (this.saved !== '') this.stty(this.saved);
    else this.stty('echo');
    this.echoOff = false;
  }

  /**
   * One line typed on the terminal, not echoed and without a prompt (Go's
   * terminal.ReadPassword("")). Fails at the end of input (Ctrl-D).
   */
  async readPassword(signal?: AbortSignal): Promise<string> {
    if (this.closed) throw new Error('read /dev/tty: file already closed');
    this.noEcho();
    this.input.ref();
    this.input.resume();
    try {
      for (;;) {
        const nl = this.buffered.search(/[\r\n]/);
        if (nl >= 0) {
          const line = this.buffered.slice(0, nl);
          this.buffered = this.buffered.slice(this.buffered[nl] === '\r' && this.buffered[nl + 1] === '\n' ? nl + 2 : nl + 1);
          return line;
        }
        if (this.ended) throw new Error('EOF');
        if (signal?.aborted) throw new Error('cancelled');
        await new Promise<void>((resolve) => {
          const onAbort = (): void => resolve();
          signal?.addEventListener('abort', onAbort, { once: true });
          this.wake = () => { signal?.removeEventListener('abort', onAbort); resolve(); };
        });
        this.wake = undefined;
      }
    } finally {
      this.input.pause();
      this.input.unref();
    }
  }

  close(): void {
    if (this.closed) return;
    this.restore();
    this.closed = true;
    process.off('exit', this.onExit);
    this.input.destroy();
  }
}
