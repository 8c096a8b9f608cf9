/** StepSetGeneratedData: `ImageSha256` of the committed image for the post-processors. */
import type { StateBag, Step, StepAction } from '@packer-ts/sdk';
import type { DockerDriver } from './driver.ts';

export class StepSetGeneratedData implements Step {
  readonly name = 'StepSetGeneratedData';

  async run(state: StateBag): Promise<StepAction> {
    let sha256 = 'ERR_IMAGE_SHA256_NOT_FOUND';
    const imageId = state.get('image_id') as string | undefined;
    if (imageId !== undefined) {
      try { sha256 = await state.need<DockerDriver>('driver').sha256(imageId); } catch { /* keep the placeholder */ }
    }
    const data = (state.get('generated_data') as Record<string, unknown> | undefined) ?? {};
    state.set('generated_data', { ...data, ImageSha256: sha256 });
    return 'continue';
  }
}
