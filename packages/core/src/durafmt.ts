/**
 * Durations written as Packer writes them (hako/durafmt, first two units):
 * "8 milliseconds 903 microseconds", "1 minute 3 seconds".
 */
const UNITS: [string, number][] = [
  ['year', 365 * 24 * 3600e6],
  ['week', 7 * 24 * 3600e6],
  ['day', 24 * 3600e6],
  ['hour', 3600e6],
  ['minute', 60e6],
  ['second', 1e6],
  ['millisecond', 1e3],
  ['microsecond', 1],
];

/** Formats `micros` microseconds with at most `limit` units. */
export function formatDuration(micros: number, limit = 2): string {
  let rest = Math.max(0, Math.floor(micros));
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
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
