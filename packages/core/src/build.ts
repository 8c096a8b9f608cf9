/**
 * One build: a builder, its provisioners, its post-processor chains
 * (Packer's packer/build.go, including which artifacts are kept).
 */
import {
  basicPlaceholderData, DispatchHook, errorMessage, HookCleanupProvision, HookProvision, packerConfigRaw, PackerMultiError, spanRecorder, traced,
  type Artifact, type Builder, type Hook, type PostProcessor, type Provisioner, type Ui,
} from '@packer-ts/sdk';
import { DebuggedProvisioner, ProvisionHook } from './provisioners.ts';
import { TargetedUi } from './ui/basic.ts';
import { log } from '@packer-ts/sdk';

export interface BuildProvisioner {
  type: string;
  provisioner: Provisioner;
  configs: unknown[];
}

export interface BuildPostProcessor {
  type: string;
  name: string;
  postProcessor: PostProcessor;
  config: Record<string, unknown>;
  keepInputArtifact: boolean | undefined;
}

export interface CoreBuildOptions {
  name: string;
  builder: Builder;
  builderType: string;
  builderConfig: Record<string, unknown>;
  provisioners: BuildProvisioner[];
  cleanupProvisioner: BuildProvisioner | undefined;
  postProcessors: BuildPostProcessor[][];
  templatePath: string;
  variables: Record<string, string>;
  sensitiveVariables: string[];
  coreVersion: string;
  debug: boolean;
  force: boolean;
  onError: string;
  /**
   * Set for HCL2 builds: every component was prepared when the build was
   * made (Packer's CoreBuild.Prepared), so prepare() does nothing.
   */
  prepared?: boolean;
}

export interface BuildResult {
  /** Artifacts to report; `undefined` entries are shown as `<nothing>`. */
  artifacts: (Artifact | undefined)[];
  /** Set when the build failed (post-processor errors included). */
  error?: Error;
}

export class CoreBuild {
  constructor(readonly o: CoreBuildOptions) {}

  get name(): string { return this.o.name; }

  private packerConfig(): Record<string, unknown> {
    return packerConfigRaw({
      buildName: this.o.name,
      builderType: this.o.builderType,
      coreVersion: this.o.coreVersion,
      debug: this.o.debug,
      force: this.o.force,
      onError: this.o.onError,
      templatePath: this.o.templatePath,
      userVariables: this.o.variables,
      sensitiveVariables: this.o.sensitiveVariables,
    });
  }

  /** Prepares every component; returns the warnings. Throws the first component's errors. */
  async prepare(): Promise<string[]> {
    if (this.o.prepared) return [];
    const packerConfig = this.packerConfig();
    const { generatedVars, warnings = [] } = await this.o.builder.prepare(this.o.builderConfig, packerConfig);
    const data = basicPlaceholderData(generatedVars);
    for (const p of this.o.provisioners) await p.provisioner.prepare(...p.configs, packerConfig, data);
    if (this.o.cleanupProvisioner) {
      const p = this.o.cleanupProvisioner;
      await p.provisioner.prepare(...p.configs, packerConfig, data);
    }
    for (const chain of this.o.postProcessors) {
      for (const pp of chain) await pp.postProcessor.configure(pp.config, packerConfig, data);
    }
    return warnings;
  }

  /** Runs the build and its post-processors. Never throws: errors are in the result. */
  async run(ui: Ui, signal: AbortSignal): Promise<BuildResult> {
    const hooks: Record<string, Hook[]> = {};
    const recorder = spanRecorder();
    if (this.o.provisioners.length > 0) {
      const provs = this.o.provisioners.map((p) => ({ type: p.type, provisioner: this.o.debug ? new DebuggedProvisioner(p.provisioner) : p.provisioner }));
      hooks[HookProvision] = [new ProvisionHook(provs, recorder)];
    }
    if (this.o.cleanupProvisioner) hooks[HookCleanupProvision] = [new ProvisionHook([this.o.cleanupProvisioner], recorder)];
    const hook = new DispatchHook(hooks);
    const builderUi = new TargetedUi(this.name, ui);

    log(`Running builder: ${this.o.builderType}`);
    let builderArtifact: Artifact | undefined;
    try {
      // One span for the builder's run: its steps (in-process) nest inside; a plugin's show as this call.
      builderArtifact = await traced('step', `${this.o.builderType} builder`, () => this.o.builder.run(builderUi, hook, signal), { signal, ok: (a) => a !== undefined });
    } catch (e) {
      return { artifacts: [], error: e instanceof Error ? e : new Error(String(e)) };
    }
    if (!builderArtifact) return { artifacts: [] };
    if (signal.aborted) {
      log('Build was cancelled. Skipping post-processors.');
      return { artifacts: [] };
    }

    const errors: Error[] = [];
    const artifacts: Artifact[] = [];
    let keepOriginal = this.o.postProcessors.length === 0;
    for (const chain of this.o.postProcessors) {
      let prior: Artifact | undefined = builderArtifact;
      let halted = false;
      for (const [i, pp] of chain.entries()) {
        const ppUi = new TargetedUi(`${this.name} (${pp.type})`, ui);
        builderUi.say(pp.name === pp.type ? `Running post-processor: ${pp.type}` : `Running post-processor: ${pp.name} (type ${pp.type})`);
        let result;
        try {
          result = await traced('post-processor', pp.name === pp.type ? pp.type : `${pp.name} (${pp.type})`, () => pp.postProcessor.postProcess(ppUi, prior!, signal), { signal, ok: (r) => r.artifact !== undefined });
        } catch (e) {
          errors.push(new Error(`Post-processor failed: ${errorMessage(e)}`));
          halted = true;
          break;
        }
        if (!result.artifact) {
          log('Nil artifact, halting post-processor chain.');
          halted = true;
          break;
        }
        let keep = result.keep;
        if (pp.keepInputArtifact !== undefined) {
          if (result.keep && !pp.keepInputArtifact && result.forceOverride) {
            log(`The ${pp.type} post-processor forces keep_input_artifact=true to preserve integrity of the build chain. User-set keep_input_artifact=false will be ignored.`);
          } else keep = pp.keepInputArtifact;
        }
        if (i === 0) {
          if (!keepOriginal && keep) keepOriginal = true;
        } else if (keep) {
          artifacts.push(prior!);
        } else {
          log(`Deleting prior artifact from post-processor '${pp.type}'`);
          try { await prior!.destroy(); } catch (e) { errors.push(new Error(`Failed cleaning up prior artifact: ${errorMessage(e)}; pp is ${pp.type}`)); }
        }
        prior = result.artifact;
      }
      if (!halted && prior) artifacts.push(prior);
    }
    if (keepOriginal) artifacts.unshift(builderArtifact);
    else {
      log(`Deleting original artifact for build '${this.name}'`);
      try { await builderArtifact.destroy(); } catch (e) { errors.push(new Error(`Error destroying builder artifact: ${errorMessage(e)}`)); }
    }
    return { artifacts, error: errors.length ? new PackerMultiError(errors) : undefined };
  }
}
