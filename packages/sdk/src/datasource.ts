import type { ObjectSpec } from './rpc/hcl-spec.ts';

/**
 * Datasource fetches data for a template (`data "TYPE" "NAME" { ... }`); its result is usable as
 * `data.TYPE.NAME.ATTR`. Mirrors Packer's `packer.Datasource`.
 *
 * `configSpec()` and `outputSpec()` describe the configuration and the result (derive both from
 * config Schemas with `objectSpec`); `configure` receives the raw configurations (later ones win)
 * and throws a `MultiError` listing every problem; `execute` returns the result as a plain object,
 * converted to the output spec's attribute types (as the Go SDK's `hcl2helper.HCL2ValueFromConfig`).
 */
export interface Datasource {
  configSpec(): ObjectSpec;
  outputSpec(): ObjectSpec;
  configure(...raws: unknown[]): Promise<void>;
  execute(): Promise<Record<string, unknown>>;
}
