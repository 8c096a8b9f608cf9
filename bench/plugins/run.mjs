// Plugin boundary benchmarks, packer-ts vs Packer 1.6.6, medians of N runs:
//  1. spawn to handshake line of `bin/packer-ts plugin packer-builder-file` vs `/usr/bin/packer plugin ...`
//     (+ connect and first call: Builder.Prepare answered);
//  2. RPC round trip: Artifact.Id on an artifact served by our file builder plugin vs Packer's;
//  3. bytes/s of an upload, provisioner plugin -> core -> builder plugin's communicator (two real
//     plugin processes, built from bench/plugins/*.ts), with the packer-ts core and with Packer's.
// Usage: npm run build && node --import tsx bench/plugins/run.mjs [--runs 10] [--mb 512] [--write]
//        [--only modern]   (modern plugins: bench/plugins/modern.mjs)
//        [--only upload [--go]]   (the upload case alone, for tuning)
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { startPlugin } from '../../packages/sdk/src/plugin/index.ts';
import { NullUi, DispatchHook } from '../../packages/sdk/src/index.ts';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKER_TS = join(ROOT, 'bin/packer-ts');
const PACKER = '/usr/bin/packer';
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : dflt; };
const RUNS = Number(arg('runs', '10'));
const MB = Number(arg('mb', '512'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x) => `${x.toFixed(1)} ms`;
const us = (x) => `${(x * 1000).toFixed(0)} µs`;

const impls = {
  'packer-ts': [PACKER_TS, ['plugin', 'packer-builder-file']],
  'Packer 1.6.6': [PACKER, ['plugin', 'packer-builder-file']],
};

async function handshakeOnce(cmd, args) {
  const t0 = performance.now();
  const p = await startPlugin(cmd, args, { detached: true });
  const t1 = performance.now();
  const b = await p.component('builder');
  await b.prepare({ content: 'x', target: join(tmpdir(), 'bench-plugin-x.txt') });
  const t2 = performance.now();
  await p.kill();
  return { handshake: t1 - t0, firstCall: t2 - t0 };
}

async function roundTrips(cmd, args, n = 2000) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-rt-'));
  const p = await startPlugin(cmd, args, { detached: true });
  try {
    const b = await p.component('builder');
    await b.prepare({ content: 'x', target: join(dir, 'x.txt') });
    const a = await b.run(new NullUi(), new DispatchHook(), new AbortController().signal);
    for (let i = 0; i < 200; i++) await a.id();
    const runs = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await a.id();
      runs.push((performance.now() - t0) / n);
    }
    return median(runs);
  } finally {
    await p.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

async function bundle(src, out) {
  await build({ entryPoints: [src], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', banner: { js: EXECUTABLE_BANNER } });
  await chmod(out, 0o755);
}

function runCmd(cmd, args, opts) {
  return new Promise((res) => {
    const c = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('close', (code) => res({ code, out }));
  });
}

async function uploads(withGo = true) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-up-'));
  try {
    const plugins = join(dir, 'plugins');
    await bundle(join(import.meta.dirname, 'sink-builder.ts'), join(plugins, 'packer-builder-sink'));
    await bundle(join(import.meta.dirname, 'upload-provisioner.ts'), join(plugins, 'packer-provisioner-upload'));
    await writeFile(join(dir, 'template.json'), JSON.stringify({ builders: [{ type: 'sink' }], provisioners: [{ type: 'upload', megabytes: MB }] }));
    const result = {};
    for (const [name, cmd] of [['packer-ts', PACKER_TS], ['Packer 1.6.6', PACKER]].filter(([n]) => withGo || n === 'packer-ts')) {
      const rates = [];
      const runs = name === 'packer-ts' ? RUNS : Math.min(RUNS, 3);
      for (let i = 0; i < runs; i++) {
        const r = await runCmd(cmd, ['build', '-machine-readable', 'template.json'], { cwd: dir, env: { ...process.env, HOME: dir, PACKER_PLUGIN_PATH: plugins, CHECKPOINT_DISABLE: '1' } });
        const m = /uploaded (\d+) bytes in ([\d.]+) ms/.exec(r.out);
        if (r.code !== 0 || !m) throw new Error(`${name} upload run failed:\n${r.out}`);
        rates.push(Number(m[1]) / (Number(m[2]) / 1000));
      }
      result[name] = { rate: median(rates), runs, rates };
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ONLY = arg('only', '');
if (ONLY === 'modern') {
  // Modern plugins (issue 11): spawn to handshake of multi-component plugins, plugins installed and discovery.
  await (await import('./modern.mjs')).modern({ runs: RUNS, write: process.argv.includes('--write') });
  process.exit(0);
}
if (ONLY === 'upload') {
  // Quick mode for tuning: the upload case only, packer-ts core only unless --go is given.
  const up = await uploads(process.argv.includes('--go'));
  for (const [k, v] of Object.entries(up)) console.log(`${k}: ${(v.rate / 1e9).toFixed(3)} GB/s (median of ${v.runs}; ${v.rates.map((r) => (r / 1e9).toFixed(2)).join(' ')})`);
  process.exit(0);
}

const hs = {};
for (const [name, [cmd, args]] of Object.entries(impls)) {
  await handshakeOnce(cmd, args); // warm the page cache
  const a = [], b = [];
  for (let i = 0; i < RUNS; i++) { const r = await handshakeOnce(cmd, args); a.push(r.handshake); b.push(r.firstCall); }
  hs[name] = { handshake: median(a), firstCall: median(b) };
}
const rt = {};
for (const [name, [cmd, args]] of Object.entries(impls)) rt[name] = await roundTrips(cmd, args);
const up = await uploads();

const ours = 'packer-ts', go = 'Packer 1.6.6';
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const gbs = (x) => `${(x / 1e9).toFixed(2)} GB/s`;
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, medians of ${RUNS} runs (Packer's upload: ${up[go].runs} runs).`,
  '',
  '| measure | packer-ts | Packer 1.6.6 | ratio (ours / Packer) |',
  '|---|---|---|---|',
  `| spawn to handshake line (\`plugin packer-builder-file\`) | ${ms(hs[ours].handshake)} | ${ms(hs[go].handshake)} | ${ratio(hs[ours].handshake, hs[go].handshake)} |`,
  `| spawn to first answered call (Builder.Prepare) | ${ms(hs[ours].firstCall)} | ${ms(hs[go].firstCall)} | ${ratio(hs[ours].firstCall, hs[go].firstCall)} |`,
  `| RPC round trip, core (ours) -> plugin: Artifact.Id | ${us(rt[ours])} | ${us(rt[go])} | ${ratio(rt[ours], rt[go])} |`,
  `| upload ${MB} MB provisioner plugin -> core -> builder plugin communicator | ${gbs(up[ours].rate)} (packer-ts core) | ${gbs(up[go].rate)} (Packer core, same plugins) | ${ratio(up[go].rate, up[ours].rate)} time |`,
  '',
  `Target for the upload: >= 1 GB/s — ${up[ours].rate >= 1e9 ? 'met' : 'NOT met'}.`,
];
const text = lines.join('\n');
console.log(text);
if (process.argv.includes('--write')) {
  const readme = join(ROOT, 'bench/README.md');
  let md = await readFile(readme, 'utf8');
  const block = `<!-- results:plugins -->\n${text}\n<!-- /results:plugins -->`;
  if (md.includes('<!-- results:plugins -->')) md = md.replace(/<!-- results:plugins -->[\s\S]*<!-- \/results:plugins -->/, block);
  else md += `\n## Plugins (issue 3)\nRun with \`npm run build && node --import tsx bench/plugins/run.mjs --runs 10 --write\`.\nThe upload case uses two plugins of our own (\`bench/plugins/*.ts\`): a builder whose communicator\ncounts and drops bytes, and a provisioner that uploads MB megabytes from memory; the bytes\ncross two plugin processes and the core in the middle.\n\n${block}\n`;
  await writeFile(readme, md);
}
