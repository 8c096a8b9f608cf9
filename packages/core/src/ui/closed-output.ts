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
