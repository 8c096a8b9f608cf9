/**
 * Provisioner across the plugin boundary (Packer's rpc.provisioner / rpc.ProvisionerServer).
 *   Provisioner.ConfigSpec nil -> {ConfigSpec: gob or protobuf hcldec spec}
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
import type { ObjectSpec } from '../hcl-spec.ts';
import { call, handle, Methods, type Encoding } from '../methods.ts';
import { asRecord, callCancellable, CancelScope, configsOf, EMPTY_SPEC, serveOnNewId, streamId, toWire, toWireConfig , servedSpec } from './wire.ts';

export class ProvisionerClient implements Provisioner {
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker, readonly encoding: Encoding = 'gob') {}

  /** Provisioner.ConfigSpec. */
  specOf(): Promise<ObjectSpec> { return call(this.rpc, Methods.Provisioner.ConfigSpec, null, this.encoding); }

  async prepare(...raws: unknown[]): Promise<void> {
    await call(this.rpc, Methods.Provisioner.Prepare, { Configs: raws.map(toWireConfig) });
  }

  async provision(ui: Ui, comm: Communicator | undefined, generatedData: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const { id } = serveOnNewId(this.broker, (s) => {
      if (comm) registerCommunicator(s, comm, this.broker);
      registerUi(s, ui);
    });
    await callCancellable(this.rpc, Methods.Provisioner.Provision, { GeneratedData: toWire(generatedData ?? {}), StreamID: id },
      Methods.Provisioner.Cancel, signal);
  }
}

export function registerProvisioner(server: RpcServer, p: Provisioner, broker: MuxBroker, encoding: Encoding = 'gob'): void {
  const scope = new CancelScope();
  handle(server, Methods.Provisioner, {
    ConfigSpec: () => servedSpec(p.configSpec?.() ?? EMPTY_SPEC, encoding),
    async Prepare(a) {
      await p.prepare(...configsOf(a));
      return null;
    },
    async Provision(a) {
      const rpc = await broker.dialRpc(streamId(a?.StreamID));
      const ui = new UiClient(rpc);
      try {
        await p.provision(ui, new CommunicatorClient(rpc, broker, () => ui.flush()), asRecord(a?.GeneratedData ?? {}), scope.signal);
      } finally {
        await ui.flush();
        rpc.close();
      }
      return null;
    },
    Cancel: () => scope.cancel(),
  }, encoding);
}
