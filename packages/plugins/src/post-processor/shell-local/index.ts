/**
 * The shell-local post-processor: runs commands or scripts locally once the
 * artifact exists. `{{build `X`}}` sees the artifact's `generated_data` state.
 * It hands back the input artifact, kept (keep and force-override, as Packer).
 */
import { generatedData, type Artifact, type PostProcessor, type PostProcessResult, type Ui } from '@packer-ts/sdk';
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

export class ShellLocalPostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  private config: ShellLocalConfig | undefined;

  async configure(...raws: unknown[]): Promise<void> {
    const decoded = decodeShellLocal(raws);
    // one-element execute_command is a shell command line
    const ec = decoded.raw.executeCommand;
    if (ec && ec.length === 1) decoded.raw.executeCommand = ['sh', '-c', ec[0]!];
    this.config = await validateShellLocal(decoded);
  }

  async postProcess(ui: Ui, artifact: Artifact, signal: AbortSignal): Promise<PostProcessResult> {
    if (!this.config) throw new Error('shell-local: postProcess called before configure');
    await runShellLocal(ui, this.config, await generatedData(artifact), signal);
    return { artifact, keep: true, forceOverride: true };
  }
}
