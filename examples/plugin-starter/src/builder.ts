/**
 * packer-builder-greeting: writes a greeting into a file and reports it as the artifact.
 *
 *   { "type": "greeting", "greeting": "Hello", "output": "greeting.txt" }
 *
 * Replace it with your builder: `prepare` validates the configuration (every problem at once,
 * with field names), `run` builds, runs the provisioners through the hook, returns an artifact.
 */
import { writeFile } from 'node:fs/promises';
import { BasicArtifact, decodeConfig, type Artifact, type Builder, type Hook, type PrepareResult, type Schema, type Ui } from '@packer-ts/sdk';

const schema: Schema = {
  greeting: { type: 'string', default: 'Hello' },
  output: { type: 'string', required: true },
};

interface Config { greeting: string; output: string }

export class GreetingBuilder implements Builder {
  private config!: Config;

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    this.config = decodeConfig<Config>(schema, raws).config;
    return { warnings: [] };
  }

  async run(ui: Ui, _hook: Hook, _signal: AbortSignal): Promise<Artifact | undefined> {
    ui.say(`Writing ${this.config.output}`);
    await writeFile(this.config.output, `${this.config.greeting}\n`);
    return new BasicArtifact({ builderId: 'starter.greeting', files: [this.config.output], string: `Greeting in ${this.config.output}` });
  }
}
