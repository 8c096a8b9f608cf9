/**
 * Output of commands as lines: bytes are decoded as UTF-8 across chunk
 * boundaries (a character split between two chunks stays whole), lines are
 * cut at "\n", and the last unterminated line comes out at the end.
 */
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Trims trailing white space and keeps what follows the last carriage return (Packer's RunWithUi). */
export function cleanOutputLine(line: string): string {
  const t = line.trimEnd();
  const i = t.lastIndexOf('\r');
  return i >= 0 ? t.slice(i + 1) : t;
}

/** Cuts a byte or text stream into lines; `emit` gets the complete lines of each push, in one array. */
export class LineSplitter {
  private rest = '';
  private readonly dec = new StringDecoder('utf8');

  constructor(private readonly emit: (lines: string[]) => void) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.dec.write(chunk));
    const last = text.lastIndexOf('\n');
    if (last < 0) { this.rest = text; return; }
    this.rest = text.slice(last + 1);
    this.emit(text.slice(0, last).split('\n'));
  }

  /** Emits the last, unterminated line, if any. */
  end(): void {
    const s = this.rest + this.dec.end();
    this.rest = '';
    if (s !== '') this.emit([s]);
  }
}

/**
 * A Writable that turns a command's output into Ui text: every complete line
 * of a chunk goes out in one call (lines joined by "\n", each cleaned by
 * cleanOutputLine), so a command printing a million lines costs a few
 * thousand Ui calls, not a million (each may cross the plugin boundary).
 */
export class UiLineWriter extends Writable {
  private readonly lines: LineSplitter;

  constructor(sink: (text: string) => void) {
    super({ decodeStrings: true, highWaterMark: 1 << 20 });
    this.lines = new LineSplitter((ls) => {
      for (let i = 0; i < ls.length; i++) ls[i] = cleanOutputLine(ls[i]!);
      sink(ls.join('\n'));
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.lines.push(chunk);
    cb();
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    for (const c of chunks) this.lines.push(c.chunk);
    cb();
  }

  /** Emits the last, unterminated line. */
  flushRest(): void {
    this.lines.end();
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.flushRest();
    cb();
  }
}
