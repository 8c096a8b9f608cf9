/**
 * Builder across the plugin boundary (Packer's rpc.builder / rpc.BuilderServer, "Builder").
 *   Builder.ConfigSpec nil -> {ConfigSpec: gob or protobuf hcldec spec}
 *   Builder.Prepare {Configs} -> {GeneratedVars, Warnings, Error: {Message} | nil}
 *   Builder.Run     a broker id serving "Hook" and "Ui" -> the id of the served "Artifact" (0: none)
 *   Builder.Cancel  nil -> nil
 *
 * Public API
 *   new BuilderClient(rpc, broker, encoding?)   implements Builder. configSpec() decodes the spec;
 *       prepare() throws RemoteError with the remote's message when the reply carries an Error
 *       (the reply's Warnings attached: prepareWarnings(e));
 *       run() failures reject with RpcError (the remote's text); an abort of `signal` sends
 *       Builder.Cancel. The artifact is an ArtifactClient.
 *   registerBuilder(server, builder, broker, encoding?)   serves `builder` under "Builder"
 */
import type { Artifact } from '../../artifact.ts';
import { prepareWarnings, withPrepareWarnings, type Builder, type PrepareResult } from '../../builder.ts';
import type { Hook } from '../../hook.ts';
import type { Ui } from '../../ui.ts';
import type { MuxBroker } from '../broker.ts';
import type { ObjectSpec } from '../hcl-spec.ts';
import { call, handle, Methods, type Encoding } from '../methods.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { ArtifactClient, serveArtifact } from './artifact.ts';
import { HookClient, registerHook } from './hook.ts';
import { registerUi, UiClient } from './ui.ts';
import { basicError, callCancellable, CancelScope, configsOf, EMPTY_SPEC, serveOnNewId, streamId, throwIfBasicError, toWireConfig , servedSpec } from './wire.ts';

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map((x) => String(x)) : undefined;
}

export class BuilderClient implements Builder {
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker, readonly encoding: Encoding = 'gob') {}

  /** Builder.ConfigSpec. */
  specOf(): Promise<ObjectSpec> { return call(this.rpc, Methods.Builder.ConfigSpec, null, this.encoding); }

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    const r = await call(this.rpc, Methods.Builder.Prepare, { Configs: raws.map(toWireConfig) });
    const w = strings(r?.Warnings);
    try {
      throwIfBasicError(r?.Error);
    } catch (e) {
      // the reply carries the warnings along with the error: Packer shows both
      throw withPrepareWarnings(e, w ?? []);
    }
    const out: PrepareResult = {};
    const gv = strings(r?.GeneratedVars);
    if (gv) out.generatedVars = gv;
    if (w) out.warnings = w;
    return out;
  }

  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    signal.throwIfAborted();
    const { id } = serveOnNewId(this.broker, (s) => {
      registerHook(s, hook, this.broker);
      registerUi(s, ui);
    });
    const reply = await callCancellable(this.rpc, Methods.Builder.Run, id, Methods.Builder.Cancel, signal);
    const artifactId = streamId(reply);
    if (artifactId === 0) return undefined;
    return ArtifactClient.dial(this.broker, artifactId);
  }
}

export function registerBuilder(server: RpcServer, builder: Builder, broker: MuxBroker, encoding: Encoding = 'gob'): void {
  const scope = new CancelScope();
  handle(server, Methods.Builder, {
    ConfigSpec: () => servedSpec(builder.configSpec?.() ?? EMPTY_SPEC, encoding),
    async Prepare(a) {
      try {
        const r = await builder.prepare(...configsOf(a));
        return { GeneratedVars: r?.generatedVars ?? null, Warnings: r?.warnings ?? [], Error: null };
      } catch (e) {
        return { GeneratedVars: null, Warnings: prepareWarnings(e), Error: basicError(e) };
      }
    },
    async Run(uiHookId) {
      const rpc = await broker.dialRpc(streamId(uiHookId));
      const ui = new UiClient(rpc);
      let artifact: Artifact | undefined;
      try {
        artifact = await builder.run(ui, new HookClient(rpc, broker, () => ui.flush()), scope.signal);
      } finally {
        await ui.flush();
        rpc.close();
      }
      if (!artifact) return 0;
      return serveArtifact(broker, artifact).id;
    },
    Cancel: () => scope.cancel(),
  }, encoding);
}
