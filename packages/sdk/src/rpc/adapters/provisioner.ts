/**
 * Provisioner across the plugin boundary (Packer's rpc.provisioner / rpc.ProvisionerServer).
 *   Provisioner.Prepare   {Configs} -> nil (a failure is the call's error text)
 *   Provisioner.Provision {GeneratedData, StreamID}: StreamID serves "Communicator" and "Ui" -> nil
 *   Provisioner.Cancel    nil -> nil
 *
 * Public API
 *   new ProvisionerClient(rpc, broker)   implements Provisioner (abort of `signal` -> Cancel)
 *   registerProvisioner(server, provisioner, broker)   serves it under "Provisioner"; the
 *       implementation gets a Ui proxy (flushed before the reply) and a Communicator proxy.
 */
import type { Communicator } from '../../communicator.ts';
import type { Provisioner } from '../../provisioner.ts';
import type { Ui } from '../../ui.ts';
import type { MuxBroker } from '../broker.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { CommunicatorClient, registerCommunicator } from './communicator.ts';
import { registerUi, UiClient } from './ui.ts';
import { asRecord, callCancellable, CancelScope, Endpoint, fromWire, serveOnNewId, streamId, toWire, toWireConfig } from './wire.ts';

export class ProvisionerClient implements Provisioner {
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker) {}

  async prepare(...raws: unknown[]): Promise<void> {
    await this.rpc.call(`${Endpoint.Provisioner}.Prepare`, { Configs: raws.map(toWireConfig) });
  }

  async provision(ui: Ui, comm: Communicator | undefined, generatedData: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { id } = serveOnNewId(this.broker, (s) => {
      if (comm) registerCommunicator(s, comm, this.broker);
      registerUi(s, ui);
    });
    await callCancellable(this.rpc, `${Endpoint.Provisioner}.Provision`, { GeneratedData: toWire(generatedData ?? {}), StreamID: id },
      `${Endpoint.Provisioner}.Cancel`, signal);
  }
}

export function registerProvisioner(server: RpcServer, p: Provisioner, broker: MuxBroker): void {
  const scope = new CancelScope();
  server.register(Endpoint.Provisioner, {
    async Prepare(a: { Configs?: unknown[] } | null) {
      await p.prepare(...(Array.isArray(a?.Configs) ? a!.Configs.map(fromWire) : []));
      return null;
    },
    async Provision(a: { GeneratedData?: unknown; StreamID?: number } | null) {
      const rpc = await broker.dialRpc(streamId(a?.StreamID));
      const ui = new UiClient(rpc);
      try {
        await p.provision(ui, new CommunicatorClient(rpc, broker), asRecord(a?.GeneratedData ?? {}), scope.signal);
      } finally {
        await ui.flush();
        rpc.close();
      }
      return null;
    },
    Cancel: () => scope.cancel(),
  });
}
