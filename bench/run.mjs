// Side-by-side benchmarks of packer-ts and Packer 1.6.6 (see bench/README.md).
// Usage: node bench/run.mjs [--runs N] [--only case,case] [--write]
// --write replaces the results table in bench/README.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';

import { measure, median } from './tree.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const RUNS = Number(opt('--runs', '10'));
const ONLY = opt('--only', '')?.split(',').filter(Boolean) ?? [];
const WRITE = argv.includes('--write');

const PACKER = '/usr/bin/packer';
const OURS = join(ROOT, 'bin/packer-ts');
if (!existsSync(PACKER)) { console.error('bench needs Packer 1.6.6 at /usr/bin/packer (apt-get install -y packer)'); process.exit(1); }

const CASES = [
  { name: 'trivial build', id: 'trivial', args: ['build', 'trivial.json'], target: { wall: 1.0, mem: 1.5 } },
  { name: '50 builds', id: 'fifty', args: ['build', 'fifty.json'], target: { wall: 0.5, mem: 0.3 } },
  { name: 'validate, 50 builds', id: 'validate', args: ['validate', 'fifty.json'], target: { wall: 0.3 } },
].filter((c) => ONLY.length === 0 || ONLY.includes(c.id));

const env = { CHECKPOINT_DISABLE: '1', PACKER_LOG: '' };
const results = [];
for (const c of CASES) {
  const work = mkdtempSync(join(tmpdir(), 'packer-ts-bench-'));
  cpSync(join(ROOT, 'bench/templates'), work, { recursive: true });
  const tools = [['packer', PACKER], ['packer-ts', OURS]];
  const r = { packer: { ms: [], mb: [], procs: 0 }, 'packer-ts': { ms: [], mb: [], procs: 0 } };
  // One warm-up each, then alternating runs: wall time unsampled, memory sampled.
  for (const [, bin] of tools) await measure(bin, c.args, { cwd: work, env });
  for (let i = 0; i < RUNS; i++) {
    for (const [name, bin] of (i % 2 ? [...tools].reverse() : tools)) {
      const t = await measure(bin, c.args, { cwd: work, env });
      if (t.code !== 0) throw new Error(`${name} ${c.args.join(' ')} exited ${t.code}: ${t.stderr}`);
      r[name].ms.push(t.ms);
    }
  }
  for (let i = 0; i < RUNS; i++) {
    for (const [name, bin] of (i % 2 ? [...tools].reverse() : tools)) {
      const t = await measure(bin, c.args, { cwd: work, env, sampleMemory: true });
      r[name].mb.push(t.peakPssMb);
      r[name].procs = Math.max(r[name].procs, t.peakProcs);
    }
  }
  rmSync(work, { recursive: true, force: true });
  const row = {
    case: c.name,
    packerMs: median(r.packer.ms), oursMs: median(r['packer-ts'].ms),
    packerMb: median(r.packer.mb), oursMb: median(r['packer-ts'].mb),
    packerProcs: r.packer.procs, oursProcs: r['packer-ts'].procs,
    target: c.target,
  };
  row.wallRatio = row.oursMs / row.packerMs;
  row.memRatio = row.oursMb / row.packerMb;
  results.push(row);
  console.log(JSON.stringify(row));
}

const f = (x, d = 2) => x.toFixed(d);
const verdict = (ratio, target) => (target === undefined ? '' : ratio <= target ? `met (<= ${target}x)` : `NOT met (target <= ${target}x)`);
const node = process.version;
const cpu = cpus()[0]?.model ?? 'unknown cpu';
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} x ${cpu}, Node ${node}, ${RUNS} alternating runs per tool, medians.`,
  'Wall time is unsampled; peak memory is the summed PSS of the whole process tree, sampled every ~2 ms in separate runs.',
  '',
  '| case | Packer 1.6.6 wall | packer-ts wall | wall ratio | Packer PSS (procs) | packer-ts PSS (procs) | memory ratio |',
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.case} | ${f(r.packerMs / 1000, 3)} s | ${f(r.oursMs / 1000, 3)} s | **${f(r.wallRatio)}x** ${verdict(r.wallRatio, r.target.wall)} | ${f(r.packerMb, 1)} MB (${r.packerProcs}) | ${f(r.oursMb, 1)} MB (${r.oursProcs}) | **${f(r.memRatio)}x** ${verdict(r.memRatio, r.target.mem)} |`),
].join('\n');
console.log('\n' + table);
if (WRITE) {
  const readme = join(ROOT, 'bench/README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- results:core -->';
  const end = '<!-- /results:core -->';
  const next = text.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${table}\n${end}`);
  writeFileSync(readme, next);
}
