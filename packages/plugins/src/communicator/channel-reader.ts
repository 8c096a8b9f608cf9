/** Byte-level reading and writing on an ssh2 channel, for the scp protocol. */
import type { Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';

/** A buffered reader over a channel's stdout (Go's bufio.Reader, for the scp protocol). */
export class ChannelReader {
  private chunks: Buffer[] = [];
  private len = 0;
  private ended = false;
  private wake: (() => void) | undefined;
  private static readonly HIGH = 8 << 20;

  constructor(private readonly ch: ClientChannel) {
    ch.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.len += c.length;
      if (this.len > ChannelReader.HIGH) ch.pause();
      this.notify();
    });
    ch.on('end', () => { this.ended = true; this.notify(); });
    ch.on('close', () => { this.ended = true; this.notify(); });
  }

  private notify(): void { const w = this.wake; this.wake = undefined; w?.(); }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    await new Promise<void>((r) => { this.wake = r; });
    return true;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length <= n) { this.chunks.shift(); out = first; } else { out = first.subarray(0, n); this.chunks[0] = first.subarray(n); }
    this.len -= out.length;
    if (this.len < ChannelReader.HIGH / 2 && this.ch.isPaused()) this.ch.resume();
    return out;
  }

  async readByte(): Promise<number> {
    while (this.len === 0) if (!(await this.more())) throw new Error('EOF');
    return this.take(1)[0]!;
  }

  /** Reads up to and including '\n'; the line without it. */
  async readLine(): Promise<string> {
    const parts: Buffer[] = [];
    for (;;) {
      while (this.len === 0) {
        if (!(await this.more())) {
          if (parts.length) return Buffer.concat(parts).toString();
          throw new Error('EOF');
        }
      }
      const first = this.chunks[0]!;
      const i = first.indexOf(10);
      if (i >= 0) {
        parts.push(this.take(i + 1).subarray(0, i));
        return Buffer.concat(parts).toString();
      }
      parts.push(this.take(first.length));
    }
  }

  /** Copies exactly `n` bytes into `out` (backpressure honoured). */
  async copyTo(out: Writable, n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      while (this.len === 0) if (!(await this.more())) throw new Error('unexpected EOF');
      const b = this.take(Math.min(left, this.chunks[0]!.length));
      left -= b.length;
      if (!out.write(b)) await drained(out);
    }
  }

  async rest(): Promise<string> {
    while (await this.more()) { /* wait for the end */ }
    return Buffer.concat(this.chunks.splice(0)).toString();
  }
}

export function drained(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = (): void => { w.off('error', bad); w.off('close', ok); resolve(); };
    const bad = (e: Error): void => { w.off('drain', ok); w.off('close', ok); reject(e); };
    w.once('drain', ok);
    w.once('error', bad);
    w.once('close', ok);
  });
}

export function writeCh(ch: ClientChannel, data: Buffer | string): Promise<void> | undefined {
  return ch.write(data) ? undefined : drained(ch);
}
