// formatdate, timeadd, timestamp and Packer's legacy_isotime/strftime:
// RFC 3339 parsing with Go's error words, Go durations, and instants kept
// with their UTC offset as Go's time.Time is.
import * as T from '../cty/types.ts';
import { stringVal, numberIntVal } from '../cty/value.ts';
import { ArgError, FuncError, makeFunction, staticReturnType } from './function.ts';

/** An instant: whole seconds since the epoch (UTC), nanoseconds, and the zone offset in seconds. */
export interface GoTime {
  sec: bigint;
  nsec: number;
  offset: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [y + (m <= 2 ? 1 : 0), m, d];
}

export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  nsec: number;
}

export function civil(t: GoTime): Civil {
  const local = t.sec + BigInt(t.offset);
  const days = Number(local >= 0n ? local / 86400n : -((-local + 86399n) / 86400n));
  const secs = Number(local - BigInt(days) * 86400n);
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor((secs % 3600) / 60),
    second: secs % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
    nsec: t.nsec,
  };
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** time.Format(time.RFC3339) */
export function formatRFC3339(t: GoTime, nanos = false): string {
  const c = civil(t);
  let s = `${c.year < 0 ? '-' : ''}${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
  if (nanos && c.nsec) s += '.' + String(c.nsec).padStart(9, '0').replace(/0+$/, '');
  return s + formatZone(t.offset, 'Z07:00');
}

function formatZone(off: number, layout: 'Z07:00' | '-0700' | '-07:00'): string {
  if (off === 0 && layout === 'Z07:00') return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const h = pad(Math.floor(a / 3600));
  const m = pad(Math.floor((a % 3600) / 60));
  return layout === '-0700' ? `${sign}${h}${m}` : `${sign}${h}:${m}`;
}

class ParseErr {
  constructor(
    readonly layoutElem: string,
    readonly valueElem: string,
    readonly message = '',
  ) {}
}

/** time.Parse(time.RFC3339, s) */
function parseRFC3339(s: string): GoTime {
  let rest = s;
  const num = (n: number, elem: string, what?: [number, number]): number => {
    if (n === 4) {
      // Go slices four bytes off for the year, then parses them
      if (rest.length < 4 || !/^\d/.test(rest)) throw new ParseErr(elem, rest);
      const p = rest.slice(0, 4);
      rest = rest.slice(4);
      if (!/^\d{4}$/.test(p)) throw new ParseErr(elem, rest);
      return parseInt(p, 10);
    }
    const m = new RegExp(`^\\d{${n}}`).exec(rest);
    if (!m) throw new ParseErr(elem, rest);
    const v = parseInt(m[0], 10);
    rest = rest.slice(n);
    if (what && (v < what[0] || v > what[1])) throw new ParseErr(elem, rest, `: ${elem === '01' ? 'month' : elem === '02' ? 'day' : elem === '15' ? 'hour' : elem === '04' ? 'minute' : 'second'} out of range`);
    return v;
  };
  const lit = (l: string) => {
    if (!rest.startsWith(l)) throw new ParseErr(l, rest);
    rest = rest.slice(l.length);
  };
  const year = num(4, '2006');
  lit('-');
  const month = num(2, '01', [1, 12]);
  lit('-');
  const day = num(2, '02', [1, 31]);
  lit('T');
  const hour = num(2, '15', [0, 23]);
  lit(':');
  const minute = num(2, '04', [0, 59]);
  lit(':');
  const second = num(2, '05', [0, 59]);
  let nsec = 0;
  const frac = /^[.,](\d+)/.exec(rest);
  if (frac) {
    nsec = parseInt(frac[1].slice(0, 9).padEnd(9, '0'), 10);
    rest = rest.slice(frac[0].length);
  }
  let offset = 0;
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else {
    const z = /^([+-])(\d\d):(\d\d)/.exec(rest);
    if (!z) throw new ParseErr('Z07:00', rest);
    offset = (parseInt(z[2], 10) * 3600 + parseInt(z[3], 10) * 60) * (z[1] === '-' ? -1 : 1);
    rest = rest.slice(z[0].length);
  }
  if (rest !== '') throw new ParseErr('', rest, `: extra text: ${JSON.stringify(rest)}`);
  const dim = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day > dim) throw new ParseErr('', '', ': day out of range');
  const days = daysFromCivil(year, month, day);
  const sec = BigInt(days) * 86400n + BigInt(hour * 3600 + minute * 60 + second) - BigInt(offset);
  return { sec, nsec, offset };
}

/** cty's parseTimestamp with its error messages. */
export function parseTimestamp(s: string): GoTime {
  try {
    return parseRFC3339(s);
  } catch (e) {
    if (!(e instanceof ParseErr)) throw e;
    if (e.layoutElem === '' && e.valueElem === '' && e.message !== '') throw new FuncError(`not a valid RFC3339 timestamp${e.message}`);
    let what: string;
    switch (e.layoutElem) {
      case '2006':
        what = 'year';
        break;
      case '01':
        what = 'month';
        break;
      case '02':
        what = 'day of month';
        break;
      case '15':
        what = 'hour';
        break;
      case '04':
        what = 'minute';
        break;
      case '05':
        what = 'second';
        break;
      case 'Z07:00':
        what = 'UTC offset';
        break;
      case 'T':
        throw new FuncError("not a valid RFC3339 timestamp: missing required time introducer 'T'");
      case ':':
      case '-':
        if (e.valueElem === '') throw new FuncError(`not a valid RFC3339 timestamp: end of string where ${JSON.stringify(e.layoutElem)} is expected`);
        throw new FuncError(`not a valid RFC3339 timestamp: found ${JSON.stringify(e.valueElem)} where ${JSON.stringify(e.layoutElem)} is expected`);
      default:
        what = 'timestamp segment';
    }
    if (e.valueElem === '') throw new FuncError(`not a valid RFC3339 timestamp: end of string before ${what}`);
    throw new FuncError(`not a valid RFC3339 timestamp: cannot use ${JSON.stringify(e.valueElem)} as ${what}`);
  }
}

/** time.ParseDuration: nanoseconds (bigint). */
export function parseDuration(s0: string): bigint {
  const orig = s0;
  let s = s0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new FuncError(`time: invalid duration ${goQuoteStr(orig)}`);
  const units: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (m[0] === '' || m[0] === '.') throw new FuncError(`time: invalid duration ${goQuoteStr(orig)}`);
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (!u) throw new FuncError(`time: missing unit in duration ${goQuoteStr(orig)}`);
    const unit = units[u[0]];
    if (unit === undefined) throw new FuncError(`time: unknown unit ${goQuoteStr(u[0])} in duration ${goQuoteStr(orig)}`);
    s = s.slice(u[0].length);
    const whole = BigInt(m[1] || '0');
    let v = whole * unit;
    if (m[2]) {
      const fracDigits = m[2];
      v += (BigInt(fracDigits) * unit) / 10n ** BigInt(fracDigits.length);
    }
    total += v;
    if (total > (1n << 63n) - 1n) throw new FuncError(`time: invalid duration ${goQuoteStr(orig)}`);
  }
  return neg ? -total : total;
}

function goQuoteStr(s: string): string {
  return JSON.stringify(s);
}

export function addDuration(t: GoTime, ns: bigint): GoTime {
  const total = BigInt(t.nsec) + ns;
  let secs = total / 1000000000n;
  let rem = total % 1000000000n;
  if (rem < 0n) {
    rem += 1000000000n;
    secs -= 1n;
  }
  return { sec: t.sec + secs, nsec: Number(rem), offset: t.offset };
}

function isVerbStart(c: string): boolean {
  return /[A-Za-z]/.test(c);
}

function splitDateFormat(s: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "'") {
      if (s[i + 1] === "'") {
        toks.push("''");
        i += 2;
        continue;
      }
      let j = i + 1;
      let end = -1;
      for (; j < s.length; j++) {
        if (s[j] === "'") {
          if (s[j + 1] === "'") {
            j++;
            continue;
          }
          end = j;
          break;
        }
      }
      if (end < 0) {
        toks.push(s.slice(i));
        break;
      }
      // a literal closing exactly at the end of the format is dropped by
      // Go's scanner (its split function asks for more input at EOF)
      if (end === s.length - 1) break;
      toks.push(s.slice(i, end + 1));
      i = end + 1;
    } else if (isVerbStart(c)) {
      let j = i + 1;
      while (j < s.length && s[j] === c) j++;
      toks.push(s.slice(i, j));
      i = j;
    } else {
      let j = i + 1;
      while (j < s.length && s[j] !== "'" && !isVerbStart(s[j])) j++;
      toks.push(s.slice(i, j));
      i = j;
    }
  }
  return toks;
}

export function formatDate(format: string, t: GoTime): string {
  const c = civil(t);
  let out = '';
  const verbErr = (tok: string, msg: string): never => {
    throw new ArgError(0, `invalid date format verb ${JSON.stringify(tok)}: ${msg}`);
  };
  for (const tok of splitDateFormat(format)) {
    if (tok[0] === "'") {
      if (tok[tok.length - 1] !== "'" || tok.length === 1) throw new ArgError(0, "unterminated literal '");
      if (tok.length === 2) out += "'";
      else {
        const raw = tok.slice(1, -1);
        for (let i = 0; i < raw.length; i++) {
          out += raw[i];
          if (raw[i] === "'") i++;
        }
      }
      continue;
    }
    if (!isVerbStart(tok[0])) {
      out += tok;
      continue;
    }
    const n = tok.length;
    switch (tok[0]) {
      case 'Y':
        if (n === 2) out += pad(((c.year % 100) + 100) % 100);
        else if (n === 4) out += pad(c.year, 4);
        else verbErr(tok, 'year must either be "YY" or "YYYY"');
        break;
      case 'M':
        if (n === 1) out += c.month;
        else if (n === 2) out += pad(c.month);
        else if (n === 3) out += MONTHS[c.month - 1].slice(0, 3);
        else if (n === 4) out += MONTHS[c.month - 1];
        else verbErr(tok, 'month must be "M", "MM", "MMM", or "MMMM"');
        break;
      case 'D':
        if (n === 1) out += c.day;
        else if (n === 2) out += pad(c.day);
        else verbErr(tok, 'day of month must either be "D" or "DD"');
        break;
      case 'E':
        if (n === 3) out += DAYS[c.weekday].slice(0, 3);
        else if (n === 4) out += DAYS[c.weekday];
        else verbErr(tok, 'day of week must either be "EEE" or "EEEE"');
        break;
      case 'h':
        if (n === 1) out += c.hour;
        else if (n === 2) out += pad(c.hour);
        else verbErr(tok, '24-hour must either be "h" or "hh"');
        break;
      case 'H': {
        const h = c.hour % 12 === 0 ? 12 : c.hour % 12;
        if (n === 1) out += h;
        else if (n === 2) out += pad(h);
        else verbErr(tok, '12-hour must either be "H" or "HH"');
        break;
      }
      case 'A':
      case 'a':
        if (n !== 2) verbErr(tok, `must be "${tok[0]}${tok[0]}"`);
        out += c.hour < 12 ? (tok[0] === 'A' ? 'AM' : 'am') : tok[0] === 'A' ? 'PM' : 'pm';
        break;
      case 'm':
        if (n === 1) out += c.minute;
        else if (n === 2) out += pad(c.minute);
        else verbErr(tok, 'minute must either be "m" or "mm"');
        break;
      case 's':
        if (n === 1) out += c.second;
        else if (n === 2) out += pad(c.second);
        else verbErr(tok, 'second must either be "s" or "ss"');
        break;
      case 'Z':
        if (n === 1) out += formatZone(t.offset, 'Z07:00');
        else if (n === 3) {
          const z = formatZone(t.offset, '-0700');
          out += z === '+0000' ? 'UTC' : z;
        } else if (n === 4) out += formatZone(t.offset, '-0700');
        else if (n === 5) out += formatZone(t.offset, '-07:00');
        else verbErr(tok, 'timezone must be Z, ZZZZ, or ZZZZZ');
        break;
      default:
        throw new ArgError(0, `invalid date format verb ${JSON.stringify(tok)}`);
    }
  }
  return out;
}

export const formatdate = makeFunction({
  params: [
    { name: 'format', type: T.String },
    { name: 'time', type: T.String },
  ],
  type: staticReturnType(T.String),
  impl: (a) => {
    let t: GoTime;
    try {
      t = parseTimestamp(a[1].asString());
    } catch (e) {
      throw new ArgError(1, (e as Error).message);
    }
    return stringVal(formatDate(a[0].asString(), t));
  },
});

export const timeadd = makeFunction({
  params: [
    { name: 'timestamp', type: T.String },
    { name: 'duration', type: T.String },
  ],
  type: staticReturnType(T.String),
  impl: (a) => {
    const t = parseTimestamp(a[0].asString());
    const d = parseDuration(a[1].asString());
    return stringVal(formatRFC3339(addDuration(t, d)));
  },
});

export function nowGoTime(): GoTime {
  const ms = Date.now();
  return { sec: BigInt(Math.floor(ms / 1000)), nsec: (ms % 1000) * 1e6, offset: 0 };
}

/** Packer's timestamp(): the current UTC time in RFC 3339. */
export const timestamp = makeFunction({
  params: [],
  type: staticReturnType(T.String),
  impl: () => stringVal(formatRFC3339(nowGoTime())),
});

/** 1.16's unix_timestamp_parse is not in Packer; rfc3339_parse: object of fields. */
export const unixTimestampOf = (t: GoTime) => numberIntVal(t.sec);
