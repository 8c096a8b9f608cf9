/**
 * The Io of a program of one command (run-command.ts commandMain) without node's stdio
 * streams, where stdin is no terminal: creating process.stdin, process.stdout or
 * process.stderr loads node's stream and net modules and compiles much of them, about a
 * fifth of a `console` start (bench/README.md, "Console floor"). Instead:
 * - stdout and stderr are written synchronously to fd 1 and 2 (core's syncOutput), as
 *   process.stdout/stderr write files, pipes and sockets on Linux; EPIPE ends the run by
 *   SIGPIPE as exitQuietlyOnClosedOutput does for the streams;
 * - stdin is `stdinFd` (0), which a command may read itself (console.ts), and
 *   process.stdin, created when `stdin` is first read.
 * A terminal on stdin (or any other character device: /dev/null) keeps the streams: the
 * console's readline session needs them.
 */
import { fstatSync } from 'node:fs';
import { syncOutput } from '@packer-ts/core';
import type { Io } from './meta.ts';

/** This process's Io without the streams, or undefined where stdin is a terminal or cannot be looked at. */
export function directIo(env: NodeJS.ProcessEnv): Io | undefined {
  try {
    const st = fstatSync(0);
    if (!st.isFIFO() && !st.isFile() && !st.isSocket()) return undefined;
  } catch {
    return undefined;
  }
  return {
    stdout: syncOutput(1),
    stderr: syncOutput(2),
    get stdin(): NodeJS.ReadableStream { return process.stdin; },
    stdinFd: 0,
    env,
  };
}
