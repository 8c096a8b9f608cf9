/**
 * PostProcessor across the plugin boundary (Packer's rpc.postProcessor / rpc.PostProcessorServer).
 *   PostProcessor.ConfigSpec  nil -> {ConfigSpec: gob or protobuf hcldec spec}
 *   PostProcessor.Configure   {Configs} -> nil (a failure is the call's error text)
 *   PostProcessor.PostProcess a broker id serving "Artifact" and "Ui" ->
 *                             {Err: {Message} | nil, Keep, ForceOverride, StreamId (0: no artifact)}
 *   PostProcessor.Cancel      nil -> nil
 *
 * Public API
 *   new PostProcessorClient(rpc, broker)   implements PostProcessor. Err -> RemoteError; with
 *       StreamId 0 the result is {keep: false, forceOverride: false} as Packer's client returns.
 *   registerPostProcessor(server, pp, broker)   serves it under "PostProcessor"
 */
import type { Artifact } from '../../artifact.ts';
import type { PostProcessor, PostProcessResult } from '../../postprocessor.ts';
import type { Ui } from '../../ui.ts';
import type { MuxBroker } from '../broker.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { ArtifactClient, registerArtifact, serveArtifact } from './artifact.ts';
import { registerUi, UiClient } from './ui.ts';
import type { ObjectSpec } from '../hcl-spec.ts';
import { call, handle, Methods, type Encoding } from '../methods.ts';
import { basicError, callCancellable, CancelScope, configsOf, EMPTY_SPEC, serveOnNewId, streamId, throwIfBasicError, toWireConfig , servedSpec } from './wire.ts';

export class PostProcessorClient implements PostProcessor {
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker, readonly encoding: Encoding = 'gob') {}

  /** PostProcessor.ConfigSpec. */
  specOf(): Promise<ObjectSpec> { return call(this.rpc, Methods.PostProcessor.ConfigSpec, null, this.encoding); }

  async configure(...raws: unknown[]): Promise<void> {
    await call(this.rpc, Methods.PostProcessor.Configure, { Configs: raws.map(toWireConfig) });
  }

  async postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    signal.throwIfAborted();
    const { id } = serveOnNewId(this.broker, (s) => {
      registerArtifact(s, artifact);
      registerUi(s, ui);
    });
    const r = await callCancellable(this.rpc, Methods.PostProcessor.PostProcess, id, Methods.PostProcessor.Cancel, signal);
    throwIfBasicError(r?.Err);
    const sid = streamId(r?.StreamId);
    if (sid === 0) return { keep: false, forceOverride: false };
    return { artifact: await ArtifactClient.dial(this.broker, sid), keep: r?.Keep === true, forceOverride: r?.ForceOverride === true };
  }
}

export function registerPostProcessor(server: RpcServer, pp: PostProcessor, broker: MuxBroker, encoding: Encoding = 'gob'): void {
  const scope = new CancelScope();
  handle(server, Methods.PostProcessor, {
    ConfigSpec: () => servedSpec(pp.configSpec?.() ?? EMPTY_SPEC, encoding),
    async Configure(a) {
      await pp.configure(...configsOf(a));
      return null;
    },
    async PostProcess(id) {
      const rpc = await broker.dialRpc(streamId(id));
      const ui = new UiClient(rpc);
      const input = new ArtifactClient(rpc);
      let result: PostProcessResult;
      try {
        result = await pp.postProcess(ui, input, scope.signal);
      } catch (e) {
        await ui.flush();
        rpc.close();
        return { Err: basicError(e), Keep: false, ForceOverride: false, StreamId: 0 };
      }
      await ui.flush();
      const reply = { Err: null, Keep: !!result.keep, ForceOverride: !!result.forceOverride, StreamId: 0 };
      if (result.artifact) {
        const served = serveArtifact(broker, result.artifact);
        reply.StreamId = served.id;
        // The input artifact handed back: its connection lives as long as the new one is served.
        if (result.artifact === input) void served.done.then(() => rpc.close());
        else rpc.close();
      } else rpc.close();
      return reply;
    },
    Cancel: () => scope.cancel(),
  }, encoding);
}

