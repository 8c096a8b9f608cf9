/**
 * How a command reads stdin (console.ts): a terminal, a pipe (Packer evaluates every line and
 * prints the last result), or another file or socket (each line's result). On the deep thread
 * (deep-thread.ts) stdin is a stream the main thread feeds, so the main thread's mode is given
 * to it and used instead.
 */
import { fstatSync } from 'node:fs';

export type StdinMode = 'piped' | 'terminal' | 'lines';

let inherited: StdinMode | undefined;

/** The deep thread: read stdin as the main thread would have (`mode` from its environment). */
export function inheritStdinMode(mode: string | undefined): void {
  inherited = mode === 'piped' || mode === 'terminal' || mode === 'lines' ? mode : undefined;
}

/** The mode of `stdin`: a stream, or a descriptor read directly (direct-io.ts). */
export function stdinMode(stdin: NodeJS.ReadableStream | { fd: number } | undefined): StdinMode {
  if (inherited) return inherited;
  if (!stdin) return 'piped';
  const s = stdin as { fd?: unknown; isTTY?: boolean };
  if (s.isTTY) return 'terminal';
  if (typeof s.fd === 'number') {
    try {
      return fstatSync(s.fd).isFIFO() ? 'piped' : 'lines';
    } catch {
      return 'lines';
    }
  }
  // A stream without a descriptor behaves as a pipe.
  return 'piped';
}
