/**
 * packer-provisioner-write-file: uploads `content` to `path` through the builder's communicator,
 * then runs `command` (if any) there, showing its output.
 *
 *   { "type": "write-file", "path": "hello.txt", "content": "hi {{build_name}}\n", "command": "wc -c hello.txt" }
 */
import { Readable, Writable } from 'node:stream';
import { decodeConfig, objectSpec, type Communicator, type Provisioner, type Schema, type Ui } from '@packer-ts/sdk';

const schema: Schema = {
  path: { type: 'string', required: true },
  content: { type: 'string', default: '' },
  command: { type: 'string', default: '' },
};

interface Config { path: string; content: string; command: string }

/** A Writable that hands every complete line to `emit`. */
function lines(emit: (line: string) => void): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      rest += chunk.toString('utf8');
      const parts = rest.split('\n');
      rest = parts.pop()!;
      for (const p of parts) emit(p);
      cb();
    },
    final(cb) { if (rest) emit(rest); cb(); },
  });
}

export class WriteFileProvisioner implements Provisioner {
  private config!: Config;

  configSpec() { return objectSpec(schema, { packerConfig: true }); }

  async prepare(...raws: unknown[]): Promise<void> {
    this.config = decodeConfig<Config>(schema, raws).config;
  }

  async provision(ui: Ui, comm: Communicator | undefined, _data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    if (!comm) throw new Error('write-file needs a communicator');
    ui.say(`Uploading ${this.config.path} (${Buffer.byteLength(this.config.content)} bytes)`);
    await comm.upload(this.config.path, Readable.from([Buffer.from(this.config.content)]), { size: Buffer.byteLength(this.config.content) });
    if (this.config.command === '') return;
    ui.say(`Running: ${this.config.command}`);
    const out = lines((l) => ui.message(l));
    const err = lines((l) => ui.error(l));
    const code = await comm.start({ command: this.config.command, stdout: out, stderr: err }, signal);
    out.end();
    err.end();
    if (code !== 0) throw new Error(`command exited with status ${code}: ${this.config.command}`);
  }
}
