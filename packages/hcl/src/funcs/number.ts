// Numeric functions (go-cty stdlib number.go): exact where cty is exact,
// through float64 where cty goes through float64.
import * as T from '../cty/types.ts';
import { BigFloat } from '../cty/number.ts';
import { numberFloatVal, numberIntVal, numberVal, unknownVal, type Value } from '../cty/value.ts';
import { ArgError, FuncError, makeFunction, staticReturnType, toInt } from './function.ts';

const num = (name: string, extra = {}) => ({ name, type: T.Number, ...extra });

/** gocty.FromCtyValue(v, &float64) */
function toFloat(v: Value): number {
  return v.asBigFloat().toNumber();
}

/** Go's int64(float64) conversion on amd64 (out of range gives MinInt64). */
function goInt64OfFloat(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return -(1n << 63n);
  return BigInt(Math.trunc(f));
}

export const abs = makeFunction({
  params: [num('num', { allowDynamicType: true, allowMarked: true })],
  type: staticReturnType(T.Number),
  impl: (a) => {
    const [v, m] = a[0].unmark();
    if (!v.isKnown()) return unknownVal(T.Number).withMarks(m);
    return numberVal(v.asBigFloat().abs()).withMarks(m);
  },
});

export const ceil = makeFunction({
  params: [num('num')],
  type: staticReturnType(T.Number),
  impl: (a) => {
    const f = toFloat(a[0]);
    if (!Number.isFinite(f)) return numberFloatVal(f);
    return numberIntVal(goInt64OfFloat(Math.ceil(f)));
  },
});

export const floor = makeFunction({
  params: [num('num')],
  type: staticReturnType(T.Number),
  impl: (a) => {
    const f = toFloat(a[0]);
    if (!Number.isFinite(f)) return numberFloatVal(f);
    return numberIntVal(goInt64OfFloat(Math.floor(f)));
  },
});

function floatResult(f: number): Value {
  if (Number.isNaN(f)) throw new FuncError('panic in function implementation: Float.SetFloat64(NaN)');
  return numberFloatVal(f);
}

export const log = makeFunction({
  params: [num('num'), num('base')],
  type: staticReturnType(T.Number),
  impl: (a) => floatResult(Math.log(toFloat(a[0])) / Math.log(toFloat(a[1]))),
});

export const pow = makeFunction({
  params: [num('num'), num('power')],
  type: staticReturnType(T.Number),
  impl: (a) => floatResult(goPow(toFloat(a[0]), toFloat(a[1]))),
});

/** math.Pow special cases where JavaScript's ** differs. */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if ((x === -1) && !Number.isFinite(y)) return 1;
  return x ** y;
}

export const signum = makeFunction({
  params: [num('num')],
  type: staticReturnType(T.Number),
  impl: (a) => {
    const n = toInt(a[0]);
    return numberIntVal(n < 0 ? -1 : n > 0 ? 1 : 0);
  },
});

function minmax(isMax: boolean) {
  return makeFunction({
    params: [],
    varParam: num('numbers', { allowDynamicType: true }),
    type: staticReturnType(T.Number),
    impl: (a) => {
      if (a.length === 0) throw new FuncError('must pass at least one number');
      let best: BigFloat = BigFloat.infinity(isMax);
      let bestVal: Value | undefined;
      for (const v of a) {
        const f = v.asBigFloat();
        if (isMax ? f.cmp(best) > 0 : f.cmp(best) < 0) {
          best = f;
          bestVal = v;
        }
      }
      return bestVal ?? numberVal(best);
    },
  });
}
export const max = minmax(true);
export const min = minmax(false);

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** big.Int.SetString(s, base) for 2 <= base <= 62 */
function parseBigInt(s: string, base: number): bigint | undefined {
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    i = 1;
  }
  if (i >= s.length) return undefined;
  let v = 0n;
  const B = BigInt(base);
  for (; i < s.length; i++) {
    let c = s[i];
    if (base <= 36) c = c.toLowerCase();
    const d = DIGITS.indexOf(c);
    if (d < 0 || d >= base) return undefined;
    v = v * B + BigInt(d);
  }
  return neg ? -v : v;
}

export const parseint = makeFunction({
  params: [{ name: 'number', type: T.Dynamic }, num('base')],
  type: (a) => {
    if (a[0].type.kind !== 'string') throw new ArgError(0, `first argument must be a string, not ${T.friendlyName(a[0].type)}`);
    return T.Number;
  },
  impl: (a) => {
    const s = a[0].asString();
    let base: number;
    try {
      base = toInt(a[1]);
    } catch (e) {
      throw new ArgError(1, (e as Error).message);
    }
    if (base < 2 || base > 62) throw new ArgError(1, 'base must be a whole number between 2 and 62 inclusive');
    const n = parseBigInt(s, base);
    if (n === undefined) throw new ArgError(0, `cannot parse ${JSON.stringify(s)} as a base ${base} integer`);
    return numberVal(BigFloat.fromBigInt(n, 0));
  },
});
