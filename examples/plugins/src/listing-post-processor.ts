/**
 * packer-post-processor-listing: writes `output`, one line per file of the input artifact with its
 * size and SHA-256, and returns it as a new artifact (the input is kept).
 *
 *   { "type": "listing", "output": "listing.txt" }
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { BasicArtifact, decodeConfig, objectSpec, type Artifact, type PostProcessor, type PostProcessResult, type Schema, type Ui } from '@packer-ts/sdk';

const schema: Schema = { output: { type: 'string', required: true } };

export class ListingPostProcessor implements PostProcessor {
  private output = '';

  configSpec() { return objectSpec(schema, { packerConfig: true }); }

  async configure(...raws: unknown[]): Promise<void> {
    this.output = decodeConfig<{ output: string }>(schema, raws).config.output;
  }

  async postProcess(ui: Ui, artifact: Artifact): Promise<PostProcessResult> {
    const files = await artifact.files();
    const rows: string[] = [];
    for (const f of files) {
      const data = await readFile(f);
      rows.push(`${createHash('sha256').update(data).digest('hex')}  ${String(data.length).padStart(8)}  ${f}`);
    }
    await writeFile(this.output, rows.join('\n') + '\n');
    ui.say(`Listed ${files.length} files of ${await artifact.builderId()} in ${this.output}`);
    return {
      artifact: new BasicArtifact({ builderId: 'example.listing', files: [this.output], id: this.output, string: `Listing: ${this.output}` }),
      keep: true,
      forceOverride: false,
    };
  }
}
