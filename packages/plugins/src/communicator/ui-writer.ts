/**
 * A Writable that turns a remote command's output into Ui lines: every
 * complete line of a chunk goes out in one call (lines joined by "\n"), so
 * a command printing a million lines costs a few thousand Ui calls, not a
 * million (each of which may be a round trip across the plugin boundary).
 * Lines are cleaned like Packer's RemoteCmd.RunWithUi: trailing white space
 * removed, only what follows the last carriage return kept.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export function cleanLine(line: string): string {
  const t = line.trimEnd();
  const i = t.lastIndexOf('\r');
  return i >= 0 ? t.slice(i + 1) : t;
}

export class UiLineWriter extends Writable {
  private rest = '';
  private readonly dec = new StringDecoder('utf8');

  constructor(private readonly sink: (text: string) => void) {
    super({ decodeStrings: true, highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.push(this.dec.write(chunk));
    cb();
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    let s = '';
    for (const c of chunks) s += this.dec.write(c.chunk);
    this.push(s);
    cb();
  }

  private push(s: string): void {
    const text = this.rest + s;
    const last = text.lastIndexOf('\n');
    if (last < 0) { this.rest = text; return; }
    this.rest = text.slice(last + 1);
    const lines = text.slice(0, last).split('\n');
    for (let i = 0; i < lines.length; i++) lines[i] = cleanLine(lines[i]!);
    this.sink(lines.join('\n'));
  }

  /** Emits the last, unterminated line. */
  flushRest(): void {
    const s = this.rest + this.dec.end();
    this.rest = '';
    if (s !== '') this.sink(cleanLine(s));
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.flushRest();
    cb();
  }
}
