/**
 * How the fixers see a template: as Packer's fixers decode it into typed
 * fields (builders as a list of maps, post-processors and provisioners as
 * lists), with the same decoding errors and the same "weak" conversions.
 */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function has(o: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Go's reflect kind of a decoded JSON value. */
export function kind(v: unknown): string {
  if (v === null || v === undefined) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** A decoding failure; its message is what `packer fix` prints after "Error fixing: ". */
export class DecodeError extends Error {
  constructor(points: string[]) {
    const sorted = points.map((p) => `* ${p}`).sort();
    super(`${points.length} error(s) decoding:\n\n${sorted.join('\n')}`);
  }
}

/** A struct field read from the map: exact key first, then a case-insensitive match. */
export function field(input: Obj, name: string): unknown {
  if (has(input, name)) return input[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(input)) if (k.toLowerCase() === lower) return input[k];
  return undefined;
}

/**
 * `builders` as a list of maps (strict decoding). Returns null when absent
 * (the fixers then write `"builders": null`); null entries stay null.
 */
export function strictBuilders(input: Obj): (Obj | null)[] | null {
  const raw = field(input, 'Builders');
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) throw new DecodeError([`'Builders': source data must be an array or slice, got ${kind(raw)}`]);
  const errs: string[] = [];
  raw.forEach((b, i) => {
    if (b !== null && !isObj(b)) errs.push(`'Builders[${i}]' expected a map, got '${kind(b)}'`);
  });
  if (errs.length > 0) throw new DecodeError(errs);
  // Decoding copies each map (not what it holds).
  return (raw as (Obj | null)[]).map((b) => (b === null ? null : { ...b }));
}

/** A field as a generic list (weak decoding): a new list holding the same values. */
export function weakList(input: Obj, name: string): unknown[] {
  const raw = field(input, name);
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) return [...raw];
  if (isObj(raw) && Object.keys(raw).length === 0) return [];
  // Any other value is lifted into a one-element list.
  return [raw];
}

/** The post-processors list (strict decoding), or undefined when the template has none. */
export function postProcessors(input: Obj): unknown[] | undefined {
  if (input['post-processors'] === undefined || input['post-processors'] === null) return undefined;
  const raw = field(input, 'post-processors');
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new DecodeError([`'post-processors': source data must be an array or slice, got ${kind(raw)}`]);
  return raw;
}

/** Every post-processor definition that is a map, in chains or not. */
export function ppList(pps: unknown[]): Obj[] {
  const out: Obj[] = [];
  for (const p of pps) {
    if (isObj(p)) out.push(p);
    else if (Array.isArray(p)) for (const inner of p) if (isObj(inner)) out.push(inner);
  }
  return out;
}

/** A string-typed value, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The builder's type when it is a string. */
export function typeOf(b: Obj | null): string | undefined {
  return b ? str(b.type) : undefined;
}
