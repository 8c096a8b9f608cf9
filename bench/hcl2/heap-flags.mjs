// V8 heap flags for the commands that read templates: each command of bench/hcl2/run.mjs's
// template (200 sources, 200 locals) run as `node FLAGS dist/launch.cjs ARGS` under each set of
// flags, in interleaved rounds (the order reversed every other round), with Packer 1.6.6's
// `console` and `validate -syntax-only` beside them; wall from fork to exit, CPU and peak RSS from
// wait4 (bench/startup/measure.py), medians. `console` answers `local.l7` piped from printf (the sh
// and printf are in every console row alike). `long build` is a JSON build whose shell-local
// prints 200,000 lines through the Ui: the memory of a build that allocates for a while.
// NODE_EXTRA_CA_CERTS is unset (bin/packer-ts defers it; node run directly would parse it).
// Every flag set has its own code cache (the launcher names caches by flags), warmed first.
// `--instructions` counts each case once under callgrind instead (repeatable to about ±2% on this
// loaded machine, where times are not; the scavenger's copying is instructions too), and the
// scavenges of one more run (`--trace-gc`, under its own code cache).
// Usage: npm run build && node bench/hcl2/heap-flags.mjs [--rounds 9] [--only console,validate]
//        [--sets 'none;--max-semi-space-size=64;...'] (a set: flags separated by spaces) [--instructions]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureStart } from '../startup/measure.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const ROUNDS = Number(opt('--rounds', '9'));
const ONLY = opt('--only', '')?.split(',').filter(Boolean);
const SETS = opt('--sets', 'none;--max-semi-space-size=64;--min-semi-space-size=16 --max-semi-space-size=16;--min-semi-space-size=32 --max-semi-space-size=32;--min-semi-space-size=64 --max-semi-space-size=64')
  .split(';').map((s) => (s.trim() === 'none' ? [] : s.trim().split(/\s+/)));
const PACKER = '/usr/bin/packer';
const LAUNCH = join(ROOT, 'dist/launch.cjs');
// run.mjs measures when imported: take its template() alone (as instructions.mjs does)
const src = readFileSync(join(ROOT, 'bench/hcl2/run.mjs'), 'utf8');
const template = new Function(`${/export function template[\s\S]*?\n}\n/.exec(src)[0].replace('export ', '')}; return template;`)();

const work = mkdtempSync(join(tmpdir(), 'packer-ts-heap-flags-'));
writeFileSync(join(work, 'bench.pkr.hcl'), template(200));
writeFileSync(join(work, 'bench.json'), JSON.stringify({
  variables: { prefix: 'img' },
  builders: Array.from({ length: 50 }, (_, i) => ({ type: 'file', name: `f${i}`, content: `{{user \`prefix\`}}-${i}`, target: `out/f${i}.txt` })),
  provisioners: [{ type: 'shell-local', inline: ['echo {{build_name}}'] }],
}, null, 2));
writeFileSync(join(work, 'long.json'), JSON.stringify({
  builders: [{ type: 'null', communicator: 'none' }],
  provisioners: [{ type: 'shell-local', inline: ['seq 1 200000 | sed "s/^/line of output /"'] }],
}));
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', PACKER_NO_COLOR: '1', HOME: work };
delete env.NODE_EXTRA_CA_CERTS;
const clean = () => rmSync(join(work, 'out'), { recursive: true, force: true });
const PIPE = 'printf "local.l7\\n" | exec "$0" "$@"';
const COMMANDS = [
  { key: 'console', args: ['console', 'bench.pkr.hcl'], pipe: true },
  { key: 'validate', args: ['validate', 'bench.pkr.hcl'] },
  { key: 'syntax', args: ['validate', '-syntax-only', 'bench.pkr.hcl'] },
  { key: 'inspect', args: ['inspect', 'bench.pkr.hcl'] },
  { key: 'build', args: ['build', 'bench.pkr.hcl'], before: clean },
  { key: 'fmt', args: ['fmt', '-check', 'bench.pkr.hcl'], ok: [0, 3] },
  { key: 'hcl2_upgrade', args: ['hcl2_upgrade', 'bench.json'] },
  { key: 'json-validate', args: ['validate', 'bench.json'] },
  { key: 'long-build', args: ['build', 'long.json'] },
].filter((c) => !ONLY?.length || ONLY.includes(c.key));
const setName = (s) => (s.length ? s.join(' ') : 'no flags');
const cases = [];
for (const c of COMMANDS) {
  if (c.key === 'console' || c.key === 'syntax') {
    const cmd = c.pipe ? ['sh', '-c', PIPE, PACKER, ...c.args] : [PACKER, ...c.args];
    cases.push({ cmd: c.key, set: 'Packer 1.6.6', run: cmd, before: c.before });
  }
  for (const s of SETS) {
    const node = [process.execPath, ...s, LAUNCH, ...c.args];
    cases.push({ cmd: c.key, set: setName(s), run: c.pipe ? ['sh', '-c', PIPE, ...node] : node, node, before: c.before, ok: c.ok, input: c.pipe ? 'local.l7\n' : '' });
  }
}
// measure.py fails a non-zero exit; fmt -check exits 3 when the file needs formatting: run it under sh
for (const c of cases) if (c.ok) c.run = ['sh', '-c', '"$@"; s=$?; [ $s -eq 0 ] || [ $s -eq 3 ]', 'sh', ...c.run];
if (argv.includes('--instructions')) {
  const count = (c, wrap) => new Promise((res, rej) => {
    c.before?.();
    const cmd = wrap(c.node);
    const child = spawn(cmd[0], cmd.slice(1), { cwd: work, env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(c.input);
    let err = '';
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', () => res({ err, out }));
    child.on('error', rej);
  });
  console.log(`Counted ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, callgrind, one run each; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log('| command | flags | instructions (M) | scavenges | mark-compacts |\n|---|---|---|---|---|');
  for (const c of cases) {
    if (c.set === 'Packer 1.6.6') continue;
    spawnSync(c.node[0], c.node.slice(1), { cwd: work, env, input: c.input, stdio: ['pipe', 'ignore', 'ignore'], timeout: 120_000 }); // the code cache
    const n = /Collected : (\d+)/.exec((await count(c, (cmd) => ['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null', ...cmd])).err)?.[1];
    // --trace-gc prints to stdout: count its lines in one more run (its own cache, so run twice)
    const gc = (cmd) => cmd.map((a) => (a === process.execPath ? [a, '--trace-gc'] : [a])).flat();
    await count(c, gc);
    const out = (await count(c, gc)).out;
    console.log(`| ${c.cmd} | ${c.set} | ${n ? (Number(n) / 1e6).toFixed(1) : '?'} | ${(out.match(/: Scavenge/g) ?? []).length} | ${(out.match(/: Mark-Compact/g) ?? []).length} |`);
  }
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
const once = (c) => { c.before?.(); return measureStart({ name: `${c.cmd} ${c.set}`, cmd: c.run, cwd: work, env, timeoutMs: 300_000 }); };
for (const c of cases) { await once(c); await once(c); } // page cache, code caches
const times = cases.map(() => []);
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 ? [...cases.keys()].reverse() : [...cases.keys()];
  for (const j of order) times[j].push(await once(cases[j]));
}
rmSync(work, { recursive: true, force: true });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`${ROUNDS} interleaved rounds, medians; Node ${process.version}; load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log('| command | flags | wall (ms) | CPU (ms) | peak RSS (MB) |\n|---|---|---|---|---|');
for (const [j, c] of cases.entries()) {
  const t = times[j];
  console.log(`| ${c.cmd} | ${c.set} | ${median(t.map((x) => x.wall)).toFixed(1)} | ${median(t.map((x) => x.cpu)).toFixed(1)} | ${(median(t.map((x) => x.rss)) / 1024).toFixed(1)} |`);
}
