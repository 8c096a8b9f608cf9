/**
 * Hook across the plugin boundary (Packer's rpc.hook / rpc.HookServer, endpoint "Hook").
 *   Hook.Run {Name, Data, StreamId} -> nil: the caller serves "Communicator" (when it has one) and
 *   "Ui" on StreamId; the server dials it. Hook.Cancel nil -> nil aborts the running hooks.
 *
 * Public API
 *   new HookClient(rpc, broker, before?) implements Hook; an abort of `signal` sends Hook.Cancel (an
 *       already aborted one too, after making the call, as the Go SDK)
 *   registerHook(server, hook, broker)  serves `hook` under "Hook". The hook receives a Ui proxy
 *       (flushed before the reply) and a Communicator proxy (always, as Packer: with no
 *       communicator on the other side its calls fail with "can't find service").
 */
import type { Communicator } from '../../communicator.ts';
import type { Hook } from '../../hook.ts';
import type { Ui } from '../../ui.ts';
import type { MuxBroker } from '../broker.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { CommunicatorClient, registerCommunicator } from './communicator.ts';
import { registerUi, UiClient } from './ui.ts';
import { handle, Methods } from '../methods.ts';
import { callCancellable, CancelScope, fromWire, serveOnNewId, streamId, toWire } from './wire.ts';

export class HookClient implements Hook {
  /** `before`: awaited before each call (the component's Ui output goes out first, as Go's synchronous Ui). */
  constructor(readonly rpc: RpcClient, readonly broker: MuxBroker, private readonly before?: () => Promise<void>) {}

  async run(name: string, ui: Ui, comm: Communicator | undefined, data: unknown, signal?: AbortSignal): Promise<void> {
    await this.before?.();
    const { id } = serveOnNewId(this.broker, (s) => {
      if (comm) registerCommunicator(s, comm, this.broker);
      registerUi(s, ui);
    });
    // Hook servers accept a Cancel before the Run (Go's HookServer and ours): as the Go SDK, an
    // already cancelled run is still made, with its Cancel.
    await callCancellable(this.rpc, Methods.Hook.Run, { Name: name, Data: toWire(data), StreamId: id }, Methods.Hook.Cancel, signal, { callWhenAborted: true });
  }
}

export function registerHook(server: RpcServer, hook: Hook, broker: MuxBroker): void {
  const scope = new CancelScope();
  handle(server, Methods.Hook, {
    async Run(a) {
      const rpc = await broker.dialRpc(streamId(a?.StreamId));
      const ui = new UiClient(rpc);
      try {
        await hook.run(String(a?.Name ?? ''), ui, new CommunicatorClient(rpc, broker, () => ui.flush()), fromWire(a?.Data ?? null), scope.signal);
      } finally {
        await ui.flush();
        rpc.close();
      }
      return null;
    },
    Cancel: () => scope.cancel(),
  });
}
