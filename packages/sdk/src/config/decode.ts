import { DecodeError, MultiError } from '../errors.ts';
import { unusedKeyError } from './deprecated.ts';
import { addSecret } from '../secrets.ts';
import type { PackerConfig } from '../packer-config.ts';
import { InterpolationError, render, validateTemplate } from '../template/interpolate/render.ts';
import { isPlaceholderData } from '../template/interpolate/funcs.ts';
import { formatValue } from '../template/interpolate/gofmt.ts';
import type { InterpolateContext } from '../template/interpolate/index.ts';
import { parseGoDuration } from '../time.ts';
import { formatFloatF, goJsonKind, goJsonType, goJsonValue } from './mapstructure.ts';
import type { Decoded, DecodeOptions, FieldSpec, FieldType, Schema } from './index.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** `keep_input_artifact` -> `keepInputArtifact`. */
export function camelCase(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The property name a field decodes to. */
export function propertyName(key: string, spec: FieldSpec): string {
  return spec.as ?? camelCase(key);
}

function isFieldSpec(v: unknown): boolean {
  if (!isObj(v) || !has(v, 'type')) return false;
  const t = v.type;
  return typeof t === 'string' || (isObj(t) && !has(t, 'type'));
}

/** A Schema used as element type of {array}, as opposed to a FieldType. */
function isSchemaType(t: FieldType | Schema): t is Schema {
  if (typeof t !== 'object') return false;
  const keys = Object.keys(t);
  if (keys.length === 1 && (keys[0] === 'array' || keys[0] === 'object')) return isFieldSpec((t as Obj)[keys[0]]);
  return true;
}

/** Go type name of the target, for mapstructure-like messages. */
function goTargetName(t: FieldType): string {
  if (typeof t === 'string') {
    switch (t) {
      case 'string': return 'string';
      case 'bool': return 'bool';
      case 'int': return 'int';
      case 'float': return 'float64';
      case 'duration': return 'time.Duration';
      case 'string[]': return '[]string';
      case 'bytes': return '[]uint8';
      case 'map': return 'map[string]string';
      case 'map-any': return 'map[string]interface {}';
      case 'any': return 'interface {}';
    }
  }
  return 'array' in t ? '[]' + (isSchemaType(t.array) ? 'struct' : goTargetName(t.array)) : 'struct';
}

/** Finds the key of `o` matching `key` exactly, else case-insensitively (as mapstructure does). */
function findKey(o: Obj, key: string): string | undefined {
  if (has(o, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(o).find((k) => k.toLowerCase() === lower);
}

/** Merges raw values for one field, later wins; objects and maps merge key by key. */
function mergeValue(type: FieldType, prev: unknown, next: unknown): unknown {
  if (prev === undefined) return next;
  if (next === undefined) return prev;
  if (typeof type === 'object' && 'object' in type && isObj(prev) && isObj(next)) {
    const out: Obj = { ...prev };
    for (const [k, v] of Object.entries(next)) {
      const spec = type.object[k] ?? type.object[Object.keys(type.object).find((s) => s.toLowerCase() === k.toLowerCase()) ?? ''];
      const pk = findKey(out, k) ?? k;
      out[pk] = spec ? mergeValue(spec.type, out[pk], v) : v;
    }
    return out;
  }
  if ((type === 'map' || type === 'map-any') && isObj(prev) && isObj(next)) return { ...prev, ...next };
  return next;
}

class Decoder {
  /** Values that do not decode into their fields (and required/oneOf failures). */
  errors: Error[] = [];
  /** Template errors in strings; Packer reports the first alone, before decoding. */
  interpolation: Error[] = [];
  /** Keys no field takes, with their paths. */
  unused: string[] = [];
  /** The top-level key, as written, of the field being decoded: Packer's template errors name it alone. */
  private templateKey = '';
  constructor(private ctx: InterpolateContext, private interpolate: boolean) {}

  fail(msg: string): undefined { this.errors.push(new Error(msg)); return undefined; }
  private failTemplate(msg: string): undefined { this.interpolation.push(new Error(msg)); return undefined; }

  /** Renders a string (or validates it when `doRender` is false), reporting errors at the field's top-level key. */
  str(s: string, doRender: boolean): string | undefined {
    if (!this.interpolate || !s.includes('{{')) return s;
    try {
      validateTemplate(s, this.ctx);
    } catch (e) {
      return this.failTemplate(`invalid '${this.templateKey}': ${(e as Error).message} in:\n\n${s}`);
    }
    if (!doRender) return s;
    try {
      return render(s, this.ctx);
    } catch (e) {
      if (e instanceof InterpolationError) return this.failTemplate(`render '${this.templateKey}': ${e.message} in:\n\n${s}`);
      throw e;
    }
  }

  unconvertible(path: string, type: FieldType | 'uint8', v: unknown): undefined {
    const target = type === 'uint8' ? type : goTargetName(type);
    return this.fail(`'${path}' expected type '${target}', got unconvertible type '${goJsonType(v, 'rpc')}', value: '${goJsonValue(v)}'`);
  }

  /** Decodes one value of `type`; undefined on error (already reported). */
  value(type: FieldType, v: unknown, path: string, doRender: boolean): unknown {
    if (typeof v === 'string' && type !== 'any') {
      const r = this.str(v, doRender);
      if (r === undefined) return undefined;
      v = r;
    }
    if (typeof type === 'object') {
      if ('object' in type) return this.object(type.object, v, path, doRender);
      return this.array(type.array, v, path, doRender);
    }
    switch (type) {
      case 'any': return v;
      case 'string':
        if (typeof v === 'string') return v;
        if (typeof v === 'boolean') return v ? '1' : '0';
        if (typeof v === 'number') return formatFloatF(v);
        return this.unconvertible(path, type, v);
      case 'int': {
        if (typeof v === 'number') return Math.trunc(v);
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string') {
          if (v === '') return 0;
          const n = parseGoInt(v);
          if (n === undefined) return this.fail(`cannot parse '${path}' as int: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
          return n;
        }
        return this.unconvertible(path, type, v);
      }
      case 'float': {
        if (typeof v === 'number') return v;
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string') {
          if (v === '') return 0;
          const t = v.replace(/_/g, '');
          const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity)$|^nan$/i.test(t) ? Number(t.replace(/inf(inity)?/i, 'Infinity').replace(/^nan$/i, 'NaN')) : NaN;
          if (Number.isNaN(n) && !/^nan$/i.test(t)) return this.fail(`cannot parse '${path}' as float: strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
          return n;
        }
        return this.unconvertible(path, type, v);
      }
      case 'bool': {
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number') return v !== 0;
        if (typeof v === 'string') {
          if (v === '') return false;
          if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
          if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
          return this.fail(`cannot parse '${path}' as bool: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
        }
        return this.unconvertible(path, type, v);
      }
      case 'duration': {
        // an int64 of nanoseconds: a number truncates, a bool is 1 or 0 (weak)
        if (typeof v === 'number') return Math.trunc(v) / 1e6;
        if (typeof v === 'boolean') return v ? 1e-6 : 0;
        if (typeof v === 'string') {
          try { return parseGoDuration(v) / 1e6; } catch (e) { return this.fail(`error decoding '${path}': ${(e as Error).message}`); }
        }
        return this.unconvertible(path, type, v);
      }
      case 'string[]': return this.array('string', v, path, doRender);
      case 'bytes': {
        const bytes: number[] = [];
        let ok = true;
        lift(v).forEach((x, i) => {
          const b = x === null ? 0 : this.uint8(x, `${path}[${i}]`, doRender);
          if (b === undefined) ok = false;
          else bytes.push(b);
        });
        return ok ? Buffer.from(bytes).toString('utf8') : undefined;
      }
      case 'map':
      case 'map-any': {
        if (Array.isArray(v)) {
          // weak: a list of maps (or of such lists) merges into one map, [] is {}; mapstructure
          // stops at the first element that does not decode
          const merged: Record<string, unknown> = {};
          for (let i = 0; i < v.length; i++) {
            if (v[i] === null) continue;
            const d = this.value(type, v[i], `${path}[${i}]`, doRender);
            if (d === undefined) return undefined;
            Object.assign(merged, d);
          }
          return merged;
        }
        if (!isObj(v)) return this.fail(`'${path}' expected a map, got '${goJsonKind(v)}'`);
        if (type === 'map-any') return { ...v };
        const out: Record<string, string> = {};
        // mapstructure names an entry by its key's reflect.Value; the interface {} keys of a map
        // that came through Packer's RPC print as "<interface {} Value>"
        const at = `${path}[<interface {} Value>]`;
        let ok = true;
        for (const [k0, x] of Object.entries(v)) {
          const k = this.str(k0, doRender);
          const d = x === null ? '' : this.value('string', x, at, doRender);
          if (k === undefined || d === undefined) { ok = false; continue; }
          out[k] = d as string;
        }
        return ok ? out : undefined;
      }
    }
  }

  /** One element of a []uint8 (mapstructure's decodeUint, weak). */
  private uint8(v: unknown, path: string, doRender: boolean): number | undefined {
    if (typeof v === 'string') {
      const r = this.str(v, doRender);
      if (r === undefined) return undefined;
      const n = parseGoUint(r === '' ? '0' : r, 8);
      if (typeof n === 'string') return this.fail(`cannot parse '${path}' as uint: strconv.ParseUint: parsing ${JSON.stringify(r)}: ${n}`);
      return n;
    }
    // Go converts to uint64, then keeps the low 8 bits
    if (typeof v === 'number') return Number.isFinite(v) ? Number(BigInt.asUintN(8, BigInt(Math.trunc(v)))) : 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return this.unconvertible(path, 'uint8', v);
  }

  array(elem: FieldType | Schema, v: unknown, path: string, doRender: boolean): unknown {
    const et: FieldType = isSchemaType(elem) ? { object: elem } : elem;
    const out: unknown[] = [];
    let ok = true;
    lift(v).forEach((x, i) => {
      // a null element stays the element type's zero value
      const d = x === null ? zeroOf(et) : this.value(et, x, `${path}[${i}]`, doRender);
      if (d === undefined) ok = false;
      out.push(d);
    });
    return ok ? out : undefined;
  }

  object(schema: Schema, v: unknown, path: string, doRender: boolean): unknown {
    if (!isObj(v)) return this.fail(`'${path}' expected a map, got '${goJsonKind(v)}'`);
    return this.fields(schema, v, path ? path + '.' : '', doRender);
  }

  /** Decodes the fields of `schema` from `raw`; `prefix` is the path of the enclosing object plus ".". */
  fields(schema: Schema, raw: Obj, prefix: string, parentRender: boolean, topLevel = false): Obj {
    const out: Obj = {};
    const used = new Set<string>();
    for (const [key, spec] of Object.entries(schema)) {
      const rk = findKey(raw, key);
      if (rk !== undefined) used.add(rk);
      const path = prefix + key;
      let v = rk === undefined ? undefined : raw[rk];
      if (topLevel && rk !== undefined) this.templateKey = rk;
      if (v === null) v = undefined;
      const prop = propertyName(key, spec);
      const doRender = parentRender && spec.interpolate !== false;
      let d: unknown;
      if (v === undefined) {
        d = spec.default === undefined ? undefined : structuredClone(spec.default);
      } else {
        const before = this.errors.length + this.interpolation.length;
        d = this.value(spec.type, v, prefix + (spec.goName ?? key), doRender);
        if (this.errors.length + this.interpolation.length > before) continue;
      }
      if (d !== undefined && spec.oneOf && typeof d === 'string' && !spec.oneOf.includes(d)) {
        this.fail(`${path} must be one of ${spec.oneOf.map((s) => JSON.stringify(s)).join(', ')}; got ${JSON.stringify(d)}`);
        continue;
      }
      if (spec.required && isEmpty(d)) {
        this.fail(`${path} must be specified`);
        continue;
      }
      if (d !== undefined) out[prop] = d;
    }
    const unknown: string[] = [];
    for (const k of Object.keys(raw)) {
      if (used.has(k)) continue;
      if (topLevel && (k === 'type' || k.startsWith('packer_'))) continue;
      unknown.push(prefix + k);
    }
    this.unused.push(...unknown);
    return out;
  }
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * A value given for a list as Packer's decoder makes it a list: a string is split at commas
 * (Packer's StringToSliceHookFunc(","), "" is []), then mapstructure's weak rules: an empty
 * map is [], any other value that is no list is lifted into a one-element list.
 */
function lift(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v === '' ? [] : v.split(',');
  if (isObj(v) && Object.keys(v).length === 0) return [];
  return [v];
}

/** The zero value a null element of a list leaves. */
function zeroOf(t: FieldType): unknown {
  switch (t) {
    case 'string': case 'bytes': return '';
    case 'int': case 'float': case 'duration': return 0;
    case 'bool': return false;
    case 'any': return null;
    case 'string[]': return [];
    case 'map': case 'map-any': return {};
  }
  return 'array' in t ? [] : {};
}

/** strconv.ParseUint(s, 0, bits): the number, or the reason it is not one ("invalid syntax", "value out of range"). */
function parseGoUint(s: string, bits: number): number | string {
  const n = /^[+-]/.test(s) ? undefined : parseGoInt(s);
  if (n === undefined || Number.isNaN(n)) return 'invalid syntax';
  return n < 2 ** bits ? n : 'value out of range';
}

/** strconv.ParseInt(s, 0, 64). */
function parseGoInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[0-9][0-9_]*)$/.exec(s);
  if (!m) return undefined;
  let body = m[2].replace(/_/g, '');
  let base = 10;
  if (/^0[xX]/.test(body)) { base = 16; body = body.slice(2); } else if (/^0[bB]/.test(body)) { base = 2; body = body.slice(2); } else if (/^0[oO]/.test(body)) { base = 8; body = body.slice(2); } else if (body.length > 1 && body.startsWith('0')) { base = 8; body = body.slice(1); }
  const n = parseInt(body, base);
  return m[1] === '-' ? -n : n;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return formatValue(v, false);
}

/**
 * Merges `raws` (later keys win), interpolates strings, converts types
 * weakly like mapstructure and applies defaults. Problems come out as
 * Packer's config.Decode reports them, in stages: the first template error
 * alone; else every value of the wrong type (and missing required field)
 * in a DecodeError (`N error(s) decoding:`); else every unknown or
 * deprecated key in a MultiError (go-multierror's `N errors occurred:`).
 * Keys `packer fix` rewrites are "Deprecated configuration key" for the
 * components `opts.pluginType` names (Packer's DecodeOpts.PluginType).
 */
export function decodeConfig<T>(schema: Schema, raws: unknown[], opts: DecodeOptions = {}): Decoded<T> {
  const errors: Error[] = [];
  let list = raws.filter((r) => r !== undefined && r !== null);
  // A placeholder map of generated variables (provisioners, post-processors) is no setting: the
  // core sends it last, and a component may add raws after it (vagrant's provider override).
  const placeholder = list.filter(isPlaceholderData).pop();
  if (placeholder) list = list.filter((r) => !isPlaceholderData(r));
  const objs: Obj[] = [];
  for (const r of list) {
    if (isObj(r)) objs.push(r);
    else errors.push(new Error(`'' expected a map, got '${goJsonKind(r)}'`));
  }

  // packer_* settings. A null is no setting: HCL2 cores send every spec attribute, unset ones as
  // null (mapstructure skips nil values), after the core's own packer_* map.
  const given = (o: Obj, k: string): boolean => has(o, k) && o[k] !== null && o[k] !== undefined;
  const packer: PackerConfig = {
    buildName: '', builderType: '', coreVersion: '', debug: false, force: false, onError: '', templatePath: '',
    userVariables: {}, sensitiveVariables: [],
  };
  let sawUserVars = false;
  for (const o of objs) {
    if (given(o, 'packer_build_name')) packer.buildName = str(o.packer_build_name);
    if (given(o, 'packer_builder_type')) packer.builderType = str(o.packer_builder_type);
    if (given(o, 'packer_core_version')) packer.coreVersion = str(o.packer_core_version);
    if (given(o, 'packer_debug')) packer.debug = o.packer_debug === true || o.packer_debug === 'true' || o.packer_debug === 1;
    if (given(o, 'packer_force')) packer.force = o.packer_force === true || o.packer_force === 'true' || o.packer_force === 1;
    if (given(o, 'packer_on_error')) packer.onError = str(o.packer_on_error);
    if (given(o, 'packer_template_path')) packer.templatePath = str(o.packer_template_path);
    if (isObj(o.packer_user_variables)) {
      sawUserVars = true;
      for (const [k, v] of Object.entries(o.packer_user_variables)) packer.userVariables[k] = str(v);
    }
    if (Array.isArray(o.packer_sensitive_variables)) packer.sensitiveVariables = o.packer_sensitive_variables.map(str);
  }

  const base = opts.ctx ?? {};
  const ctx: InterpolateContext = {
    ...base,
    buildName: packer.buildName || base.buildName,
    buildType: packer.builderType || base.buildType,
    coreVersion: packer.coreVersion || base.coreVersion,
    templatePath: packer.templatePath || base.templatePath,
    userVariables: sawUserVars ? { ...(base.userVariables ?? {}), ...packer.userVariables } : base.userVariables,
    sensitiveVariables: packer.sensitiveVariables.length > 0 ? packer.sensitiveVariables : base.sensitiveVariables,
  };
  if (placeholder) {
    if (ctx.buildData === undefined) ctx.buildData = placeholder;
    if (ctx.data === undefined) ctx.data = placeholder;
  }
  for (const name of ctx.sensitiveVariables ?? []) {
    const v = ctx.userVariables?.[name];
    if (v !== undefined) addSecret(v);
  }

  // Packer interpolates each raw on its own before they merge (config.Decode: RenderMap per
  // raw), so a template error in a value a later raw overrides is still the error
  if (objs.length > 1 && opts.interpolate !== false) {
    for (const o of objs) {
      const each = new Decoder(ctx, true);
      each.fields(schema, o, '', true, true);
      if (each.interpolation.length > 0) throw each.interpolation[0]!;
    }
  }

  // Merge the raws per schema field: later raws win, objects and maps merge.
  const merged: Obj = {};
  for (const o of objs) {
    for (const [k, v] of Object.entries(o)) {
      const specKey = has(schema, k) ? k : Object.keys(schema).find((s) => s.toLowerCase() === k.toLowerCase());
      const mk = findKey(merged, k) ?? k;
      merged[mk] = specKey ? mergeValue(schema[specKey].type, merged[mk], v) : v;
    }
  }

  const dec = new Decoder(ctx, opts.interpolate !== false);
  const config = dec.fields(schema, merged, '', true, true);
  if (dec.interpolation.length > 0) throw dec.interpolation[0]!;
  errors.push(...dec.errors);
  DecodeError.throwIf(errors);
  MultiError.throwIf(dec.unused.sort().map((k) => unusedKeyError(k, opts.pluginType)));
  return { config: config as T, packer, ctx };
}
