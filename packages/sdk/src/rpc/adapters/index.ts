/**
 * Per-interface adapters over Packer's plugin RPC: for each SDK interface a client proxy (implements
 * the interface by calling the remote endpoint) and a server wrapper (serves an implementation under
 * Packer's endpoint and method names). Packer 1.6.6 registers no "Cache" service on the wire.
 *
 * Public API (besides each file's own)
 *   type ComponentKind = 'builder' | 'provisioner' | 'post-processor'
 *   registerComponent(server, kind, impl, broker)   the matching registerX
 *   serveComponentOn(broker, kind, impl, timeoutMs?)  plugin side: accepts broker id 0 and serves the
 *       component on it; resolves when the core closes that stream
 *   dialComponent(broker, kind)                     core side: dials id 0 and returns the client proxy
 */
import type { Builder } from '../../builder.ts';
import type { PostProcessor } from '../../postprocessor.ts';
import type { Provisioner } from '../../provisioner.ts';
import type { MuxBroker } from '../broker.ts';
import { RpcServer, type RpcClient } from '../netrpc.ts';
import { BuilderClient, registerBuilder } from './builder.ts';
import { PostProcessorClient, registerPostProcessor } from './postprocessor.ts';
import { ProvisionerClient, registerProvisioner } from './provisioner.ts';

export * from './wire.ts';
export * from './gob.ts';
export * from './ui.ts';
export * from './artifact.ts';
export * from './communicator.ts';
export * from './hook.ts';
export * from './builder.ts';
export * from './provisioner.ts';
export * from './postprocessor.ts';

export type ComponentKind = 'builder' | 'provisioner' | 'post-processor';

export interface ComponentOf {
  builder: Builder;
  provisioner: Provisioner;
  'post-processor': PostProcessor;
}

export interface ClientOf {
  builder: BuilderClient;
  provisioner: ProvisionerClient;
  'post-processor': PostProcessorClient;
}

export function registerComponent<K extends ComponentKind>(server: RpcServer, kind: K, impl: ComponentOf[K], broker: MuxBroker): void {
  switch (kind) {
    case 'builder': registerBuilder(server, impl as Builder, broker); break;
    case 'provisioner': registerProvisioner(server, impl as Provisioner, broker); break;
    case 'post-processor': registerPostProcessor(server, impl as PostProcessor, broker); break;
    default: throw new Error(`unknown component kind: ${String(kind)}`);
  }
}

export async function serveComponentOn<K extends ComponentKind>(broker: MuxBroker, kind: K, impl: ComponentOf[K], timeoutMs = 5000): Promise<void> {
  const server = new RpcServer();
  registerComponent(server, kind, impl, broker);
  await broker.serveRpc(0, server, timeoutMs);
}

export async function dialComponent<K extends ComponentKind>(broker: MuxBroker, kind: K): Promise<ClientOf[K]> {
  return componentClient(await broker.dialRpc(0), broker, kind);
}

/** The client proxy of a component served on `rpc` (the stream of broker id 0). */
export function componentClient<K extends ComponentKind>(rpc: RpcClient, broker: MuxBroker, kind: K): ClientOf[K] {
  switch (kind) {
    case 'builder': return new BuilderClient(rpc, broker) as ClientOf[K];
    case 'provisioner': return new ProvisionerClient(rpc, broker) as ClientOf[K];
    case 'post-processor': return new PostProcessorClient(rpc, broker) as ClientOf[K];
    default: throw new Error(`unknown component kind: ${String(kind)}`);
  }
}
