/**
 * packer-plugin-example: the three example components in one multi-component plugin (Packer 1.7+
 * and packer-ts: types `example-localdir`, `example-write-file`, `example-listing`). build.mjs also
 * links it under the Packer 1.6 names packer-builder-localdir, packer-provisioner-write-file and
 * packer-post-processor-listing, under which it serves that one component (types `localdir`, ...).
 */
import { pluginSet } from '@packer-ts/sdk/plugin';
import { ListingPostProcessor } from './listing-post-processor.ts';
import { LocalDirBuilder } from './localdir-builder.ts';
import { WriteFileProvisioner } from './write-file-provisioner.ts';

const set = pluginSet();
set.registerBuilder('localdir', new LocalDirBuilder());
set.registerProvisioner('write-file', new WriteFileProvisioner());
set.registerPostProcessor('listing', new ListingPostProcessor());
set.setVersion('0.1.0');
void set.run();
