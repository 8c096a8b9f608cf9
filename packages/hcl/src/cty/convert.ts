// Type conversion and unification with the rules of cty's convert package:
// safe conversions (number/bool -> string, list -> list of a wider element
// type, tuple -> list, object -> map, ...) and unsafe ones (string -> number,
// string -> bool, list -> set, map -> object, dynamic fix-ups), plus optional
// object attributes as type constraints allow.
import * as T from './types.ts';
import type { Type } from './types.ts';
import {
  CtyError,
  type PathStep,
  Value,
  listVal,
  listValEmpty,
  listValOf,
  mapVal,
  mapValEmpty,
  nullVal,
  numberIntVal,
  objectVal,
  parseNumberVal,
  setVal,
  setValEmpty,
  stringVal,
  True,
  False,
  tupleVal,
  unknownVal,
  DynamicVal,
} from './value.ts';

type Path = PathStep[];
type Conv = (v: Value, path: Path) => Value;
export type Conversion = (v: Value) => Value;

function fail(path: Path, msg: string): never {
  throw new CtyError(msg, [...path]);
}

function getConversion(inT: Type, outT: Type, unsafe: boolean): Conv | undefined {
  const conv = getConversionKnown(inT, outT, unsafe);
  if (!conv) return undefined;
  const ret: Conv = (v, path) => {
    if (v.isMarked()) {
      const [u, m] = v.unmark();
      return ret(u, path).withMarks(m);
    }
    if (outT.kind === 'dynamic') return v;
    if (!v.isKnown()) return unknownVal(outT);
    if (v.isNull()) return nullVal(outT);
    return conv(v, path);
  };
  return ret;
}

function getConversionKnown(inT: Type, outT: Type, unsafe: boolean): Conv | undefined {
  if (outT.kind === 'dynamic') return (v) => v;
  if (unsafe && inT.kind === 'dynamic') {
    return (v, path) => {
      try {
        return convert(v, outT);
      } catch (e) {
        if (e instanceof CtyError) throw new CtyError(e.message, [...path, ...e.path]);
        throw e;
      }
    };
  }
  if (T.isPrimitive(inT) && T.isPrimitive(outT)) {
    if (inT.kind === outT.kind) return (v) => v;
    if (outT.kind === 'string') {
      if (inT.kind === 'number') return (v) => stringVal(v.asBigFloat().text('f', -1));
      if (inT.kind === 'bool') return (v) => stringVal(v.asBool() ? 'true' : 'false');
    }
    if (!unsafe) return undefined;
    if (inT.kind === 'string' && outT.kind === 'number') {
      return (v, path) => {
        try {
          return parseNumberVal(v.asString());
        } catch {
          fail(path, 'a number is required');
        }
      };
    }
    if (inT.kind === 'string' && outT.kind === 'bool') {
      return (v, path) => {
        const s = v.asString();
        switch (s) {
          case 'true':
          case '1':
            return True;
          case 'false':
          case '0':
            return False;
        }
        switch (s.toLowerCase()) {
          case 'true':
            fail(path, 'a bool is required; to convert from string, use lowercase "true"');
          case 'false':
            fail(path, 'a bool is required; to convert from string, use lowercase "false"');
          default:
            fail(path, 'a bool is required');
        }
      };
    }
    return undefined;
  }
  if (outT.kind === 'object' && inT.kind === 'object') return objectToObject(inT, outT, unsafe);
  if (outT.kind === 'tuple' && inT.kind === 'tuple') return tupleToTuple(inT, outT, unsafe);
  if (outT.kind === 'list' && (inT.kind === 'list' || inT.kind === 'set')) {
    if (T.typeEquals(inT.elem, outT.elem)) return collectionToList(outT.elem, undefined);
    const ce = getConversion(inT.elem, outT.elem, unsafe);
    return ce ? collectionToList(outT.elem, ce) : undefined;
  }
  if (outT.kind === 'set' && (inT.kind === 'list' || inT.kind === 'set')) {
    if (inT.kind === 'list' && !unsafe) return undefined;
    if (T.typeEquals(inT.elem, outT.elem)) return collectionToSet(outT.elem, undefined);
    const ce = getConversion(inT.elem, outT.elem, unsafe);
    return ce ? collectionToSet(outT.elem, ce) : undefined;
  }
  if (outT.kind === 'map' && inT.kind === 'map') {
    const ce = getConversion(inT.elem, outT.elem, unsafe);
    return ce ? collectionToMap(outT.elem, ce) : undefined;
  }
  if ((outT.kind === 'list' || outT.kind === 'set') && inT.kind === 'tuple') return tupleToCollection(inT, outT, unsafe);
  if (outT.kind === 'map' && inT.kind === 'object') return objectToMap(inT, outT.elem, unsafe);
  if (outT.kind === 'object' && inT.kind === 'map') return unsafe ? mapToObject(inT, outT, unsafe) : undefined;
  return undefined;
}

function collectionToList(ety: Type, conv: Conv | undefined): Conv {
  return (val, path) => {
    const elems = val.values().map((e, i) => (conv ? conv(e, [...path, { index: numberIntVal(i) }]) : e));
    if (elems.length === 0) return listValEmpty(ety.kind === 'dynamic' ? T.elementType(val.type) : ety);
    return listVal(elems);
  };
}

function collectionToSet(ety: Type, conv: Conv | undefined): Conv {
  return (val, path) => {
    const elems = val.values().map((e, i) => (conv ? conv(e, [...path, { index: numberIntVal(i) }]) : e));
    if (elems.length === 0) return setValEmpty(ety.kind === 'dynamic' ? T.elementType(val.type) : ety);
    return setVal(elems);
  };
}

function collectionToMap(ety: Type, conv: Conv | undefined): Conv {
  return (val, path) => {
    const elems = new Map<string, Value>();
    for (const [k, e] of val.elements()) {
      elems.set(k.asString(), conv ? conv(e, [...path, { index: k }]) : e);
    }
    if (elems.size === 0) return mapValEmpty(ety.kind === 'dynamic' ? T.elementType(val.type) : ety);
    return finishMap(elems, ety, path, false);
  }
}

function finishMap(elems: Map<string, Value>, ety: Type, path: Path, unsafe: boolean): Value {
  if (T.isCollection(ety) || ety.kind === 'object') elems = unifyCollectionElements(elems, path, unsafe);
  let et: Type | undefined;
  for (const [name, e] of [...elems].sort((a, b) => T.cmpStr(a[0], b[0]))) {
    if (!et) et = e.type;
    else if (!T.typeEquals(et, e.type)) fail([...path, { index: stringVal(name) }], `${T.friendlyName(et)} is required`);
  }
  return mapVal(elems);
}

function unifyCollectionElements(elems: Map<string, Value>, path: Path, unsafe: boolean): Map<string, Value> {
  const ut = unifyTypes([...elems.values()].map((e) => e.type), unsafe);
  if (!ut) return elems;
  const out = new Map<string, Value>();
  for (const [name, e] of elems) {
    if (T.typeEquals(e.type, ut.type)) {
      out.set(name, e);
      continue;
    }
    const c = getConversion(e.type, ut.type, unsafe);
    if (!c) return elems;
    out.set(name, c(e, [...path, { index: stringVal(name) }]));
  }
  return out;
}

function tupleToCollection(inT: T.TupleType, outT: T.ListType | T.SetType, unsafe: boolean): Conv | undefined {
  const etys = inT.elems;
  let ety = outT.elem;
  if (etys.length === 0) return () => (outT.kind === 'list' ? listValEmpty(ety) : setValEmpty(ety));
  if (ety.kind === 'dynamic') {
    const u = unifyTypes(etys, unsafe);
    if (!u) return undefined;
    ety = u.type;
  }
  const convs: Array<Conv | undefined> = [];
  for (const t of etys) {
    if (T.typeEquals(t, ety)) {
      convs.push(undefined);
      continue;
    }
    const c = getConversion(t, ety, unsafe);
    if (!c) return undefined;
    convs.push(c);
  }
  return (val, path) => {
    const elems = val.values().map((e, i) => (convs[i] ? convs[i]!(e, [...path, { index: numberIntVal(i) }]) : e));
    return outT.kind === 'list' ? listVal(elems) : setVal(elems);
  };
}

function objectToMap(inT: T.ObjectType, mapEty: Type, unsafe: boolean): Conv | undefined {
  const atys = inT.attrs;
  const names = Object.keys(atys);
  if (names.length === 0) return () => mapValEmpty(mapEty);
  if (mapEty.kind === 'dynamic') {
    const u = unifyTypes(Object.values(atys), unsafe);
    if (!u) return undefined;
    mapEty = u.type;
  }
  const convs = new Map<string, Conv>();
  for (const n of names) {
    if (T.typeEquals(atys[n], mapEty)) continue;
    const c = getConversion(atys[n], mapEty, unsafe);
    if (!c) return undefined;
    convs.set(n, c);
  }
  const ety = mapEty;
  return (val, path) => {
    const elems = new Map<string, Value>();
    for (const [k, e] of val.entries()) {
      const c = convs.get(k);
      elems.set(k, c ? c(e, [...path, { index: stringVal(k) }]) : e);
    }
    return finishMap(elems, ety, path, unsafe);
  };
}

function mapToObject(inT: T.MapType, outT: T.ObjectType, unsafe: boolean): Conv | undefined {
  const convs = new Map<string, Conv>();
  for (const [n, at] of Object.entries(outT.attrs)) {
    if (T.typeEquals(at, inT.elem)) continue;
    const c = getConversion(inT.elem, at, unsafe);
    if (!c) return undefined;
    convs.set(n, c);
  }
  return (val, path) => {
    const elems = new Map<string, Value>();
    for (const [k, e] of val.entries()) {
      if (!(k in outT.attrs)) continue;
      const c = convs.get(k);
      elems.set(k, c ? c(e, [...path, { index: stringVal(k) }]) : e);
    }
    for (const n of Object.keys(outT.attrs)) {
      if (!elems.has(n)) {
        if (outT.optional?.has(n)) elems.set(n, nullVal(outT.attrs[n]));
        else fail(path, `attribute ${JSON.stringify(n)} is required`);
      }
    }
    return objectVal(elems);
  };
}

function objectToObject(inT: T.ObjectType, outT: T.ObjectType, unsafe: boolean): Conv | undefined {
  const convs = new Map<string, Conv | undefined>();
  const missingOptional: string[] = [];
  for (const [n, ot] of Object.entries(outT.attrs)) {
    const it = inT.attrs[n];
    if (it === undefined) {
      if (outT.optional?.has(n)) {
        missingOptional.push(n);
        continue;
      }
      return undefined;
    }
    if (T.typeEquals(it, ot)) {
      convs.set(n, undefined);
      continue;
    }
    const c = getConversion(it, ot, unsafe);
    if (!c) return undefined;
    convs.set(n, c);
  }
  return (val, path) => {
    const out = new Map<string, Value>();
    for (const [n, e] of val.entries()) {
      if (!convs.has(n)) continue;
      const c = convs.get(n);
      out.set(n, c ? c(e, [...path, { attr: n }]) : e);
    }
    for (const n of missingOptional) out.set(n, nullVal(outT.attrs[n]));
    return objectVal(out);
  };
}

function tupleToTuple(inT: T.TupleType, outT: T.TupleType, unsafe: boolean): Conv | undefined {
  if (inT.elems.length !== outT.elems.length) return undefined;
  const convs: Array<Conv | undefined> = [];
  for (let i = 0; i < outT.elems.length; i++) {
    if (T.typeEquals(inT.elems[i], outT.elems[i])) {
      convs.push(undefined);
      continue;
    }
    const c = getConversion(inT.elems[i], outT.elems[i], unsafe);
    if (!c) return undefined;
    convs.push(c);
  }
  return (val, path) => tupleVal(val.values().map((e, i) => (convs[i] ? convs[i]!(e, [...path, { index: numberIntVal(i) }]) : e)));
}

// ---------------------------------------------------------------------------
// public API

/** A safe conversion function from one type to another, if any. */
export function getSafeConversion(inT: Type, outT: Type): Conversion | undefined {
  const c = getConversion(inT, outT, false);
  return c && ((v) => c(v, []));
}
/** An unsafe conversion function (may fail at run time), if any. */
export function getUnsafeConversion(inT: Type, outT: Type): Conversion | undefined {
  const c = getConversion(inT, outT, true);
  return c && ((v) => c(v, []));
}

/** convert.Convert: the value as the wanted type, or a CtyError with cty's message. */
export function convert(v: Value, want: Type): Value {
  // any type, or the very primitive type: the value as it is
  if (want.kind === 'dynamic' || (v.type === want && T.isPrimitive(want))) return v;
  // a known, unmarked tuple whose elements all have the list's primitive element type (a
  // `[...]` literal passed where a list is wanted): the list of the same elements, as
  // tupleToCollection makes it, without building the conversion
  if (want.kind === 'list' && v.type.kind === 'tuple' && v.marks.size === 0 && T.isPrimitive(want.elem)) {
    const elems = v.raw;
    const etys = v.type.elems;
    if (Array.isArray(elems) && etys.length > 0) {
      let same = true;
      for (let i = 0; i < etys.length; i++) {
        if (etys[i] !== want.elem) {
          same = false;
          break;
        }
      }
      if (same) return listValOf(elems.slice(), want.elem);
    }
  }
  if (T.typeEquals(v.type, want) && !hasOptional(want)) return v;
  const c = getConversion(v.type, want, true);
  if (!c) throw new CtyError(mismatchMessage(v.type, want));
  return c(v, []);
}

/** Like convert but returns an error message instead of throwing. */
export function tryConvert(v: Value, want: Type): { value: Value } | { error: CtyError } {
  try {
    return { value: convert(v, want) };
  } catch (e) {
    if (e instanceof CtyError) return { error: e };
    throw e;
  }
}

function hasOptional(t: Type): boolean {
  switch (t.kind) {
    case 'object':
      return (t.optional?.size ?? 0) > 0 || Object.values(t.attrs).some(hasOptional);
    case 'list':
    case 'set':
    case 'map':
      return hasOptional(t.elem);
    case 'tuple':
      return t.elems.some(hasOptional);
    default:
      return false;
  }
}

/** Formats a CtyError from a conversion the way HCL/Terraform do when the
 * path is relevant: ".a[0]: a number is required" (empty path: message only). */
export function formatPathError(e: CtyError): string {
  if (e.path.length === 0) return e.message;
  return `${formatPath(e.path)}: ${e.message}`;
}
export function formatPath(path: PathStep[]): string {
  let s = '';
  for (const st of path) {
    if ('attr' in st) s += '.' + st.attr;
    else if (st.index.type.kind === 'string') s += `[${JSON.stringify(st.index.asString())}]`;
    else s += `[${st.index.asBigFloat().text('f', -1)}]`;
  }
  return s;
}

// ---------------------------------------------------------------------------
// mismatch messages (convert.MismatchMessage)

export function mismatchMessage(got: Type, want: Type): string {
  if (got.kind === 'object' && want.kind === 'object') return mismatchObjects(got, want);
  if (got.kind === 'tuple' && want.kind === 'list' && want.elem.kind === 'dynamic') return 'all list elements must have the same type';
  if (got.kind === 'tuple' && want.kind === 'set' && want.elem.kind === 'dynamic') return 'all set elements must have the same type';
  if (got.kind === 'object' && want.kind === 'map' && want.elem.kind === 'dynamic') return 'all map elements must have the same type';
  if (T.isStructural(got) && T.isCollection(want)) return mismatchFromStructural(got, want);
  if (T.isCollection(got) && T.isCollection(want)) return mismatchFromCollections(got, want);
  return T.friendlyNameForConstraint(want) + ' required';
}

function mismatchObjects(got: T.ObjectType, want: T.ObjectType): string {
  const missing: string[] = [];
  let unsafeMis = '';
  let safeMis = '';
  for (const [name, wt] of Object.entries(want.attrs)) {
    const gt = got.attrs[name];
    if (gt === undefined) {
      if (!want.optional?.has(name)) missing.push(name);
      continue;
    }
    if (unsafeMis) continue;
    if (!getConversion(gt, wt, true)) unsafeMis = `attribute ${JSON.stringify(name)}: ${mismatchMessage(gt, wt)}`;
    if (safeMis) continue;
    if (!getConversion(gt, wt, false)) safeMis = `attribute ${JSON.stringify(name)}: ${mismatchMessage(gt, wt)}`;
  }
  if (missing.length) {
    missing.sort(T.cmpStr);
    const q = missing.map((m) => JSON.stringify(m));
    if (q.length === 1) return `attribute ${q[0]} is required`;
    if (q.length === 2) return `attributes ${q[0]} and ${q[1]} are required`;
    return `attributes ${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]} are required`;
  }
  return unsafeMis || safeMis || 'incorrect object attributes';
}

function mismatchFromStructural(got: T.TupleType | T.ObjectType, want: T.ListType | T.SetType | T.MapType): string {
  if ((want.kind === 'list' || want.kind === 'set') && got.kind !== 'tuple') return T.friendlyNameForConstraint(want) + ' required';
  if (want.kind === 'map' && got.kind !== 'object') return T.friendlyNameForConstraint(want) + ' required';
  const wantE = want.elem;
  if (got.kind === 'tuple') {
    for (const [i, gt] of got.elems.entries()) {
      if (T.typeEquals(gt, wantE) || getConversion(gt, wantE, true)) continue;
      return `element ${i}: ${mismatchMessage(gt, wantE)}`;
    }
  } else {
    for (const [name, gt] of Object.entries(got.attrs)) {
      if (T.typeEquals(gt, wantE) || getConversion(gt, wantE, true)) continue;
      return `element ${JSON.stringify(name)}: ${mismatchMessage(gt, wantE)}`;
    }
  }
  return `all elements must be ${T.friendlyNameForConstraint(wantE)}`;
}

function mismatchFromCollections(got: T.ListType | T.SetType | T.MapType, want: T.ListType | T.SetType | T.MapType): string {
  if (want.kind === 'list' && !(got.kind === 'list' || got.kind === 'set')) return T.friendlyNameForConstraint(want) + ' required';
  if (want.kind === 'set' && !(got.kind === 'list' || got.kind === 'set')) return T.friendlyNameForConstraint(want) + ' required';
  if (want.kind === 'map' && got.kind !== 'map') return T.friendlyNameForConstraint(want) + ' required';
  const noun = `${want.kind} element type`;
  return `incorrect ${noun}: ${mismatchMessage(got.elem, want.elem)}`;
}

// ---------------------------------------------------------------------------
// unification (convert.Unify / UnifyUnsafe)

export interface Unified {
  type: Type;
  /** per input: conversion to the unified type, or undefined when already equal */
  conversions: Array<Conversion | undefined>;
}

/** Finds a single type all the given types convert to (safe conversions
 * unless `unsafe`), as HCL uses for conditionals and list/map construction. */
export function unifyTypes(types: readonly Type[], unsafe = false): Unified | undefined {
  if (types.length === 0) return undefined;
  let mapCt = 0;
  let objCt = 0;
  let tupCt = 0;
  let dynCt = 0;
  for (const t of types) {
    if (t.kind === 'map') mapCt++;
    else if (t.kind === 'object') objCt++;
    else if (t.kind === 'tuple') tupCt++;
    else if (t.kind === 'dynamic') dynCt++;
  }
  if (mapCt > 0 && mapCt + dynCt === types.length) return dynCt ? allDynamic(types) : unifyMaps(types as T.MapType[], unsafe);
  if (objCt > 0 && objCt + dynCt === types.length) return dynCt ? allDynamic(types) : unifyObjects(types as T.ObjectType[], unsafe);
  if (tupCt > 0 && tupCt + dynCt === types.length) return dynCt ? allDynamic(types) : unifyTuples(types as T.TupleType[], unsafe);
  if (objCt > 0 && tupCt > 0) return undefined;
  const order = sortTypes(types);
  outer: for (const wi of order) {
    const want = types[wi];
    const convs: Array<Conversion | undefined> = [];
    for (const [i, t] of types.entries()) {
      if (i === wi || T.typeEquals(t, want)) {
        convs.push(undefined);
        continue;
      }
      const c = unsafe ? getUnsafeConversion(t, want) : getSafeConversion(t, want);
      if (!c) continue outer;
      convs.push(c);
    }
    return { type: want, conversions: convs };
  }
  return undefined;
}

function convsTo(types: readonly Type[], ret: Type, unsafe: boolean): Array<Conversion | undefined> | undefined {
  const out: Array<Conversion | undefined> = [];
  for (const t of types) {
    if (T.typeEquals(t, ret)) {
      out.push(undefined);
      continue;
    }
    const c = unsafe ? getUnsafeConversion(t, ret) : getSafeConversion(t, ret);
    if (!c) return undefined;
    out.push(c);
  }
  return out;
}

function allDynamic(types: readonly Type[]): Unified {
  return { type: T.Dynamic, conversions: types.map(() => () => DynamicVal) };
}

function unifyMaps(types: T.MapType[], unsafe: boolean): Unified | undefined {
  const e = unifyTypes(types.map((t) => t.elem), unsafe);
  if (!e) return undefined;
  const ret = T.Map(e.type);
  const c = convsTo(types, ret, unsafe);
  return c ? { type: ret, conversions: c } : undefined;
}

function unifyObjects(types: T.ObjectType[], unsafe: boolean): Unified | undefined {
  const first = types[0].attrs;
  const fk = Object.keys(first);
  for (const t of types.slice(1)) {
    const k = Object.keys(t.attrs);
    if (k.length !== fk.length || k.some((n) => !(n in first))) return unifyObjectsToMap(types, unsafe);
  }
  const ret: Record<string, Type> = {};
  for (const n of fk) {
    const u = unifyTypes(types.map((t) => t.attrs[n]), unsafe);
    if (!u) return undefined;
    ret[n] = u.type;
  }
  const rt = T.Object_(ret);
  const c = convsTo(types, rt, unsafe);
  if (!c) return unifyObjectsToMap(types, unsafe);
  return { type: rt, conversions: c };
}

function unifyObjectsToMap(types: readonly T.ObjectType[] | readonly T.TupleType[], unsafe: boolean): Unified | undefined {
  const atys: Type[] = [];
  for (const t of types) {
    if (t.kind === 'object') atys.push(...Object.values(t.attrs));
  }
  const e = unifyTypes(atys, unsafe);
  if (!e) return undefined;
  const ret = T.Map(e.type);
  const c = convsTo(types, ret, unsafe);
  return c ? { type: ret, conversions: c } : undefined;
}

function unifyTuples(types: T.TupleType[], unsafe: boolean): Unified | undefined {
  const n = types[0].elems.length;
  if (types.some((t) => t.elems.length !== n)) return unifyTuplesToList(types, unsafe);
  const ret: Type[] = [];
  for (let i = 0; i < n; i++) {
    const u = unifyTypes(types.map((t) => t.elems[i]), unsafe);
    if (!u) return undefined;
    ret.push(u.type);
  }
  const rt = T.Tuple(ret);
  const c = convsTo(types, rt, unsafe);
  if (!c) return unifyTuplesToList(types, unsafe);
  return { type: rt, conversions: c };
}

function unifyTuplesToList(types: T.TupleType[], unsafe: boolean): Unified | undefined {
  const etys = types.flatMap((t) => t.elems);
  const e = unifyTypes(etys, unsafe);
  if (!e) return undefined;
  const ret = T.List(e.type);
  const c = convsTo(types, ret, unsafe);
  // cty falls back to unifyObjectTypesToMap here, which finds no attributes
  if (!c) return unifyObjectsToMap(types, unsafe);
  return { type: ret, conversions: c };
}

function compareTypes(a: Type, b: Type): number {
  if (a.kind === 'dynamic' || b.kind === 'dynamic') {
    if (a.kind !== 'dynamic') return -1;
    if (b.kind !== 'dynamic') return 1;
    return 0;
  }
  if (T.isPrimitive(a) && T.isPrimitive(b)) {
    if (a.kind === 'string' || b.kind === 'string') {
      if (a.kind !== 'string') return 1;
      if (b.kind !== 'string') return -1;
      return 0;
    }
  }
  if ((a.kind === 'list' && b.kind === 'list') || (a.kind === 'set' && b.kind === 'set') || (a.kind === 'map' && b.kind === 'map')) {
    return compareTypes(a.elem, (b as T.ListType).elem);
  }
  let swap = 1;
  if (
    (a.kind === 'tuple' && b.kind === 'list') ||
    (a.kind === 'object' && b.kind === 'map') ||
    (a.kind === 'set' && b.kind === 'tuple') ||
    (a.kind === 'set' && b.kind === 'list')
  ) {
    [a, b] = [b, a];
    swap = -1;
  }
  if (b.kind === 'set' && (a.kind === 'tuple' || a.kind === 'list')) return -1 * swap;
  if (a.kind === 'list' && b.kind === 'tuple') return -1 * swap;
  if (a.kind === 'map' && b.kind === 'object') return -1 * swap;
  const supers = (pairs: Array<[Type, Type]>): number => {
    let as = false;
    let bs = false;
    for (const [x, y] of pairs) {
      const c = compareTypes(x, y);
      if (c < 0) as = true;
      else if (c > 0) bs = true;
    }
    if (as && bs) return 0;
    if (as) return -1 * swap;
    if (bs) return 1 * swap;
    return 0;
  };
  if (a.kind === 'object' && b.kind === 'object') {
    const ka = Object.keys(a.attrs);
    if (ka.length !== Object.keys(b.attrs).length) return 0;
    if (ka.some((k) => !(k in (b as T.ObjectType).attrs))) return 0;
    return supers(ka.map((k) => [a.attrs[k], (b as T.ObjectType).attrs[k]]));
  }
  if (a.kind === 'tuple' && b.kind === 'tuple') {
    if (a.elems.length !== b.elems.length) return 0;
    return supers(a.elems.map((t, i) => [t, (b as T.TupleType).elems[i]]));
  }
  return 0;
}

function sortTypes(tys: readonly Type[]): number[] {
  const l = tys.length;
  const edges: number[][] = tys.map(() => []);
  for (let i = 0; i < l - 1; i++) {
    for (let j = i + 1; j < l; j++) {
      const c = compareTypes(tys[i], tys[j]);
      if (c < 0) edges[i].push(j);
      else if (c > 0) edges[j].push(i);
    }
  }
  const inDeg = new Array<number>(l).fill(0);
  for (const outs of edges) for (const j of outs) inDeg[j]++;
  const queue: number[] = [];
  for (let i = 0; i < l; i++) if (inDeg[i] === 0) queue.push(i);
  for (let q = 0; q < queue.length; q++) {
    for (const j of edges[queue[q]]) {
      inDeg[j]--;
      if (inDeg[j] === 0) queue.push(j);
    }
  }
  return queue;
}
