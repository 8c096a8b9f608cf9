/**
 * The build timeline (`packer-ts build -timeline=FILE.html`): every build of
 * the run on one time axis with its steps, provisioners and post-processors,
 * written as one self-contained HTML page that also carries the data as JSON
 * (`<script type="application/json" id="timeline-data">`).
 *
 * Spans come from the SDK's span recorder (`withSpanRecorder`, `traced`):
 * the step runner, the provision hook and the post-processor chain report
 * them; a builder that reports no steps (a plugin) gets one span for its run.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { redact, type SpanKind, type SpanRecorder, type SpanStatus } from '@packer-ts/sdk';

export type BuildStatus = 'ok' | 'failed' | 'cancelled' | 'running';

export interface TimelineSpan {
  kind: SpanKind;
  name: string;
  /** Seconds since the run began. */
  start: number;
  end: number;
  status: SpanStatus | 'running';
  /** Nesting among open spans of the same kind (a retry inside its provisioner): 0 is outermost. */
  depth: number;
}

export interface TimelineBuild {
  name: string;
  type: string;
  start: number;
  end: number;
  status: BuildStatus;
  spans: TimelineSpan[];
}

export interface TimelineData {
  builds: TimelineBuild[];
}

const seconds = (ms: number) => Math.round(ms) / 1000;

/** The spans of one build; installed with `withSpanRecorder` around its run. */
export class BuildTimeline implements SpanRecorder {
  readonly spans: TimelineSpan[] = [];
  readonly start: number;
  end = -1;
  status: BuildStatus = 'running';
  private readonly open = new Map<SpanKind, number>();

  constructor(private readonly clock: () => number, readonly name: string, readonly type: string) {
    this.start = clock();
  }

  begin(kind: SpanKind, name: string): (status: SpanStatus) => void {
    const depth = this.open.get(kind) ?? 0;
    this.open.set(kind, depth + 1);
    const span: TimelineSpan = { kind, name, start: this.clock(), end: -1, status: 'running', depth };
    this.spans.push(span);
    let ended = false;
    return (status) => {
      if (ended) return;
      ended = true;
      span.end = this.clock();
      span.status = status;
      this.open.set(kind, (this.open.get(kind) ?? 1) - 1);
    };
  }

  /** Number of spans of `kind` so far. */
  count(kind: SpanKind): number {
    return this.spans.reduce((n, s) => n + (s.kind === kind ? 1 : 0), 0);
  }

  finish(status: Exclude<BuildStatus, 'running'>): void {
    if (this.end < 0) { this.end = this.clock(); this.status = status; }
  }
}

/** All builds of one run, on one clock that starts with the run. */
export class Timeline {
  private readonly t0 = performance.now();
  readonly builds: BuildTimeline[] = [];

  /** Milliseconds since the run began. */
  private readonly clock = () => performance.now() - this.t0;

  build(name: string, type: string): BuildTimeline {
    const b = new BuildTimeline(this.clock, name, type);
    this.builds.push(b);
    return b;
  }

  /** The data, times in seconds since the run began; open spans end now. */
  data(): TimelineData {
    const now = this.clock();
    return {
      builds: this.builds.map((b) => ({
        name: b.name,
        type: b.type,
        start: seconds(b.start),
        end: seconds(b.end < 0 ? now : b.end),
        status: b.status,
        spans: b.spans.map((s) => ({ ...s, start: seconds(s.start), end: seconds(s.end < 0 ? now : s.end) })),
      })),
    };
  }
}

/** Writes the page to `path` whole or not at all (temp file, then rename). */
export async function writeTimeline(path: string, data: TimelineData): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, renderTimeline(data));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

const COLORS: Record<SpanKind | 'build', string> = {
  build: '#8c8c8c',
  step: '#4e79a7',
  provisioner: '#59a14f',
  'post-processor': '#f28e2b',
};
const FAILED = '#e15759';
const CANCELLED = '#b07aa1';
const KINDS: SpanKind[] = ['step', 'provisioner', 'post-processor'];

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "1.234s", "2m3.4s", "1h2m". */
export function shortDuration(sec: number): string {
  if (sec < 60) return `${sec < 10 ? sec.toFixed(3) : sec.toFixed(1)}s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m}m${(sec - m * 60).toFixed(1)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

function fill(kind: SpanKind | 'build', status: string): string {
  if (status === 'failed') return FAILED;
  if (status === 'cancelled') return CANCELLED;
  return COLORS[kind];
}

/** Tick spacing giving 4-10 ticks over `total` seconds. */
function tickStep(total: number): number {
  for (const s of [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]) if (total / s <= 10) return s;
  return Math.ceil(total / 10 / 3600) * 3600;
}

/** The self-contained page: an SVG chart, a table, and the data as JSON. */
export function renderTimeline(data: TimelineData): string {
  // Names may carry interpolated secrets: the page is output like any other.
  const safe: TimelineData = JSON.parse(redact(JSON.stringify(data)));
  const total = Math.max(0.001, ...safe.builds.map((b) => b.end), ...safe.builds.flatMap((b) => b.spans.map((s) => s.end)));
  const labelW = 220;
  const chartW = 900;
  const rowH = 22;
  const x = (t: number) => labelW + (t / total) * chartW;
  const rows: string[] = [];
  let y = 30;
  const bar = (kind: SpanKind | 'build', name: string, start: number, end: number, status: string) => {
    const x0 = x(start);
    const w = Math.max(2, x(end) - x0 - 1); // 1 px apart: adjacent bars stay distinct
    const dur = shortDuration(end - start);
    const text = `${name} ${dur}`;
    const fits = text.length * 6.7 + 8 < w;
    rows.push(
      `<g class="bar" data-kind="${kind}" data-status="${esc(status)}"><title>${esc(`${name}: ${dur} (${status})`)}</title>`
      + `<rect x="${x0.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 4}" rx="3" fill="${fill(kind, status)}"/>`
      + (fits ? `<text x="${(x0 + 4).toFixed(1)}" y="${y + 15}" class="in">${esc(text)}</text>` : '')
      + '</g>',
    );
    // Labels that do not fit their bar go to its right, unless the next bar is there.
    return fits ? undefined : { x: x0 + w + 4, text };
  };
  const lane = (label: string) => rows.push(`<text class="lane" x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(label)}</text>`);
  for (const b of safe.builds) {
    lane(`${b.name} (${b.type})`);
    const out = bar('build', b.name, b.start, b.end, b.status);
    if (out) rows.push(`<text x="${out.x.toFixed(1)}" y="${y + 15}" class="out">${esc(out.text)}</text>`);
    y += rowH;
    for (const kind of KINDS) {
      // Spans of one kind and depth share a row while they do not overlap.
      const packed: { end: number; spans: TimelineSpan[] }[][] = [];
      for (const sp of b.spans.filter((s) => s.kind === kind)) {
        const level = (packed[sp.depth] ??= []);
        let row = level.find((r) => r.end <= sp.start);
        if (!row) level.push((row = { end: 0, spans: [] }));
        row.spans.push(sp);
        row.end = sp.end;
      }
      for (const [depth, level] of packed.entries()) {
        for (const row of level ?? []) {
          lane(`${'· '.repeat(depth)}${kind}`);
          const labels: { x: number; text: string; next: number }[] = [];
          row.spans.forEach((sp, i) => {
            const out = bar(kind, sp.name, sp.start, sp.end, sp.status);
            if (out) labels.push({ ...out, next: i + 1 < row.spans.length ? x(row.spans[i + 1]!.start) : Infinity });
          });
          for (const l of labels) if (l.x + l.text.length * 6.7 < l.next) rows.push(`<text x="${l.x.toFixed(1)}" y="${y + 15}" class="out">${esc(l.text)}</text>`);
          y += rowH;
        }
      }
    }
    y += 8;
  }
  const step = tickStep(total);
  const ticks: string[] = [];
  for (let t = 0; t <= total + 1e-9; t += step) {
    ticks.push(`<line x1="${x(t).toFixed(1)}" y1="22" x2="${x(t).toFixed(1)}" y2="${y}" class="tick"/><text x="${x(t).toFixed(1)}" y="16" text-anchor="middle" class="axis">${esc(shortDuration(t))}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + chartW + 280}" height="${y + 10}" role="img" aria-label="build timeline">${ticks.join('')}${rows.join('')}</svg>`;
  const tableRows = safe.builds.flatMap((b) => [
    `<tr class="build"><td>${esc(b.name)}</td><td>build (${esc(b.type)})</td><td></td><td>${b.start.toFixed(3)}</td><td>${shortDuration(b.end - b.start)}</td><td class="${esc(b.status)}">${esc(b.status)}</td></tr>`,
    ...b.spans.map((s) => `<tr><td>${esc(b.name)}</td><td>${s.kind}</td><td>${esc(s.name)}</td><td>${s.start.toFixed(3)}</td><td>${shortDuration(s.end - s.start)}</td><td class="${esc(s.status)}">${esc(s.status)}</td></tr>`),
  ]);
  const json = JSON.stringify(safe).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>packer-ts build timeline</title>
<style>
body{font:13px system-ui,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:16px;margin:0 0 8px}
svg text{font:11px ui-monospace,monospace}
svg text.in{fill:#fff}svg text.out{fill:#222}svg text.lane{fill:#555}
svg text.axis{fill:#777}svg line.tick{stroke:#e4e4e4}
table{border-collapse:collapse;margin-top:16px}td,th{padding:2px 10px;border-bottom:1px solid #eee;text-align:left}
tr.build td{font-weight:600}td.failed{color:${FAILED}}td.cancelled{color:${CANCELLED}}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
</style></head><body>
<h1>Build timeline: ${safe.builds.length} build(s), ${esc(shortDuration(total))}</h1>
<div class="legend">${(['build', ...KINDS] as const).map((k) => `<span><i style="background:${COLORS[k]}"></i>${k}</span>`).join('')}<span><i style="background:${FAILED}"></i>failed</span><span><i style="background:${CANCELLED}"></i>cancelled</span></div>
${svg}
<table><thead><tr><th>build</th><th>kind</th><th>name</th><th>start (s)</th><th>duration</th><th>status</th></tr></thead><tbody>
${tableRows.join('\n')}
</tbody></table>
<script type="application/json" id="timeline-data">${json}</script>
</body></html>
`;
}
