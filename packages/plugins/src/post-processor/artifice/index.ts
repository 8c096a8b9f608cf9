/**
 * artifice post-processor: replaces the artifact with one made of the
 * configured files (glob patterns, matched as Go's filepath.Glob does).
 */
import { rm, stat } from 'node:fs/promises';
import {
  BasicArtifact, decodeConfig,
  type Artifact, type PostProcessResult, type PostProcessor, type Schema, type Ui,
} from '@packer-ts/sdk';
import { goGlob } from '../../common/glob.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const ARTIFICE_BUILDER_ID = 'packer.post-processor.artifice';

export const artificeSchema: Schema = {
  files: { type: 'string[]' },
  keep_input_artifact: { type: 'bool', default: false },
};

interface ArtificeConfig {
  files?: string[];
  keepInputArtifact?: boolean;
}

export class ArtificePostProcessor implements PostProcessor {
  configSpec(): ObjectSpec { return objectSpec(artificeSchema, { packerConfig: true }); }

  private files: string[] = [];

  async configure(...raws: unknown[]): Promise<void> {
    const decoded = decodeConfig<ArtificeConfig>(artificeSchema, raws, { pluginType: 'artifice' });
    this.files = [...(decoded.config.files ?? [])];
    if (this.files.length === 0) throw new Error('No files specified in artifice configuration');
  }

  async postProcess(ui: Ui, artifact: Artifact, _signal: AbortSignal): Promise<PostProcessResult> {
    const previous = await artifact.files();
    if (previous.length > 0) ui.say(`Discarding files from artifact: ${previous.join(', ')}`);
    const files: string[] = [];
    for (const pattern of this.files) {
      for (const f of await goGlob(pattern)) {
        await stat(f);
        files.push(f);
      }
    }
    ui.say(`Using these artifact files: ${files.join(', ')}`);
    const out = new BasicArtifact({
      builderId: ARTIFICE_BUILDER_ID,
      files,
      string: `Created artifact from files: ${files.join(', ')}`,
      destroy: async () => {
        for (const f of files) await rm(f, { recursive: true, force: true });
      },
    });
    return { artifact: out, keep: true, forceOverride: false };
  }
}
