// String functions (go-cty stdlib string.go, string_replace.go; 1.16's
// startswith/endswith/strcontains).
import * as T from '../cty/types.ts';
import { listVal, listValEmpty, stringVal, stringValNFC, boolVal, unknownVal, type Value } from '../cty/value.ts';
import { ArgError, FuncError, makeFunction, staticReturnType, toInt, type CtyFunction } from './function.ts';
import { ASCII, goTitle, goToLower, goToUpper, goTrim, goTrimSpace, graphemes, graphemeLength, goStringLess } from './gostr.ts';
import { compileGoRegexp } from './regexp.ts';

const str = (name: string, dyn = false) => ({ name, type: T.String, ...(dyn ? { allowDynamicType: true } : {}) });

function strFn(f: (s: string) => string, dyn = true): CtyFunction {
  return makeFunction({
    params: [str('str', dyn)],
    type: staticReturnType(T.String),
    impl: (a) => stringVal(f(a[0].asString())),
  });
}

/** upper/lower: ASCII text maps with JavaScript's mapping (Go's there) and needs no normalizing. */
function caseFn(f: (s: string) => string, ascii: (s: string) => string): CtyFunction {
  return makeFunction({
    params: [str('str', true)],
    type: staticReturnType(T.String),
    impl: (a) => {
      const s = a[0].asString();
      return ASCII.test(s) ? stringValNFC(ascii(s)) : stringVal(f(s));
    },
  });
}
export const upper = caseFn(goToUpper, (s) => s.toUpperCase());
export const lower = caseFn(goToLower, (s) => s.toLowerCase());
export const strrev = strFn((s) => graphemes(s).reverse().join(''));
export const title = strFn(goTitle, false);
export const trimspace = strFn(goTrimSpace, false);
export const chomp = strFn((s) => s.replace(/(?:\r\n?|\n)*$/, ''), false);

export const strlen = makeFunction({
  params: [str('str', true)],
  type: staticReturnType(T.Number),
  impl: (a) => numberOf(graphemeLength(a[0].asString())),
});
import { numberIntVal } from '../cty/value.ts';
function numberOf(n: number): Value {
  return numberIntVal(n);
}

export const substr = makeFunction({
  params: [str('str', true), { name: 'offset', type: T.Number, allowDynamicType: true }, { name: 'length', type: T.Number, allowDynamicType: true }],
  type: staticReturnType(T.String),
  impl: (a) => {
    const g = graphemes(a[0].asString());
    let offset = toInt(a[1]);
    const length = toInt(a[2]);
    if (offset < 0) offset += g.length;
    else if (length === 0) return stringVal('');
    let sub = g;
    if (offset > 0) {
      if (offset > g.length) return stringVal('');
      sub = g.slice(offset);
    }
    if (length < 0) return stringVal(sub.join(''));
    // Go's loop stops after `length` clusters; a zero length never stops it
    return stringVal((length === 0 ? sub : sub.slice(0, length)).join(''));
  },
});

export const join = makeFunction({
  params: [str('separator')],
  varParam: { name: 'lists', type: T.List(T.String) },
  type: staticReturnType(T.String),
  impl: (a) => {
    const sep = a[0].asString();
    const lists = a.slice(1);
    if (lists.length < 1) throw new FuncError('at least one list is required');
    for (const l of lists) if (!l.isWhollyKnown()) return unknownVal(T.String);
    let out = '';
    let first = true;
    for (let ai = 0; ai < lists.length; ai++) {
      const vals = lists[ai]!.values();
      for (let ei = 0; ei < vals.length; ei++) {
        const v = vals[ei]!;
        if (v.isNull()) {
          if (lists.length > 1) throw new ArgError(ai + 1, `element ${ei} of list ${ai + 1} is null; cannot concatenate null values`);
          throw new ArgError(ai + 1, `element ${ei} is null; cannot concatenate null values`);
        }
        out = first ? v.asString() : out + sep + v.asString();
        first = false;
      }
    }
    return stringVal(out);
  },
});

export const sort = makeFunction({
  params: [{ name: 'list', type: T.List(T.String) }],
  type: staticReturnType(T.List(T.String)),
  impl: (a, ret) => {
    const l = a[0];
    if (!l.isWhollyKnown()) return unknownVal(ret);
    if (l.lengthInt() === 0) return l;
    const items = l.values().map((v, i) => {
      if (v.isNull()) throw new FuncError(`given list element ${i} is null; a null string cannot be sorted`);
      return v.asString();
    });
    items.sort(goStringLess);
    return listVal(items.map(stringVal));
  },
});

/** strings.Split */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

export const split = makeFunction({
  params: [str('separator'), str('str')],
  type: staticReturnType(T.List(T.String)),
  impl: (a) => {
    const parts = goSplit(a[1].asString(), a[0].asString());
    return parts.length ? listVal(parts.map(stringVal)) : listValEmpty(T.String);
  },
});

export const indent = makeFunction({
  params: [{ name: 'spaces', type: T.Number }, str('str')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const n = toInt(a[0]);
    if (n < 0) throw new FuncError('panic in function implementation: strings: negative Repeat count');
    return stringVal(a[1].asString().split('\n').join('\n' + ' '.repeat(n)));
  },
});

export const trim = makeFunction({
  params: [str('str'), str('cutset')],
  type: staticReturnType(T.String),
  impl: (a) => stringVal(goTrim(a[0].asString(), a[1].asString())),
});
export const trimprefix = makeFunction({
  params: [str('str'), str('prefix')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const s = a[0].asString();
    const p = a[1].asString();
    return stringVal(s.startsWith(p) ? s.slice(p.length) : s);
  },
});
export const trimsuffix = makeFunction({
  params: [str('str'), str('suffix')],
  type: staticReturnType(T.String),
  impl: (a) => {
    const s = a[0].asString();
    const p = a[1].asString();
    return stringVal(p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s);
  },
});

export const replace = makeFunction({
  params: [str('str'), str('substr'), str('replace')],
  type: staticReturnType(T.String),
  impl: (a) => stringVal(goReplaceAll(a[0].asString(), a[1].asString(), a[2].asString())),
});

/** strings.Replace(s, old, new, -1) (an empty old inserts between runes) */
export function goReplaceAll(s: string, old: string, rep: string): string {
  if (old === '') {
    const cps = [...s];
    return rep + cps.map((c) => c + rep).join('');
  }
  if (!s.includes(old)) return s;
  return s.split(old).join(rep);
}

export const regex_replace = makeFunction({
  params: [str('str'), str('substr'), str('replace')],
  type: staticReturnType(T.String),
  impl: (a) => {
    let re;
    try {
      re = compileGoRegexp(a[1].asString());
    } catch (e) {
      if (e instanceof GoRegexpError) throw new FuncError(e.message);
      throw e;
    }
    return stringVal(re.replaceAll(a[0].asString(), a[2].asString()));
  },
});

// 1.16 additions
function strPredicate(second: string, f: (s: string, x: string) => boolean): CtyFunction {
  return makeFunction({
    params: [str('str'), str(second)],
    type: staticReturnType(T.Bool),
    impl: (a) => boolVal(f(a[0].asString(), a[1].asString())),
  });
}
export const startswith = strPredicate('prefix', (s, p) => s.startsWith(p));
export const endswith = strPredicate('suffix', (s, p) => s.endsWith(p));
export const strcontains = strPredicate('substr', (s, p) => s.includes(p));

// regex / regexall (go-cty stdlib regexp.go)
import { findAll, GoRegexpError, type GoRegexp } from './regexp.ts';
import { tupleVal, objectVal, nullVal, DynamicVal } from '../cty/value.ts';
import type { Type } from '../cty/types.ts';

function compilePattern(p: string): GoRegexp {
  try {
    return compileGoRegexp(p);
  } catch (e) {
    if (e instanceof GoRegexpError) throw new ArgError(0, `invalid regexp pattern: ${e.code} in ${e.expr}`);
    throw e;
  }
}

function patternResultType(p: string): Type {
  const re = compilePattern(p);
  const unnamed = re.names.filter((n) => n === '').length;
  const named = re.names.filter((n) => n !== '');
  if (unnamed === 0 && named.length === 0) return T.String;
  if (unnamed > 0 && named.length > 0) throw new ArgError(0, 'invalid regexp pattern: cannot mix both named and unnamed capture groups');
  if (unnamed > 0) return T.Tuple(new Array(unnamed).fill(T.String));
  const at: Record<string, Type> = {};
  for (const n of named) at[n] = T.String;
  return T.Object_(at);
}

function patternResult(re: GoRegexp, m: RegExpExecArray, t: Type): Value {
  if (t.kind === 'string') return stringVal(m[0]);
  const groups = m.slice(1).map((g) => (g === undefined ? nullVal(T.String) : stringVal(g)));
  if (t.kind === 'tuple') return tupleVal(groups);
  const o: Record<string, Value> = {};
  re.names.forEach((n, i) => (o[n] = groups[i]));
  return objectVal(o);
}

export const regex = makeFunction({
  params: [str('pattern'), str('string')],
  type: (a) => (a[0].isKnown() ? patternResultType(a[0].asString()) : T.Dynamic),
  impl: (a, ret) => {
    if (ret.kind === 'dynamic') return DynamicVal;
    const re = compilePattern(a[0].asString());
    const m = re.exec(a[1].asString(), 0);
    if (!m) throw new FuncError('pattern did not match any part of the given string');
    return patternResult(re, m, ret);
  },
});

export const regexall = makeFunction({
  params: [str('pattern'), str('string')],
  type: (a) => T.List(a[0].isKnown() ? patternResultType(a[0].asString()) : T.Dynamic),
  impl: (a, ret) => {
    const ety = T.elementType(ret);
    if (ety.kind === 'dynamic') return DynamicVal;
    const re = compilePattern(a[0].asString());
    const ms = findAll(re, a[1].asString());
    if (ms.length === 0) return listValEmpty(ety);
    return listVal(ms.map((m) => patternResult(re, m, ety)));
  },
});
