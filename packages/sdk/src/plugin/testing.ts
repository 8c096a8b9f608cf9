/**
 * Testing a component through the real plugin protocol without starting a process: the component
 * is served on one end of an in-memory yamux connection and used through the client proxy on the
 * other, exactly as a core would (every call, Ui message, communicator stream and artifact crosses
 * the msgpack net/rpc layer).
 *
 *   import { connectInMemory } from '@packer-ts/sdk/plugin';
 *   const { client, close } = await connectInMemory('builder', new MyBuilder());
 *   await client.prepare({ ... });
 *   const artifact = await client.run(new RecordingUi(), hook, AbortSignal.timeout(10_000));
 *   await close();
 *
 * Public API
 *   connectInMemory(kind, impl, encoding?): Promise<{ client, close(), served }>
 *       client: BuilderClient | ProvisionerClient | PostProcessorClient | DatasourceClient (per kind);
 *       encoding 'gob' (default) or 'protobuf' (a plugin started with --protobuf)
 *       served: settles when the serving side ended; close(): closes both ends
 */
import { brokerPair } from '../rpc/pair.ts';
import { dialComponent, serveComponentOn, type ClientOf, type ComponentKind, type ComponentOf } from '../rpc/adapters/index.ts';
import type { Encoding } from '../rpc/methods.ts';

export interface InMemoryPlugin<K extends ComponentKind> {
  client: ClientOf[K];
  served: Promise<void>;
  close(): Promise<void>;
}

export async function connectInMemory<K extends ComponentKind>(kind: K, impl: ComponentOf[K], encoding: Encoding = 'gob'): Promise<InMemoryPlugin<K>> {
  const { client: core, server: plugin } = brokerPair();
  const served = serveComponentOn(plugin, kind, impl, 5000, encoding);
  served.catch(() => {});
  const client = await dialComponent(core, kind, encoding);
  return {
    client,
    served,
    async close() {
      core.close();
      plugin.close();
      await served.catch(() => {});
    },
  };
}
