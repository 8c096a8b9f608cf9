/**
 * The null builder: creates nothing, connects to an existing machine (or to
 * none with `communicator: none`) and runs the provisioners there.
 */
import {
  BasicArtifact,
  decodeConfig,
  runSteps,
  StateCancelled,
  StateBag,
  StepProvision,
  PackerMultiError,
  PackerError,
  type Artifact,
  type Builder,
  type Hook,
  type PrepareResult,
  type Schema,
  type Ui,
} from '@packer-ts/sdk';
import { commHost, commPassword, commSchema, commUser, prepareComm, type CommConfig } from '../../communicator/config.ts';
import { StepConnect } from '../../communicator/step-connect.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const BUILDER_ID = 'fnoeding.null';

/** Communicator settings: Packer's communicator.Config (`communicator`, `ssh_*`, `winrm_*`). */
export const schema: Schema = { ...commSchema };
export const nullBuilderSchema = schema;

export type NullBuilderConfig = CommConfig;

export class NullBuilder implements Builder {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  config: NullBuilderConfig = {};
  private packer: { debug: boolean; onError: string } = { debug: false, onError: '' };

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    const decoded = decodeConfig<NullBuilderConfig>(schema, raws, { pluginType: BUILDER_ID });
    const c = decoded.config;
    this.packer = { debug: decoded.packer.debug, onError: decoded.packer.onError };
    const errs: string[] = prepareComm(c);
    this.config = c;
    const type = c.type;
    if (type !== 'none') {
      if (commHost(c) === '') errs.push('a Host must be specified, please reference your communicator documentation');
      if (commUser(c) === '') errs.push('a Username must be specified, please reference your communicator documentation');
      const keyFile = c.sshPrivateKeyFile ?? '';
      if (!c.sshAgentAuth && commPassword(c) === '' && keyFile === '') {
        errs.push('one authentication method must be specified, please reference your communicator documentation');
      }
      if ((c.sshAgentAuth && ((c.sshPassword ?? '') !== '' || keyFile !== '')) ||
          ((c.sshPassword ?? '') !== '' && keyFile !== '')) {
        errs.push('only one of ssh_agent_auth, ssh_password, and ssh_private_key_file must be specified');
      }
    }
    PackerMultiError.throwIf(errs);
    if (type !== 'none' && type !== 'ssh') {
      throw new PackerMultiError([new PackerError('CONFIG_INVALID',
        `the ${type} communicator is not available yet in the null builder; use "ssh" or "none"`)]);
    }
    return { generatedVars: [], warnings: [] };
  }

  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    signal.throwIfAborted();
    // As in Packer: connect, then provision (whose cleanup runs the
    // error-cleanup-provisioner); the runner applies -on-error and -debug.
    // StepProvision derives the generated data (ID from instance_id, run id, HTTP values).
    const state = new StateBag([['hook', hook], ['ui', ui], ['instance_id', 'Null']]);
    await runSteps([new StepConnect({ config: this.config }), new StepProvision()], state, signal, { packer: this.packer, ui });
    const err = state.error();
    if (err) throw err;
    if (state.has(StateCancelled)) throw new PackerError('CANCELLED', 'build was cancelled');
    signal.throwIfAborted();
    return new BasicArtifact({
      builderId: BUILDER_ID,
      id: 'Null',
      files: [],
      string: 'Did not export anything. This is the null builder',
      state: { generated_data: { ID: 'Null' } },
      destroy: async () => {},
    });
  }
}
