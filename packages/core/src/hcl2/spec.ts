/**
 * HCL2 across the component boundary: a component's configuration spec, and a component block's
 * body decoded by it into the argument its Prepare/Configure receives (Packer 1.6.6's
 * hcl2template/decode.go `decodeHCL2Spec` = hcldec.Decode(body, component.ConfigSpec(), ectx)).
 *
 * Where the spec comes from:
 *   - a built-in, in-process: its `configSpec()` (derived from its config Schema by the SDK's
 *     `objectSpec`); a component without one accepts no attributes;
 *   - a plugin (our TS plugins or Packer's Go plugins): `Builder.ConfigSpec` /
 *     `Provisioner.ConfigSpec` / `PostProcessor.ConfigSpec` over RPC (the client proxies'
 *     `specOf()`), gob-encoded in Packer 1.6's protocol.
 * The SDK's wire model (`HclSpec`) becomes packages/hcl's `Spec` (hcldec's spec tree) for `decode`.
 *
 * What Prepare receives (Packer 1.6.6 sends `Prepare(builderVars, decoded)` for a source,
 * `Prepare(builderVars, decoded, override)` for a provisioner, `Configure(builderVars, decoded)` for
 * a post-processor; the caller adds the other arguments):
 *   - over RPC: the decoded cty.Value as cty JSON bytes with cty.DynamicPseudoType
 *     (`{"value":...,"type":...}`, packer-plugin-sdk/rpc/cty_encode.go `encodeCTYValues`); the
 *     plugin's config.Decode turns it back (ctyjson.SimpleJSONValue -> map[string]interface{});
 *   - in-process: that map directly: the value's JSON with unset attributes as null (the SDK's
 *     config decoder skips nulls), numbers as JS numbers, blocks as objects, block lists as arrays.
 *
 * Public API
 *   isRemoteComponent(c): boolean           a plugin client proxy (has `specOf()`), not an in-process object
 *   componentSpec(c): Promise<ObjectSpec>   the component's spec (configSpec() in-process, ConfigSpec over RPC)
 *   toHclSpec(s: HclSpec): Spec             the SDK's wire model as packages/hcl's Spec
 *   ctyTypeOf(t: CtyType): Type             the SDK's cty type form as packages/hcl's Type
 *   configArgument(v, remote): unknown      the decoded value as Prepare receives it (plain map | cty JSON bytes)
 *   plainConfig(v): unknown                 ctyjson.SimpleJSONValue of v, parsed (the in-process form)
 *   decodeBody(body, spec, ctx): { value, diags }            hcldec.Decode with an SDK spec
 *   decodeComponentConfig(c, body, ctx): Promise<DecodedConfig>
 *       spec fetch + decode + the argument for this component ({ value, config, diags };
 *       `config` is undefined when diags has errors)
 */
import { ctyTypeJSON, type ObjectSpec, type HclSpec, type CtyType } from '@packer-ts/sdk/rpc';
import { writeUnknownPlaceholders } from './unknowns.ts';
import { cty, decode, hasErrors, type Body, type Diagnostic, type EvalContext, type Spec } from '@packer-ts/hcl';

type Value = cty.Value;
type Type = cty.Type;

/** A component whose spec comes over RPC (BuilderClient, ProvisionerClient, PostProcessorClient). */
interface RemoteSpecSource { specOf(): Promise<ObjectSpec> }
/** An in-process component (Builder, Provisioner, PostProcessor of the SDK). */
interface LocalSpecSource { configSpec?(): ObjectSpec }

export function isRemoteComponent(c: object): c is RemoteSpecSource {
  return typeof (c as Partial<RemoteSpecSource>).specOf === 'function';
}

const EMPTY: ObjectSpec = { kind: 'object', attributes: {} };

export async function componentSpec(c: object): Promise<ObjectSpec> {
  if (isRemoteComponent(c)) return c.specOf();
  return (c as LocalSpecSource).configSpec?.() ?? EMPTY;
}

export function ctyTypeOf(t: CtyType): Type {
  // Both sides speak cty's JSON type form.
  return cty.unmarshalType(ctyTypeJSON(t));
}

export function toHclSpec(s: HclSpec): Spec {
  switch (s.kind) {
    case 'object': {
      const attrs: Record<string, Spec> = {};
      for (const [k, x] of Object.entries(s.attributes)) attrs[k] = toHclSpec(x);
      return { kind: 'object', attrs };
    }
    case 'attr': return { kind: 'attr', name: s.name, type: ctyTypeOf(s.type), required: s.required };
    case 'block': return { kind: 'block', typeName: s.typeName, nested: toHclSpec(s.nested), required: s.required };
    case 'block-list': return { kind: 'blockList', typeName: s.typeName, nested: toHclSpec(s.nested), minItems: s.minItems, maxItems: s.maxItems };
  }
}

export function decodeBody(body: Body, spec: ObjectSpec, ctx: EvalContext | undefined): { value: Value; diags: Diagnostic[] } {
  return decode(body, toHclSpec(spec), ctx);
}

export function plainConfig(v: Value): unknown {
  return JSON.parse(cty.marshalJson(v));
}

export function configArgument(v: Value, remote: boolean): unknown {
  return remote ? Buffer.from(cty.marshalJson(v, cty.DynamicType), 'utf8') : plainConfig(v);
}

export interface DecodedConfig {
  value: Value;
  /** The argument for Prepare/Configure; undefined when `diags` has errors. */
  config: unknown;
  diags: Diagnostic[];
}

export async function decodeComponentConfig(c: object, body: Body, ctx: EvalContext | undefined): Promise<DecodedConfig> {
  const spec = await componentSpec(c);
  const { value, diags } = decodeBody(body, spec, ctx);
  if (hasErrors(diags)) return { value, config: undefined, diags };
  // unknown values (validate: datasources not executed, build.*) reach the component as placeholders, as in Packer
  return { value, config: configArgument(writeUnknownPlaceholders(value), isRemoteComponent(c)), diags };
}
