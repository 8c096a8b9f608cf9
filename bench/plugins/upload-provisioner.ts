/** Benchmark provisioner: uploads `megabytes` MB from memory and reports the time it took. */
import { Readable } from 'node:stream';
import type { Communicator, Provisioner, Ui } from '../../packages/sdk/src/index.ts';
import { serveComponent } from '../../packages/sdk/src/plugin/index.ts';

class UploadProvisioner implements Provisioner {
  private mb = 64;
  async prepare(...raws: unknown[]) {
    for (const r of raws) if (r && typeof r === 'object' && 'megabytes' in r) this.mb = Number((r as { megabytes: unknown }).megabytes);
  }
  async provision(ui: Ui, comm: Communicator | undefined) {
    const chunk = Buffer.alloc(1 << 20, 7);
    const total = this.mb;
    const input = Readable.from((function* () { for (let i = 0; i < total; i++) yield chunk; })(), { objectMode: false });
    const t0 = performance.now();
    await comm!.upload('/dev/null', input, { size: total << 20 });
    ui.say(`uploaded ${total << 20} bytes in ${(performance.now() - t0).toFixed(1)} ms`);
  }
}

void serveComponent('provisioner', new UploadProvisioner());
