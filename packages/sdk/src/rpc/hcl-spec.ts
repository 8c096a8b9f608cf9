/**
 * The HCL2 spec a component describes its configuration with (hcldec's ObjectSpec), derived from
 * the component's one configuration declaration (config Schema), and its two wire encodings:
 * gob (Packer 1.6-1.16 in gob mode) and the SDK's protobuf `Spec` message (`--protobuf`).
 *
 * Derivation follows packer-sdc's generated *.hcl2spec.go for the equivalent Go struct: every
 * attribute `Required: false`; string/duration -> cty.String, bool -> cty.Bool, int/float ->
 * cty.Number, string[] -> list(string), map -> map(string), any -> cty.DynamicPseudoType
 * ({array: T} -> list(T)); a nested object -> BlockSpec, a list of objects -> BlockListSpec, both
 * with an ObjectSpec inside. `packerConfig: true` adds common.PackerConfig's attributes (a builder or
 * post-processor whose Go config squashes PackerConfig). A field's `hcl` option names the attribute or
 * block type (and the object key) differently, makes it required (hand-written Go specs), gives the
 * Go field's cty type where the JSON decoder's type differs, or leaves the field out.
 *
 * Public API
 *   type HclSpec (object | attr | block | block-list), type ObjectSpec
 *   objectSpec(schema, { packerConfig? }): ObjectSpec
 *   PACKER_CONFIG_SPEC                    the attributes common.PackerConfig adds
 *   specToGob(spec, pkg?): Buffer         gob.NewEncoder(w).Encode(hcldec.ObjectSpec); nested ObjectSpecs
 *                                         named under `pkg` (default: the detected core's, hcldec-gob.ts)
 *   specFromGob(buf): ObjectSpec
 *   specToProtobuf(spec): Buffer          proto.Marshal(ToProto(spec)), map entries sorted by key
 *   specFromProtobuf(buf): ObjectSpec
 *   specLines(spec): string[]             "path kind k=v" lines (sdk-drive's transcript form)
 */
import type { FieldSpec, FieldType, Schema } from '../config/index.ts';
import { ctyTypeGob, ctyTypeGoType, ctyTypeJSON, decodeCtyTypeGob, type CtyType } from './cty-msgpack.ts';
import { HCLDEC_PACKAGE, hcldecGobPackage } from './hcldec-gob.ts';
import { gobDecode, gobEncode, GobInterface, goBool, goInt, goInterface, goMap, goString, goStruct, Iface } from './gob-codec.ts';

export type HclSpec =
  | { kind: 'object'; attributes: Record<string, HclSpec> }
  | { kind: 'attr'; name: string; type: CtyType; required: boolean }
  | { kind: 'block'; typeName: string; required: boolean; nested: HclSpec }
  | { kind: 'block-list'; typeName: string; nested: HclSpec; minItems: number; maxItems: number };
export type ObjectSpec = HclSpec & { kind: 'object' };

const attr = (name: string, type: CtyType): HclSpec => ({ kind: 'attr', name, type, required: false });

export const PACKER_CONFIG_SPEC: Record<string, HclSpec> = {
  packer_build_name: attr('packer_build_name', 'string'),
  packer_builder_type: attr('packer_builder_type', 'string'),
  packer_core_version: attr('packer_core_version', 'string'),
  packer_debug: attr('packer_debug', 'bool'),
  packer_force: attr('packer_force', 'bool'),
  packer_on_error: attr('packer_on_error', 'string'),
  packer_user_variables: attr('packer_user_variables', ['map', 'string']),
  packer_sensitive_variables: attr('packer_sensitive_variables', ['list', 'string']),
};

function isSchema(t: FieldType | Schema): t is Schema {
  if (typeof t !== 'object') return false;
  const keys = Object.keys(t);
  if (keys.length === 1 && (keys[0] === 'array' || keys[0] === 'object')) {
    const inner = (t as Record<string, unknown>)[keys[0]!];
    return !(inner !== null && typeof inner === 'object' && 'type' in inner && (typeof (inner as { type: unknown }).type === 'string' || typeof (inner as { type: unknown }).type === 'object'));
  }
  return true;
}

function ctyOf(t: FieldType): CtyType {
  if (typeof t === 'string') {
    switch (t) {
      case 'string': case 'duration': return 'string';
      case 'bool': return 'bool';
      case 'int': case 'float': return 'number';
      case 'string[]': return ['list', 'string'];
      case 'bytes': return ['list', 'number'];
      case 'map': return ['map', 'string'];
      case 'map-any': return ['map', 'dynamic'];
      case 'any': return 'dynamic';
    }
  }
  if ('array' in t && !isSchema(t.array)) return ['list', ctyOf(t.array as FieldType)];
  throw new Error('a block type has no attribute type');
}

function fieldSpec(key: string, f: FieldSpec): HclSpec {
  const t = f.type;
  const name = f.hcl?.name ?? key;
  const required = f.hcl?.required ?? false;
  if (typeof t === 'object') {
    if ('object' in t) return { kind: 'block', typeName: name, required, nested: objectSpec(t.object) };
    if (isSchema(t.array)) return { kind: 'block-list', typeName: name, nested: objectSpec(t.array), minItems: 0, maxItems: 0 };
  }
  return { kind: 'attr', name, type: f.hcl?.type ?? ctyOf(t), required };
}

export function objectSpec(schema: Schema, opts: { packerConfig?: boolean } = {}): ObjectSpec {
  const attributes: Record<string, HclSpec> = {};
  if (opts.packerConfig) Object.assign(attributes, PACKER_CONFIG_SPEC);
  for (const [key, spec] of Object.entries(schema)) if (!spec.hcl?.omit) attributes[spec.hcl?.key ?? key] = fieldSpec(key, spec);
  return { kind: 'object', attributes };
}

// ---- gob ----

const gObjectSpec = goMap('ObjectSpec', goString, goInterface);
const gAttrSpec = goStruct('AttrSpec', [{ name: 'Name', type: goString }, { name: 'Type', type: ctyTypeGoType }, { name: 'Required', type: goBool }]);
const gBlockSpec = goStruct('BlockSpec', [{ name: 'TypeName', type: goString }, { name: 'Nested', type: goInterface }, { name: 'Required', type: goBool }]);
const gBlockListSpec = goStruct('BlockListSpec', [
  { name: 'TypeName', type: goString }, { name: 'Nested', type: goInterface }, { name: 'MinItems', type: goInt }, { name: 'MaxItems', type: goInt },
]);

function objectEntries(s: ObjectSpec, pkg: string): [string, Iface][] {
  // A Go map has no order; entries go in key order.
  return Object.keys(s.attributes).sort().map((k) => [k, gobIface(s.attributes[k]!, pkg)]);
}

function gobIface(s: HclSpec, pkg: string): Iface {
  switch (s.kind) {
    case 'object': return new Iface(pkg + '.ObjectSpec', gObjectSpec, objectEntries(s, pkg));
    case 'attr': return new Iface('*hcldec.AttrSpec', gAttrSpec, { Name: s.name, Type: ctyTypeGob(s.type), Required: s.required });
    case 'block': return new Iface('*hcldec.BlockSpec', gBlockSpec, { TypeName: s.typeName, Nested: gobIface(s.nested, pkg), Required: s.required });
    case 'block-list':
      return new Iface('*hcldec.BlockListSpec', gBlockListSpec, { TypeName: s.typeName, Nested: gobIface(s.nested, pkg), MinItems: s.minItems, MaxItems: s.maxItems });
  }
}

/** `pkg`: the path the receiving core registered hcldec under (hcldec-gob.ts); matters for specs with blocks. */
export function specToGob(spec: ObjectSpec, pkg: string = hcldecGobPackage()): Buffer {
  return gobEncode(gObjectSpec, objectEntries(spec, pkg));
}

function specFromGobValue(v: unknown): HclSpec {
  if (v instanceof Map) {
    const attributes: Record<string, HclSpec> = {};
    for (const [k, x] of v) attributes[String(k)] = specFromGobValue(x);
    return { kind: 'object', attributes };
  }
  if (!(v instanceof GobInterface)) throw new Error('gob spec: expected an hcldec.Spec');
  const f = (v.value ?? {}) as Record<string, unknown>;
  // A core built in GOPATH mode from Packer's vendor tree names it by the vendored path.
  if (v.name.endsWith(HCLDEC_PACKAGE + '.ObjectSpec')) return specFromGobValue(v.value);
  switch (v.name) {
    case '*hcldec.AttrSpec':
      return { kind: 'attr', name: String(f.Name ?? ''), type: decodeCtyTypeGob(f.Type as Buffer), required: f.Required === true };
    case '*hcldec.BlockSpec':
      return { kind: 'block', typeName: String(f.TypeName ?? ''), required: f.Required === true, nested: specFromGobValue(f.Nested) };
    case '*hcldec.BlockListSpec':
      return { kind: 'block-list', typeName: String(f.TypeName ?? ''), nested: specFromGobValue(f.Nested), minItems: Number(f.MinItems ?? 0), maxItems: Number(f.MaxItems ?? 0) };
  }
  throw new Error(`gob spec: unsupported spec type ${v.name}`);
}

export function specFromGob(buf: Uint8Array): ObjectSpec {
  const s = specFromGobValue(gobDecode(buf));
  if (s.kind !== 'object') throw new Error('gob spec: not an object spec');
  return s;
}

// ---- protobuf (packer-plugin-sdk rpc/hcl_spec.proto) ----

class Pb {
  parts: number[] = [];
  varint(n: number): void { let v = n >>> 0; while (v >= 0x80) { this.parts.push((v & 0x7f) | 0x80); v >>>= 7; } this.parts.push(v); }
  tag(field: number, wire: number): void { this.varint((field << 3) | wire); }
  bytes(field: number, b: ArrayLike<number>): void { this.tag(field, 2); this.varint(b.length); for (let i = 0; i < b.length; i++) this.parts.push(b[i]!); }
  string(field: number, s: string): void { if (s !== '') this.bytes(field, Buffer.from(s, 'utf8')); }
  bool(field: number, b: boolean): void { if (b) { this.tag(field, 0); this.varint(1); } }
  message(field: number, inner: Pb): void { this.bytes(field, inner.parts); }
}

function ctyTypePb(t: CtyType): Pb {
  const p = new Pb();
  if (t === 'string' || t === 'number' || t === 'bool') {
    const prim = new Pb();
    prim.string(1, { string: 'cty.String', number: 'cty.Number', bool: 'cty.Bool' }[t]);
    p.message(1, prim);
    return p;
  }
  if (Array.isArray(t) && (t[0] === 'list' || t[0] === 'map')) {
    const inner = new Pb();
    inner.message(1, ctyTypePb(t[1]));
    p.message(t[0] === 'list' ? 2 : 3, inner);
    return p;
  }
  throw new Error(`unsupported cty.Type conversion to protobuf-compatible structure: ${ctyTypeJSON(t)}`);
}

function specPb(s: HclSpec): Pb {
  const p = new Pb();
  const inner = new Pb();
  switch (s.kind) {
    case 'object':
      for (const k of Object.keys(s.attributes).sort()) {
        const e = new Pb();
        e.string(1, k);
        e.message(2, specPb(s.attributes[k]!));
        inner.message(1, e);
      }
      p.message(1, inner);
      break;
    case 'attr':
      inner.string(1, s.name); inner.message(2, ctyTypePb(s.type)); inner.bool(3, s.required);
      p.message(2, inner);
      break;
    case 'block':
      inner.string(1, s.typeName); inner.bool(2, s.required); inner.message(3, specPb(s.nested));
      p.message(3, inner);
      break;
    case 'block-list':
      inner.string(1, s.typeName); inner.message(2, specPb(s.nested));
      p.message(4, inner);
      break;
  }
  return p;
}

export function specToProtobuf(spec: ObjectSpec): Buffer {
  return Buffer.from(specPb(spec).parts);
}

/** Fields of one protobuf message: number -> list of (varint | bytes). */
function pbFields(b: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const out = new Map<number, (number | Uint8Array)[]>();
  let pos = 0;
  const varint = (): number => {
    let v = 0, shift = 0;
    for (;;) {
      if (pos >= b.length) throw new Error('protobuf: truncated');
      const c = b[pos++]!;
      v += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return v;
      shift += 7;
    }
  };
  while (pos < b.length) {
    const key = varint();
    const field = Math.floor(key / 8), wire = key & 7;
    let val: number | Uint8Array;
    if (wire === 0) val = varint();
    else if (wire === 2) { const n = varint(); if (pos + n > b.length) throw new Error('protobuf: truncated'); val = b.subarray(pos, pos + n); pos += n; }
    else if (wire === 1) { pos += 8; continue; }
    else if (wire === 5) { pos += 4; continue; }
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(val);
  }
  return out;
}

const pbStr = (f: Map<number, (number | Uint8Array)[]>, n: number): string => {
  const v = f.get(n)?.at(-1);
  return v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : '';
};
const pbMsg = (f: Map<number, (number | Uint8Array)[]>, n: number): Uint8Array | undefined => {
  const v = f.get(n)?.at(-1);
  return v instanceof Uint8Array ? v : undefined;
};

function ctyTypeFromPb(b: Uint8Array | undefined): CtyType {
  if (!b) throw new Error('protobuf spec: missing type');
  const f = pbFields(b);
  const prim = pbMsg(f, 1);
  if (prim) {
    const s = pbStr(pbFields(prim), 1);
    const t = ({ 'cty.String': 'string', 'cty.Number': 'number', 'cty.Bool': 'bool' } as const)[s];
    if (!t) throw new Error(`unsupported cty.Type: ${s}`);
    return t;
  }
  const list = pbMsg(f, 2);
  if (list) return ['list', ctyTypeFromPb(pbMsg(pbFields(list), 1))];
  const map = pbMsg(f, 3);
  if (map) return ['map', ctyTypeFromPb(pbMsg(pbFields(map), 1))];
  throw new Error('protobuf spec: unsupported cty.Type');
}

function specFromPb(b: Uint8Array | undefined): HclSpec {
  if (!b) throw new Error('protobuf spec: missing spec');
  const f = pbFields(b);
  const obj = pbMsg(f, 1);
  if (obj) {
    const attributes: Record<string, HclSpec> = {};
    for (const e of pbFields(obj).get(1) ?? []) {
      const ef = pbFields(e as Uint8Array);
      attributes[pbStr(ef, 1)] = specFromPb(pbMsg(ef, 2));
    }
    return { kind: 'object', attributes };
  }
  const at = pbMsg(f, 2);
  if (at) { const a = pbFields(at); return { kind: 'attr', name: pbStr(a, 1), type: ctyTypeFromPb(pbMsg(a, 2)), required: a.get(3)?.at(-1) === 1 }; }
  const bl = pbMsg(f, 3);
  if (bl) { const a = pbFields(bl); return { kind: 'block', typeName: pbStr(a, 1), required: a.get(2)?.at(-1) === 1, nested: specFromPb(pbMsg(a, 3)) }; }
  const ls = pbMsg(f, 4);
  if (ls) { const a = pbFields(ls); return { kind: 'block-list', typeName: pbStr(a, 1), nested: specFromPb(pbMsg(a, 2)), minItems: 0, maxItems: 0 }; }
  throw new Error('protobuf spec: unsupported spec type');
}

export function specFromProtobuf(buf: Uint8Array): ObjectSpec {
  const s = specFromPb(buf);
  if (s.kind !== 'object') throw new Error('decoded HCL spec is not an object spec');
  return s;
}

/** sdk-drive's transcript lines for a spec: "path kind k=v...", sorted by path. */
export function specLines(spec: HclSpec, prefix = ''): string[] {
  const out: string[] = [];
  const one = (path: string, s: HclSpec): void => {
    switch (s.kind) {
      case 'attr': out.push(`${path} attr name=${JSON.stringify(s.name)} type=${ctyTypeJSON(s.type)} required=${s.required}`); break;
      case 'block': out.push(`${path} block type_name=${JSON.stringify(s.typeName)} required=${s.required}`); out.push(...specLines(s.nested, path + '.')); break;
      case 'block-list': out.push(`${path} block_list type_name=${JSON.stringify(s.typeName)} min=${s.minItems} max=${s.maxItems}`); out.push(...specLines(s.nested, path + '.')); break;
      case 'object': out.push(...specLines(s, path + '.')); break;
    }
  };
  if (spec.kind === 'object') for (const k of Object.keys(spec.attributes).sort()) one(prefix + k, spec.attributes[k]!);
  else one(prefix.replace(/\.$/, ''), spec);
  return out;
}
