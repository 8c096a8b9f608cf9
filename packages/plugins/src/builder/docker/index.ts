/**
 * The docker builder (Packer's `docker`, builder id `packer.docker`): starts
 * a container from an image, provisions it through the docker communicator
 * (or SSH), then commits it to an image, exports it to a tarball or
 * discards it. The container is removed whatever happens.
 */
import {
  objectSpec, PackerError, runSteps, StateBag, StateCancelled, StateHalted, StepCleanupTempKeys, StepProvision,
  type Artifact, type Builder, type Hook, type InterpolateContext, type ObjectSpec, type PackerConfig, type PrepareResult, type Step, type Ui,
} from '@packer-ts/sdk';
import { StepConnect } from '../../communicator/step-connect.ts';
import { commHost } from '../../communicator/config.ts';
import { ExportArtifact, ImportArtifact } from './artifact.ts';
import { BUILDER_ID_IMPORT, ERR_ARTIFACT_NOT_USED, prepareConfig, schema, type DockerConfig } from './config.ts';
import { DockerDriver } from './driver.ts';
import { StepCommit } from './step-commit.ts';
import { StepConnectDocker } from './step-connect-docker.ts';
import { StepExport } from './step-export.ts';
import { StepPull } from './step-pull.ts';
import { StepRun } from './step-run.ts';
import { StepSetGeneratedData } from './step-set-generated-data.ts';
import { StepTempDir } from './step-temp-dir.ts';

export { BUILDER_ID, BUILDER_ID_IMPORT } from './config.ts';

export class DockerBuilder implements Builder {
  config!: DockerConfig;
  /** The HCL2 spec, from the same Schema prepare decodes with. */
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }
  private packer!: PackerConfig;
  private ctx: InterpolateContext = {};

  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    const p = prepareConfig(raws);
    this.config = p.config;
    this.packer = p.packer;
    this.ctx = p.ctx;
    return { generatedVars: ['ImageSha256'], warnings: [] };
  }

  /** The steps of a build, in Packer's order. */
  steps(): Step[] {
    const c = this.config;
    const steps: Step[] = [
      new StepTempDir(),
      new StepPull(),
      new StepRun(),
      new StepConnect({
        config: c,
        // The container's address (empty with --network=none) unless a host is configured.
        host: async (state) => commHost(c) || await state.need<DockerDriver>('driver').ipAddress(state.need<string>('container_id')),
        custom: { docker: new StepConnectDocker() },
      }),
      new StepProvision(),
      new StepCleanupTempKeys(c),
    ];
    if (c.discard) return steps;
    if (c.commit) return [...steps, new StepCommit(), new StepSetGeneratedData()];
    if (c.exportPath) return [...steps, new StepExport()];
    throw new Error(ERR_ARTIFACT_NOT_USED);
  }

  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    const c = this.config;
    const driver = new DockerDriver(ui, this.ctx);
    await driver.verify();
    const state = new StateBag([['config', c], ['driver', driver], ['hook', hook], ['ui', ui]]);
    await runSteps(this.steps(), state, signal, { packer: this.packer, ui });
    const err = state.error();
    if (err) throw err;
    if (state.has(StateCancelled)) throw new PackerError('CANCELLED', 'Build was cancelled.');
    if (state.has(StateHalted)) throw new Error('Build was halted.');
    const stateData = { generated_data: state.get('generated_data') };
    if (c.commit) return new ImportArtifact({ builderId: BUILDER_ID_IMPORT, id: state.need<string>('image_id'), driver, state: stateData });
    return new ExportArtifact(c.exportPath ?? '', stateData);
  }
}
