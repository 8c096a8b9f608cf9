/**
 * Schema-declared configuration decoding for components (Packer's
 * `config.Decode` + mapstructure + the `Prepare` error collection).
 */
import type { InterpolateContext } from '../template/interpolate/index.ts';
import type { PackerConfig } from '../packer-config.ts';
import type { CtyType } from '../rpc/cty-msgpack.ts';

/** Scalar and composite field types. */
export type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | 'float'
  /** Go duration string ("1m30s", "500ms"), or a number of nanoseconds; decoded to milliseconds (may be fractional). */
  | 'duration'
  | 'string[]'
  /**
   * Go's `[]byte`: a list of numbers, each a uint8 (a string is split at commas first, as
   * Packer's decoder does with every list); decoded to the string of those bytes (UTF-8).
   */
  | 'bytes'
  /** map of string -> string */
  | 'map'
  /** map of string -> anything JSON (Go's `map[string]interface {}`); values kept as given, not interpolated */
  | 'map-any'
  /** anything JSON; not interpolated */
  | 'any'
  | { array: FieldType | Schema }
  | { object: Schema };

export interface FieldSpec {
  type: FieldType;
  /** Missing or empty -> "<path> must be specified". */
  required?: boolean;
  default?: unknown;
  /** Allowed values of a string field. */
  oneOf?: string[];
  /** false: keep template text as is (rendered later, e.g. execute_command). Default true. */
  interpolate?: boolean;
  /** The property name in the decoded object; default: the key camelCased. */
  as?: string;
  /**
   * The name decoding errors give the field where Packer's Go field has no mapstructure tag:
   * mapstructure then names it by the Go field (`'Inline[0]' expected type 'string'`) while
   * it matches the key case-insensitively. Default: the key.
   */
  goName?: string;
  /**
   * The field's HCL2 spec where packer-sdc's default (`Required: false`, named by the key) does
   * not fit a hand-written Go spec: `name` is the attribute or block type name in templates
   * (the decoded value still comes under the key), `key` the spec's object key (default: the
   * key), `required` makes HCL2 require it, `type` is the attribute's cty type where the Go field's
   * type differs from the JSON decoder's (`[]byte` is `list(number)`, `[][]string` is
   * `list(list(string))`), `omit` leaves the field out of the spec (keys the core takes out of a
   * component's block before decoding it, such as a post-processor's `keep_input_artifact`).
   */
  hcl?: { name?: string; key?: string; required?: boolean; type?: CtyType; omit?: boolean };
}

/** Keys are the user-facing (snake_case) configuration keys. */
export type Schema = Record<string, FieldSpec>;

export interface DecodeOptions {
  /** Base interpolation context; user variables, build name/type and template path are filled from the packer_* raws. */
  ctx?: InterpolateContext;
  /** Interpolate strings (default true). */
  interpolate?: boolean;
  /**
   * The component as Packer's DecodeOpts.PluginType names it (a builder's id such as
   * `transcend.qemu`, or a provisioner's or post-processor's type): keys that `packer fix`
   * rewrites for it are reported as deprecated instead of unknown. Unset: never deprecated.
   */
  pluginType?: string;
}

export interface Decoded<T> {
  config: T;
  /** The packer_* settings found in the raws. */
  packer: PackerConfig;
  /** The interpolation context used (to render excluded fields later). */
  ctx: InterpolateContext;
}

export { decodeConfig, camelCase, propertyName } from './decode.ts';
export { parseGoDuration, formatGoDuration } from '../time.ts';
export { decodeStruct, decodingErrorText, DecodingError, formatFloatF, goJsonKind, goJsonType, goJsonValue, type StructDecoded, type StructFields, type StructFieldType } from './mapstructure.ts';
export { objectSpec, PACKER_CONFIG_SPEC, type HclSpec, type ObjectSpec } from '../rpc/hcl-spec.ts';
export { UNKNOWN, type CtyType, type CtyValue } from '../rpc/cty-msgpack.ts';
