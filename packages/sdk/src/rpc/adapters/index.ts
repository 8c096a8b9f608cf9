/**
 * Per-interface adapters over Packer's plugin RPC: for each SDK interface a client proxy (implements
 * the interface by calling the remote endpoint) and a server wrapper (serves an implementation under
 * Packer's endpoint and method names). Packer 1.6.6 registers no "Cache" service on the wire.
 *
 * Public API (besides each file's own)
 *   type ComponentKind = 'builder' | 'provisioner' | 'post-processor' | 'datasource'
 *   registerComponent(server, kind, impl, broker, encoding?)   the matching registerX
 *   serveComponentOn(broker, kind, impl, timeoutMs?, encoding?)  plugin side: accepts broker id 0
 *       and serves the component on it; resolves when the core closes that stream
 *   dialComponent(broker, kind, encoding?)          core side: dials id 0 and returns the client proxy
 *   (encoding: 'gob' unless the plugin was started with --protobuf)
 */
import type { Builder } from '../../builder.ts';
import type { Datasource } from '../../datasource.ts';
import type { Encoding } from '../methods.ts';
import type { PostProcessor } from '../../postprocessor.ts';
import type { Provisioner } from '../../provisioner.ts';
import type { MuxBroker } from '../broker.ts';
import { RpcServer, type RpcClient } from '../netrpc.ts';
import { BuilderClient, registerBuilder } from './builder.ts';
import { PostProcessorClient, registerPostProcessor } from './postprocessor.ts';
import { ProvisionerClient, registerProvisioner } from './provisioner.ts';
import { DatasourceClient, registerDatasource } from './datasource.ts';

export * from './wire.ts';
export * from './gob.ts';
export * from './ui.ts';
export * from './artifact.ts';
export * from './communicator.ts';
export * from './hook.ts';
export * from './builder.ts';
export * from './provisioner.ts';
export * from './postprocessor.ts';
export * from './datasource.ts';

export type ComponentKind = 'builder' | 'provisioner' | 'post-processor' | 'datasource';

export interface ComponentOf {
  builder: Builder;
  provisioner: Provisioner;
  'post-processor': PostProcessor;
  datasource: Datasource;
}

export interface ClientOf {
  builder: BuilderClient;
  provisioner: ProvisionerClient;
  'post-processor': PostProcessorClient;
  datasource: DatasourceClient;
}

export function registerComponent<K extends ComponentKind>(server: RpcServer, kind: K, impl: ComponentOf[K], broker: MuxBroker, encoding: Encoding = 'gob'): void {
  switch (kind) {
    case 'builder': registerBuilder(server, impl as Builder, broker, encoding); break;
    case 'provisioner': registerProvisioner(server, impl as Provisioner, broker, encoding); break;
    case 'post-processor': registerPostProcessor(server, impl as PostProcessor, broker, encoding); break;
    case 'datasource': registerDatasource(server, impl as Datasource, encoding); break;
    default: throw new Error(`unknown component kind: ${String(kind)}`);
  }
}

export async function serveComponentOn<K extends ComponentKind>(broker: MuxBroker, kind: K, impl: ComponentOf[K], timeoutMs = 5000, encoding: Encoding = 'gob'): Promise<void> {
  const server = new RpcServer();
  registerComponent(server, kind, impl, broker, encoding);
  await broker.serveRpc(0, server, timeoutMs);
}

export async function dialComponent<K extends ComponentKind>(broker: MuxBroker, kind: K, encoding: Encoding = 'gob'): Promise<ClientOf[K]> {
  return componentClient(await broker.dialRpc(0), broker, kind, encoding);
}

/** The client proxy of a component served on `rpc` (the stream of broker id 0). */
export function componentClient<K extends ComponentKind>(rpc: RpcClient, broker: MuxBroker, kind: K, encoding: Encoding = 'gob'): ClientOf[K] {
  switch (kind) {
    case 'builder': return new BuilderClient(rpc, broker, encoding) as ClientOf[K];
    case 'provisioner': return new ProvisionerClient(rpc, broker, encoding) as ClientOf[K];
    case 'post-processor': return new PostProcessorClient(rpc, broker, encoding) as ClientOf[K];
    case 'datasource': return new DatasourceClient(rpc, encoding) as ClientOf[K];
    default: throw new Error(`unknown component kind: ${String(kind)}`);
  }
}
