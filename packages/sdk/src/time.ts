/**
 * Durations and timers: Go's time.ParseDuration / Duration.String, the
 * human-readable form Packer prints ("1 minute 3 seconds", hako/durafmt),
 * and timers that honour delays beyond setTimeout's 2^31-1 ms limit.
 * Every duration a user writes goes through here.
 */

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

const UNITS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** The quoting of time's error messages: bytes outside printable ASCII as \xNN, `"` and `\` escaped. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
    } else out += (ch === '"' || ch === '\\' ? '\\' : '') + ch;
  }
  return out + '"';
}

const LIMIT = 1n << 63n;

/**
 * Parses a Go duration string ("1h2m3.5s", "-500ms", "0") into nanoseconds as
 * an exact BigInt, with the overflow rules and messages of Go's time.ParseDuration
 * (Go 1.19, which Debian's Packer 1.6.6 is built with): beyond
 * ±2562047h47m16.854775807s is `time: invalid duration "..."`.
 */
export function parseGoDurationNs(orig: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${quote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) { neg = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    // leading integer
    let i = 0;
    let v = 0n;
    while (isDigit(s[i])) {
      if (v > LIMIT / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > LIMIT) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // fraction: digits beyond int64 precision are consumed and ignored
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (isDigit(s[j])) {
        if (!overflow) {
          if (f > MAX_INT64 / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > LIMIT) overflow = true;
            else { f = y; scale *= 10; }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) throw new Error(`time: missing unit in duration ${quote(orig)}`);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${quote(u)} in duration ${quote(orig)}`);
    if (v > LIMIT / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go: uint64(float64(f) * (float64(unit) / scale))
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw invalid();
    }
    d += v;
    if (d > LIMIT) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX_INT64) throw invalid();
  return d;
}

/** parseGoDurationNs as a number of nanoseconds (exact up to 2^53 ns, about 104 days). */
export function parseGoDuration(orig: string): number {
  return Number(parseGoDurationNs(orig));
}

/** Go's int64(f) for a JSON number of nanoseconds (out of range gives math.MinInt64, as on amd64). */
export function nanosFromNumber(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/** Formats nanoseconds as Go's Duration.String() ("1h2m3.5s", "500ms", "0s"). */
export function formatGoDuration(ns: number | bigint): string {
  let d = typeof ns === 'bigint' ? ns : BigInt(Math.round(Number.isFinite(ns) ? ns : 0));
  if (d > MAX_INT64) d = MAX_INT64;
  if (d < MIN_INT64) d = MIN_INT64;
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  const frac = (v: bigint, digits: number): string => {
    const p = 10n ** BigInt(digits);
    const f = (v % p).toString().padStart(digits, '0').replace(/0+$/, '');
    return f ? `${v / p}.${f}` : `${v / p}`;
  };
  let out: string;
  if (u < 1_000_000_000n) {
    if (u < 1_000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${frac(u, 3)}µs`;
    else out = `${frac(u, 6)}ms`;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${frac(u, 9)}s`;
    if (h > 0n || m > 0n) out = `${m}m` + out;
    if (h > 0n) out = `${h}h` + out;
  }
  return (neg ? '-' : '') + out;
}

/** Go duration of a number of milliseconds (the unit our timers use). */
export function formatGoDurationMs(ms: number): string {
  return formatGoDuration(Math.round(ms * 1e6));
}

const WORDS: [string, number][] = [
  ['year', 365 * 24 * 3600e6],
  ['week', 7 * 24 * 3600e6],
  ['day', 24 * 3600e6],
  ['hour', 3600e6],
  ['minute', 60e6],
  ['second', 1e6],
  ['millisecond', 1e3],
  ['microsecond', 1],
];

/**
 * A duration as Packer prints elapsed times (hako/durafmt, first `limit`
 * units): "8 milliseconds 903 microseconds", "1 minute 3 seconds".
 */
export function formatDuration(micros: number, limit = 2): string {
  let rest = Math.max(0, Math.floor(micros));
  const parts: string[] = [];
  for (const [name, size] of WORDS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  if (parts.length === 0) return '0 microseconds';
  return parts.slice(0, limit).join(' ');
}

/** Microseconds since `start` (from process.hrtime.bigint()). */
export function since(start: bigint): number {
  return Number((process.hrtime.bigint() - start) / 1000n);
}

/** The longest delay one Node timer takes; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer of any length (chained Node timers); `remaining()` says how long until it fires. */
export interface LongTimer {
  clear(): void;
  /** Milliseconds until it fires (0 once fired or cleared). */
  remaining(): number;
  /** The delay of the Node timer currently armed (at most MAX_TIMER_MS). */
  readonly armedMs: number;
  unref(): LongTimer;
}

/** setTimeout for any delay: negative, NaN or zero fire at once, as Go's timers do. */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  const total = Number.isFinite(ms) ? Math.max(0, ms) : ms > 0 ? Number.MAX_VALUE : 0;
  const deadline = performance.now() + total;
  let handle: NodeJS.Timeout | undefined;
  let done = false;
  let unrefd = false;
  const timer: LongTimer = {
    armedMs: 0,
    clear() { done = true; if (handle) clearTimeout(handle); handle = undefined; },
    remaining() { return done ? 0 : Math.max(0, deadline - performance.now()); },
    unref() { unrefd = true; handle?.unref(); return timer; },
  };
  const arm = (left: number) => {
    const step = Math.min(left, MAX_TIMER_MS);
    (timer as { armedMs: number }).armedMs = step;
    handle = setTimeout(() => {
      const rest = deadline - performance.now();
      if (rest > 1) arm(rest);
      else { done = true; handle = undefined; fn(); }
    }, step);
    if (unrefd) handle.unref();
  };
  arm(total);
  return timer;
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/**
 * Waits `ms` milliseconds (any length); when `signal` aborts, rejects with an
 * AbortError whose cause is the signal's reason (as node:timers/promises does).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) { reject(abortError(signal)); return; }
    const onAbort = () => { t.clear(); reject(abortError(signal!)); };
    const t = setLongTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
