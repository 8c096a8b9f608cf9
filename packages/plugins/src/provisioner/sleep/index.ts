/** The sleep provisioner (Packer's built-in `sleep`): waits `duration`, or until the build is cancelled. */
import { setTimeout as delay } from 'node:timers/promises';
import { decodeConfig, type Communicator, type Provisioner, type Schema, type Ui } from '@packer-ts/sdk';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

// Packer decodes into the struct without interpolation; errors name the Go field ('Duration').
export const schema: Schema = { duration: { type: 'duration', goName: 'Duration' } };

export class SleepProvisioner implements Provisioner {
  configSpec(): ObjectSpec { return objectSpec(schema); }

  /** Milliseconds. */
  duration = 0;

  async prepare(...raws: unknown[]): Promise<void> {
    this.duration = decodeConfig<{ duration?: number }>(schema, raws, { interpolate: false }).config.duration ?? 0;
  }

  async provision(_ui: Ui, _comm: Communicator | undefined, _data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    if (this.duration > 0) await delay(this.duration, undefined, { signal });
  }
}
