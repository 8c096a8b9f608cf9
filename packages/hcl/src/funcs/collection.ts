// Collection functions (go-cty stdlib collection.go, sequence.go, set.go;
// go-cty-funcs coalesce; Packer's length; 1.16's alltrue/anytrue/sum).
import * as T from '../cty/types.ts';
import type { Type } from '../cty/types.ts';
import { convert, unifyTypes } from '../cty/convert.ts';
import {
  CtyError,
  DynamicVal,
  EmptyTupleVal,
  False,
  True,
  Value,
  listVal,
  listValEmpty,
  mapVal,
  mapValEmpty,
  nullVal,
  numberIntVal,
  numberVal,
  objectVal,
  setVal,
  setValEmpty,
  stringVal,
  tupleVal,
  unknownVal,
  boolVal,
} from '../cty/value.ts';
import { BigFloat } from '../cty/number.ts';
import { ArgError, FuncError, makeFunction, staticReturnType, toInt, type Param } from './function.ts';
import { graphemeLength } from './gostr.ts';

const dyn = (name: string, extra: Partial<Param> = {}): Param => ({ name, type: T.Dynamic, ...extra });

export const hasindex = makeFunction({
  params: [dyn('collection', { allowDynamicType: true }), dyn('key', { allowDynamicType: true })],
  type: (a) => {
    const t = a[0].type;
    if (!(t.kind === 'tuple' || t.kind === 'list' || t.kind === 'map' || t.kind === 'dynamic')) throw new FuncError('collection must be a list, a map or a tuple');
    return T.Bool;
  },
  impl: (a) => a[0].hasIndex(a[1]),
});

export const index = makeFunction({
  params: [dyn('collection'), dyn('key', { allowDynamicType: true })],
  type: (a) => {
    const ct = a[0].type;
    const key = a[1];
    const kt = key.type;
    switch (ct.kind) {
      case 'tuple': {
        if (kt.kind !== 'number' && kt.kind !== 'dynamic') throw new FuncError('key for tuple must be number');
        if (!key.isKnown()) return T.Dynamic;
        let idx: number;
        try {
          idx = toInt(key);
        } catch (e) {
          throw new FuncError(`invalid key for tuple: ${(e as Error).message}`);
        }
        if (idx >= ct.elems.length || idx < 0) throw new FuncError(`key must be between 0 and ${ct.elems.length} inclusive`);
        return ct.elems[idx];
      }
      case 'list':
        if (kt.kind !== 'number' && kt.kind !== 'dynamic') throw new FuncError('key for list must be number');
        return ct.elem;
      case 'map':
        if (kt.kind !== 'string' && kt.kind !== 'dynamic') throw new FuncError('key for map must be string');
        return ct.elem;
      default:
        throw new FuncError('collection must be a list, a map or a tuple');
    }
  },
  impl: (a) => {
    const has = a[0].hasIndex(a[1]);
    if (has.isKnown() && has.raw === false) throw new FuncError('invalid index');
    return a[0].index(a[1]);
  },
});

/** Packer's length: strings count grapheme clusters. */
export const length = makeFunction({
  params: [dyn('value', { allowDynamicType: true, allowUnknown: true })],
  type: (a) => {
    const t = a[0].type;
    if (t.kind === 'dynamic' || t.kind === 'string' || T.isCollection(t) || T.isStructural(t)) return T.Number;
    throw new FuncError('argument must be a string, a collection type, or a structural type');
  },
  impl: (a) => {
    const v = a[0];
    const t = v.type;
    if (t.kind === 'dynamic') return unknownVal(T.Number);
    if (t.kind === 'tuple') return numberIntVal(t.elems.length);
    if (t.kind === 'object') return numberIntVal(Object.keys(t.attrs).length);
    if (t.kind === 'string') {
      if (!v.isKnown()) return unknownVal(T.Number);
      return numberIntVal(graphemeLength(v.asString()));
    }
    if (T.isCollection(t)) return v.length();
    throw new FuncError('impossible value type for length(...)');
  },
});

export const element = makeFunction({
  params: [dyn('list'), { name: 'index', type: T.Number }],
  type: (a) => {
    const lt = a[0].type;
    if (lt.kind === 'list') return lt.elem;
    if (lt.kind === 'tuple') {
      if (!a[1].isKnown()) return T.Dynamic;
      try {
        toInt(a[1]);
      } catch (e) {
        throw new FuncError(`invalid index: ${(e as Error).message}`);
      }
      if (lt.elems.length === 0) throw new FuncError('cannot use element function with an empty list');
      return lt.elems[goMod(toInt64(a[1]), lt.elems.length)];
    }
    throw new FuncError(`cannot read elements from ${T.friendlyName(lt)}`);
  },
  impl: (a, ret) => {
    let idx: number;
    try {
      idx = toInt(a[1]);
    } catch (e) {
      throw new FuncError(`invalid index: ${(e as Error).message}`);
    }
    if (!a[0].isKnown()) return unknownVal(ret);
    const l = a[0].lengthInt();
    if (l === 0) throw new FuncError('cannot use element function with an empty list');
    return a[0].index(numberIntVal(goMod(toInt64(a[1]), l)));
    void idx;
  },
});

/** Go's % on ints (sign of the dividend); a negative result then fails indexing as Go panics. */
function goMod(a: number | bigint, b: number): number {
  const r = Number(BigInt(a) % BigInt(b));
  if (r < 0) throw new FuncError('invalid index');
  return r;
}
/** The exact int64 of a whole number (for arithmetic beyond 2^53). */
function toInt64(v: Value): bigint {
  toInt(v);
  return v.asBigFloat().toBigInt();
}

export const coalescelist = makeFunction({
  params: [],
  varParam: dyn('vals', { allowUnknown: true, allowDynamicType: true, allowNull: true }),
  type: (a) => {
    if (a.length === 0) throw new FuncError('at least one argument is required');
    const tys: Type[] = [];
    for (const v of a) {
      if (!v.isKnown()) return T.Dynamic;
      const t = v.type;
      if (t.kind !== 'list' && t.kind !== 'tuple') throw new FuncError('coalescelist arguments must be lists or tuples');
      tys.push(t);
    }
    const last = tys[0];
    for (const t of tys.slice(1)) if (!T.typeEquals(t, last)) return T.Dynamic;
    return last;
  },
  impl: (a, ret) => {
    for (const v of a) {
      if (!v.isKnown()) return unknownVal(ret);
      if (v.isNull()) continue;
      if (v.lengthInt() > 0) return v;
    }
    throw new FuncError('no non-null arguments');
  },
});

export const compact = makeFunction({
  params: [{ name: 'list', type: T.List(T.String) }],
  type: staticReturnType(T.List(T.String)),
  impl: (a, ret) => {
    if (!a[0].isWhollyKnown()) return unknownVal(ret);
    const out = a[0].values().filter((v) => !v.isNull() && v.asString() !== '');
    return out.length ? listVal(out) : listValEmpty(T.String);
  },
});

export const contains = makeFunction({
  params: [dyn('list'), dyn('value')],
  type: staticReturnType(T.Bool),
  impl: (a) => {
    const t = a[0].type;
    if (t.kind !== 'list' && t.kind !== 'tuple' && t.kind !== 'set') throw new FuncError('argument must be list, tuple, or set');
    if (a[0].isNull()) throw new FuncError('cannot search a nil list or set');
    if (a[0].lengthInt() === 0) return False;
    let unknown = false;
    for (const v of a[0].values()) {
      const eq = a[1].equals(v);
      if (!eq.isKnown()) {
        unknown = true;
        continue;
      }
      if (eq.raw === true) return True;
    }
    return unknown ? unknownVal(T.Bool) : False;
  },
});

export const distinct = makeFunction({
  params: [{ name: 'list', type: T.List(T.Dynamic) }],
  type: (a) => a[0].type,
  impl: (a, ret) => {
    if (!a[0].isWhollyKnown()) return unknownVal(ret);
    const out: Value[] = [];
    for (const v of a[0].values()) {
      if (!out.some((o) => o.equals(v).raw === true)) out.push(v);
    }
    return out.length ? listVal(out) : listValEmpty(T.elementType(ret));
  },
});

export const chunklist = makeFunction({
  params: [{ name: 'list', type: T.List(T.Dynamic) }, { name: 'size', type: T.Number }],
  type: (a) => T.List(a[0].type),
  impl: (a, ret) => {
    const l = a[0];
    if (!l.isKnown()) return unknownVal(ret);
    if (l.lengthInt() === 0) return listValEmpty(l.type);
    let size: number;
    try {
      size = toInt(a[1]);
    } catch (e) {
      throw new FuncError(`invalid index: ${(e as Error).message}`);
    }
    if (size < 0) throw new FuncError('the size argument must be positive');
    if (size === 0) return listVal([l]);
    const out: Value[] = [];
    const vals = l.values();
    for (let i = 0; i < vals.length; i += size) out.push(listVal(vals.slice(i, i + size)));
    return listVal(out);
  },
});

function flattener(v: Value): [Value[], boolean] {
  const out: Value[] = [];
  for (const e of v.values()) {
    const k = e.type.kind;
    if (k === 'list' || k === 'set' || k === 'tuple') {
      if (!e.isKnown()) return [out, false];
      const [r, known] = flattener(e);
      if (!known) return [r, false];
      out.push(...r);
    } else out.push(e);
  }
  return [out, true];
}

export const flatten = makeFunction({
  params: [dyn('list')],
  type: (a) => {
    if (!a[0].isWhollyKnown()) return T.Dynamic;
    const k = a[0].type.kind;
    if (k !== 'list' && k !== 'set' && k !== 'tuple') throw new FuncError('can only flatten lists, sets and tuples');
    const [r, known] = flattener(a[0]);
    if (!known) return T.Dynamic;
    return T.Tuple(r.map((v) => v.type));
  },
  impl: (a, ret) => {
    if (a[0].lengthInt() === 0) return EmptyTupleVal;
    const [r, known] = flattener(a[0]);
    if (!known) return unknownVal(ret);
    return tupleVal(r);
  },
});

export const keys = makeFunction({
  params: [dyn('inputMap', { allowUnknown: true })],
  type: (a) => {
    const t = a[0].type;
    if (t.kind === 'map') return T.List(T.String);
    if (t.kind === 'object') {
      const n = Object.keys(t.attrs).length;
      return n === 0 ? T.EmptyTuple : T.Tuple(new Array(n).fill(T.String));
    }
    throw new ArgError(0, 'must have map or object type');
  },
  impl: (a, ret) => {
    const m = a[0];
    if (m.type.kind === 'object') {
      const names = T.attrNames(m.type);
      return names.length ? tupleVal(names.map(stringVal)) : EmptyTupleVal;
    }
    if (!m.isKnown()) return unknownVal(ret);
    const ks = m.elements().map(([k]) => k);
    return ks.length ? listVal(ks) : listValEmpty(T.String);
  },
});

export const lookup = makeFunction({
  params: [dyn('inputMap'), { name: 'key', type: T.String }, dyn('default')],
  type: (a) => {
    const t = a[0].type;
    if (t.kind === 'object') {
      if (!a[1].isKnown()) return T.Dynamic;
      const key = a[1].asString();
      if (key in t.attrs) return t.attrs[key];
      return a[2].type;
    }
    if (t.kind === 'map') {
      try {
        convert(a[2], t.elem);
      } catch {
        throw new ArgError(2, 'the default value must have the same type as the map elements');
      }
      return t.elem;
    }
    throw new ArgError(0, 'lookup() requires a map as the first argument');
  },
  impl: (a, ret) => {
    const m = a[0];
    const key = a[1].asString();
    if (!m.isWhollyKnown()) return unknownVal(ret);
    if (m.type.kind === 'object') {
      if (key in m.type.attrs) return m.getAttr(key);
    } else if (m.hasIndex(stringVal(key)).raw === true) return m.index(stringVal(key));
    return convert(a[2], ret);
  },
});

export const merge = makeFunction({
  params: [],
  varParam: dyn('maps', { allowDynamicType: true, allowNull: true }),
  type: (a) => {
    if (a.length === 0) return T.EmptyObject;
    const attrs: Record<string, Type> = {};
    let first: Type | undefined;
    let matching = true;
    let attrsKnown = true;
    for (const [i, v] of a.entries()) {
      const t = v.type;
      if (t.kind === 'dynamic') return T.Dynamic;
      if (t.kind !== 'map' && t.kind !== 'object') throw new FuncError(`arguments must be maps or objects, got ${JSON.stringify(T.friendlyName(t))}`);
      if (t.kind === 'object' && !v.isNull()) Object.assign(attrs, t.attrs);
      else if (t.kind === 'map') {
        if (v.isNull()) {
          /* nothing */
        } else if (v.isKnown()) {
          for (const [k] of v.elements()) attrs[k.asString()] = t.elem;
        } else attrsKnown = false;
      }
      if (i === 0) {
        first = t;
        continue;
      }
      if (!T.typeEquals(t, first!)) matching = false;
    }
    if (matching) return first!;
    if (!attrsKnown) return T.Dynamic;
    return T.Object_(attrs);
  },
  impl: (a, ret) => {
    const out = new Map<string, Value>();
    let allNull = true;
    for (const v of a) {
      if (v.isNull()) continue;
      allNull = false;
      for (const [k, e] of v.elements()) out.set(k.asString(), e);
    }
    if (allNull) return nullVal(ret);
    if (ret.kind === 'map') return out.size ? mapVal(out) : mapValEmpty(ret.elem);
    return objectVal(out);
  },
});

export const reverse = makeFunction({
  params: [dyn('list')],
  type: (a) => {
    const t = a[0].type;
    if (t.kind === 'tuple') return T.Tuple([...t.elems].reverse());
    if (t.kind === 'list' || t.kind === 'set') return T.List(t.elem);
    throw new ArgError(0, `can only reverse list or tuple values, not ${T.friendlyName(t)}`);
  },
  impl: (a, ret) => {
    const vals = a[0].values().reverse();
    if (ret.kind === 'tuple') return tupleVal(vals);
    return vals.length ? listVal(vals) : listValEmpty(T.elementType(ret));
  },
});

export const setproduct = makeFunction({
  params: [],
  varParam: dyn('sets'),
  type: (a) => {
    if (a.length < 2) throw new FuncError('at least two arguments are required');
    let listCount = 0;
    const etys: Type[] = [];
    for (const [i, v] of a.entries()) {
      const t = v.type;
      if (t.kind === 'set') etys.push(t.elem);
      else if (t.kind === 'list') {
        etys.push(t.elem);
        listCount++;
      } else if (t.kind === 'tuple') {
        if (t.elems.length === 0) {
          etys.push(T.Dynamic);
          listCount++;
          continue;
        }
        const u = unifyTypes(t.elems, true);
        if (!u) throw new ArgError(i, 'all elements must be of the same type');
        etys.push(u.type);
        listCount++;
      } else throw new ArgError(i, 'a set or a list is required');
    }
    return listCount === a.length ? T.List(T.Tuple(etys)) : T.Set(T.Tuple(etys));
  },
  impl: (a, ret) => {
    const ety = T.elementType(ret) as T.TupleType;
    const argVals = a.map((v) => v.values());
    let total = 1;
    for (const v of argVals) total *= v.length;
    if (total === 0) return ret.kind === 'list' ? listValEmpty(ety) : setValEmpty(ety);
    const out: Value[] = [];
    const idx = new Array(a.length).fill(0);
    for (let i = 0; i < total; i++) {
      out.push(tupleVal(idx.map((n, j) => (T.typeEquals(argVals[j][n].type, ety.elems[j]) ? argVals[j][n] : convert(argVals[j][n], ety.elems[j])))));
      for (let j = idx.length - 1; j >= 0; j--) {
        idx[j]++;
        if (idx[j] < argVals[j].length) break;
        idx[j] = 0;
      }
    }
    return ret.kind === 'list' ? listVal(out) : setVal(out);
  },
});

function sliceIndexes(a: Value[]): [number, number, boolean] {
  let start = 0;
  let end = 0;
  let len = 0;
  let lenKnown = false;
  let sk = false;
  let ek = false;
  if (a[0].type.kind === 'tuple' || a[0].isKnown()) {
    len = a[0].type.kind === 'tuple' ? (a[0].type as T.TupleType).elems.length : a[0].lengthInt();
    lenKnown = true;
  }
  if (a[1].isKnown()) {
    try {
      start = toInt(a[1]);
    } catch (e) {
      throw new ArgError(1, `invalid start index: ${(e as Error).message}`);
    }
    if (start < 0) throw new ArgError(1, 'start index must not be less than zero');
    if (lenKnown && start > len) throw new ArgError(1, 'start index must not be greater than the length of the list');
    sk = true;
  }
  if (a[2].isKnown()) {
    try {
      end = toInt(a[2]);
    } catch (e) {
      throw new ArgError(2, `invalid end index: ${(e as Error).message}`);
    }
    if (end < 0) throw new ArgError(2, 'end index must not be less than zero');
    if (lenKnown && end > len) throw new ArgError(2, 'end index must not be greater than the length of the list');
    ek = true;
  }
  if (sk && ek && start > end) throw new ArgError(1, 'start index must not be greater than end index');
  return [start, end, sk && ek];
}

export const slice = makeFunction({
  params: [dyn('list'), { name: 'start_index', type: T.Number }, { name: 'end_index', type: T.Number }],
  type: (a) => {
    const t = a[0].type;
    if (t.kind === 'set')
      throw new ArgError(0, 'cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important');
    if (t.kind !== 'list' && t.kind !== 'tuple') throw new ArgError(0, 'must be a list or tuple value');
    const [s, e, known] = sliceIndexes(a);
    if (t.kind === 'list') return t;
    if (!known) return T.Dynamic;
    return T.Tuple(t.elems.slice(s, e));
  },
  impl: (a, ret) => {
    if (ret.kind === 'dynamic') return DynamicVal;
    const [s, e] = sliceIndexes(a);
    if (e - s === 0) return ret.kind === 'tuple' ? EmptyTupleVal : listValEmpty(T.elementType(ret));
    const vals = a[0].values().slice(s, e);
    return ret.kind === 'tuple' ? tupleVal(vals) : listVal(vals);
  },
});

export const values = makeFunction({
  params: [dyn('values')],
  type: (a) => {
    const t = a[0].type;
    if (t.kind === 'map') return T.List(t.elem);
    if (t.kind === 'object') {
      const names = T.attrNames(t);
      return names.length ? T.Tuple(names.map((n) => t.attrs[n])) : T.EmptyTuple;
    }
    throw new FuncError('values() requires a map as the first argument');
  },
  impl: (a, ret) => {
    const vals = a[0].values();
    if (ret.kind === 'tuple') return tupleVal(vals);
    return vals.length ? listVal(vals) : listValEmpty(T.elementType(ret));
  },
});

export const zipmap = makeFunction({
  params: [{ name: 'keys', type: T.List(T.String) }, dyn('values')],
  type: (a) => {
    const vt = a[1].type;
    if (vt.kind === 'list') return T.Map(vt.elem);
    if (vt.kind === 'tuple') {
      if (!a[0].isWhollyKnown()) return T.Dynamic;
      const ks = a[0].values();
      if (ks.length !== vt.elems.length) throw new FuncError(`number of keys (${ks.length}) does not match number of values (${vt.elems.length})`);
      const atys: Record<string, Type> = {};
      ks.forEach((k, i) => {
        if (k.isNull()) throw new FuncError(`keys list has null value at index ${i}`);
        atys[k.asString()] = vt.elems[i];
      });
      return T.Object_(atys);
    }
    throw new FuncError('values argument must be a list or tuple value');
  },
  impl: (a, ret) => {
    if (!a[0].isWhollyKnown()) return unknownVal(ret);
    const ks = a[0].values();
    const vs = a[1].values();
    if (ks.length !== vs.length) throw new FuncError(`number of keys (${ks.length}) does not match number of values (${vs.length})`);
    const out = new Map<string, Value>();
    ks.forEach((k, i) => out.set(k.asString(), vs[i]));
    if (ret.kind === 'map') return out.size ? mapVal(out) : mapValEmpty(ret.elem);
    return objectVal(out);
  },
});

export const concat = makeFunction({
  params: [],
  varParam: dyn('seqs'),
  type: (a) => {
    if (a.length === 0) throw new FuncError('at least one argument is required');
    if (a[0].type.kind === 'list') {
      const tys = a.map((v) => v.type);
      if (tys.every((t) => t.kind === 'list')) {
        const u = unifyTypes(tys, true);
        if (u) return u.type;
      }
    }
    const etys: Type[] = [];
    for (const [i, v] of a.entries()) {
      const t = v.type;
      if (t.kind === 'tuple') etys.push(...t.elems);
      else if (t.kind === 'list') {
        if (!v.isKnown()) return T.Dynamic;
        for (let j = 0; j < v.lengthInt(); j++) etys.push(t.elem);
      } else throw new ArgError(i, `all arguments must be lists or tuples; got ${T.friendlyName(t)}`);
    }
    return T.Tuple(etys);
  },
  impl: (a, ret) => {
    if (ret.kind === 'list') {
      const vals: Value[] = [];
      for (const [i, l] of a.entries()) {
        let c: Value;
        try {
          c = convert(l, ret);
        } catch (e) {
          throw new ArgError(i, (e as Error).message);
        }
        vals.push(...c.values());
      }
      return vals.length ? listVal(vals) : listValEmpty(ret.elem);
    }
    return tupleVal(a.flatMap((v) => v.values()));
  },
});

export const range = makeFunction({
  params: [],
  varParam: { name: 'params', type: T.Number },
  type: staticReturnType(T.List(T.Number)),
  impl: (a) => {
    const zero = BigFloat.fromBigInt(0n);
    let start: BigFloat;
    let end: BigFloat;
    let step: BigFloat;
    const f = a.map((v) => v.asBigFloat());
    switch (a.length) {
      case 1:
        [start, end, step] = [zero, f[0], BigFloat.fromBigInt(f[0].cmp(zero) < 0 ? -1n : 1n)];
        break;
      case 2:
        [start, end, step] = [f[0], f[1], BigFloat.fromBigInt(f[1].cmp(f[0]) < 0 ? -1n : 1n)];
        break;
      case 3:
        [start, end, step] = [f[0], f[1], f[2]];
        break;
      default:
        throw new FuncError('must have one, two, or three arguments');
    }
    const down = step.cmp(zero) < 0;
    if (down) {
      if (end.cmp(start) > 0) throw new ArgError(1, 'end must be less than start when step is negative');
    } else if (end.cmp(start) < 0) throw new ArgError(1, 'end must be greater than start when step is positive');
    const vals: Value[] = [];
    let num = start;
    for (;;) {
      if (down ? num.cmp(end) <= 0 : num.cmp(end) >= 0) break;
      if (vals.length >= 1024) throw new FuncError('more than 1024 values were generated; either decrease the difference between start and end or use a smaller step');
      vals.push(numberVal(num));
      num = num.add(step);
    }
    return vals.length ? listVal(vals) : listValEmpty(T.Number);
  },
});

function setOp(op: (a: Value[], b: Value[]) => Value[], name2 = 'other_sets') {
  return makeFunction({
    params: [{ name: 'first_set', type: T.Set(T.Dynamic), allowDynamicType: true }],
    varParam: { name: name2, type: T.Set(T.Dynamic), allowDynamicType: true },
    type: (a) => {
      const u = unifyTypes(
        a.map((v) => T.elementType(v.type)),
        true,
      );
      if (!u) throw new FuncError('given sets must all have compatible element types');
      return T.Set(u.type);
    },
    impl: (a, ret) => {
      const conv = (v: Value, i: number) => {
        try {
          return convert(v, ret);
        } catch (e) {
          throw new ArgError(i, (e as Error).message);
        }
      };
      let acc = conv(a[0], 0).values();
      for (let i = 1; i < a.length; i++) acc = op(acc, conv(a[i], i).values());
      return acc.length ? setVal(acc) : setValEmpty(T.elementType(ret));
    },
  });
}
const has = (s: Value[], v: Value) => s.some((o) => o.rawEquals(v) || o.equals(v).raw === true);
export const setunion = setOp((a, b) => [...a, ...b.filter((v) => !has(a, v))]);
export const setintersection = setOp((a, b) => a.filter((v) => has(b, v)));

/** go-cty-funcs collection.CoalesceFunc */
export const coalesce = makeFunction({
  params: [],
  varParam: dyn('vals', { allowUnknown: true, allowDynamicType: true, allowNull: true }),
  type: (a) => {
    const u = unifyTypes(
      a.map((v) => v.type),
      true,
    );
    if (!u) throw new FuncError('all arguments must have the same type');
    return u.type;
  },
  impl: (a, ret) => {
    for (const v0 of a) {
      if (!v0.isKnown()) return unknownVal(ret);
      if (v0.isNull()) continue;
      const v = convert(v0, ret);
      if (v.type.kind === 'string' && v.asString() === '') continue;
      return v;
    }
    throw new FuncError('no non-null, non-empty-string arguments');
  },
});

// 1.16 additions (go-cty stdlib bool/number collection helpers)
export const alltrue = makeFunction({
  params: [{ name: 'list', type: T.List(T.Bool) }],
  type: staticReturnType(T.Bool),
  impl: (a) => {
    let result: Value = True;
    for (const v of a[0].values()) {
      if (!v.isKnown()) {
        result = unknownVal(T.Bool);
        continue;
      }
      if (v.isNull() || v.raw === false) return False;
    }
    return result;
  },
});
export const anytrue = makeFunction({
  params: [{ name: 'list', type: T.List(T.Bool) }],
  type: staticReturnType(T.Bool),
  impl: (a) => {
    let unknown = false;
    for (const v of a[0].values()) {
      if (!v.isKnown()) {
        unknown = true;
        continue;
      }
      if (!v.isNull() && v.raw === true) return True;
    }
    return unknown ? unknownVal(T.Bool) : False;
  },
});

export const sum = makeFunction({
  params: [dyn('list')],
  type: staticReturnType(T.Number),
  impl: (a) => {
    const l = a[0];
    const k = l.type.kind;
    if (!l.canIterateElements()) throw new ArgError(0, 'cannot sum noniterable');
    if (l.isKnown() && l.lengthInt() === 0) throw new ArgError(0, 'cannot sum an empty list');
    if (k !== 'list' && k !== 'set' && k !== 'tuple') throw new ArgError(0, `argument must be list, set, or tuple. Received ${T.friendlyName(l.type)}`);
    if (!l.isWhollyKnown()) return unknownVal(T.Number);
    const vals = l.values();
    let s: BigFloat | undefined;
    for (const v of vals) {
      if (v.isNull()) throw new ArgError(0, 'argument must be list, set, or tuple of number values');
      let n: Value;
      try {
        n = convert(v, T.Number);
      } catch {
        throw new ArgError(0, 'argument must be list, set, or tuple of number values');
      }
      s = s ? s.add(n.asBigFloat()) : n.asBigFloat();
    }
    return numberVal(s!);
  },
});

export { CtyError, boolVal };
