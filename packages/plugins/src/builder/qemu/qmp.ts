/**
 * A QEMU Machine Protocol client over a unix socket (what Packer uses from
 * digitalocean/go-qemu's qmp.SocketMonitor): JSON objects one a line, the
 * server's greeting, `qmp_capabilities`, then commands one at a time.
 * Asynchronous events (objects with an "event" key) are dropped.
 */
import { connect, type Socket } from 'node:net';
import { errnoReason } from '@packer-ts/sdk';

/** How long opening the socket may take: Packer dials it with a 2 s timeout. */
export const QMP_DIAL_TIMEOUT_MS = 2000;

interface Reply { line: string; obj: Record<string, unknown> }

export class QmpMonitor {
  private buf = '';
  private replies: Reply[] = [];
  private waiting?: { resolve: (r: Reply) => void; reject: (e: Error) => void };
  private ended?: Error;
  /** The QEMU version of the greeting ("7.2.22"), once connected. */
  version?: string;

  private constructor(private sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (line) this.take(line);
      }
    });
    const end = (e?: Error) => {
      this.ended ??= e ?? new Error('EOF');
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(this.ended);
    };
    sock.on('error', end);
    sock.on('close', () => end());
  }

  /**
   * Opens the socket at `path`. QEMU creates it while starting, so a missing or refusing
   * socket is tried again until `timeoutMs` passed; the error then is Go's:
   * `dial unix PATH: connect: no such file or directory`.
   */
  static async open(path: string, timeoutMs = QMP_DIAL_TIMEOUT_MS, signal?: AbortSignal): Promise<QmpMonitor> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const sock = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ path });
          s.once('connect', () => { s.removeListener('error', reject); resolve(s); });
          s.once('error', reject);
        });
        return new QmpMonitor(sock);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const again = code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EAGAIN';
        if (!again || Date.now() + 50 > deadline) {
          throw new Error(`dial unix ${path}: connect: ${errnoReason(e)}`, { cause: e });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Reads the greeting and negotiates capabilities; then commands may run. */
  async connect(signal?: AbortSignal): Promise<void> {
    const greeting = await this.next(signal);
    const q = (greeting.obj.QMP as { version?: { qemu?: { major?: number; minor?: number; micro?: number } } } | undefined)?.version?.qemu;
    if (q) this.version = `${q.major ?? 0}.${q.minor ?? 0}.${q.micro ?? 0}`;
    this.sock.write(`${JSON.stringify({ execute: 'qmp_capabilities' })}\n`);
    checkReply(await this.next(signal));
  }

  /** Sends one command (a JSON object, as text or value) and returns QEMU's reply line; an error reply rejects with its desc. */
  async run(command: string | Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    this.sock.write(typeof command === 'string' ? command : `${JSON.stringify(command)}\n`);
    let r: Reply;
    try {
      r = await this.next(signal);
    } catch (e) {
      // Go's reader hands Run an empty reply when the connection ends
      if (this.ended === e) throw new Error('unexpected end of JSON input');
      throw e;
    }
    checkReply(r);
    return r.line;
  }

  disconnect(): void {
    this.sock.destroy();
  }

  private take(line: string): void {
    let obj: unknown;
    try { obj = JSON.parse(line); } catch { return; }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    if (typeof (obj as { event?: unknown }).event === 'string' && (obj as { event: string }).event !== '') return;
    const reply = { line, obj: obj as Record<string, unknown> };
    const w = this.waiting;
    if (w) { this.waiting = undefined; w.resolve(reply); } else this.replies.push(reply);
  }

  private next(signal?: AbortSignal): Promise<Reply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<Reply>((resolve, reject) => {
      const onAbort = () => { this.waiting = undefined; reject(signal!.reason instanceof Error ? signal!.reason : new Error('cancelled')); };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting = {
        resolve: (x) => { signal?.removeEventListener('abort', onAbort); resolve(x); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
      };
    });
  }
}

/** QEMU's error reply as go-qemu reports it: its desc. */
function checkReply(r: Reply): void {
  const err = r.obj.error as { desc?: unknown } | undefined;
  if (err && typeof err.desc === 'string' && err.desc !== '') throw new Error(err.desc);
}
