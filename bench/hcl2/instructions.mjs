// HCL2 commands in instructions: each case once under valgrind's callgrind, which counts the
// instructions the node process executes. Unlike wall or CPU time the count hardly moves with the
// machine's load, so each step of the work on parsing and evaluating shows even on a busy
// machine. The template is bench/hcl2/run.mjs's (200 sources, 200 locals, a function-heavy
// expression each); NODE_EXTRA_CA_CERTS is unset for every case (node's start would otherwise be
// mostly certificates), and the code caches are written by a first run of each case.
// Usage: npm run build && node bench/hcl2/instructions.mjs [--only NAME,...]   (apt-get install valgrind)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;
if (spawnSync('valgrind', ['--version']).status !== 0) { console.error('bench/hcl2/instructions.mjs needs valgrind (apt-get install valgrind)'); process.exit(1); }
const src = readFileSync(join(ROOT, 'bench/hcl2/run.mjs'), 'utf8');
// run.mjs measures when imported: take its template() alone
const template = new Function(`${/export function template[\s\S]*?\n}\n/.exec(src)[0].replace('export ', '')}; return template;`)();
const work = mkdtempSync(join(tmpdir(), 'packer-ts-hcl2-instr-'));
writeFileSync(join(work, 'bench.pkr.hcl'), template(200));
writeFileSync(join(work, 'empty.cjs'), '');
writeFileSync(join(work, 'tiny.pkr.hcl'), 'locals {\n  l7 = "a=7-b=img"\n}\n');
const NODE = process.execPath;
const OURS = join(ROOT, 'bin/packer-ts');
const CASES = [
  { key: 'empty', name: '`node empty.cjs`', cmd: [NODE, 'empty.cjs'] },
  { key: 'version', name: '`version`', cmd: [NODE, OURS, 'version'] },
  { key: 'syntax', name: '`validate -syntax-only`', cmd: [NODE, OURS, 'validate', '-syntax-only', 'bench.pkr.hcl'] },
  { key: 'console', name: '`console` answering `local.l7` (stdin then EOF)', cmd: [NODE, OURS, 'console', 'bench.pkr.hcl'], input: 'local.l7\n' },
  { key: 'console-tiny', name: '`console` answering `local.l7` of a one-local template (the floor)', cmd: [NODE, OURS, 'console', 'tiny.pkr.hcl'], input: 'local.l7\n' },
  { key: 'validate', name: '`validate`', cmd: [NODE, OURS, 'validate', 'bench.pkr.hcl'] },
  { key: 'build', name: '`build` (200 files)', cmd: [NODE, OURS, 'build', 'bench.pkr.hcl'], before: () => rmSync(join(work, 'out'), { recursive: true, force: true }) },
].filter((c) => !only || only.includes(c.key));
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', PACKER_NO_COLOR: '1', HOME: work };
delete env.NODE_EXTRA_CA_CERTS;

function count(c) {
  return new Promise((res, rej) => {
    c.before?.();
    const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', ...c.cmd], { cwd: work, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${c.name}: timed out`)); }, 600_000);
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.stdin.end(c.input ?? '');
    child.on('close', () => {
      clearTimeout(timer);
      const m = /Collected : (\d+)/.exec(err);
      if (!m) rej(new Error(`${c.name}: no count\n${err.slice(-2000)}`));
      else res({ n: Number(m[1]), out });
    });
  });
}

for (const c of CASES) {
  c.before?.();
  spawnSync(c.cmd[0], c.cmd.slice(1), { cwd: work, env, input: c.input ?? '', stdio: ['pipe', 'ignore', 'ignore'], timeout: 120_000 }); // writes the code caches
}
const lines = [`Counted ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, valgrind --tool=callgrind, one run each, NODE_EXTRA_CA_CERTS unset (millions of instructions of the node process).`, '', '| case | instructions (M) |', '|---|---|'];
for (const c of CASES) {
  const r = await count(c);
  if (c.key.startsWith('console') && !r.out.includes('a=7-b=img')) throw new Error(`console did not answer: ${r.out}`);
  lines.push(`| ${c.name} | ${(r.n / 1e6).toFixed(1)} |`);
  console.error(lines.at(-1));
}
rmSync(work, { recursive: true, force: true });
console.log(lines.join('\n'));
