/**
 * A closed stdout or stderr (`packer-ts inspect -machine-readable t.json | head -1`)
 * ends the process as it ends Packer: Go's runtime turns EPIPE on fd 1 or 2
 * into SIGPIPE, so Packer dies by that signal, quietly. Node ignores SIGPIPE
 * and raises the write error instead; here it becomes the same death, after
 * the plugin process groups are killed (no `exit` hook runs on a signal).
 */
import { killTrackedChildGroups } from '@packer-ts/sdk';

let installed = false;

/** Once per process: EPIPE on process.stdout or process.stderr ends it by SIGPIPE. */
export function exitQuietlyOnClosedOutput(log: (line: string) => void = () => {}): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      log(`[INFO] ${stream === process.stdout ? 'stdout' : 'stderr'} was closed: exiting by SIGPIPE`);
      dieBySigpipe();
    });
  }
}

/**
 * fd 1 or 2 written synchronously, without process.stdout/stderr (whose creation loads node's
 * stream and net modules: `version` prints one line and does not need them); EPIPE ends the
 * process by SIGPIPE as above.
 */
export function syncOutput(fd: 1 | 2): { write(chunk: string | Uint8Array): boolean } {
  const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  return {
    write(chunk: string | Uint8Array): boolean {
      let buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      while (buf.length > 0) {
        try {
          buf = buf.subarray(fs.writeSync(fd, buf));
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') dieBySigpipe();
          if (code !== 'EAGAIN') throw e; // a non-blocking pipe that is full: try again
        }
      }
      return true;
    },
  };
}

function dieBySigpipe(): never {
  killTrackedChildGroups();
  // Node starts with SIGPIPE ignored; a listener added and removed leaves the default action.
  const noop = () => {};
  process.on('SIGPIPE', noop);
  process.off('SIGPIPE', noop);
  process.kill(process.pid, 'SIGPIPE');
  // Should the signal not end us (another listener), end with the status a shell shows for it.
  process.exit(128 + 13);
}
