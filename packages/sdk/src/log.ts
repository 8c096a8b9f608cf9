/**
 * The debug log (PACKER_LOG / PACKER_LOG_PATH), in Go's log format
 * `YYYY/MM/DD hh:mm:ss message`. Secrets are masked. The core and the
 * built-ins it runs in its own process write to the same log; a plugin
 * process opens its own (stderr, which the core that started it logs).
 */
import { openSync, writeSync } from 'node:fs';
import { fileError } from './go-errors.ts';
import { redact } from './secrets.ts';

/** Where the log goes; undefined when logging is off. */
let fd: number | undefined;

/** Opens the log as the environment asks. Call once at start-up; throws Go's message if PACKER_LOG_PATH cannot be opened. */
export function setupLog(env: NodeJS.ProcessEnv = process.env): void {
  const on = env.PACKER_LOG !== undefined && env.PACKER_LOG !== '' && env.PACKER_LOG !== '0';
  const path = env.PACKER_LOG_PATH;
  try {
    fd = !on ? undefined : path ? openSync(path, 'a') : 2;
  } catch (e) {
    throw fileError(e, path!);
  }
}

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Writes one log line (a no-op unless PACKER_LOG is set). */
export function log(message: string): void {
  if (fd === undefined) return;
  const text = redact(message.endsWith('\n') ? message.slice(0, -1) : message);
  const line = text.split('\n').map((l) => `${stamp()} ${l}`).join('\n') + '\n';
  try { writeSync(fd, line); } catch { /* a closed log must not break the build */ }
}

