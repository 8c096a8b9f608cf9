/**
 * Artifact across the plugin boundary (Packer's rpc.artifact / rpc.ArtifactServer, "Artifact").
 *   Artifact.BuilderId / Files / Id / String: nil -> string / []string; Artifact.State: a name ->
 *   interface{}; Artifact.Destroy: nil -> error: a failure is the reply {Message} (the Go SDK puts the
 *   error value in the reply, which Go clients cannot decode: they fail with "...is not assignable
 *   to type error"; ours read the message).
 *
 * Public API
 *   new ArtifactClient(rpc)                implements Artifact; close() ends its connection
 *   ArtifactClient.dial(broker, id)        dials the artifact a peer serves on `id`
 *   registerArtifact(server, artifact)     serves `artifact` under "Artifact"
 *   serveArtifact(broker, artifact)        serves it on a new broker id: { id, done }
 */
import type { Artifact } from '../../artifact.ts';
import type { MuxBroker } from '../broker.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { call, handle, Methods, type RpcMethod } from '../methods.ts';
import { basicError, fromWire, serveOnNewId, throwIfBasicError, toWire } from './wire.ts';

export class ArtifactClient implements Artifact {
  constructor(readonly rpc: RpcClient) {}

  static async dial(broker: MuxBroker, id: number): Promise<ArtifactClient> {
    return new ArtifactClient(await broker.dialRpc(id));
  }

  private async str(method: RpcMethod<null, unknown>): Promise<string> {
    const r = await call(this.rpc, method, null);
    return r === null || r === undefined ? '' : String(r);
  }
  builderId(): Promise<string> { return this.str(Methods.Artifact.BuilderId); }
  id(): Promise<string> { return this.str(Methods.Artifact.Id); }
  string(): Promise<string> { return this.str(Methods.Artifact.String); }
  async files(): Promise<string[]> {
    const r = await call(this.rpc, Methods.Artifact.Files, null);
    return Array.isArray(r) ? r.map((x) => String(x)) : [];
  }
  async state(name: string): Promise<unknown> {
    const r = fromWire(await call(this.rpc, Methods.Artifact.State, name));
    return r === null ? undefined : r;
  }
  async destroy(): Promise<void> {
    throwIfBasicError(await call(this.rpc, Methods.Artifact.Destroy, null));
  }
  close(): void { this.rpc.close(); }
}

export function registerArtifact(server: RpcServer, a: Artifact): void {
  handle(server, Methods.Artifact, {
    BuilderId: () => a.builderId(),
    Files: () => a.files(),
    Id: () => a.id(),
    String: () => a.string(),
    async State(name) { return toWire(await a.state(String(name ?? ''))); },
    async Destroy() {
      try { await a.destroy(); } catch (e) { return basicError(e); }
      return null;
    },
  });
}

export function serveArtifact(broker: MuxBroker, a: Artifact): { id: number; done: Promise<void> } {
  const { id, done } = serveOnNewId(broker, (s) => registerArtifact(s, a));
  return { id, done };
}
