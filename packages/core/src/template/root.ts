/**
 * The first stage of reading a template, as Packer's template.Parse does it:
 * mapstructure decodes the JSON value into its rawTemplate struct (strictly,
 * no weak conversions), and every value of the wrong shape is reported
 * together as `N error(s) decoding:` under the struct's field names
 * (Go's name where the field has no tag: `'Provisioners'`, `'Description'`).
 */
import { goFormatValue } from '@packer-ts/sdk';

/** mapstructure's reflect.Kind of a decoded JSON value. */
export function goKind(v: unknown): string {
  if (v === null || v === undefined) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  return Array.isArray(v) ? 'slice' : 'map';
}

/** The Go type of a decoded JSON value, as mapstructure names it. */
function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object' && v !== null) return 'map[string]interface {}';
  return goKind(v);
}

type Shape = 'string' | 'map' | 'list' | 'list-of-strings';

/** rawTemplate's typed fields (the others are interface{}): key in the template, name in errors, shape. */
const FIELDS: [key: string, name: string, shape: Shape][] = [
  ['min_packer_version', 'min_packer_version', 'string'],
  ['description', 'Description', 'string'],
  ['builders', 'builders', 'list'],
  ['push', 'Push', 'map'],
  ['post-processors', 'post-processors', 'list'],
  ['provisioners', 'Provisioners', 'list'],
  ['variables', 'Variables', 'map'],
  ['sensitive-variables', 'sensitive-variables', 'list-of-strings'],
];

const isMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The decoding errors of the template's root object (empty when every field has its shape). */
export function rootDecodeErrors(raw: Record<string, unknown>): string[] {
  const errs: string[] = [];
  for (const [key, name, shape] of FIELDS) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    const expectString = (x: unknown, at: string) => {
      if (typeof x !== 'string') errs.push(`'${at}' expected type 'string', got unconvertible type '${goTypeOf(x)}', value: '${goFormatValue(x, false)}'`);
    };
    switch (shape) {
      case 'string': expectString(v, name); break;
      case 'map': if (!isMap(v)) errs.push(`'${name}' expected a map, got '${goKind(v)}'`); break;
      default:
        if (!Array.isArray(v)) { errs.push(`'${name}': source data must be an array or slice, got ${goKind(v)}`); break; }
        if (shape === 'list-of-strings') v.forEach((x, i) => expectString(x, `${name}[${i}]`));
    }
  }
  return errs;
}
