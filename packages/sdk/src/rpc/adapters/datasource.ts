/**
 * Datasource across the plugin boundary (packer-plugin-sdk's rpc.datasource / DatasourceServer).
 *   Datasource.ConfigSpec / OutputSpec  nil -> {ConfigSpec | OutputSpec: gob or protobuf hcldec spec}
 *   Datasource.Configure {Configs} -> {Error}; a failure is also the call's error text (as the SDK)
 *   Datasource.Execute   nil -> {Value: gob cty.Value | cty msgpack (protobuf mode), Error};
 *                        a failure is the call's error text, which the client reports as
 *                        "Datasource.Execute failed: TEXT" (the Go SDK's words)
 *   Datasource.Cancel    nil -> nil
 *
 * Public API
 *   new DatasourceClient(rpc, encoding?)  specOf(), outputSpecOf(), configure(...raws),
 *       executeValue(): Promise<CtyValue> (the typed result), execute() (its plain value)
 *   registerDatasource(server, ds, encoding?)   serves `ds` under "Datasource"; execute()'s plain
 *       object becomes a value of the output spec's object type
 *   specType(spec): CtyType             the cty type a spec decodes to (hcldec.ImpliedType)
 */
import type { Datasource } from '../../datasource.ts';
import { convertTo, type CtyType, type CtyValue } from '../cty-msgpack.ts';
import type { HclSpec, ObjectSpec } from '../hcl-spec.ts';
import { call, handle, Methods, type Encoding } from '../methods.ts';
import { RpcError, type RpcClient, type RpcServer } from '../netrpc.ts';
import { configsOf, RemoteError, toWireConfig } from './wire.ts';

export function specType(spec: HclSpec): CtyType {
  switch (spec.kind) {
    case 'object': {
      const o: Record<string, CtyType> = {};
      for (const [k, s] of Object.entries(spec.attributes)) o[k] = specType(s);
      return ['object', o];
    }
    case 'attr': return spec.type;
    case 'block': return specType(spec.nested);
    case 'block-list': return ['list', specType(spec.nested)];
  }
}

export class DatasourceClient {
  constructor(readonly rpc: RpcClient, readonly encoding: Encoding = 'gob') {}

  specOf(): Promise<ObjectSpec> { return call(this.rpc, Methods.Datasource.ConfigSpec, null, this.encoding); }
  outputSpecOf(): Promise<ObjectSpec> { return call(this.rpc, Methods.Datasource.OutputSpec, null, this.encoding); }

  async configure(...raws: unknown[]): Promise<void> {
    const r = await call(this.rpc, Methods.Datasource.Configure, { Configs: raws.map(toWireConfig) });
    const e = r?.Error as { Message?: unknown } | null | undefined;
    if (e) throw new RemoteError(String(e.Message ?? ''));
  }

  async executeValue(): Promise<CtyValue> {
    let r;
    try {
      r = await call(this.rpc, Methods.Datasource.Execute, null, this.encoding);
    } catch (e) {
      // the Go SDK's client: a failed call (the plugin's Execute returned an error) is wrapped so
      if (e instanceof RpcError) throw new RemoteError(`Datasource.Execute failed: ${e.message}`);
      throw e;
    }
    if (r.error) throw new RemoteError(r.error.Message);
    return r.value ?? { type: 'dynamic', value: null };
  }

  async execute(): Promise<Record<string, unknown>> {
    return (await this.executeValue()).value as Record<string, unknown>;
  }
}

export function registerDatasource(server: RpcServer, ds: Datasource, encoding: Encoding = 'gob'): void {
  handle(server, Methods.Datasource, {
    ConfigSpec: () => ds.configSpec(),
    OutputSpec: () => ds.outputSpec(),
    async Configure(a) {
      await ds.configure(...configsOf(a));
      return { Error: null };
    },
    async Execute() {
      const out = await ds.execute();
      const type = specType(ds.outputSpec());
      return { value: { type, value: convertTo(type, out) }, error: null };
    },
    Cancel: () => null,
  }, encoding);
}
