/**
 * Progress bars for byte streams (downloads, uploads, and the bars a plugin
 * asks the core for over RPC), drawn like Packer's (go-getter's cheggaaa/pb):
 * `src  1.50 MiB / 10.00 MiB [====>--------------]  15.00% 3s`.
 *
 * One `ProgressBars` per terminal; several bars at once share its line.
 * Components do not draw: they call `ui.trackProgress`, and the Ui decides
 * (a terminal draws, -machine-readable and pipes show nothing).
 */

/** A bar being fed byte counts. */
export interface ProgressHandle {
  add(n: number): void;
  close(): void;
}

interface Bar { src: string; current: number; total: number; started: number }

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** pb's byte counter: "512 B", "1.50 MiB". */
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(2)} ${UNITS[i]}`;
}

function eta(b: Bar, now: number): string {
  if (b.total <= 0 || b.current <= 0 || b.current >= b.total) return '';
  const s = Math.round((((now - b.started) / b.current) * (b.total - b.current)) / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
}

/** One bar's text at `width` columns. */
export function renderBar(b: Bar, width: number, now = Date.now()): string {
  const counters = b.total > 0 ? `${formatBytes(b.current)} / ${formatBytes(b.total)}` : formatBytes(b.current);
  if (b.total <= 0) return `${b.src} ${counters}`;
  const frac = Math.min(1, b.current / b.total);
  const pct = `${(frac * 100).toFixed(2).padStart(6)}%`;
  const left = eta(b, now);
  const fixed = `${b.src} ${counters} [] ${pct}${left ? ` ${left}` : ''}`.length;
  const inner = Math.max(10, Math.min(60, width - fixed));
  const done = Math.floor(frac * inner);
  const bar = done >= inner ? '='.repeat(inner) : `${'='.repeat(Math.max(0, done - 1))}${done > 0 ? '>' : ''}${'-'.repeat(inner - Math.max(done, 0))}`;
  return `${b.src} ${counters} [${bar}] ${pct}${left ? ` ${left}` : ''}`;
}

/** The bars of one terminal, redrawn on one line at most every `refreshMs`. */
export class ProgressBars {
  private readonly bars = new Set<Bar>();
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(private readonly out: { write(s: string): unknown; columns?: number }, private readonly refreshMs = 200) {}

  /** Starts a bar; feed it with add(), end it with close(). */
  begin(src: string, currentSize: number, totalSize: number): ProgressHandle {
    const bar: Bar = { src, current: Math.max(0, currentSize), total: Math.max(0, totalSize), started: Date.now() };
    this.bars.add(bar);
    this.schedule();
    let closed = false;
    return {
      add: (n) => { if (!closed) { bar.current += n; this.schedule(); } },
      close: () => {
        if (closed) return;
        closed = true;
        this.draw();
        this.bars.delete(bar);
        if (this.bars.size === 0) this.finish();
      },
    };
  }

  /** `stream`, read through, with a bar counting its bytes (Packer's TrackProgress). */
  track(src: string, currentSize: number, totalSize: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    return countBytes(stream, this.begin(src, currentSize, totalSize));
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.draw(); }, this.refreshMs);
    this.timer.unref();
  }

  private draw(): void {
    if (this.bars.size === 0) return;
    const width = this.out.columns ?? 80;
    const parts = [...this.bars].map((b) => renderBar(b, this.bars.size > 1 ? Math.floor(width / this.bars.size) - 3 : width));
    this.out.write(`\r${parts.join(' | ')}\x1b[K`);
    this.drawn = true;
  }

  private finish(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

/** `stream` read through a PassThrough that tells `handle` every chunk's size and closes it at the end. */
export function countBytes(stream: NodeJS.ReadableStream, handle: ProgressHandle): NodeJS.ReadableStream {
  const out = new (passThrough())({ highWaterMark: 1 << 20 });
  const close = (): void => handle.close();
  stream.on('data', (chunk: Buffer | string) => handle.add(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length));
  stream.on('end', close);
  stream.on('close', close);
  // A reader may take exactly the bytes it wants and destroy the stream before the source ends.
  out.on('close', close);
  stream.on('error', (e: Error) => { close(); out.destroy(e); });
  stream.pipe(out);
  return out;
}

/** Zero bytes to feed a counting stream with sizes only (a plugin's `Ui<id>.Add(n)` over RPC). */
const ZEROS = Buffer.alloc(64 << 10);

/**
 * A bar fed by byte counts, drawn by `ui.trackProgress` (when it has one):
 * what the core's Ui server does for a plugin's `Ui.NewTrackProgress`.
 */
export function progressFeed(ui: { trackProgress?(src: string, cur: number, total: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream }, src: string, currentSize: number, totalSize: number): ProgressHandle {
  if (!ui.trackProgress) return { add() {}, close() {} };
  const feed = new (passThrough())({ highWaterMark: 1 << 20 });
  ui.trackProgress(src, currentSize, totalSize, feed).resume();
  return {
    add(n) {
      for (let left = Math.max(0, Math.floor(n)); left > 0; left -= ZEROS.length) feed.write(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
    },
    close() { feed.end(); },
  };
}

/** node:stream's PassThrough, loaded on first use: a process that shows no bar (`version`) does not load node:stream. */
function passThrough(): typeof import('node:stream').PassThrough {
  return (process.getBuiltinModule('node:stream') as typeof import('node:stream')).PassThrough;
}
