// cty's type system: primitive types, collection types (list, set, map),
// structural types (tuple, object with optional attributes) and the dynamic
// pseudo-type ("any").

export type Type =
  | PrimitiveType
  | DynamicType
  | ListType
  | SetType
  | MapType
  | TupleType
  | ObjectType;

export interface PrimitiveType {
  readonly kind: 'string' | 'number' | 'bool';
}
export interface DynamicType {
  readonly kind: 'dynamic';
}
export interface ListType {
  readonly kind: 'list';
  readonly elem: Type;
}
export interface SetType {
  readonly kind: 'set';
  readonly elem: Type;
}
export interface MapType {
  readonly kind: 'map';
  readonly elem: Type;
}
export interface TupleType {
  readonly kind: 'tuple';
  readonly elems: readonly Type[];
}
export interface ObjectType {
  readonly kind: 'object';
  /** attribute name -> type, names in sorted order */
  readonly attrs: Readonly<Record<string, Type>>;
  /** optional attribute names (type constraints only) */
  readonly optional?: ReadonlySet<string>;
  /** defaults for optional attributes (type constraints only; see typeexpr) */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

export const String: PrimitiveType = Object.freeze({ kind: 'string' });
export const Number: PrimitiveType = Object.freeze({ kind: 'number' });
export const Bool: PrimitiveType = Object.freeze({ kind: 'bool' });
/** cty.DynamicPseudoType, written `any` in type constraints. */
export const Dynamic: DynamicType = Object.freeze({ kind: 'dynamic' });

export function List(elem: Type): ListType {
  return { kind: 'list', elem };
}
export function Set(elem: Type): SetType {
  return { kind: 'set', elem };
}
export function Map(elem: Type): MapType {
  return { kind: 'map', elem };
}
export function Tuple(elems: readonly Type[]): TupleType {
  return { kind: 'tuple', elems };
}
export function Object_(attrs: Record<string, Type>, optional?: Iterable<string>): ObjectType {
  const sorted: Record<string, Type> = {};
  for (const k of sortNames(Object.keys(attrs))) sorted[k] = attrs[k];
  const opt = optional ? new globalThis.Set(optional) : undefined;
  return opt && opt.size > 0 ? { kind: 'object', attrs: sorted, optional: opt } : { kind: 'object', attrs: sorted };
}
/** An object type from attributes already inserted in cty's order (as Object_ inserts them). */
export function objectOfSorted(attrs: Record<string, Type>): ObjectType {
  return { kind: 'object', attrs };
}
/** Attribute names in cty's order (byte-wise sorted; JS objects put
 * integer-like keys first, so never rely on Object.keys order). */
export function attrNames(t: ObjectType): string[] {
  return sortNames(Object.keys(t.attrs));
}

// From the surrogates up, UTF-16 code units do not order as code points.
const NOT_CODE_POINT_ORDER = /[\ud800-\uffff]/;

/**
 * Sorts `names` in place in cty's order (cmpStr) and returns it. Names below the surrogates
 * (the usual) order as their code units do: the native sort, without a comparison call per pair.
 */
export function sortNames(names: string[]): string[] {
  for (let i = 0; i < names.length; i++) if (NOT_CODE_POINT_ORDER.test(names[i]!)) return names.sort(cmpStr);
  return names.sort();
}
export const EmptyObject: ObjectType = Object_({});
export const EmptyTuple: TupleType = Tuple([]);

/** Byte-wise comparison, like Go's string < (UTF-8 bytes, that is code points). */
export function cmpStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // below the surrogates, code units order as code points
    if (ca < 0xd800 && cb < 0xd800) return ca < cb ? -1 : 1;
    // from the code point this unit belongs to (a surrogate pair starting before i)
    const j = i > 0 && (a.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? i - 1 : i;
    return cmpCodePoints(a.slice(j), b.slice(j));
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function cmpCodePoints(a: string, b: string): number {
  const ia = [...a];
  const ib = [...b];
  const n = Math.min(ia.length, ib.length);
  for (let i = 0; i < n; i++) {
    const ca = ia[i]!.codePointAt(0)!;
    const cb = ib[i]!.codePointAt(0)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
  }
  return ia.length < ib.length ? -1 : ia.length > ib.length ? 1 : 0;
}

export function isPrimitive(t: Type): t is PrimitiveType {
  return t.kind === 'string' || t.kind === 'number' || t.kind === 'bool';
}
export function isCollection(t: Type): t is ListType | SetType | MapType {
  return t.kind === 'list' || t.kind === 'set' || t.kind === 'map';
}
export function isStructural(t: Type): t is TupleType | ObjectType {
  return t.kind === 'tuple' || t.kind === 'object';
}

/** Type equality (cty's Type.Equals). Optional-attribute markers count. */
export function typeEquals(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'list':
    case 'set':
    case 'map':
      return typeEquals(a.elem, (b as ListType).elem);
    case 'tuple': {
      const be = (b as TupleType).elems;
      return a.elems.length === be.length && a.elems.every((t, i) => typeEquals(t, be[i]));
    }
    case 'object': {
      const bo = b as ObjectType;
      const ka = Object.keys(a.attrs);
      const kb = Object.keys(bo.attrs);
      if (ka.length !== kb.length) return false;
      for (const k of ka) {
        if (!(k in bo.attrs) || !typeEquals(a.attrs[k], bo.attrs[k])) return false;
        if ((a.optional?.has(k) ?? false) !== (bo.optional?.has(k) ?? false)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

/** Whether the type contains the dynamic pseudo-type anywhere. */
export function hasDynamicTypes(t: Type): boolean {
  switch (t.kind) {
    case 'dynamic':
      return true;
    case 'list':
    case 'set':
    case 'map':
      return hasDynamicTypes(t.elem);
    case 'tuple':
      return t.elems.some(hasDynamicTypes);
    case 'object':
      return Object.values(t.attrs).some(hasDynamicTypes);
    default:
      return false;
  }
}

/** cty's FriendlyName ("list of string", "object", ...). */
export function friendlyName(t: Type): string {
  return friendly(t, false);
}
/** cty's FriendlyNameForConstraint ("any type", "list of any single type"). */
export function friendlyNameForConstraint(t: Type): string {
  return friendly(t, true);
}
function friendly(t: Type, constraint: boolean): string {
  switch (t.kind) {
    case 'dynamic':
      return constraint ? 'any type' : 'dynamic';
    case 'list':
    case 'set':
    case 'map': {
      const e = constraint && t.elem.kind === 'dynamic' ? 'any single type' : friendly(t.elem, constraint);
      return `${t.kind} of ${e}`;
    }
    default:
      return t.kind;
  }
}

/** HCL type-expression syntax for a type: `list(string)`, `object({a=number})`. */
export function typeString(t: Type): string {
  switch (t.kind) {
    case 'dynamic':
      return 'any';
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind}(${typeString(t.elem)})`;
    case 'tuple':
      return `tuple([${t.elems.map(typeString).join(', ')}])`;
    case 'object':
      return `object({${attrNames(t)
        .map((k) => {
          const s = typeString(t.attrs[k]);
          return `${k}=${t.optional?.has(k) ? `optional(${s})` : s}`;
        })
        .join(', ')}})`;
    default:
      return t.kind;
  }
}

/** Go-syntax name as cty's GoString prints it (cty.List(cty.String)). */
export function goString(t: Type): string {
  switch (t.kind) {
    case 'dynamic':
      return 'cty.DynamicPseudoType';
    case 'string':
      return 'cty.String';
    case 'number':
      return 'cty.Number';
    case 'bool':
      return 'cty.Bool';
    case 'list':
      return `cty.List(${goString(t.elem)})`;
    case 'set':
      return `cty.Set(${goString(t.elem)})`;
    case 'map':
      return `cty.Map(${goString(t.elem)})`;
    case 'tuple':
      return t.elems.length === 0 ? 'cty.EmptyTuple' : `cty.Tuple([]cty.Type{${t.elems.map(goString).join(', ')}})`;
    case 'object': {
      const ks = attrNames(t);
      if (ks.length === 0) return 'cty.EmptyObject';
      return `cty.Object(map[string]cty.Type{${ks.map((k) => `${JSON.stringify(k)}:${goString(t.attrs[k])}`).join(', ')}})`;
    }
  }
}

export function elementType(t: Type): Type {
  if (t.kind === 'list' || t.kind === 'set' || t.kind === 'map') return t.elem;
  throw new TypeError(`${friendlyName(t)} has no element type`);
}
