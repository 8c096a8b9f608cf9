// HCL2 templates, side by side with Packer 1.6.6 in one run (issue 10, "Speed"): `validate` and
// `build` of a template with 200 sources, 200 locals and a function-heavy expression each
// (file builder: each source writes its own file), `console` from start to its first answer,
// and the module-load cost of packages/hcl. Every case runs once to warm the page cache (and
// packer-ts's code cache), then all run in turn, N rounds. validate/build are measured by
// bench/startup/measure.py (wall from fork to exit, CPU from wait4); console by the time from
// spawn to the first byte of its answer on stdout.
// Usage: npm run build && node bench/hcl2/run.mjs [--runs 10] [--write]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { measureStart } from '../startup/measure.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const RUNS = Number(opt('--runs', '10'));
const WRITE = argv.includes('--write');
const N = 200;
const PACKER = '/usr/bin/packer';
const OURS = join(ROOT, 'bin/packer-ts');
for (const [p, what] of [[PACKER, 'Packer 1.6.6 (apt-get install -y packer)'], [join(ROOT, 'dist/packer-ts.cjs'), 'the bundle (npm run build)']]) {
  if (!existsSync(p)) { console.error(`bench/hcl2 needs ${what}: ${p} is missing`); process.exit(1); }
}

export function template(n) {
  let s = 'variable "prefix" {\n  type    = string\n  default = "img"\n}\n\nlocals {\n';
  for (let i = 0; i < n; i++) {
    s += `  l${i} = join("-", [for k, v in { a = "${i}", b = upper(var.prefix) } : format("%s=%s", k, lower(replace(v, "I", "i")))])\n`;
  }
  s += '}\n\n';
  for (let i = 0; i < n; i++) {
    s += `source "file" "s${i}" {\n  content = "\${local.l${i}} \${max(${i}, length(local.l${i})) + ${i} * 2} \${sha256(local.l${i})} \${jsonencode(split("-", local.l${i}))}"\n  target  = "out/s${i}.txt"\n}\n\n`;
  }
  s += 'build {\n  sources = [\n' + Array.from({ length: n }, (_, i) => `    "source.file.s${i}",`).join('\n') + '\n  ]\n}\n';
  return s;
}

const work = mkdtempSync(join(tmpdir(), 'packer-ts-hcl2-bench-'));
writeFileSync(join(work, 'bench.pkr.hcl'), template(N));
// The HCL package alone, bundled as the CLI bundles it, for its load cost.
await build({ entryPoints: [join(ROOT, 'packages/hcl/src/index.ts')], outfile: join(work, 'hcl.cjs'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
writeFileSync(join(work, 'empty.cjs'), '');
const NODE = process.execPath;
const baseEnv = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', PACKER_NO_COLOR: '1', HOME: work };
const clean = () => rmSync(join(work, 'out'), { recursive: true, force: true });
const CASES = [
  { group: 'validate', who: 'packer', name: 'Packer 1.6.6 `validate`', cmd: [PACKER, 'validate', 'bench.pkr.hcl'] },
  { group: 'validate', who: 'ours', name: 'packer-ts `validate`', cmd: [OURS, 'validate', 'bench.pkr.hcl'] },
  { group: 'syntax', who: 'packer', name: 'Packer 1.6.6 `validate -syntax-only`', cmd: [PACKER, 'validate', '-syntax-only', 'bench.pkr.hcl'] },
  { group: 'syntax', who: 'ours', name: 'packer-ts `validate -syntax-only`', cmd: [OURS, 'validate', '-syntax-only', 'bench.pkr.hcl'] },
  { group: 'build', who: 'packer', name: 'Packer 1.6.6 `build` (200 files)', cmd: [PACKER, 'build', 'bench.pkr.hcl'], before: clean },
  { group: 'build', who: 'ours', name: 'packer-ts `build` (200 files)', cmd: [OURS, 'build', 'bench.pkr.hcl'], before: clean },
  { group: 'console', who: 'packer', name: 'Packer 1.6.6 `console` start to answer', console: [PACKER, 'console', 'bench.pkr.hcl'] },
  { group: 'console', who: 'ours', name: 'packer-ts `console` start to answer', console: [OURS, 'console', 'bench.pkr.hcl'] },
  { group: 'load', who: 'floor', name: '`node empty.cjs`', cmd: [NODE, 'empty.cjs'] },
  { group: 'load', who: 'hcl', name: '`node hcl.cjs` (packages/hcl bundled, evaluated)', cmd: [NODE, 'hcl.cjs'] },
];

function measured(c) {
  c.before?.();
  return measureStart({ name: c.name, cmd: c.cmd, cwd: work, env: baseEnv, timeoutMs: 300_000 });
}
// console: time from spawn to the first byte of the answer to `local.l7`
const EXPECT = 'a=7-b=img';
function consoleAnswer(c) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(c.console[0], c.console.slice(1), { cwd: work, env: baseEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${c.name}: timed out: ${out}`)); }, 300_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (!done && out.includes(EXPECT)) { done = true; res({ wall: performance.now() - t0, cpu: NaN }); child.stdin.end(); }
    });
    child.on('close', () => { clearTimeout(timer); if (!done) rej(new Error(`${c.name}: no answer ${JSON.stringify(EXPECT)}: ${out}`)); });
    child.stdin.write('local.l7\n');
  });
}
const once = (c) => (c.console ? consoleAnswer(c) : measured(c));

const times = CASES.map(() => []);
// warm-up; a case that fails (a command packer-ts cannot run yet) is reported, not measured
const failed = new Map();
for (const c of CASES) await once(c).catch((e) => failed.set(c, String(e.message).split('\n').slice(0, 2).join(' ').trim()));
for (let i = 0; i < RUNS; i++) {
  const order = i % 2 ? [...CASES.keys()].reverse() : [...CASES.keys()];
  for (const j of order) if (!failed.has(CASES[j])) times[j].push(await once(CASES[j]));
}
rmSync(work, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const wall = CASES.map((_, j) => (times[j].length ? median(times[j].map((t) => t.wall)) : NaN));
const cpu = CASES.map((_, j) => (times[j].length ? median(times[j].map((t) => t.cpu)) : NaN));
const idx = (g, w) => CASES.findIndex((c) => c.group === g && c.who === w);
const f = (x) => (Number.isNaN(x) ? '' : x.toFixed(1));
const ratio = (xs, g, target) => { const r = xs[idx(g, 'ours')] / xs[idx(g, 'packer')]; if (Number.isNaN(r)) return 'n/a'; return `**${r.toFixed(2)}x**${target ? (r <= target ? ' met' : ' NOT met') + ` (<= ${target}x)` : ''}`; };
const load = wall[idx('load', 'hcl')] - wall[idx('load', 'floor')];
const loadCpu = cpu[idx('load', 'hcl')] - cpu[idx('load', 'floor')];
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${RUNS} interleaved rounds, medians (ms); load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}. Template: ${N} file sources, ${N} locals, a function-heavy expression each.`,
  '',
  '| case | wall | CPU |',
  '|---|---|---|',
  ...CASES.map((c, j) => `| ${c.name} | ${failed.has(c) ? `fails: ${failed.get(c).replaceAll('|', '/')}` : f(wall[j])} | ${f(cpu[j])} |`),
  '',
  `- \`validate\` packer-ts / Packer: wall ${ratio(wall, 'validate', 0.3)}, CPU ${ratio(cpu, 'validate')}`,
  `- \`validate -syntax-only\`: wall ${ratio(wall, 'syntax')}, CPU ${ratio(cpu, 'syntax')}`,
  `- \`build\`: wall ${ratio(wall, 'build', 0.3)}, CPU ${ratio(cpu, 'build')}`,
  `- \`console\` start to answer: wall ${ratio(wall, 'console', 0.5)}`,
  `- packages/hcl module load (bundled, evaluated, over \`node empty.cjs\`): ${load.toFixed(1)} ms wall, ${loadCpu.toFixed(1)} ms CPU; test/hcl-plugin-load.test.ts checks that a plugin process does not pay it.`,
];
console.log(lines.join('\n'));
if (WRITE) {
  const readme = join(ROOT, 'bench/README.md');
  const s = readFileSync(readme, 'utf8');
  const block = `<!-- results:hcl2 -->\n${lines.join('\n')}\n<!-- /results:hcl2 -->`;
  writeFileSync(readme, s.includes('<!-- results:hcl2 -->') ? s.replace(/<!-- results:hcl2 -->[\s\S]*<!-- \/results:hcl2 -->/, block) : `${s.trimEnd()}\n\n## HCL2 templates (issue 10, Speed)\nRun with \`npm run build && node bench/hcl2/run.mjs --runs 10 --write\`.\n\n${block}\n`);
}
