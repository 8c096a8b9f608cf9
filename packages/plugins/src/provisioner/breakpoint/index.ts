/**
 * The breakpoint provisioner: pauses the build until the user presses Enter.
 *
 * It asks through the Ui, which reads the core's terminal: without one the ask fails and so
 * does the provisioner, "Error asking for input: no available tty", as Packer's.
 */
import { decodeConfig, errorMessage, type Communicator, type Provisioner, type Schema, type Ui } from '@packer-ts/sdk';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const schema: Schema = {
  note: { type: 'string' },
  disable: { type: 'bool' },
};

interface BreakpointConfig {
  note?: string;
  disable?: boolean;
}

export class BreakpointProvisioner implements Provisioner {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  private config: BreakpointConfig = {};

  async prepare(...raws: unknown[]): Promise<void> {
    this.config = decodeConfig<BreakpointConfig>(schema, raws, { pluginType: 'breakpoint' }).config;
  }

  async provision(ui: Ui, _comm: Communicator | undefined, _data: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const note = this.config.note ?? '';
    if (this.config.disable) {
      ui.say(note !== '' ? `Breakpoint provisioner with note "${note}" disabled; continuing...` : 'Breakpoint provisioner disabled; continuing...');
      return;
    }
    ui.say(note !== '' ? `Pausing at breakpoint provisioner with note "${note}".` : 'Pausing at breakpoint provisioner.');
    signal.throwIfAborted();
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason ?? new Error('cancelled')), { once: true });
    });
    aborted.catch(() => {});
    try {
      await Promise.race([ui.ask('Press enter to continue.'), aborted]);
    } catch (e) {
      if (signal.aborted) throw e;
      throw new Error(`Error asking for input: ${errorMessage(e)}`, { cause: e });
    }
  }
}
