// One measured start of a command, through measure.py (beside this file): wall time from fork
// to exit, or to the plugin handshake line, and CPU time from wait4. Used by
// bench/startup/run.mjs and bench/hcl2/run.mjs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MEASURE = join(import.meta.dirname, 'measure.py');

/**
 * Runs `cmd` once under measure.py until it exits (`until: 'exit'`) or prints its handshake
 * line (`'handshake'`); resolves `{ wall, cpu }` in milliseconds (and `rss`, the peak resident set in KB). Rejects, naming `name`, when
 * it fails or runs beyond `timeoutMs` (then it is killed).
 */
export function measureStart({ name, cmd, until = 'exit', cwd, env, timeoutMs }) {
  return new Promise((res, rej) => {
    const child = spawn('python3', [MEASURE, until, ...cmd], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${name}: timed out`)); }, timeoutMs);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) { rej(new Error(`${name}: ${err || out}`)); return; }
      const m = JSON.parse(out);
      res({ wall: m.wall_ms, cpu: m.cpu_ms, rss: m.maxrss_kb });
    });
  });
}
