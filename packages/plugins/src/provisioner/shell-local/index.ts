/** The shell-local provisioner: runs commands or scripts on the machine running packer-ts. */
import type { Communicator, Provisioner, Ui } from '@packer-ts/sdk';
import {
  decodeShellLocal,
  runShellLocal,
  shellLocalSchema,
  validateShellLocal,
  type ShellLocalConfig,
} from '../../common/shell-local.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const schema = shellLocalSchema;
export { shellLocalSchema };

export class ShellLocalProvisioner implements Provisioner {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  private config: ShellLocalConfig | undefined;

  async prepare(...raws: unknown[]): Promise<void> {
    this.config = await validateShellLocal(decodeShellLocal(raws));
  }

  async provision(ui: Ui, _comm: Communicator | undefined, generatedData: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    if (!this.config) throw new Error('shell-local: provision called before prepare');
    await runShellLocal(ui, this.config, generatedData, signal);
  }
}
