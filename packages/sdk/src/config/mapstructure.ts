/**
 * Decoding a JSON value into a fixed set of typed fields with the rules and
 * messages of Go's mitchellh/mapstructure (the version Packer 1.6.6 uses):
 * strict or weak conversions, keys matched exactly then case-insensitively,
 * and the error list "N error(s) decoding:\n\n* ..." (sorted).
 */
import { formatValue } from '../template/interpolate/gofmt.ts';
import { nanosFromNumber, parseGoDurationNs } from '../time.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The Go type a field decodes into. */
export type StructFieldType =
  | 'string'
  /** `*bool` */
  | 'bool'
  /** `time.Duration` with StringToTimeDurationHookFunc; decodes to nanoseconds (BigInt) */
  | 'duration'
  | '[]string'
  /** `[]interface{}` */
  | 'slice'
  /** `map[string]interface{}` */
  | 'map'
  /** `interface{}` */
  | 'any';

/** Field name as mapstructure reports it (the tag, or the Go field name) -> its type. */
export type StructFields = Record<string, StructFieldType>;

export interface StructDecoded {
  /** Decoded values by field name; absent (or null) input leaves a field out. */
  values: Record<string, unknown>;
  /** mapstructure's error lines, unsorted, without the "* ". */
  errors: string[];
  /** Keys of the input that no field used. */
  unused: string[];
}

/**
 * Go's type name of a decoded JSON value ("float64", "[]interface {}"). A map is
 * `map[string]interface {}` as encoding/json makes it; `via: 'rpc'` names it as a component's
 * config.Decode sees the values of its raws, which Packer hands over through its RPC
 * (gob): `map[interface {}]interface {}`.
 */
export function goJsonType(v: unknown, via: 'json' | 'rpc' = 'json'): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return via === 'rpc' ? 'map[interface {}]interface {}' : 'map[string]interface {}';
}

/** Go's %v of a decoded JSON value: every number is a float64 (`map[a:1e+06]`). */
export function goJsonValue(v: unknown): string {
  return formatValue(v, false, true);
}

/** Go's reflect kind of a decoded JSON value ("slice", "map", "float64"). */
export function goJsonKind(v: unknown): string {
  if (v === null || v === undefined) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  return goJsonType(v);
}

/** strconv.FormatFloat(f, 'f', -1, 64). */
export function formatFloatF(f: number): string {
  if (!Number.isFinite(f)) return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
  const s = String(f);
  if (!/e/i.test(s)) return s;
  const [m, e] = s.split('e');
  const exp = Number(e);
  const mant = m.replace('-', '');
  const digits = mant.replace('.', '');
  const dot = (mant.indexOf('.') < 0 ? mant.length : mant.indexOf('.')) + exp;
  const body = dot <= 0 ? '0.' + '0'.repeat(-dot) + digits : dot >= digits.length ? digits + '0'.repeat(dot - digits.length) : digits.slice(0, dot) + '.' + digits.slice(dot);
  return (f < 0 ? '-' : '') + body;
}

/** mapstructure's "N error(s) decoding:" text for a list of error lines. */
export function decodingErrorText(errors: string[]): string {
  const points = errors.map((e) => `* ${e}`).sort();
  return `${errors.length} error(s) decoding:\n\n${points.join('\n')}`;
}

/** The error mapstructure returns: its message is decodingErrorText(errors). */
export class DecodingError extends Error {
  constructor(readonly errors: string[]) {
    super(decodingErrorText(errors));
    this.name = 'DecodingError';
  }
}

class StructDecoder {
  errors: string[] = [];
  constructor(private weak: boolean) {}

  unconvertible(name: string, target: string, v: unknown): undefined {
    this.errors.push(`'${name}' expected type '${target}', got unconvertible type '${goJsonType(v)}', value: '${goJsonValue(v)}'`);
    return undefined;
  }

  value(type: StructFieldType, v: unknown, name: string): unknown {
    if (v === null || v === undefined) return undefined;
    switch (type) {
      case 'any': return v;
      case 'string':
        if (typeof v === 'string') return v;
        if (this.weak && typeof v === 'boolean') return v ? '1' : '0';
        if (this.weak && typeof v === 'number') return formatFloatF(v);
        return this.unconvertible(name, 'string', v);
      case 'bool':
        if (typeof v === 'boolean') return v;
        if (this.weak && typeof v === 'number') return v !== 0;
        if (this.weak && typeof v === 'string') {
          if (v === '') return false;
          if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
          if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
          this.errors.push(`cannot parse '${name}' as bool: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
          return undefined;
        }
        return this.unconvertible(name, 'bool', v);
      case 'duration':
        if (typeof v === 'string') {
          try { return parseGoDurationNs(v); } catch (e) { this.errors.push(`error decoding '${name}': ${(e as Error).message}`); return undefined; }
        }
        if (typeof v === 'number') return nanosFromNumber(v);
        if (this.weak && typeof v === 'boolean') return v ? 1n : 0n;
        return this.unconvertible(name, 'time.Duration', v);
      case '[]string':
      case 'slice': {
        let list: unknown[];
        if (Array.isArray(v)) list = v;
        else if (!this.weak) { this.errors.push(`'${name}': source data must be an array or slice, got ${goJsonKind(v)}`); return undefined; }
        else if (isObj(v) && Object.keys(v).length === 0) list = [];
        else list = [v];
        if (type === 'slice') return [...list];
        const out: string[] = [];
        let ok = true;
        list.forEach((x, i) => {
          const d = x === null ? '' : this.value('string', x, `${name}[${i}]`);
          if (d === undefined) ok = false;
          else out.push(d as string);
        });
        return ok ? out : undefined;
      }
      case 'map': {
        if (isObj(v)) return { ...v };
        if (this.weak && Array.isArray(v)) {
          // mapstructure merges a slice of maps into one map
          const out: Obj = {};
          let ok = true;
          v.forEach((x, i) => {
            if (x === null) return;
            if (!isObj(x)) { this.errors.push(`'${name}[${i}]' expected a map, got '${goJsonKind(x)}'`); ok = false; return; }
            Object.assign(out, x);
          });
          return ok ? out : undefined;
        }
        this.errors.push(`'${name}' expected a map, got '${goJsonKind(v)}'`);
        return undefined;
      }
    }
  }
}

/** Finds the key of `o` for field `name`: exact, else the first case-insensitive match. */
function findKey(o: Obj, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(o, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(o).find((k) => k.toLowerCase() === lower);
}

/**
 * Decodes `raw` into `fields` as mapstructure.Decode (or WeakDecode when
 * `weak`) would into a struct with those fields. A `raw` that is not a map
 * gives mapstructure's "'' expected a map, got 'KIND'".
 */
export function decodeStruct(raw: unknown, fields: StructFields, weak: boolean): StructDecoded {
  if (!isObj(raw)) {
    if (raw === null || raw === undefined) return { values: {}, errors: [], unused: [] };
    return { values: {}, errors: [`'' expected a map, got '${goJsonKind(raw)}'`], unused: [] };
  }
  const d = new StructDecoder(weak);
  const values: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const [name, type] of Object.entries(fields)) {
    const key = findKey(raw, name);
    if (key === undefined) continue;
    used.add(key);
    const v = d.value(type, raw[key], name);
    if (v !== undefined) values[name] = v;
  }
  return { values, errors: d.errors, unused: Object.keys(raw).filter((k) => !used.has(k)) };
}
