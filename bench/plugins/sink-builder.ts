/** Benchmark builder: its communicator counts uploaded bytes and drops them. */
import type { Readable } from 'node:stream';
import { BasicArtifact, HookProvision, type Builder, type Communicator, type Hook, type Ui } from '../../packages/sdk/src/index.ts';
import { serveComponent } from '../../packages/sdk/src/plugin/index.ts';

class SinkCommunicator implements Communicator {
  bytes = 0;
  async start(): Promise<number> { return 0; }
  async upload(_path: string, input: Readable): Promise<void> {
    for await (const chunk of input) this.bytes += (chunk as Buffer).length;
  }
  async uploadDir(): Promise<void> {}
  async download(): Promise<void> {}
  async downloadDir(): Promise<void> {}
}

class SinkBuilder implements Builder {
  async prepare() { return {}; }
  async run(ui: Ui, hook: Hook, signal: AbortSignal) {
    const comm = new SinkCommunicator();
    await hook.run(HookProvision, ui, comm, {}, signal);
    return new BasicArtifact({ builderId: 'bench.sink', string: `received ${comm.bytes} bytes` });
  }
}

void serveComponent('builder', new SinkBuilder());
