/** The plugin executable: serves the builder to Packer (or packer-ts) over Packer's plugin protocol. */
import { server } from '@packer-ts/sdk/plugin';
import { GreetingBuilder } from './builder.ts';

// No top-level await: `npm run bundle` makes one CommonJS file of this.
async function main(): Promise<void> {
  const s = await server(); // checks PACKER_PLUGIN_MAGIC_COOKIE, listens
  s.registerBuilder(new GreetingBuilder());
  await s.serve(); // prints the handshake line, serves until the core leaves
}

void main();
