/**
 * The null datasource (Packer's built-in `null`): returns its `input` as `output`. It does nothing
 * useful; it shows how datasources work and serves tests.
 */
import { decodeConfig, objectSpec, PackerMultiError, type Datasource, type ObjectSpec, type Schema } from '@packer-ts/sdk';

export const schema: Schema = { input: { type: 'string' } };
export const outputSchema: Schema = { output: { type: 'string' } };

export class NullDatasource implements Datasource {
  private input = '';

  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  outputSpec(): ObjectSpec { return objectSpec(outputSchema); }

  async configure(...raws: unknown[]): Promise<void> {
    this.input = decodeConfig<{ input?: string }>(schema, raws).config.input ?? '';
    if (this.input === '') throw new PackerMultiError(['The `input` must be specified']);
  }

  async execute(): Promise<Record<string, unknown>> {
    return { output: this.input };
  }
}
