// Functions that need the evaluator's cooperation (try, can, convert,
// templatefile) and Packer 1.16's time functions.
import * as T from '../cty/types.ts';
import { convert } from '../cty/convert.ts';
import { CtyError, DynamicVal, False, True, numberIntVal, objectVal, stringVal, unknownVal, type Value } from '../cty/value.ts';
import type { Diagnostic } from '../diag.ts';
import type { Range } from '../range.ts';
import { ArgError, FuncError, expressionArg, makeFunction, staticReturnType, typeArg, type CtyFunction } from './function.ts';
import { civil, formatRFC3339, nowGoTime, type GoTime } from './datetime.ts';
import { readTextFile } from './filesystem.ts';

import { rangeString } from '../range.ts';
export { rangeString };

function hasErrors(d: Diagnostic[]): boolean {
  return d.some((x) => x.severity === 'error');
}

const exprParam = { name: 'expressions', type: T.Dynamic, special: 'expression' as const, allowNull: true, allowUnknown: true, allowDynamicType: true };

function tryImpl(args: Value[]): Value {
  if (args.length === 0) throw new FuncError('at least one argument is required');
  const diags: Diagnostic[] = [];
  for (const a of args) {
    const c = expressionArg(a);
    if (c.dependsOnUnknowns()) return DynamicVal;
    const r = c.evaluate();
    diags.push(...r.diags);
    if (hasErrors(r.diags)) continue;
    return r.value;
  }
  let buf = 'no expression succeeded:\n';
  for (const d of diags) {
    if (d.subject) buf += `- ${d.summary} (at ${rangeString(d.subject)})\n  ${d.detail ?? ''}\n`;
    else buf += `- ${d.summary}\n  ${d.detail ?? ''}\n`;
  }
  buf += '\nAt least one expression must produce a successful result';
  throw new FuncError(buf);
}

export const tryFn = makeFunction({
  params: [],
  varParam: exprParam,
  type: (a) => tryImpl(a).type,
  impl: (a) => tryImpl(a),
});

export const can = makeFunction({
  params: [{ ...exprParam, name: 'expression' }],
  type: staticReturnType(T.Bool),
  impl: (a) => {
    const c = expressionArg(a[0]);
    if (c.dependsOnUnknowns()) return unknownVal(T.Bool);
    return hasErrors(c.evaluate().diags) ? False : True;
  },
});

export const convertFn = makeFunction({
  params: [
    { name: 'value', type: T.Dynamic, allowNull: true, allowDynamicType: true },
    { name: 'type', type: T.Dynamic, special: 'type', allowNull: true, allowUnknown: true, allowDynamicType: true },
  ],
  type: (a) => {
    try {
      return convert(a[0], typeArg(a[1])).type;
    } catch (e) {
      if (e instanceof CtyError) throw new ArgError(0, e.message);
      throw e;
    }
  },
  impl: (a, ret) => {
    try {
      return convert(a[0], ret);
    } catch (e) {
      if (e instanceof CtyError) throw new ArgError(0, e.message);
      throw e;
    }
  },
});

/** What templatefile needs from the language layer: parse the file's text as
 * a template and evaluate it with the given variables and functions. */
export interface TemplateRenderer {
  /** Root names of the variables the template refers to, with their ranges. */
  variables(src: string, filename: string): Array<{ name: string; range: Range }>;
  /** Evaluates; returns the value or diagnostics. */
  render(src: string, filename: string, vars: ReadonlyMap<string, Value>, funcs: Record<string, CtyFunction>): { value?: Value; diags: Diagnostic[] };
}

const IDENT = /^[\p{ID_Start}_][\p{ID_Continue}-]*$/u;

export function makeTemplateFileFunc(baseDir: string, renderer: TemplateRenderer | undefined, funcs: () => Record<string, CtyFunction>): CtyFunction {
  const params = [
    { name: 'path', type: T.String },
    { name: 'vars', type: T.Dynamic },
  ];
  const render = (path: string, vars: Value): Value => {
    const src = readTextFile(baseDir, path);
    if (!renderer) throw new FuncError('templatefile is not available here');
    const vt = vars.type;
    if (vt.kind !== 'map' && vt.kind !== 'object') throw new ArgError(1, 'invalid vars value: must be a map');
    const vmap = vars.entries();
    for (const n of vmap.keys()) {
      if (!IDENT.test(n)) throw new ArgError(1, `invalid template variable name ${JSON.stringify(n)}: must start with a letter, followed by zero or more letters, digits, and underscores`);
    }
    for (const v of renderer.variables(src, path)) {
      if (!vmap.has(v.name)) throw new ArgError(1, `vars map does not contain key ${JSON.stringify(v.name)}, referenced at ${rangeString(v.range)}`);
    }
    const given = { ...funcs() };
    given.templatefile = makeFunction({
      params,
      type: () => {
        throw new FuncError('cannot recursively call templatefile from inside templatefile call');
      },
      impl: () => DynamicVal,
    });
    const r = renderer.render(src, path, vmap, given);
    if (hasErrors(r.diags) || !r.value) {
      throw new FuncError(r.diags.map((d) => (d.subject ? `${rangeString(d.subject)}: ` : '') + d.summary + (d.detail ? `; ${d.detail}` : '')).join(', '));
    }
    return r.value;
  };
  return makeFunction({
    params,
    type: (a) => {
      if (!(a[0].isKnown() && a[1].isKnown())) return T.Dynamic;
      return render(a[0].asString(), a[1]).type;
    },
    impl: (a) => render(a[0].asString(), a[1]),
  });
}

// ---------------------------------------------------------------------------
// Packer 1.16 time functions

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const p2 = (n: number) => String(n).padStart(2, '0');

function zoneStr(off: number, colon: boolean, z: boolean, secs = false): string {
  if (z && off === 0) return 'Z';
  const s = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  let r = s + p2(Math.floor(a / 3600)) + (colon ? ':' : '') + p2(Math.floor((a % 3600) / 60));
  if (secs) r += (colon ? ':' : '') + p2(a % 60);
  return r;
}

/** Go's time.Time.Format(layout). */
export function goTimeFormat(t: GoTime, layout: string): string {
  const c = civil(t);
  const yday = Math.floor((Date.UTC(c.year, c.month - 1, c.day) - Date.UTC(c.year, 0, 1)) / 86400000) + 1;
  const h12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
  const table: Array<[string, () => string]> = [
    ['January', () => MONTHS[c.month - 1]],
    ['Jan', () => MONTHS[c.month - 1].slice(0, 3)],
    ['Monday', () => DAYS[c.weekday]],
    ['Mon', () => DAYS[c.weekday].slice(0, 3)],
    ['MST', () => (t.offset === 0 ? 'UTC' : zoneStr(t.offset, false, false))],
    ['2006', () => String(c.year).padStart(4, '0')],
    ['Z07:00:00', () => zoneStr(t.offset, true, true, true)],
    ['Z07:00', () => zoneStr(t.offset, true, true)],
    ['Z0700', () => zoneStr(t.offset, false, true)],
    ['Z07', () => (t.offset === 0 ? 'Z' : zoneStr(t.offset, false, false).slice(0, 3))],
    ['-07:00:00', () => zoneStr(t.offset, true, false, true)],
    ['-07:00', () => zoneStr(t.offset, true, false)],
    ['-0700', () => zoneStr(t.offset, false, false)],
    ['-07', () => zoneStr(t.offset, false, false).slice(0, 3)],
    ['002', () => String(yday).padStart(3, '0')],
    ['__2', () => String(yday).padStart(3, ' ')],
    ['01', () => p2(c.month)],
    ['02', () => p2(c.day)],
    ['_2', () => String(c.day).padStart(2, ' ')],
    ['03', () => p2(h12)],
    ['04', () => p2(c.minute)],
    ['05', () => p2(c.second)],
    ['06', () => p2(c.year % 100)],
    ['15', () => p2(c.hour)],
    ['PM', () => (c.hour >= 12 ? 'PM' : 'AM')],
    ['pm', () => (c.hour >= 12 ? 'pm' : 'am')],
    ['1', () => String(c.month)],
    ['2', () => String(c.day)],
    ['3', () => String(h12)],
    ['4', () => String(c.minute)],
    ['5', () => String(c.second)],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    const frac = /^[.,](0+|9+)(?!\d)/.exec(layout.slice(i));
    if (frac && i > 0 && /5$/.test(layout.slice(0, i))) {
      const n = frac[1].length;
      let digits = String(c.nsec).padStart(9, '0').slice(0, n);
      if (frac[1][0] === '9') {
        digits = digits.replace(/0+$/, '');
        out += digits ? frac[0][0] + digits : '';
      } else out += frac[0][0] + digits;
      i += frac[0].length;
      continue;
    }
    for (const [k, f] of table) {
      if (layout.startsWith(k, i)) {
        out += f();
        i += k.length;
        continue outer;
      }
    }
    out += layout[i++];
  }
  return out;
}

/** lestrrat-go/strftime Format with the common verbs. */
export function strftime(fmt: string, t: GoTime): string {
  const c = civil(t);
  const yday = Math.floor((Date.UTC(c.year, c.month - 1, c.day) - Date.UTC(c.year, 0, 1)) / 86400000) + 1;
  const map: Record<string, () => string> = {
    A: () => DAYS[c.weekday],
    a: () => DAYS[c.weekday].slice(0, 3),
    B: () => MONTHS[c.month - 1],
    b: () => MONTHS[c.month - 1].slice(0, 3),
    h: () => MONTHS[c.month - 1].slice(0, 3),
    C: () => p2(Math.floor(c.year / 100)),
    c: () => goTimeFormat(t, 'Mon Jan _2 15:04:05 2006'),
    D: () => goTimeFormat(t, '01/02/06'),
    d: () => p2(c.day),
    e: () => String(c.day).padStart(2, ' '),
    F: () => goTimeFormat(t, '2006-01-02'),
    H: () => p2(c.hour),
    I: () => p2(c.hour % 12 === 0 ? 12 : c.hour % 12),
    j: () => String(yday).padStart(3, '0'),
    k: () => String(c.hour).padStart(2, ' '),
    l: () => String(c.hour % 12 === 0 ? 12 : c.hour % 12).padStart(2, ' '),
    M: () => p2(c.minute),
    m: () => p2(c.month),
    n: () => '\n',
    p: () => (c.hour >= 12 ? 'PM' : 'AM'),
    R: () => goTimeFormat(t, '15:04'),
    r: () => goTimeFormat(t, '03:04:05 PM'),
    S: () => p2(c.second),
    T: () => goTimeFormat(t, '15:04:05'),
    t: () => '\t',
    u: () => String(c.weekday === 0 ? 7 : c.weekday),
    w: () => String(c.weekday),
    v: () => goTimeFormat(t, '_2-Jan-2006'),
    X: () => goTimeFormat(t, '15:04:05'),
    x: () => goTimeFormat(t, '01/02/06'),
    Y: () => String(c.year),
    y: () => p2(c.year % 100),
    Z: () => (t.offset === 0 ? 'UTC' : zoneStr(t.offset, false, false)),
    z: () => zoneStr(t.offset, false, false),
    '%': () => '%',
  };
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] === '%' && i + 1 < fmt.length && map[fmt[i + 1]]) {
      out += map[fmt[i + 1]]();
      i++;
    } else out += fmt[i];
  }
  return out;
}

const initTime = nowGoTime();

export const legacy_isotime = makeFunction({
  params: [],
  varParam: { name: 'format', type: T.String },
  type: staticReturnType(T.String),
  impl: (a) => {
    if (a.length > 1) throw new FuncError(`too many values, 1 needed: [${a.map((v) => `{{{{} 83}} ${v.asString()}}`).join(' ')}]`);
    if (a.length === 0) return stringVal(formatRFC3339(initTime));
    return stringVal(goTimeFormat(initTime, a[0].asString()));
  },
});

export const legacy_strftime = makeFunction({
  params: [],
  varParam: { name: 'format', type: T.String },
  type: staticReturnType(T.String),
  impl: (a) => {
    if (a.length > 1) throw new FuncError(`too many values, 1 needed: [${a.map((v) => `{{{{} 83}} ${v.asString()}}`).join(' ')}]`);
    if (a.length === 0) return stringVal(formatRFC3339(initTime));
    return stringVal(strftime(a[0].asString(), initTime));
  },
});

function isoWeek(c: { year: number; month: number; day: number }): [number, number] {
  const d = new Date(Date.UTC(c.year, c.month - 1, c.day));
  const dayNum = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - dayNum + 3);
  const isoYear = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(isoYear, 0, 4));
  const week = 1 + Math.round(((d.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return [isoYear, week];
}

function timeParts(t: GoTime, withUnix: boolean): Value {
  const c = civil(t);
  const [iy, iw] = isoWeek(c);
  const yday = Math.floor((Date.UTC(c.year, c.month - 1, c.day) - Date.UTC(c.year, 0, 1)) / 86400000) + 1;
  const o: Record<string, Value> = {
    year: numberIntVal(c.year),
    year_day: numberIntVal(yday),
    day: numberIntVal(c.day),
    month: numberIntVal(c.month),
    month_name: stringVal(MONTHS[c.month - 1]),
    weekday: numberIntVal(c.weekday),
    weekday_name: stringVal(DAYS[c.weekday]),
    hour: numberIntVal(c.hour),
    minute: numberIntVal(c.minute),
    second: numberIntVal(c.second),
    iso_year: numberIntVal(iy),
    iso_week: numberIntVal(iw),
  };
  if (withUnix) o.unix = numberIntVal(t.sec);
  else o.rfc3339 = stringVal(formatRFC3339(t));
  return objectVal(o);
}

const PARTS: Record<string, T.Type> = {
  year: T.Number, year_day: T.Number, day: T.Number, month: T.Number, month_name: T.String, weekday: T.Number,
  weekday_name: T.String, hour: T.Number, minute: T.Number, second: T.Number, iso_year: T.Number, iso_week: T.Number,
};
const RFC3339_PARTS = T.Object_({ ...PARTS, unix: T.Number });
const UNIX_PARTS = T.Object_({ ...PARTS, rfc3339: T.String });

export const unix_timestamp_parse = makeFunction({
  params: [{ name: 'unix_timestamp', type: T.Number }],
  type: staticReturnType(UNIX_PARTS),
  impl: (a) => {
    const f = a[0].asBigFloat();
    const i = f.int64();
    if (!i.exact) throw new ArgError(0, 'unix_timestamp must be a whole number of seconds representable as a 64-bit integer: value must be a whole number, between -9223372036854775808 and 9223372036854775807');
    return timeParts({ sec: i.value, nsec: 0, offset: 0 }, false);
  },
});

export const rfc3339_parse = makeFunction({
  params: [{ name: 'timestamp', type: T.String }],
  type: staticReturnType(RFC3339_PARTS),
  impl: (a) => {
    const s = a[0].asString();
    let t: GoTime;
    try {
      // local import avoids a cycle at module initialisation
      t = parseTs(s);
    } catch {
      throw new ArgError(0, `${JSON.stringify(s)} is not a valid RFC3339 timestamp`);
    }
    return timeParts(t, true);
  },
});
import { parseTimestamp as parseTs } from './datetime.ts';

/** Packer 1.16's index(list, value): position of value. */
export const index116 = makeFunction({
  params: [
    { name: 'list', type: T.Dynamic },
    { name: 'value', type: T.Dynamic },
  ],
  type: staticReturnType(T.Number),
  impl: (a) => {
    const k = a[0].type.kind;
    if (k !== 'list' && k !== 'tuple') throw new FuncError('argument must be a list or tuple');
    if (!a[0].isKnown()) return unknownVal(T.Number);
    if (a[0].lengthInt() === 0) throw new FuncError('cannot search an empty list');
    for (const [i, v] of a[0].elements()) {
      const eq = v.equals(a[1]);
      if (!eq.isKnown()) return unknownVal(T.Number);
      if (eq.raw === true) return i;
    }
    throw new FuncError('item not found');
  },
});
