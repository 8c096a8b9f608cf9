/**
 * Go's time formatting (reference-time layouts such as
 * "2006-01-02T15:04:05Z07:00") and the strftime subset Packer offers, both
 * in UTC as Packer formats its InitTime.
 */

/** A point in time with nanosecond precision. */
export interface GoTime {
  /** Milliseconds since the Unix epoch. */
  ms: number;
  /** Nanoseconds within the second (0..999999999); defaults to the ms part. */
  nanos?: number;
}

const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Std =
  | { k: 'longMonth' | 'month' | 'numMonth' | 'zeroMonth' | 'longWeekDay' | 'weekDay' | 'day' | 'underDay' | 'zeroDay'
      | 'underYearDay' | 'zeroYearDay' | 'hour' | 'hour12' | 'zeroHour12' | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond'
      | 'longYear' | 'year' | 'PM' | 'pm' | 'TZ'
      | 'iso8601TZ' | 'iso8601SecondsTZ' | 'iso8601ShortTZ' | 'iso8601ColonTZ' | 'iso8601ColonSecondsTZ'
      | 'numTZ' | 'numSecondsTz' | 'numShortTZ' | 'numColonTZ' | 'numColonSecondsTZ' }
  | { k: 'frac0' | 'frac9'; n: number; sep: string };

const STD0X = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'] as const;

function isLower(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 97 && c <= 122;
}
function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Finds the next layout element, as Go's nextStdChunk does. */
function nextStdChunk(layout: string): { prefix: string; std?: Std; suffix: string } {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const at = (s: string, j = i) => layout.startsWith(s, j);
    const chunk = (std: Std, len: number, prefixEnd = i) => ({ prefix: layout.slice(0, prefixEnd), std, suffix: layout.slice(i + len) });
    switch (c) {
      case 'J':
        if (at('Jan')) {
          if (at('January')) return chunk({ k: 'longMonth' }, 7);
          if (!isLower(layout, i + 3)) return chunk({ k: 'month' }, 3);
        }
        break;
      case 'M':
        if (at('Mon')) {
          if (at('Monday')) return chunk({ k: 'longWeekDay' }, 6);
          if (!isLower(layout, i + 3)) return chunk({ k: 'weekDay' }, 3);
        }
        if (at('MST')) return chunk({ k: 'TZ' }, 3);
        break;
      case '0': {
        const n = layout[i + 1];
        if (n !== undefined && n >= '1' && n <= '6') return chunk({ k: STD0X[n.charCodeAt(0) - 49] }, 2);
        if (at('002')) return chunk({ k: 'zeroYearDay' }, 3);
        break;
      }
      case '1':
        if (layout[i + 1] === '5') return chunk({ k: 'hour' }, 2);
        return chunk({ k: 'numMonth' }, 1);
      case '2':
        if (at('2006')) return chunk({ k: 'longYear' }, 4);
        return chunk({ k: 'day' }, 1);
      case '_':
        if (layout[i + 1] === '2') {
          // "_2006" is a literal "_" followed by the long year.
          if (at('2006', i + 1)) return { prefix: layout.slice(0, i + 1), std: { k: 'longYear' }, suffix: layout.slice(i + 5) };
          return chunk({ k: 'underDay' }, 2);
        }
        if (at('__2')) return chunk({ k: 'underYearDay' }, 3);
        break;
      case '3': return chunk({ k: 'hour12' }, 1);
      case '4': return chunk({ k: 'minute' }, 1);
      case '5': return chunk({ k: 'second' }, 1);
      case 'P':
        if (layout[i + 1] === 'M') return chunk({ k: 'PM' }, 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return chunk({ k: 'pm' }, 2);
        break;
      case '-':
        if (at('-070000')) return chunk({ k: 'numSecondsTz' }, 7);
        if (at('-07:00:00')) return chunk({ k: 'numColonSecondsTZ' }, 9);
        if (at('-0700')) return chunk({ k: 'numTZ' }, 5);
        if (at('-07:00')) return chunk({ k: 'numColonTZ' }, 6);
        if (at('-07')) return chunk({ k: 'numShortTZ' }, 3);
        break;
      case 'Z':
        if (at('Z070000')) return chunk({ k: 'iso8601SecondsTZ' }, 7);
        if (at('Z07:00:00')) return chunk({ k: 'iso8601ColonSecondsTZ' }, 9);
        if (at('Z0700')) return chunk({ k: 'iso8601TZ' }, 5);
        if (at('Z07:00')) return chunk({ k: 'iso8601ColonTZ' }, 6);
        if (at('Z07')) return chunk({ k: 'iso8601ShortTZ' }, 3);
        break;
      case '.':
      case ',': {
        const ch = layout[i + 1];
        if (ch === '0' || ch === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return { prefix: layout.slice(0, i), std: { k: ch === '0' ? 'frac0' : 'frac9', n: j - (i + 1), sep: c }, suffix: layout.slice(j) };
          }
        }
        break;
      }
    }
  }
  return { prefix: layout, suffix: '' };
}

function pad(n: number, width: number, ch = '0'): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : ch.repeat(width - s.length) + s);
}

/** Formats `t` (in UTC) with a Go reference-time layout, like Go's time.Time.Format. */
export function formatGoTime(t: Date | GoTime, layout: string): string {
  const ms = t instanceof Date ? t.getTime() : t.ms;
  const d = new Date(ms);
  const nanos = t instanceof Date || t.nanos === undefined ? (((ms % 1000) + 1000) % 1000) * 1e6 : t.nanos;
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const yday = Math.floor((Date.UTC(year, month, day) - Date.UTC(year, 0, 1)) / 86400000) + 1;
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const { prefix, std, suffix } = nextStdChunk(rest);
    out += prefix;
    if (!std) break;
    rest = suffix;
    switch (std.k) {
      case 'year': out += pad(year % 100, 2); break;
      case 'longYear': out += pad(year, 4); break;
      case 'month': out += LONG_MONTHS[month].slice(0, 3); break;
      case 'longMonth': out += LONG_MONTHS[month]; break;
      case 'numMonth': out += String(month + 1); break;
      case 'zeroMonth': out += pad(month + 1, 2); break;
      case 'weekDay': out += LONG_DAYS[d.getUTCDay()].slice(0, 3); break;
      case 'longWeekDay': out += LONG_DAYS[d.getUTCDay()]; break;
      case 'day': out += String(day); break;
      case 'underDay': out += (day < 10 ? ' ' : '') + String(day); break;
      case 'zeroDay': out += pad(day, 2); break;
      case 'underYearDay': out += pad(yday, 3, ' '); break;
      case 'zeroYearDay': out += pad(yday, 3); break;
      case 'hour': out += pad(hour, 2); break;
      case 'hour12': out += String(hour % 12 === 0 ? 12 : hour % 12); break;
      case 'zeroHour12': out += pad(hour % 12 === 0 ? 12 : hour % 12, 2); break;
      case 'minute': out += String(d.getUTCMinutes()); break;
      case 'zeroMinute': out += pad(d.getUTCMinutes(), 2); break;
      case 'second': out += String(d.getUTCSeconds()); break;
      case 'zeroSecond': out += pad(d.getUTCSeconds(), 2); break;
      case 'PM': out += hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += hour >= 12 ? 'pm' : 'am'; break;
      case 'TZ': out += 'UTC'; break;
      // UTC: offset zero, so the ISO 8601 forms print "Z".
      case 'iso8601TZ': case 'iso8601SecondsTZ': case 'iso8601ShortTZ': case 'iso8601ColonTZ': case 'iso8601ColonSecondsTZ':
        out += 'Z'; break;
      case 'numTZ': out += '+0000'; break;
      case 'numSecondsTz': out += '+000000'; break;
      case 'numShortTZ': out += '+00'; break;
      case 'numColonTZ': out += '+00:00'; break;
      case 'numColonSecondsTZ': out += '+00:00:00'; break;
      case 'frac0': case 'frac9': {
        let digits = pad(nanos, 9).slice(0, std.n);
        if (std.k === 'frac9') digits = digits.replace(/0+$/, '');
        if (digits !== '') out += std.sep + digits;
        break;
      }
    }
  }
  return out;
}

const STRFTIME: Record<string, string> = {
  B: 'January', b: 'Jan', m: '01', A: 'Monday', a: 'Mon', d: '02', H: '15', I: '03', M: '04', S: '05',
  Y: '2006', y: '06', p: 'PM', Z: 'MST', z: '-0700', L: '.000',
};

/** strftime as Packer's `strftime` function (jehiah/go-strftime) understands it; unknown directives are kept. */
export function strftime(format: string, t: Date | GoTime): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') { out += c; continue; }
    if (i + 1 >= format.length) { out += '%'; break; }
    const n = format[++i];
    if (n === '%') out += '%';
    else if (STRFTIME[n] !== undefined) out += formatGoTime(t, STRFTIME[n]);
    else out += '%' + n;
  }
  return out;
}

/** RFC 3339 as Go's time.RFC3339 layout. */
export const RFC3339 = '2006-01-02T15:04:05Z07:00';

function nowGoTime(): GoTime {
  const ms = Date.now();
  // Sub-millisecond digits from the monotonic clock: process.hrtime is in the process object,
  // where the global `performance` loads perf_hooks (milliseconds of start-up, in every process).
  const sub = Number(process.hrtime.bigint() % 1_000_000n);
  return { ms, nanos: (ms % 1000) * 1e6 + sub };
}

let initTime: GoTime = nowGoTime();

/** The time this process started rendering: every `timestamp`/`isotime`/`strftime` uses it (Packer's InitTime). */
export function getInitTime(): GoTime { return { ...initTime }; }

/** Replaces the process init time (tests, or a core that wants a given time). */
export function setInitTime(t: Date | GoTime): void {
  initTime = t instanceof Date ? { ms: t.getTime(), nanos: (t.getTime() % 1000) * 1e6 } : { ...t };
}
