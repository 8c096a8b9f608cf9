// Process-tree measurement: wall time of a command and the peak of the summed
// PSS of the process and all its descendants (sampled from /proc).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Children are listed per thread: a Go program forks from any of its threads.
function children(pid) {
  const out = [];
  let tids;
  try { tids = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const tid of tids) {
    let list;
    try { list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8'); } catch { continue; }
    for (const c of list.split(' ').filter(Boolean)) { out.push(Number(c)); out.push(...children(Number(c))); }
  }
  return out;
}

function pssKb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}

/** Runs `cmd args` in `cwd`; returns { ms, peakPssMb, peakProcs, code }. */
export function measure(cmd, args, { cwd, env, sampleMemory }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    let peak = 0;
    let peakProcs = 0;
    let timer;
    if (sampleMemory) {
      const sample = () => {
        const pids = [child.pid, ...children(child.pid)];
        let sum = 0;
        for (const p of pids) sum += pssKb(p);
        if (sum > peak) peak = sum;
        if (pids.length > peakProcs) peakProcs = pids.length;
        timer = setTimeout(sample, 2);
      };
      sample();
    }
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      resolve({ ms, peakPssMb: peak / 1024, peakProcs, code, stderr });
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
