/**
 * Go fmt-like printing of template values. JavaScript values map to Go
 * values as: string -> string, integral number -> int, other number ->
 * float64, boolean -> bool, null -> nil, array -> []interface {}, plain
 * object -> map[string]interface {}, undefined -> "no value" (a missing key).
 */

/** The Go type name of a value, for error messages. */
/**
 * A float64 whose value is integral: a template constant written as a float (`1e3`, `2.0`),
 * which Go types float64 where JavaScript's number would pass for an int.
 */
export class GoFloat {
  constructor(readonly value: number) {}
}

export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return Number.isInteger(v) ? 'int' : 'float64';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    case 'function': return 'func';
  }
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoFloat) return 'float64';
  if (typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && typeof (v as { typeName?: unknown }).typeName === 'string') return (v as { typeName: string }).typeName; // a GoStruct
  return 'map[string]interface {}';
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0x80 && c < 0xa0) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go's strconv.FormatFloat(f, fmt, prec, 64) for 'e', 'f', 'g' (prec -1: shortest). */
export function goFormatFloat(f: number, fmt: 'e' | 'E' | 'f' | 'F' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const lower = fmt.toLowerCase();
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  const sign = neg ? '-' : '';
  const expStr = (e: number) => (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
  const withE = (digits: string, exp: number, p: number) => {
    // digits: mantissa digits (no dot), exp: decimal exponent of first digit
    let m = digits[0];
    const frac = p < 0 ? digits.slice(1) : digits.slice(1).padEnd(p, '0').slice(0, p);
    if (frac !== '') m += '.' + frac;
    return m + (fmt === 'E' || fmt === 'G' ? 'E' : 'e') + expStr(exp);
  };
  if (lower === 'f') return sign + (prec < 0 ? shortestFixed(a) : a.toFixed(Math.min(prec, 100)));
  if (lower === 'e') {
    const s = prec < 0 ? a.toExponential() : a.toExponential(Math.min(prec, 100));
    const [mant, e] = s.split('e');
    return sign + withE(mant.replace('.', ''), Number(e), prec < 0 ? -1 : prec);
  }
  // 'g'
  if (a === 0) return sign + '0';
  const shortest = prec < 0;
  const s = shortest ? a.toExponential() : a.toExponential(Math.max(0, (prec === 0 ? 1 : prec) - 1));
  const [mant, e] = s.split('e');
  const digits = mant.replace('.', '').replace(/(?<=.)0+$/, '');
  const exp = Number(e);
  const nd = digits.length;
  const dp = exp + 1;
  const p = shortest ? nd : prec === 0 ? 1 : prec;
  let eprec = p;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (shortest) eprec = 6;
  if (exp < -4 || exp >= eprec) return sign + withE(digits, exp, -1);
  const frac = Math.max((p > dp ? nd : p) - dp, 0);
  const intPart = dp <= 0 ? '0' : digits.slice(0, dp).padEnd(dp, '0');
  let fracPart = '';
  for (let k = 0; k < frac; k++) { const idx = dp + k; fracPart += idx >= 0 && idx < nd ? digits[idx] : '0'; }
  return sign + intPart + (fracPart ? '.' + fracPart : '');
}

function shortestFixed(a: number): string {
  const s = a.toExponential();
  const [mant, e] = s.split('e');
  const digits = mant.replace('.', '');
  const exp = Number(e);
  const dp = exp + 1;
  if (dp <= 0) return '0.' + '0'.repeat(-dp) + digits;
  if (dp >= digits.length) return digits + '0'.repeat(dp - digits.length);
  return digits.slice(0, dp) + '.' + digits.slice(dp);
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

/**
 * A value as Go's %v prints it. Integral numbers print as Go ints unless `floats`: then every
 * number is a float64, as in values decoded from JSON (`1e+06`).
 */
export function formatValue(v: unknown, top = true, floats = false): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string': return v;
    case 'number': return !floats && Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v).toString() : goFormatFloat(v, 'g', -1);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    case 'function': return '0x0';
  }
  if (v instanceof GoFloat) return goFormatFloat(v.value, 'g', -1);
  if (Array.isArray(v)) return '[' + v.map((x) => formatValue(x, false, floats)).join(' ') + ']';
  if (isPlainMap(v)) {
    const keys = Object.keys(v).sort();
    return 'map[' + keys.map((k) => `${k}:${formatValue(v[k], false, floats)}`).join(' ') + ']';
  }
  return String(v);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const isStr = typeof args[i] === 'string';
    if (i > 0 && !isStr && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(args[i], false);
  }
  return out;
}

/** fmt.Sprintln. */
export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a, false)).join(' ') + '\n';
}

interface Spec { minus: boolean; plus: boolean; sharp: boolean; space: boolean; zero: boolean; width?: number; prec?: number }

/**
 * Pads to the width in runes, as Go 1.19's fmt: on the right with `-`, else on the left, with
 * zeros under `0` (after a number's sign; strings and bools are zero-padded too before Go 1.23).
 */
function padTo(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined) return s;
  let len = 0;
  for (const _ of s) len++;
  if (len >= spec.width) return s;
  const n = spec.width - len;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero) {
    const signLen = numeric && /^[+\- ]/.test(s) ? 1 : 0;
    return s.slice(0, signLen) + '0'.repeat(n) + s.slice(signLen);
  }
  return ' '.repeat(n) + s;
}

/** strconv.FormatFloat(f, 'x', prec, 64) for a finite `f`: `0x1.cp+01`. */
function hexFloat(f: number, prec: number): string {
  const neg = f < 0 || Object.is(f, -0);
  let mant = 0n;
  let exp = 0;
  if (f !== 0) {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, Math.abs(f));
    const bits = view.getBigUint64(0);
    exp = Number((bits >> 52n) & 0x7ffn);
    mant = bits & ((1n << 52n) - 1n);
    if (exp === 0) {
      exp = -1022;
      while ((mant & (1n << 52n)) === 0n) { mant <<= 1n; exp--; }
    } else {
      mant |= 1n << 52n;
      exp -= 1023;
    }
  }
  // 1 + 52 bits: a leading digit and 13 hex digits
  let lead = mant >> 52n;
  let frac = mant & ((1n << 52n) - 1n);
  let digits: string;
  if (prec < 0) digits = frac === 0n ? '' : frac.toString(16).padStart(13, '0').replace(/0+$/, '');
  else if (prec >= 13) digits = frac.toString(16).padStart(13, '0').padEnd(prec, '0');
  else {
    // round half to even at `prec` hex digits
    const shift = BigInt(4 * (13 - prec));
    const whole = mant >> shift;
    const rest = mant & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    let r = whole;
    if (rest > half || (rest === half && (whole & 1n) === 1n)) r += 1n;
    if (r >> BigInt(4 * prec) >= 2n) { r >>= 1n; exp++; }
    lead = r >> BigInt(4 * prec);
    frac = r & ((1n << BigInt(4 * prec)) - 1n);
    digits = prec === 0 ? '' : frac.toString(16).padStart(prec, '0');
  }
  const e = Math.abs(exp);
  return `${neg ? '-' : ''}0x${lead.toString(16)}${digits ? '.' + digits : ''}p${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

function badVerb(verb: string, arg: unknown, spec?: Spec): string {
  if (arg === undefined || arg === null) return `%!${verb}(<nil>)`;
  // Go prints the value with 'v' and the verb's flags, width and precision (printArg(arg, 'v'))
  return `%!${verb}(${goTypeName(arg)}=${spec ? fmtArg(arg, 'v', spec) : formatValue(arg, false)})`;
}

function fmtInteger(n: bigint, verb: string, spec: Spec): string {
  const neg = n < 0n;
  const a = neg ? -n : n;
  let s: string;
  switch (verb) {
    case 'b': s = a.toString(2); break;
    case 'o': s = a.toString(8); if (spec.sharp) s = '0' + s; break;
    case 'O': s = '0o' + a.toString(8); break;
    case 'x': s = a.toString(16); if (spec.sharp) s = '0x' + s; break;
    case 'X': s = a.toString(16).toUpperCase(); if (spec.sharp) s = '0X' + s; break;
    default: s = a.toString(10);
  }
  if (spec.prec !== undefined && s.length < spec.prec) s = '0'.repeat(spec.prec - s.length) + s;
  s = (neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '') + s;
  return padTo(s, spec, spec.prec === undefined);
}

/** Go's string(rune(c)) for %c/%q: beyond U+10FFFF, negative or a surrogate is U+FFFD. */
function runeString(n: bigint): string {
  const c = BigInt.asUintN(64, n);
  if (c > 0x10ffffn || (c >= 0xd800n && c <= 0xdfffn)) return '\ufffd';
  return String.fromCodePoint(Number(c));
}

/** strconv.QuoteRune. */
function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${goQuote(ch).slice(1, -1)}'`;
}

function fmtArg(arg: unknown, verb: string, spec: Spec): string {
  if (verb === 'T') return padTo(arg === undefined || arg === null ? '<nil>' : goTypeName(arg), spec, false);
  if (typeof arg === 'boolean') {
    if (verb === 'v' || verb === 't') return padTo(arg ? 'true' : 'false', spec, false);
    return badVerb(verb, arg, spec);
  }
  if (typeof arg === 'bigint' || (typeof arg === 'number' && Number.isInteger(arg) && !Object.is(arg, -0) && Math.abs(arg) < 2 ** 63)) {
    const n = BigInt(arg as number | bigint);
    if ('bdoOxXv'.includes(verb)) return fmtInteger(n, verb, spec);
    if (verb === 'c') return padTo(runeString(n), spec, false);
    if (verb === 'q') return padTo(quoteRune(runeString(n)), spec, false);
    if (verb === 'U') return padTo('U+' + BigInt.asUintN(64, n).toString(16).toUpperCase().padStart(4, '0'), spec, false);
    return badVerb(verb, arg, spec);
  }
  if (typeof arg === 'number' || arg instanceof GoFloat) {
    const f = arg instanceof GoFloat ? arg.value : arg;
    if ('eEfFgGv'.includes(verb)) return fmtFloat(f, verb, spec);
    if ((verb === 'x' || verb === 'X') && Number.isFinite(f)) {
      let s = hexFloat(f, spec.prec ?? -1);
      if (verb === 'X') s = s.toUpperCase();
      if (!s.startsWith('-')) s = (spec.plus ? '+' : spec.space ? ' ' : '') + s;
      return padTo(s, spec, true);
    }
    return badVerb(verb, arg, spec);
  }
  if (typeof arg === 'string') {
    let s = arg;
    switch (verb) {
      case 'v': case 's':
        if (spec.prec !== undefined) s = [...s].slice(0, spec.prec).join('');
        return padTo(s, spec, false);
      case 'q': return padTo(spec.sharp && !s.includes('`') ? '`' + s + '`' : goQuote(s), spec, false);
      case 'x': case 'X': {
        let h = Buffer.from(s, 'utf8').toString('hex');
        if (verb === 'X') h = h.toUpperCase();
        return padTo(h, spec, false);
      }
      default: return badVerb(verb, arg, spec);
    }
  }
  if (verb === 'v' || verb === 's') return padTo(formatValue(arg, false), spec, false);
  return badVerb(verb, arg, spec);
}

function fmtFloat(f: number, verb: string, spec: Spec): string {
  let s: string;
  const prec = spec.prec ?? -1;
  switch (verb) {
    case 'v': case 'g': case 'G': s = goFormatFloat(f, verb === 'G' ? 'G' : 'g', prec); break;
    case 'e': case 'E': s = goFormatFloat(f, verb, spec.prec ?? 6); break;
    default: s = goFormatFloat(f, 'f', spec.prec ?? 6);
  }
  if (!s.startsWith('-') && !s.startsWith('+')) s = (spec.plus ? '+' : spec.space ? ' ' : '') + s;
  return padTo(s, spec, true);
}

/** fmt's limit on widths and precisions (fmt/print.go tooLarge). */
const MAX_WIDTH = 1e6;

/** fmt.Sprintf for the verbs templates use (v s q d b o x X c U e E f F g G t T %). */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '%') { out += c; i++; continue; }
    i++;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === ' ') spec.space = true;
      else if (f === '0') spec.zero = !spec.minus;
      else break;
    }
    // Go's parsenum: a number growing past 1e6 is "crazy long": the rest of the format is dropped
    let crazy = false;
    const num = (): number | undefined => {
      let n: number | undefined;
      while (i < format.length && format[i] >= '0' && format[i] <= '9') {
        if (n !== undefined && n > MAX_WIDTH) { crazy = true; i = format.length; return undefined; }
        n = (n ?? 0) * 10 + (format.charCodeAt(i) - 48);
        i++;
      }
      return n;
    };
    // Go's intFromArg: an int argument within ±1e6, else BADWIDTH/BADPREC
    const intArg = (): number | undefined => {
      if (argi >= args.length) return undefined;
      const a = args[argi++];
      const n = typeof a === 'bigint' ? Number(a) : typeof a === 'number' && Number.isInteger(a) ? a : undefined;
      return n !== undefined && Math.abs(n) <= MAX_WIDTH ? n : undefined;
    };
    if (format[i] === '*') {
      i++;
      const w = intArg();
      if (w === undefined) out += '%!(BADWIDTH)';
      else {
        spec.width = Math.abs(w);
        if (w < 0) { spec.minus = true; spec.zero = false; }
      }
    } else spec.width = num();
    if (format[i] === '.' && !crazy) {
      i++;
      if (format[i] === '*') {
        i++;
        const p = intArg();
        if (p === undefined || p < 0) out += '%!(BADPREC)';
        else spec.prec = p;
      } else spec.prec = num() ?? 0;
    }
    if (i >= format.length) { out += '%!(NOVERB)'; break; }
    const verb = format[i++];
    if (verb === '%') { out += '%'; continue; }
    if (argi >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    out += fmtArg(args[argi++], verb, spec);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${goTypeName(a)}=${formatValue(a, false)}`).join(', ') + ')';
  }
  return out;
}
