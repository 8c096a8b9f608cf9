/**
 * The core's user interfaces, layered as in Packer: a BasicUi writes to the
 * terminal; ColoredUi, TargetedUi and TimestampedUi decorate; MachineReadableUi
 * prints `timestamp,target,type,data...` records. Every byte that leaves
 * passes through the secret filter; text carrying raw bytes (an excerpt of a
 * file that is not UTF-8, see decodeRawText) is written as those bytes.
 */
import type { createInterface } from 'node:readline';
import { openTerminal, ProgressBars, rawTextChunk, redact, type Ui } from '@packer-ts/sdk';

/** Something that takes text: stdout/stderr or a test buffer (bytes only for text that carries raw bytes). */
export interface TextSink {
  write(chunk: string | Buffer): unknown;
}

/**
 * Writes say/message to `out`, errors to `err` (stdout too, as Packer). Machine records go to
 * the log only. Asks read the terminal (Packer's BasicUi.TTY), not stdin: without one an ask
 * fails at once with "no available tty" and prints nothing, as Packer's.
 */
export class BasicUi implements Ui {
  constructor(
    readonly out: TextSink = process.stdout,
    readonly err: TextSink = process.stdout,
    // null: no terminal; a function: opens the terminal at the first ask (the default opens /dev/tty)
    readonly terminal: (() => NodeJS.ReadableStream | undefined) | null = openTerminal,
    readonly log: (line: string) => void = () => {},
  ) {}
  private input: NodeJS.ReadableStream | null | undefined;
  private lines: string[] = [];
  private waiting: ((line: string) => void)[] = [];
  private reader: ReturnType<typeof createInterface> | undefined;
  private ended = false;

  /** Packer's Ask: the query and a space, then a line of the terminal, trimmed. */
  async ask(query: string): Promise<string> {
    if (this.input === undefined) this.input = this.terminal?.() ?? null;
    const input = this.input;
    if (!input) throw new Error('no available tty');
    this.log(redact(`ui: ask: ${query}`));
    if (query !== '') this.out.write(redact(query) + ' ');
    if (this.lines.length > 0) return this.lines.shift()!.trim();
    if (this.ended) throw new Error('EOF');
    if (!this.reader) {
      // node:readline loads when a question is first asked, not at start-up.
      this.reader = process.getBuiltinModule('node:readline').createInterface({ input, terminal: false });
      this.reader.on('line', (l) => {
        const w = this.waiting.shift();
        if (w) w(l); else this.lines.push(l);
        if (this.waiting.length === 0) { this.reader?.pause(); (input as { unref?: () => void }).unref?.(); }
      });
      this.reader.on('close', () => {
        this.ended = true;
        for (const w of this.waiting.splice(0)) w('');
      });
    }
    const answer = new Promise<string>((resolve) => this.waiting.push(resolve));
    (input as { ref?: () => void }).ref?.();
    this.reader.resume();
    return (await answer).trim();
  }
  say(message: string): void { this.out.write(rawTextChunk(redact(message) + '\n')); }
  message(message: string): void { this.out.write(rawTextChunk(redact(message) + '\n')); }
  error(message: string): void { this.err.write(rawTextChunk(redact(message) + '\n')); }
  machine(type: string, ...data: string[]): void {
    this.log(redact(`machine readable: ${type} ${JSON.stringify(data)}`));
  }
  private bars: ProgressBars | undefined;
  /** Bars on a terminal only; a pipe or file gets the stream untouched. */
  trackProgress(src: string, currentSize: number, totalSize: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    const out = this.out as TextSink & { isTTY?: boolean; columns?: number };
    if (!out.isTTY) return stream;
    this.bars ??= new ProgressBars({ write: (s) => out.write(s), get columns() { return out.columns; } });
    return this.bars.track(redact(src), currentSize, totalSize, stream);
  }
}

/** Packer's build colors, in the order builds get them. */
export const BUILD_COLORS = [32, 36, 35, 33, 34] as const;
const RED = 31;

/** Colors every line (bold for say/error) with ANSI codes exactly like Packer. */
export class ColoredUi implements Ui {
  constructor(readonly color: number, readonly ui: Ui, readonly errorColor = RED) {}
  private paint(m: string, color: number, bold: boolean): string {
    if (process.env.PACKER_NO_COLOR) return m;
    return `\x1b[${bold ? 1 : 0};${color}m${m}\x1b[0m`;
  }
  ask(q: string): Promise<string> { return this.ui.ask(this.paint(q, this.color, true)); }
  say(m: string): void { this.ui.say(this.paint(m, this.color, true)); }
  message(m: string): void { this.ui.message(this.paint(m, this.color, false)); }
  error(m: string): void { this.ui.error(this.paint(m, this.errorColor, true)); }
  machine(t: string, ...d: string[]): void { this.ui.machine(t, ...d); }
  trackProgress(src: string, cur: number, total: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    return this.ui.trackProgress?.(src, cur, total, stream) ?? stream;
  }
}

/** Prefixes every line with `==> target: ` (say, error) or `    target: ` (message). */
export class TargetedUi implements Ui {
  constructor(readonly target: string, readonly ui: Ui) {}
  private prefix(arrow: boolean, m: string): string {
    const a = arrow ? '==>' : '   ';
    return m.split('\n').map((l) => `${a} ${this.target}: ${l}`).join('\n').replace(/\s+$/u, '');
  }
  ask(q: string): Promise<string> { return this.ui.ask(this.prefix(true, q)); }
  say(m: string): void { this.ui.say(this.prefix(true, m)); }
  message(m: string): void { this.ui.message(this.prefix(false, m)); }
  error(m: string): void { this.ui.error(this.prefix(true, m)); }
  machine(t: string, ...d: string[]): void { this.ui.machine(`${this.target},${t}`, ...d); }
  trackProgress(src: string, cur: number, total: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    return this.ui.trackProgress?.(`${this.target}: ${src}`, cur, total, stream) ?? stream;
  }
}

/** RFC 3339 local time with offset, as Go's time.RFC3339 prints it. */
export function rfc3339(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

/** -timestamp-ui: prefixes each output with an RFC 3339 timestamp. */
export class TimestampedUi implements Ui {
  constructor(readonly ui: Ui) {}
  ask(q: string): Promise<string> { return this.ui.ask(q); }
  say(m: string): void { this.ui.say(`${rfc3339()}: ${m}`); }
  message(m: string): void { this.ui.message(`${rfc3339()}: ${m}`); }
  error(m: string): void { this.ui.error(`${rfc3339()}: ${m}`); }
  machine(t: string, ...d: string[]): void { this.ui.machine(t, ...d); }
  trackProgress(src: string, cur: number, total: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    return this.ui.trackProgress?.(src, cur, total, stream) ?? stream;
  }
}

/**
 * -machine-readable: every call becomes `unix-seconds,target,type,data...`
 * on stdout; commas become `%!(PACKER_COMMA)`, CR/LF become `\r`/`\n`.
 * Unlike Packer 1.6.6, secrets are masked here too.
 */
export class MachineReadableUi implements Ui {
  constructor(readonly out: TextSink = process.stdout, readonly log: (line: string) => void = () => {}) {}
  async ask(): Promise<string> { throw new Error("machine-readable UI can't ask"); }
  say(m: string): void { this.machine('ui', 'say', m); }
  message(m: string): void { this.machine('ui', 'message', m); }
  error(m: string): void { this.machine('ui', 'error', m); }
  machine(category: string, ...args: string[]): void {
    let target = '';
    const comma = category.indexOf(',');
    if (comma >= 0) { target = category.slice(0, comma); category = category.slice(comma + 1); }
    const data = args.map((a) => redact(a).replaceAll(',', '%!(PACKER_COMMA)').replaceAll('\r', '\\r').replaceAll('\n', '\\n'));
    const line = `${Math.floor(Date.now() / 1000)},${target},${category},${data.join(',')}`;
    this.out.write(rawTextChunk(line + '\n'));
    this.log(line);
  }
}
