// Arbitrary-precision binary floating point with the semantics of Go's
// math/big.Float in ToNearestEven mode, which is what cty numbers are.
// A value is (-1)^neg * mant * 2^exp, rounded to `prec` mantissa bits.
// Precision follows Go: literals and parsed strings get 512 bits, numbers
// made from int64 get 64, from float64 53; an operation's result gets the
// larger precision of its operands.

export const PARSE_PREC = 512;

const TWO_32 = 2 ** 32;

function bitLen(n: bigint): number {
  if (n === 0n) return 0;
  // most mantissas fit a double exactly: no string
  if (n <= 0x1fffffffffffffn) {
    const x = Number(n);
    return x < TWO_32 ? 32 - Math.clz32(x) : 64 - Math.clz32(Math.floor(x / TWO_32));
  }
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0]!, 16));
}

export class BigFloat {
  private constructor(
    readonly neg: boolean,
    readonly mant: bigint, // >= 0; 0 means zero (unless inf)
    readonly exp: number,
    readonly prec: number,
    readonly inf: boolean = false,
  ) {}

  /** Rounds mant*2^exp to prec bits (nearest even), trailing zero bits removed. */
  static make(neg: boolean, mant: bigint, exp: number, prec: number, sticky = false): BigFloat {
    if (mant === 0n) return new BigFloat(neg, 0n, 0, prec);
    if (sticky) {
      mant = (mant << 1n) | 1n;
      exp -= 1;
    }
    const l = bitLen(mant);
    if (l > prec) {
      const s = l - prec;
      const S = BigInt(s);
      const rem = mant & ((1n << S) - 1n);
      const half = 1n << (S - 1n);
      mant >>= S;
      exp += s;
      if (rem > half || (rem === half && (mant & 1n) === 1n)) mant += 1n;
    }
    // normalize: strip trailing zeros (mant & -mant is the lowest bit set)
    if (mant !== 0n && (mant & 1n) === 0n) {
      const tz = bitLen(mant & -mant) - 1;
      mant >>= BigInt(tz);
      exp += tz;
    }
    return new BigFloat(neg, mant, exp, prec);
  }

  static infinity(neg: boolean, prec = PARSE_PREC): BigFloat {
    return new BigFloat(neg, 0n, 0, prec, true);
  }

  static fromBigInt(n: bigint, prec = 64): BigFloat {
    const neg = n < 0n;
    const m = neg ? -n : n;
    // Go's SetInt: prec = max(bitlen, 64) when z.prec == 0
    const p = prec === 0 ? Math.max(bitLen(m), 64) : prec;
    return BigFloat.make(neg, m, 0, p);
  }

  static fromInt(n: number): BigFloat {
    return BigFloat.fromBigInt(BigInt(Math.trunc(n)), 64);
  }

  static fromFloat64(f: number): BigFloat {
    if (Number.isNaN(f)) throw new RangeError('NaN is not a number value');
    if (!Number.isFinite(f)) return BigFloat.infinity(f < 0, 53);
    if (f === 0) return new BigFloat(Object.is(f, -0), 0n, 0, 53);
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, f);
    const hi = buf.getUint32(0);
    const lo = buf.getUint32(4);
    const neg = hi >>> 31 === 1;
    const e = (hi >>> 20) & 0x7ff;
    let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let exp: number;
    if (e === 0) exp = -1074;
    else {
      m |= 1n << 52n;
      exp = e - 1075;
    }
    return BigFloat.make(neg, m, exp, 53);
  }

  /** big.ParseFloat(s, 10, prec, ToNearestEven); returns undefined when s is not a number. */
  static parse(s: string, prec = PARSE_PREC): BigFloat | undefined {
    const m = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/.exec(s);
    if (!m) {
      const inf = /^([+-]?)[Ii]nf$/.exec(s);
      if (inf) return BigFloat.infinity(inf[1] === '-', prec);
      return undefined;
    }
    const neg = m[1] === '-';
    const intPart = m[2] ?? '';
    const frac = m[3] ?? m[4] ?? '';
    let e10 = m[5] ? parseInt(m[5], 10) : 0;
    const digits = (intPart + frac).replace(/^0+/, '') || '0';
    e10 -= frac.length;
    return BigFloat.fromDecimal(neg, BigInt(digits), e10, prec);
  }

  /** Exact d * 10^e10 rounded to prec bits. */
  static fromDecimal(neg: boolean, d: bigint, e10: number, prec: number): BigFloat {
    if (d === 0n) return new BigFloat(neg, 0n, 0, prec);
    if (e10 >= 0) return BigFloat.make(neg, e10 === 0 ? d : d * 10n ** BigInt(e10), 0, prec);
    // d / 10^k = d / (5^k * 2^k)
    const k = -e10;
    return quoExact(neg, d, -k, 5n ** BigInt(k), prec);
  }

  isZero(): boolean {
    return !this.inf && this.mant === 0n;
  }
  isInf(): boolean {
    return this.inf;
  }
  sign(): number {
    if (this.isZero()) return 0;
    return this.neg ? -1 : 1;
  }

  withPrec(prec: number): BigFloat {
    if (this.inf) return new BigFloat(this.neg, 0n, 0, prec, true);
    return BigFloat.make(this.neg, this.mant, this.exp, prec);
  }

  neg_(): BigFloat {
    return new BigFloat(!this.neg, this.mant, this.exp, this.prec, this.inf);
  }
  abs(): BigFloat {
    return new BigFloat(false, this.mant, this.exp, this.prec, this.inf);
  }

  cmp(o: BigFloat): number {
    const sa = this.inf ? (this.neg ? -2 : 2) : this.sign();
    const sb = o.inf ? (o.neg ? -2 : 2) : o.sign();
    if (this.inf || o.inf || sa === 0 || sb === 0 || Math.sign(sa) !== Math.sign(sb)) {
      return Math.sign(sa - sb);
    }
    // same sign, both finite non-zero
    const e = Math.min(this.exp, o.exp);
    const a = this.mant << BigInt(this.exp - e);
    const b = o.mant << BigInt(o.exp - e);
    const c = a < b ? -1 : a > b ? 1 : 0;
    return this.neg ? -c : c;
  }

  add(o: BigFloat, prec = Math.max(this.prec, o.prec)): BigFloat {
    if (this.inf || o.inf) {
      if (this.inf && o.inf && this.neg !== o.neg) throw new RangeError('addition of infinities with opposite signs');
      return BigFloat.infinity(this.inf ? this.neg : o.neg, prec);
    }
    if (this.isZero()) return o.isZero() ? new BigFloat(this.neg && o.neg, 0n, 0, prec) : o.withPrec(prec);
    if (o.isZero()) return this.withPrec(prec);
    const e = Math.min(this.exp, o.exp);
    const a = (this.mant << BigInt(this.exp - e)) * (this.neg ? -1n : 1n);
    const b = (o.mant << BigInt(o.exp - e)) * (o.neg ? -1n : 1n);
    const s = a + b;
    return BigFloat.make(s < 0n, s < 0n ? -s : s, e, prec);
  }

  sub(o: BigFloat, prec = Math.max(this.prec, o.prec)): BigFloat {
    return this.add(o.neg_(), prec);
  }

  mul(o: BigFloat, prec = Math.max(this.prec, o.prec)): BigFloat {
    const neg = this.neg !== o.neg;
    if (this.inf || o.inf) {
      if (this.isZero() || o.isZero()) throw new RangeError('multiplication of zero with infinity');
      return BigFloat.infinity(neg, prec);
    }
    return BigFloat.make(neg, this.mant * o.mant, this.exp + o.exp, prec);
  }

  quo(o: BigFloat, prec = Math.max(this.prec, o.prec)): BigFloat {
    const neg = this.neg !== o.neg;
    if (this.inf && o.inf) throw new RangeError('division of infinity by infinity');
    if (this.isZero() && o.isZero()) throw new RangeError('division of zero by zero');
    if (this.inf || o.isZero()) return BigFloat.infinity(neg, prec);
    if (o.inf || this.isZero()) return new BigFloat(neg, 0n, 0, prec);
    return quoExact(neg, this.mant, this.exp, o.mant, prec, o.exp);
  }

  isInt(): boolean {
    if (this.inf) return false;
    return this.mant === 0n || this.exp >= 0;
  }

  /** Truncates toward zero (Go's Float.Int). */
  toBigInt(): bigint {
    if (this.inf) throw new RangeError('infinity');
    let v: bigint;
    if (this.exp >= 0) v = this.mant << BigInt(this.exp);
    else v = this.mant >> BigInt(-this.exp);
    return this.neg ? -v : v;
  }

  /** Go's Float.Int64: value and whether it is exact and in range. */
  int64(): { value: bigint; exact: boolean } {
    if (this.inf) return { value: this.neg ? -(1n << 63n) : (1n << 63n) - 1n, exact: false };
    const v = this.toBigInt();
    const inRange = v >= -(1n << 63n) && v <= (1n << 63n) - 1n;
    return { value: v, exact: inRange && this.isInt() };
  }

  floor(): BigFloat {
    if (this.inf || this.isInt()) return this;
    let i = this.toBigInt();
    if (this.neg) i -= 1n;
    return BigFloat.make(i < 0n, i < 0n ? -i : i, 0, this.prec);
  }

  ceil(): BigFloat {
    if (this.inf || this.isInt()) return this;
    let i = this.toBigInt();
    if (!this.neg) i += 1n;
    return BigFloat.make(i < 0n, i < 0n ? -i : i, 0, this.prec);
  }

  /** Nearest float64 (ToNearestEven), as Go's Float.Float64. */
  toNumber(): number {
    if (this.inf) return this.neg ? -Infinity : Infinity;
    if (this.mant === 0n) return this.neg ? -0 : 0;
    let mant = this.mant;
    let exp = this.exp;
    const l = bitLen(mant);
    // target precision: 53 bits, fewer for subnormals
    const topExp = exp + l; // value in [2^(topExp-1), 2^topExp)
    let p = 53;
    if (topExp - 1 < -1022) p = Math.max(0, 53 - (-1022 - (topExp - 1)));
    if (topExp - 1 > 1023) return this.neg ? -Infinity : Infinity;
    if (p === 0) return this.neg ? -0 : 0;
    const r = BigFloat.make(false, mant, exp, p);
    mant = r.mant;
    exp = r.exp;
    let n = Number(mant);
    // scale in two steps to avoid intermediate overflow/underflow
    const half = Math.trunc(exp / 2);
    n = n * 2 ** half * 2 ** (exp - half);
    return this.neg ? -n : n;
  }

  /** Exact decimal expansion: digits (no leading/trailing zeros) and point position. */
  decimal(): Decimal {
    return exactDecimal(this.mant, this.exp);
  }

  /** Go's Float.Text(format, prec). Supports 'f', 'e', 'g' (and 'E', 'G'). */
  text(fmt: 'f' | 'e' | 'g' | 'E' | 'G', prec: number): string {
    if (this.inf) return this.neg ? '-Inf' : '+Inf';
    const sign = this.neg ? '-' : '';
    let d = this.decimal();
    const shortest = prec < 0;
    if (shortest) {
      // an integer below 2^prec is its own shortest form: its neighbours are less than 1 away
      if (!(this.exp >= 0 && bitLen(this.mant) + this.exp <= this.prec)) d = roundShortest(d, this);
      switch (fmt) {
        case 'e':
        case 'E':
          prec = d.digits.length - 1;
          break;
        case 'f':
          prec = Math.max(d.digits.length - d.dp, 0);
          break;
        default:
          prec = d.digits.length;
      }
    } else {
      switch (fmt) {
        case 'e':
        case 'E':
          d = roundDecimal(d, 1 + prec);
          break;
        case 'f':
          d = roundDecimal(d, d.dp + prec);
          break;
        default:
          if (prec === 0) prec = 1;
          d = roundDecimal(d, prec);
      }
    }
    switch (fmt) {
      case 'e':
      case 'E':
        return sign + fmtE(d, prec, fmt);
      case 'f':
        return sign + fmtF(d, prec);
      default: {
        let eprec = prec;
        if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
        if (shortest) eprec = 6;
        const exp = d.dp - 1;
        if (d.digits.length === 0 || d.digits === '0') {
          // zero
          return sign + (fmt === 'g' || fmt === 'G' ? '0' : fmtF(d, 0));
        }
        if (exp < -4 || exp >= eprec) {
          if (prec > d.digits.length) prec = d.digits.length;
          return sign + fmtE(d, prec - 1, fmt === 'g' ? 'e' : 'E');
        }
        if (prec > d.dp) prec = d.digits.length;
        return sign + fmtF(d, Math.max(prec - d.dp, 0));
      }
    }
  }

  /** Go's Float.String(): Text('g', 10). */
  toString(): string {
    return this.text('g', 10);
  }
}

function quoExact(neg: boolean, ma: bigint, ea: number, mb: bigint, prec: number, eb = 0): BigFloat {
  const k = Math.max(0, prec + 2 + bitLen(mb) - bitLen(ma));
  const num = ma << BigInt(k);
  const q = num / mb;
  const r = num % mb;
  return BigFloat.make(neg, q, ea - eb - k, prec, r !== 0n);
}

export interface Decimal {
  digits: string; // no leading or trailing zeros; '' for zero
  dp: number; // value = 0.digits * 10^dp
}

function exactDecimal(mant: bigint, exp: number): Decimal {
  if (mant === 0n) return { digits: '', dp: 0 };
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-exp)).toString();
    dp = s.length + exp;
  }
  return { digits: trimZeros(s), dp };
}

function trimZeros(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 48) e--;
  return e === s.length ? s : s.slice(0, e);
}

function shouldRoundUp(d: Decimal, n: number): boolean {
  if (d.digits[n] === '5' && n + 1 === d.digits.length) {
    return n > 0 && (d.digits.charCodeAt(n - 1) - 48) % 2 === 1;
  }
  return d.digits[n] >= '5';
}

function roundDecimal(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  if (shouldRoundUp(d, n)) return roundUp(d, n);
  return roundDown(d, n);
}

function roundDown(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  return trim({ digits: d.digits.slice(0, n), dp: d.dp });
}

function roundUp(d: Decimal, n: number): Decimal {
  if (n < 0 || n >= d.digits.length) return d;
  let i = n;
  while (i > 0 && d.digits[i - 1] === '9') i--;
  if (i === 0) return { digits: '1', dp: d.dp + 1 };
  const c = String.fromCharCode(d.digits.charCodeAt(i - 1) + 1);
  return { digits: d.digits.slice(0, i - 1) + c, dp: d.dp };
}

function trim(d: Decimal): Decimal {
  const digits = trimZeros(d.digits);
  return { digits, dp: digits === '' ? 0 : d.dp };
}

function roundShortest(d: Decimal, x: BigFloat): Decimal {
  if (d.digits.length === 0) return d;
  let mant = x.mant;
  let exp = x.exp;
  const s = bitLen(mant) - (x.prec + 1);
  if (s < 0) mant <<= BigInt(-s);
  else if (s > 0) mant >>= BigInt(s);
  exp += s;
  const lower = exactDecimal(mant - 1n, exp);
  const upper = exactDecimal(mant + 1n, exp);
  const inclusive = (mant & 2n) === 0n;
  // align digit positions: Go's decimal.at(i) indexes mantissa digits,
  // relying on lower/upper having the same exponent as d (they do unless a
  // carry changed the length; handle by padding).
  const at = (dd: Decimal, i: number): string => {
    const off = dd.dp - d.dp;
    const j = i + off;
    if (j < 0) return '0';
    return j < dd.digits.length ? dd.digits[j] : '0';
  };
  const lenRel = (dd: Decimal) => dd.digits.length - (dd.dp - d.dp);
  for (let i = 0; i < d.digits.length; i++) {
    const l = at(lower, i);
    const m = d.digits[i];
    const u = at(upper, i);
    const okdown = l !== m || (inclusive && i + 1 === lenRel(lower));
    const okup = m !== u && (inclusive || m.charCodeAt(0) + 1 < u.charCodeAt(0) || i + 1 < lenRel(upper));
    if (okdown && okup) return roundDecimal(d, i + 1);
    if (okdown) return roundDown(d, i + 1);
    if (okup) return roundUp(d, i + 1);
  }
  return d;
}

function fmtE(d: Decimal, prec: number, ch: string): string {
  let out = d.digits.length > 0 ? d.digits[0] : '0';
  if (prec > 0) {
    out += '.';
    let i = 1;
    const m = Math.min(d.digits.length, prec + 1);
    if (i < m) {
      out += d.digits.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) out += '0';
  }
  out += ch;
  let exp = d.digits.length === 0 ? 0 : d.dp - 1;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  out += exp < 10 ? '0' + exp : String(exp);
  return out;
}

function fmtF(d: Decimal, prec: number): string {
  let out = '';
  if (d.dp > 0) {
    const m = Math.min(d.digits.length, d.dp);
    out += d.digits.slice(0, m);
    out += '0'.repeat(d.dp - m);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : '0';
    }
  }
  return out;
}
