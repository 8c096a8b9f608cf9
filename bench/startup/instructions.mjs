// Start-up in instructions: each case once under valgrind's callgrind, which counts the
// instructions the node process executes (not its children). Unlike wall or CPU time, the count
// hardly moves with the machine's load, so small steps show even on a busy machine. A plugin is
// counted from spawn to its exit after the core side (here: a connect and close) leaves.
// Usage: npm run build && node bench/startup/instructions.mjs [--write]   (apt-get install valgrind)
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const WRITE = process.argv.includes('--write');
if (spawnSync('valgrind', ['--version']).status !== 0) { console.error('bench/startup/instructions.mjs needs valgrind (apt-get install valgrind)'); process.exit(1); }
const work = mkdtempSync(join(tmpdir(), 'packer-ts-instr-'));
cpSync(join(ROOT, 'bench/templates/trivial.json'), join(work, 'trivial.json'));
writeFileSync(join(work, 'empty.cjs'), '');
// The whole CLI through the launcher, as every command started before dist/version.cjs and dist/plugin.cjs.
writeFileSync(join(work, 'whole-cli'), `require(${JSON.stringify(join(ROOT, 'dist/launch.cjs'))}).launch(${JSON.stringify(join(ROOT, 'dist/packer-ts.cjs'))});\n`);
const NODE = process.execPath;
const OURS = join(ROOT, 'bin/packer-ts');
const WHOLE = join(work, 'whole-cli');
const COOKIE = { PACKER_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PACKER_PLUGIN_MIN_PORT: '10000', PACKER_PLUGIN_MAX_PORT: '25000' };
// bin/packer-ts is a sh script that execs node (same pid): valgrind follows the exec
// (--trace-children=yes) and counts both. Its children (the build's shell-local sh) are counted
// too; rows "no extra CA" run without NODE_EXTRA_CA_CERTS, which the sh launcher defers anyway.
const NOCA = { NODE_EXTRA_CA_CERTS: undefined };
const CASES = [
  { name: '`node -e 0`', cmd: [NODE, '-e', '0'] },
  { name: '`node -e 0`, no extra CA', cmd: [NODE, '-e', '0'], env: NOCA },
  { name: '`node empty.cjs`', cmd: [NODE, 'empty.cjs'] },
  { name: '`version`: the whole CLI bundle through the launcher', cmd: [NODE, WHOLE, 'version'] },
  { name: '**`version`** (bin/packer-ts: dist/version.cjs)', cmd: [OURS, 'version'], key: 'version' },
  { name: '`version`, no code cache', cmd: [OURS, 'version'], env: { PACKER_TS_CODE_CACHE: '0' } },
  { name: '`plugin packer-builder-file`: the whole CLI bundle', cmd: [NODE, WHOLE, 'plugin', 'packer-builder-file'], plugin: true },
  { name: '**`plugin packer-builder-file`** (dist/plugin.cjs)', cmd: [OURS, 'plugin', 'packer-builder-file'], plugin: true, key: 'plugin' },
  { name: '`plugin packer-builder-file`, no extra CA', cmd: [OURS, 'plugin', 'packer-builder-file'], plugin: true, env: NOCA },
  { name: '**trivial build** (with its shell-local sh)', cmd: [OURS, 'build', 'trivial.json'], key: 'build' },
  { name: 'trivial build, no extra CA', cmd: [OURS, 'build', 'trivial.json'], env: NOCA },
];
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', HOME: work, ...COOKIE };

function count(c) {
  return new Promise((res, rej) => {
    const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--trace-children=yes', ...c.cmd], { cwd: work, env: { ...env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${c.name}: timed out`)); }, 600_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (c.plugin && out.includes('\n') && !c.connected) {
        c.connected = true;
        const path = out.split('\n')[0].split('|')[2];
        const s = connect(path, () => s.end());
        s.on('error', () => {});
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', () => {
      clearTimeout(timer);
      const m = [...err.matchAll(/Collected : (\d+)/g)];
      if (m.length === 0) rej(new Error(`${c.name}: no count\n${err.slice(-2000)}`));
      else res(m.reduce((sum, x) => sum + Number(x[1]), 0));
    });
  });
}

// Warm-up: each case once outside valgrind, which writes packer-ts's code caches (a plugin: up to
// its handshake, a connection, and its exit).
function warm(c) {
  if (!c.plugin) { spawnSync(c.cmd[0], c.cmd.slice(1), { cwd: work, env: { ...env, ...c.env }, stdio: 'ignore', timeout: 60_000 }); return Promise.resolve(); }
  return new Promise((res) => {
    const child = spawn(c.cmd[0], c.cmd.slice(1), { cwd: work, env: { ...env, ...c.env }, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d) => {
      if (out.includes('\n')) return;
      out += d;
      if (out.includes('\n')) { const s = connect(out.split('\n')[0].split('|')[2], () => s.end()); s.on('error', () => {}); }
    });
    child.on('close', () => { clearTimeout(timer); res(); });
  });
}
for (const c of CASES) await warm(c);
const counts = [];
for (const c of CASES) { counts.push(await count(c)); console.error(`${c.name}: ${counts.at(-1)}`); }
rmSync(work, { recursive: true, force: true });
const base = counts[0];
const lines = [
  `Counted ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, valgrind --tool=callgrind, one run each (millions of instructions of the process and the children it starts).`,
  '',
  '| case | instructions (M) | / `node -e 0` |',
  '|---|---|---|',
  ...CASES.map((c, j) => `| ${c.name} | ${(counts[j] / 1e6).toFixed(1)} | ${(counts[j] / base).toFixed(3)}x |`),
];
const text = lines.join('\n');
console.log(text);
if (WRITE) {
  const readme = join(ROOT, 'bench/README.md');
  const md = readFileSync(readme, 'utf8');
  if (!md.includes('<!-- results:startup-instructions -->')) throw new Error('bench/README.md has no <!-- results:startup-instructions --> block');
  writeFileSync(readme, md.replace(/<!-- results:startup-instructions -->[\s\S]*<!-- \/results:startup-instructions -->/, `<!-- results:startup-instructions -->\n${text}\n<!-- /results:startup-instructions -->`));
}
