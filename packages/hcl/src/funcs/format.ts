// format and formatlist (go-cty stdlib format.go and its format FSM), with
// the numeric verbs printed as Go's fmt prints *big.Float and *big.Int.
import * as T from '../cty/types.ts';
import { convert } from '../cty/convert.ts';
import { marshalJson, goJsonString } from '../cty/json.ts';
import type { BigFloat } from '../cty/number.ts';
import { CtyError, listVal, listValEmpty, nullVal, stringVal, unknownVal, type Value } from '../cty/value.ts';
import { ArgError, FuncError, makeFunction, staticReturnType } from './function.ts';
import { graphemes, graphemeLength } from './gostr.ts';

interface Verb {
  raw: string;
  offset: number;
  argNum: number;
  mode: string;
  zero: boolean;
  sharp: boolean;
  plus: boolean;
  minus: boolean;
  space: boolean;
  width: number; // -1 when absent
  prec: number; // -1 when absent
}

/** Go's %q of a rune. */
function quoteRune(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '\\') return "'\\\\'";
  const c = ch.codePointAt(0)!;
  if (c < 0x20 || c === 0x7f) {
    const named: Record<number, string> = { 7: 'a', 8: 'b', 9: 't', 10: 'n', 11: 'v', 12: 'f', 13: 'r' };
    return named[c] ? `'\\${named[c]}'` : `'\\x${c.toString(16).padStart(2, '0')}'`;
  }
  return `'${ch}'`;
}

/** A format string read once: its literal text and verbs in order, then the FSM's error if it has one. */
interface ParsedFormat {
  pieces: Array<string | Verb>;
  /** the error the FSM stops with after the pieces (their own errors come first) */
  error: string | undefined;
  highest: number;
}

// format strings are mostly literals used again and again (a format call in a for expression)
const parsedFormats = new Map<string, ParsedFormat>();

/** The format FSM of go-cty: returns the formatted string or throws. */
export function formatFSM(fmt: string, args: Value[]): string {
  let p = parsedFormats.get(fmt);
  if (!p) {
    p = parseFormat(fmt);
    if (parsedFormats.size >= 512) parsedFormats.clear();
    parsedFormats.set(fmt, p);
  }
  let out = '';
  const pieces = p.pieces;
  for (let i = 0; i < pieces.length; i++) {
    const x = pieces[i]!;
    out += typeof x === 'string' ? x : formatAppend(x, args);
  }
  if (p.error !== undefined) throw new FuncError(p.error);
  const highest = p.highest;
  if (highest < args.length) {
    const firstBad = highest + 1;
    if (highest === 0) throw new ArgError(firstBad, 'too many arguments; no verbs in format string');
    throw new ArgError(firstBad, `too many arguments; only ${highest} used by format string`);
  }
  return out;
}

function parseFormat(fmt: string): ParsedFormat {
  const data = Buffer.from(fmt, 'utf8');
  const n = data.length;
  // the text of bytes a..b: for ASCII, byte offsets are string indices
  const ascii = n === fmt.length;
  const text = (a: number, b: number): string => (ascii ? fmt.slice(a, b) : data.subarray(a, b).toString('utf8'));
  const pieces: Array<string | Verb> = [];
  let i = 0;
  let nextArg = 1;
  let highest = 0;
  const errChar = (p: number): string => {
    const ch = text(p, n);
    return `unrecognized format character ${quoteRune([...ch][0] ?? '')} at offset ${p}`;
  };
  const eofErr = (): string => `invalid format string starting at offset ${n}`;
  const stop = (error: string): ParsedFormat => ({ pieces, error, highest });
  let litStart = 0;
  while (i < n) {
    if (data[i] !== 0x25) {
      i++;
      continue;
    }
    if (i > litStart) pieces.push(text(litStart, i));
    if (i + 1 < n && data[i + 1] === 0x25) {
      pieces.push('%');
      i += 2;
      litStart = i;
      continue;
    }
    const ts = i;
    i++;
    const v: Verb = { raw: '', offset: ts, argNum: nextArg, mode: '', zero: false, sharp: false, plus: false, minus: false, space: false, width: -1, prec: -1 };
    for (; i < n; i++) {
      const c = data[i];
      if (c === 0x30) v.zero = true;
      else if (c === 0x23) v.sharp = true;
      else if (c === 0x2d) v.minus = true;
      else if (c === 0x2b) v.plus = true;
      else if (c === 0x20) v.space = true;
      else break;
    }
    if (i < n && data[i] >= 0x31 && data[i] <= 0x39) {
      v.width = 0;
      while (i < n && data[i] >= 0x30 && data[i] <= 0x39) v.width = v.width * 10 + (data[i++] - 0x30);
    }
    if (i < n && data[i] === 0x2e) {
      i++;
      v.prec = 0;
      while (i < n && data[i] >= 0x30 && data[i] <= 0x39) v.prec = v.prec * 10 + (data[i++] - 0x30);
    }
    if (i < n && data[i] === 0x5b) {
      i++;
      if (i >= n) return stop(eofErr());
      if (!(data[i] >= 0x31 && data[i] <= 0x39)) return stop(errChar(i));
      v.argNum = 0;
      while (i < n && data[i] >= 0x30 && data[i] <= 0x39) v.argNum = v.argNum * 10 + (data[i++] - 0x30);
      if (i >= n) return stop(eofErr());
      if (data[i] !== 0x5d) return stop(errChar(i));
      i++;
    }
    if (i >= n) return stop(eofErr());
    const m = data[i];
    if (!((m >= 0x41 && m <= 0x5a) || (m >= 0x61 && m <= 0x7a))) return stop(errChar(i));
    v.mode = String.fromCharCode(m);
    i++;
    v.raw = text(ts, i);
    if (v.argNum > highest) highest = v.argNum;
    pieces.push(v);
    nextArg = v.argNum + 1;
    litStart = i;
  }
  if (n > litStart) pieces.push(text(litStart, n));
  return { pieces, error: undefined, highest };
}

function formatAppend(v: Verb, args: Value[]): string {
  const idx = v.argNum - 1;
  if (idx >= args.length) {
    throw new FuncError(`not enough arguments for ${goJsonString(v.raw)} at ${v.offset}: need index ${v.argNum} but have ${args.length} total`);
  }
  const arg = args[idx];
  if (v.mode !== 'v' && arg.isNull()) throw new FuncError(`unsupported value for ${goJsonString(v.raw)} at ${v.offset}: null value cannot be formatted`);
  // the verbs used most first: each case before the match is a comparison
  switch (v.mode) {
    case 's':
    case 'q': {
      let s = conv(v, arg, T.String).asString();
      if (v.prec > 0) s = graphemes(s).slice(0, v.prec).join('');
      if (v.mode === 'q') s = goJsonString(s);
      return padWidth(v, s);
    }
    case 'v':
      return asIs(v, arg);
    case 't': {
      const b = conv(v, arg, T.Bool);
      return b.asBool() ? 'true' : 'false';
    }
    case 'b':
    case 'd':
    case 'o':
    case 'x':
    case 'X':
    case 'e':
    case 'E':
    case 'f':
    case 'g':
    case 'G': {
      const num = conv(v, arg, T.Number).asBigFloat();
      if ('bdoxX'.includes(v.mode)) {
        if (!num.isInt()) throw new FuncError(`unsupported value for ${goJsonString(v.raw)} at ${v.offset}: an integer is required`);
        return formatBigInt(num.toBigInt(), v);
      }
      return formatBigFloat(num, v);
    }
    default:
      throw new FuncError(`unsupported format verb ${quoteRune(v.mode)} in ${goJsonString(v.raw)} at offset ${v.offset}`);
  }
}

function conv(v: Verb, arg: Value, t: T.Type): Value {
  try {
    return convert(arg, t);
  } catch (e) {
    if (!(e instanceof CtyError)) throw e;
    throw new FuncError(`unsupported value for ${goJsonString(v.raw)} at ${v.offset}: ${e.message}`);
  }
}

function asIs(v: Verb, arg: Value): string {
  if (!v.sharp && !arg.isNull()) {
    if (arg.type.kind === 'string') return padWidth(v, arg.asString());
    if (arg.type.kind === 'number') return padWidth(v, arg.asBigFloat().text('g', -1));
  }
  let j: string;
  try {
    j = marshalJson(arg, arg.type);
  } catch (e) {
    throw new FuncError(`unsupported value for ${goJsonString(v.raw)} at ${v.offset}: ${(e as Error).message}`);
  }
  return padWidth(v, j);
}

function padWidth(v: Verb, s: string): string {
  if (v.width < 0) return s;
  const len = graphemeLength(s);
  if (len >= v.width) return s;
  const pad = (v.zero ? '0' : ' ').repeat(v.width - len);
  return v.minus ? s + pad : pad + s;
}

/** fmt's %e/%f/%g of a *big.Float (Float.Format). */
export function formatBigFloat(x: BigFloat, v: Pick<Verb, 'mode' | 'prec' | 'width' | 'plus' | 'space' | 'zero' | 'minus'>): string {
  let mode = v.mode;
  let prec = v.prec;
  const hasPrec = prec >= 0;
  if (!hasPrec) prec = 6;
  if (mode === 'F') mode = 'f';
  if (mode === 'v') mode = 'g';
  if ((mode === 'g' || mode === 'G') && !hasPrec) prec = -1;
  let buf = x.text(mode as 'e', prec);
  let sign = '';
  if (buf[0] === '-') {
    sign = '-';
    buf = buf.slice(1);
  } else if (buf[0] === '+') {
    sign = v.space ? ' ' : '+';
    buf = buf.slice(1);
  } else if (v.plus) sign = '+';
  else if (v.space) sign = ' ';
  if (mode === 'E' || mode === 'G') buf = buf.replace('e', 'E').replace('Inf', 'Inf');
  const zero = v.zero && !v.minus;
  const padding = v.width > sign.length + buf.length ? v.width - sign.length - buf.length : 0;
  if (zero && !x.isInf()) return sign + '0'.repeat(padding) + buf;
  if (v.minus) return sign + buf + ' '.repeat(padding);
  return ' '.repeat(padding) + sign + buf;
}

/** fmt's %b/%d/%o/%x/%X of a *big.Int (Int.Format). */
export function formatBigInt(x: bigint, v: Pick<Verb, 'mode' | 'prec' | 'width' | 'plus' | 'space' | 'zero' | 'minus' | 'sharp'>): string {
  const base = v.mode === 'b' ? 2 : v.mode === 'o' ? 8 : v.mode === 'x' || v.mode === 'X' ? 16 : 10;
  let sign = '';
  if (x < 0n) sign = '-';
  else if (v.plus) sign = '+';
  else if (v.space) sign = ' ';
  let prefix = '';
  if (v.sharp) prefix = ({ b: '0b', o: '0', x: '0x', X: '0X' } as Record<string, string>)[v.mode] ?? '';
  let digits = (x < 0n ? -x : x).toString(base);
  if (v.mode === 'X') digits = digits.toUpperCase();
  let zeros = 0;
  const precSet = v.prec >= 0;
  if (precSet) {
    if (digits.length < v.prec) zeros = v.prec - digits.length;
    else if (digits === '0' && v.prec === 0) return '';
  }
  const length = sign.length + prefix.length + zeros + digits.length;
  let left = 0;
  let right = 0;
  if (v.width >= 0 && length < v.width) {
    const d = v.width - length;
    if (v.minus) right = d;
    else if (v.zero && !precSet) zeros = d;
    else left = d;
  }
  return ' '.repeat(left) + sign + prefix + '0'.repeat(zeros) + digits + ' '.repeat(right);
}

export const format = makeFunction({
  params: [{ name: 'format', type: T.String }],
  varParam: { name: 'args', type: T.Dynamic, allowNull: true },
  type: staticReturnType(T.String),
  impl: (a) => {
    for (let i = 1; i < a.length; i++) if (!a[i]!.isWhollyKnown()) return unknownVal(T.String);
    return stringVal(formatFSM(a[0].asString(), a.slice(1)));
  },
});

export const formatlist = makeFunction({
  params: [{ name: 'format', type: T.String }],
  varParam: { name: 'args', type: T.Dynamic, allowNull: true, allowUnknown: true },
  type: staticReturnType(T.List(T.String)),
  impl: (a, ret) => {
    const fmtVal = a[0];
    const args = a.slice(1);
    if (args.length === 0) return listVal([format.call([fmtVal])]);
    const fmt = fmtVal.asString();
    let iterLen = -1;
    let lenChooser = -1;
    const iters: Array<Value[] | undefined> = [];
    const singles: Value[] = [];
    let unknown = false;
    args.forEach((arg, i) => {
      const k = arg.type.kind;
      if ((k === 'list' || k === 'set' || k === 'tuple') && !arg.isNull()) {
        if (k !== 'tuple' && !arg.isKnown()) {
          unknown = true;
          return;
        }
        const len = k === 'tuple' ? (arg.type as T.TupleType).elems.length : arg.lengthInt();
        if (iterLen === -1) {
          iterLen = len;
          lenChooser = i;
        } else if (len !== iterLen) {
          throw new ArgError(i + 1, `argument ${i + 1} has length ${len}, which is inconsistent with argument ${lenChooser + 1} of length ${iterLen}`);
        }
        if (!arg.isKnown()) {
          unknown = true;
          return;
        }
        iters[i] = arg.values();
      } else singles[i] = arg;
    });
    if (unknown) return unknownVal(ret);
    if (iterLen === 0) return listValEmpty(T.String);
    if (iterLen === -1) iterLen = 1;
    const out: Value[] = [];
    outer: for (let it = 0; it < iterLen; it++) {
      const fa: Value[] = [];
      for (let i = 0; i < args.length; i++) {
        const x = iters[i] ? iters[i]![it] : singles[i];
        if (!x.isWhollyKnown()) {
          out.push(unknownVal(T.String));
          continue outer;
        }
        fa.push(x);
      }
      try {
        out.push(stringVal(formatFSM(fmt, fa)));
      } catch (e) {
        throw new FuncError(`error on format iteration ${it}: ${(e as Error).message}`);
      }
    }
    return listVal(out);
  },
});

export { nullVal };
