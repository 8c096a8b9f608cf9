// Start-up, side by side in one run (issue: start-up speed): every case runs once to warm the
// page cache (and to write packer-ts's code cache), then all cases run in turn, N rounds, so
// that the machine's load falls on each alike. Each start is measured by measure.py: wall time
// from fork to exit (or, for plugins, to the handshake line on stdout) and CPU time (wait4).
// Usage: npm run build && node bench/startup/run.mjs [--runs 20] [--write]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, chmodSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';
import { measureStart } from './measure.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const RUNS = Number(opt('--runs', '20'));
const WRITE = argv.includes('--write');
const PACKER = '/usr/bin/packer';
const ORACLES = process.env.PACKER_TS_ORACLES ?? join(ROOT, '../shared/fixtures/modern-plugins/bin');
const PACKER_116 = join(ORACLES, 'packer-1.16');
const OURS = join(ROOT, 'bin/packer-ts');
const BUNDLE = join(ROOT, 'dist/packer-ts.cjs');
for (const [p, what] of [[PACKER, 'Packer 1.6.6 (apt-get install -y packer)'], [PACKER_116, 'Packer 1.16.0 (../shared/fixtures/modern-plugins)'], [BUNDLE, 'the bundle (npm run build)']]) {
  if (!existsSync(p)) { console.error(`bench/startup needs ${what}: ${p} is missing`); process.exit(1); }
}

const work = mkdtempSync(join(tmpdir(), 'packer-ts-startup-'));
cpSync(join(ROOT, 'bench/templates/trivial.json'), join(work, 'trivial.json'));
writeFileSync(join(work, 'empty.cjs'), '');
// The whole CLI through the launcher, as every command started before dist/version.cjs and dist/plugin.cjs.
const WHOLE = join(work, 'whole-cli');
writeFileSync(WHOLE, `require(${JSON.stringify(join(ROOT, 'dist/launch.cjs'))}).launch(${JSON.stringify(BUNDLE)});\n`);
// The start-up of the previous layout, rebuilt from today's sources for comparison: ESM with
// code splitting, started by the sh launcher with --enable-source-maps.
const esm = join(work, 'esm');
await build({
  entryPoints: { 'packer-ts': join(ROOT, 'packages/cli/src/main.ts') }, outdir: join(esm, 'dist'), outExtension: { '.js': '.mjs' },
  splitting: true, chunkNames: 'chunks/[name]-[hash]', bundle: true, platform: 'node', format: 'esm', target: 'node20',
  sourcemap: 'linked', legalComments: 'none', logLevel: 'error', external: ['ssh2'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const shLauncher = join(esm, 'bin', 'packer-ts');
cpSync(join(ROOT, 'bench/startup/sh-launcher'), shLauncher);
chmodSync(shLauncher, 0o755);
// A TypeScript plugin made with the SDK, bundled as plugin authors do (bench/plugins/sink-builder.ts).
const sdkPlugin = join(work, 'packer-builder-sink');
await build({ entryPoints: [join(ROOT, 'bench/plugins/sink-builder.ts')], outfile: sdkPlugin, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', banner: { js: EXECUTABLE_BANNER } });
chmodSync(sdkPlugin, 0o755);

const NODE = process.execPath;
// What bin/packer-ts was before it became a sh script: node runs it, so node parses NODE_EXTRA_CA_CERTS first.
const nodeLauncher = join(work, 'node-launcher');
writeFileSync(nodeLauncher, `#!/usr/bin/env node\nrequire(${JSON.stringify(join(ROOT, 'dist/launch.cjs'))}).start(${JSON.stringify(join(ROOT, 'dist'))});\n`, { mode: 0o755 });
const COOKIE = { PACKER_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PACKER_PLUGIN_MIN_PORT: '10000', PACKER_PLUGIN_MAX_PORT: '25000' };
const NOCACHE = { PACKER_TS_CODE_CACHE: '0' };
// NODE_EXTRA_CA_CERTS makes every node start parse that file's certificates (Node 20 reads it at
// start-up, before any script): with the system bundle, most of `node -e 0`. Rows marked
// "no extra CA" run without it.
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS;
const NOCA = { NODE_EXTRA_CA_CERTS: undefined };
const CASES = [
  // floors
  { group: 'floor', name: '`node -e 0`', cmd: [NODE, '-e', '0'] },
  { group: 'floor', name: '`node empty.cjs`', cmd: [NODE, 'empty.cjs'] },
  { group: 'floor', name: '`sh -c "exec node -e 0"` (a sh launcher)', cmd: ['sh', '-c', `exec ${NODE} -e 0`] },
  { group: 'floor', name: '`sh -c "echo hello"` (the shell-local spawn)', cmd: ['sh', '-c', 'echo hello'] },
  ...(EXTRA_CA ? [{ group: 'floor', name: '`node -e 0`, no extra CA', cmd: [NODE, '-e', '0'], env: NOCA, key: 'node0NoCA' }] : []),
  // version
  { group: 'version', name: 'Packer 1.16.0 `version`', cmd: [PACKER_116, 'version'] },
  { group: 'version', name: 'Packer 1.6.6 `version`', cmd: [PACKER, 'version'] },
  { group: 'version', name: 'before: sh launcher, `--enable-source-maps`, ESM chunks', cmd: [shLauncher, 'version'] },
  { group: 'version', name: 'ESM chunks without source maps (`node dist/packer-ts.mjs`)', cmd: [NODE, join(esm, 'dist/packer-ts.mjs'), 'version'] },
  { group: 'version', name: 'one CommonJS bundle, no code cache (`node dist/packer-ts.cjs`)', cmd: [NODE, BUNDLE, 'version'] },
  { group: 'version', name: 'bin/packer-ts, `dist/version.cjs`, no code cache (`PACKER_TS_CODE_CACHE=0`)', cmd: [OURS, 'version'], env: NOCACHE },
  { group: 'version', name: 'before: a node launcher (`#!/usr/bin/env node`: node parses the extra CA)', cmd: [nodeLauncher, 'version'] },
  { group: 'version', name: 'the whole CLI bundle through the launcher (before `dist/version.cjs`)', cmd: [NODE, WHOLE, 'version'] },
  { group: 'version', name: '**packer-ts `version`** (sh launcher deferring the extra CA, code cache)', cmd: [OURS, 'version'], key: 'version' },
  ...(EXTRA_CA ? [{ group: 'version', name: 'packer-ts `version`, no extra CA', cmd: [OURS, 'version'], env: NOCA, key: 'versionNoCA' }] : []),
  // trivial build
  { group: 'build', name: 'Packer 1.16.0 trivial build', cmd: [PACKER_116, 'build', 'trivial.json'], key: 'build116' },
  { group: 'build', name: 'Packer 1.6.6 trivial build', cmd: [PACKER, 'build', 'trivial.json'] },
  { group: 'build', name: 'before: trivial build (sh launcher, source maps, ESM)', cmd: [shLauncher, 'build', 'trivial.json'] },
  { group: 'build', name: 'before: a node launcher (node parses the extra CA)', cmd: [nodeLauncher, 'build', 'trivial.json'] },
  { group: 'build', name: '**packer-ts trivial build**', cmd: [OURS, 'build', 'trivial.json'], key: 'build' },
  ...(EXTRA_CA ? [{ group: 'build', name: 'packer-ts trivial build, no extra CA', cmd: [OURS, 'build', 'trivial.json'], env: NOCA, key: 'buildNoCA' }] : []),
  // plugins: spawn to handshake line
  { group: 'plugin', name: 'Packer 1.6.6 `plugin packer-builder-file`', cmd: [PACKER, 'plugin', 'packer-builder-file'], handshake: true },
  { group: 'plugin', name: 'before: `plugin packer-builder-file` (sh launcher, source maps, ESM)', cmd: [shLauncher, 'plugin', 'packer-builder-file'], handshake: true },
  { group: 'plugin', name: 'the whole CLI bundle through the launcher (before `dist/plugin.cjs`)', cmd: [NODE, WHOLE, 'plugin', 'packer-builder-file'], handshake: true },
  { group: 'plugin', name: 'before: a node launcher (node parses the extra CA)', cmd: [nodeLauncher, 'plugin', 'packer-builder-file'], handshake: true },
  { group: 'plugin', name: '**packer-ts `plugin packer-builder-file`**', cmd: [OURS, 'plugin', 'packer-builder-file'], handshake: true, key: 'plugin' },
  { group: 'plugin', name: '**SDK plugin (bundled `sink-builder.ts`)**', cmd: [sdkPlugin], handshake: true, key: 'sdk' },
  ...(EXTRA_CA ? [{ group: 'plugin', name: 'packer-ts `plugin packer-builder-file`, no extra CA', cmd: [OURS, 'plugin', 'packer-builder-file'], handshake: true, env: NOCA, key: 'pluginNoCA' }] : []),
  ...(EXTRA_CA ? [{ group: 'plugin', name: 'SDK plugin, no extra CA', cmd: [sdkPlugin], handshake: true, env: NOCA, key: 'sdkNoCA' }] : []),
];

const baseEnv = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', PACKER_NO_COLOR: '1', HOME: work };
// One start, measured by measure.py (fork to exit or handshake line; CPU time from wait4).
function once(c) {
  const env = { ...baseEnv, ...(c.handshake ? COOKIE : {}), ...c.env };
  return measureStart({ name: c.name, cmd: c.cmd, until: c.handshake ? 'handshake' : 'exit', cwd: work, env, timeoutMs: 60_000 });
}

const times = CASES.map(() => []);
// A plugin's warm-up runs 1.5 s before it is killed: the launcher writes a missing code cache a
// second after start (a plugin killed at its handshake would never write one).
const warmPlugin = (c) => new Promise((res) => {
  const child = spawn(c.cmd[0], c.cmd.slice(1), { cwd: work, env: { ...baseEnv, ...COOKIE, ...c.env }, stdio: 'ignore' });
  setTimeout(() => { child.kill('SIGKILL'); res(); }, 1500);
});
for (const c of CASES) await (c.handshake ? warmPlugin(c) : once(c)); // warm-up (writes packer-ts's code caches)
for (let i = 0; i < RUNS; i++) {
  const order = i % 2 ? [...CASES.keys()].reverse() : [...CASES.keys()];
  for (const j of order) times[j].push(await once(CASES[j]));
}
rmSync(work, { recursive: true, force: true });

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const wall = CASES.map((_, j) => median(times[j].map((t) => t.wall)));
const wallMin = CASES.map((_, j) => Math.min(...times[j].map((t) => t.wall)));
const cpu = CASES.map((_, j) => median(times[j].map((t) => t.cpu)));
const byKey = (k) => CASES.findIndex((c) => c.key === k);
const f = (x) => x.toFixed(1);
const goal = (xs, a, b, target) => { const r = xs[a] / xs[b]; return `**${r.toFixed(2)}x** ${r <= target ? 'met' : 'NOT met'}`; };
const NODE0 = 0;
const goals = (xs) => [
  `\`version\` / \`node -e 0\` (goal <= 1.1x): ${goal(xs, byKey('version'), NODE0, 1.1)}`,
  `trivial build / Packer 1.16.0 (goal <= 1x): ${goal(xs, byKey('build'), byKey('build116'), 1.0)}`,
  `plugin handshake / \`node -e 0\` (goal <= 1.2x): packer-ts ${goal(xs, byKey('plugin'), NODE0, 1.2)}, SDK plugin ${goal(xs, byKey('sdk'), NODE0, 1.2)}`,
];
// The same goals where node starts without NODE_EXTRA_CA_CERTS (every row and the floor without it).
const goalsNoCA = (xs) => EXTRA_CA ? [
  `\`version\` ${goal(xs, byKey('versionNoCA'), byKey('node0NoCA'), 1.1)}`,
  `trivial build / Packer 1.16.0 ${goal(xs, byKey('buildNoCA'), byKey('build116'), 1.0)}`,
  `plugin handshake: packer-ts ${goal(xs, byKey('pluginNoCA'), byKey('node0NoCA'), 1.2)}, SDK plugin ${goal(xs, byKey('sdkNoCA'), byKey('node0NoCA'), 1.2)}`,
] : [];
const lines = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end), Node ${process.version}, ${RUNS} interleaved rounds, medians (ms), NODE_EXTRA_CA_CERTS ${EXTRA_CA ? `set (${EXTRA_CA})` : 'unset'}. Wall: fork to exit (plugins: to the handshake line); CPU: user + system time of the process and the children it waited for (wait4).`,
  '',
  '| case | wall | wall min | wall / `node -e 0` | CPU | CPU / `node -e 0` |',
  '|---|---|---|---|---|---|',
  ...CASES.map((c, j) => `| ${c.name} | ${f(wall[j])} | ${f(wallMin[j])} | ${(wall[j] / wall[NODE0]).toFixed(2)}x | ${f(cpu[j])} | ${(cpu[j] / cpu[NODE0]).toFixed(2)}x |`),
  '',
  `Goals by wall time: ${goals(wall).join('; ')}.`,
  '',
  `Goals by CPU time: ${goals(cpu).join('; ')}.`,
  ...(EXTRA_CA ? ['', `Without NODE_EXTRA_CA_CERTS (our rows and \`node -e 0\`), by wall time: ${goalsNoCA(wall).join('; ')}; by CPU time: ${goalsNoCA(cpu).join('; ')}.`] : []),
];
const text = lines.join('\n');
console.log(text);
if (WRITE) {
  const readme = join(ROOT, 'bench/README.md');
  const md = readFileSync(readme, 'utf8');
  const block = `<!-- results:startup -->\n${text}\n<!-- /results:startup -->`;
  if (!md.includes('<!-- results:startup -->')) throw new Error('bench/README.md has no <!-- results:startup --> block');
  writeFileSync(readme, md.replace(/<!-- results:startup -->[\s\S]*<!-- \/results:startup -->/, block));
}
