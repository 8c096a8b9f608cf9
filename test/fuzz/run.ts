/**
 * The full fuzz run (see README.md):
 *   node --import tsx test/fuzz/run.ts [--target NAME|all] [--runs 1000000] [--seed 1] [--time-limit 5000]
 */
import { fuzz } from './runner.ts';
import { TARGETS } from './targets.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const which = arg('target', 'all');
const names = which === 'all' ? Object.keys(TARGETS) : which.split(',');
for (const n of names) if (!TARGETS[n]) { console.error(`unknown target ${n}; targets: ${Object.keys(TARGETS).join(', ')}`); process.exit(2); }
const runs = Number(arg('runs', '1000000'));
const seed = Number(arg('seed', '1'));
const timeLimitMs = Number(arg('time-limit', '5000'));
let failed = false;
for (const name of names) {
  let lastShown = 0;
  const r = await fuzz(name, {
    seed, runs, timeLimitMs,
    onProgress: (n) => { if (Date.now() - lastShown > 10_000) { lastShown = Date.now(); console.error(`  ${name}: ${n} inputs`); } },
  });
  console.log(`${name}: ${r.runs} inputs in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.runs / (r.ms / 1000))}/s), ${r.crashers.length} crashers`);
  for (const c of r.crashers) console.log(`  ${c.kind}: ${c.error.split('\n')[0]}\n    ${c.file ?? JSON.stringify(c.input).slice(0, 200)}`);
  if (r.crashers.length) failed = true;
}
process.exit(failed ? 1 : 0);
