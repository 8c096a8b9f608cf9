/** What the CLI's tests share. */
import type { ComponentFinder } from '@packer-ts/core';
import { makeUi, type Meta } from '../src/meta.ts';

/** A Meta writing to strings, reading `stdin`, with no components. */
export function testMeta(stdin?: NodeJS.ReadableStream): { meta: Meta; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io = { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } }, stdin, env: {} };
  const meta: Meta = {
    io,
    ui: makeUi(io, false),
    machineReadable: false,
    signal: new AbortController().signal,
    components: async () => ({}) as ComponentFinder,
  };
  return { meta, out: () => out, err: () => err };
}
