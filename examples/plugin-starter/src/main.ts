/**
 * The plugin executable: a multi-component plugin set (Packer 1.7+ and packer-ts run it as
 * `packer-plugin-greeting`, the builder under the plugin's own name `greeting`); linked or
 * copied as `packer-builder-greeting`, it serves the builder to Packer 1.6 as well.
 */
import { DEFAULT_NAME, pluginSet } from '@packer-ts/sdk/plugin';
import { GreetingBuilder } from './builder.ts';

const set = pluginSet();
set.registerBuilder(DEFAULT_NAME, new GreetingBuilder());
set.setVersion('0.1.0');
// No top-level await: `npm run bundle` makes one CommonJS file of this.
void set.run();
