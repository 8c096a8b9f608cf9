/**
 * Builder across the plugin boundary (Packer's rpc.builder / rpc.BuilderServer, "Builder").
 *   Builder.Prepare {Configs} -> {GeneratedVars, Warnings, Error: {Message} | nil}
 *   Builder.Run     a broker id serving "Hook" and "Ui" -> the id of the served "Artifact" (0: none)
 *   Builder.Cancel  nil -> nil
 *
 * Public API
 *   new BuilderClient(rpc, broker)   implements Builder. prepare() throws RemoteError with the
 *       remote's message when the reply carries an Error; run() failures reject with RpcError (the
 *       remote's text); an abort of `signal` sends Builder.Cancel. The artifact is an ArtifactClient.
 *   registerBuilder(server, builder, broker)   serves `builder` under "Builder"
 */
import type { Artifact } from '../../artifact.ts';
import type { Builder, PrepareResult } from '../../builder.ts';
import type { Hook } from '../../hook.ts';
import type { Ui } from '../../ui.ts';
import type { MuxBroker } from '../broker.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { ArtifactClient, serveArtifact } from './artifact.ts';
import { HookClient, registerHook } from './hook.ts';
import { registerUi, UiClient } from './ui.ts';
import { basicError, callCancellable, CancelScope, Endpoint, fromWire, serveOnNewId, streamId, throwIfBasicError, toWireConfig } from './wire.ts';

interface PrepareReply { GeneratedVars?: unknown; Warnings?: unknown; Error?: unknown }

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map((x) => String(x)) : undefined;
}

export class BuilderClient implements Builder {
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker) {}

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    const r = await this.rpc.call<PrepareReply | null>(`${Endpoint.Builder}.Prepare`, { Configs: raws.map(toWireConfig) });
    throwIfBasicError(r?.Error);
    const out: PrepareResult = {};
    const gv = strings(r?.GeneratedVars);
    const w = strings(r?.Warnings);
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
    const reply = await callCancellable<unknown>(this.rpc, `${Endpoint.Builder}.Run`, id, `${Endpoint.Builder}.Cancel`, signal);
    const artifactId = streamId(reply);
    if (artifactId === 0) return undefined;
    return ArtifactClient.dial(this.broker, artifactId);
  }
}

export function registerBuilder(server: RpcServer, builder: Builder, broker: MuxBroker): void {
  const scope = new CancelScope();
  server.register(Endpoint.Builder, {
    async Prepare(a: { Configs?: unknown[] } | null) {
      const configs = Array.isArray(a?.Configs) ? a!.Configs.map(fromWire) : [];
      try {
        const r = await builder.prepare(...configs);
        return { GeneratedVars: r?.generatedVars ?? null, Warnings: r?.warnings ?? [], Error: null };
      } catch (e) {
        return { GeneratedVars: null, Warnings: [], Error: basicError(e) };
      }
    },
    async Run(uiHookId: unknown) {
      const rpc = await broker.dialRpc(streamId(uiHookId));
      const ui = new UiClient(rpc);
      let artifact: Artifact | undefined;
      try {
        artifact = await builder.run(ui, new HookClient(rpc, broker), scope.signal);
      } finally {
        await ui.flush();
        rpc.close();
      }
      if (!artifact) return 0;
      return serveArtifact(broker, artifact).id;
    },
    Cancel: () => scope.cancel(),
  });
}

