/** Go's time.ParseDuration, returning nanoseconds (as a JS number). */

const UNITS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** Parses a Go duration string ("1h2m3.5s", "-500ms", "0"); throws Go's error messages. */
export function parseGoDuration(orig: string): number {
  const quote = JSON.stringify(orig);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) { neg = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return 0;
  if (s === '') throw new Error(`time: invalid duration ${quote}`);
  let total = 0;
  while (s !== '') {
    const m = /^([0-9]*)(\.([0-9]*))?/.exec(s)!;
    const intPart = m[1];
    const fracPart = m[3];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) throw new Error(`time: invalid duration ${quote}`);
    s = s.slice(m[0].length);
    const u = /^[^0-9.]*/.exec(s)![0];
    if (u === '') throw new Error(`time: missing unit in duration ${quote}`);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(u)} in duration ${quote}`);
    s = s.slice(u.length);
    total += Number(intPart || '0') * unit + (fracPart ? Number('0.' + fracPart) * unit : 0);
    if (total > 9223372036854775807) throw new Error(`time: invalid duration ${quote}`);
  }
  return neg ? -total : total;
}

/** Formats nanoseconds as Go's Duration.String() ("1h2m3.5s", "500ms", "0s"). */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  const frac = (v: number, digits: number) => {
    const w = Math.floor(v / 10 ** digits);
    const f = String(Math.round(v % 10 ** digits)).padStart(digits, '0').replace(/0+$/, '');
    return f ? `${w}.${f}` : String(w);
  };
  if (u < 1e9) {
    if (u < 1e3) out = `${u}ns`;
    else if (u < 1e6) out = `${frac(u, 3)}µs`;
    else out = `${frac(u, 6)}ms`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = `${frac(u, 9)}s`;
    if (h > 0 || m > 0) out = `${m}m` + out;
    if (h > 0) out = `${h}h` + out;
  }
  return (neg ? '-' : '') + out;
}
