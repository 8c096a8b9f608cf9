// The native-syntax scanner and parser on bench/hcl2's template, cold: each run is a fresh node
// process that loads a bundle of packages/hcl/src/syntax/parser.ts and times one scan() and then
// one parseConfig() of a new copy of the text (the parse is the first use of the parser's code,
// as in `console`). Prints the median of the runs in ms, and the bytes allocated by the parse.
// Usage: node bench/hcl2/parse-cold.mjs [runs]   (default 11)
//        node bench/hcl2/parse-cold.mjs --instructions   (callgrind, apt-get install valgrind: the
//        instructions of a process that loads the bundle and parses the template once, minus one
//        that only loads it; `node --single-threaded`, so that background compiles do not move it)
//        node bench/hcl2/parse-cold.mjs --instructions --as-console   (the same under `node --predictable`
//        with the V8 flags bin/packer-ts gives `console`: TurboFan then compiles almost nothing, as
//        in the command, and the count repeats to 0.1 M)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');
const instructions = process.argv[2] === '--instructions';
const nodeFlags = process.argv[3] === '--as-console' ? ['--predictable', '--min-semi-space-size=24', '--max-semi-space-size=64', '--interrupt-budget=600000'] : ['--single-threaded'];
const runs = instructions ? 0 : Number(process.argv[2] ?? 11);
const src = readFileSync(join(ROOT, 'bench/hcl2/run.mjs'), 'utf8');
const template = new Function(`${/export function template[\s\S]*?\n}\n/.exec(src)[0].replace('export ', '')}; return template;`)();
const work = mkdtempSync(join(tmpdir(), 'packer-ts-parse-cold-'));
writeFileSync(join(work, 'bench.pkr.hcl'), template(200));
writeFileSync(join(work, 'entry.ts'), `export { parseConfig } from ${JSON.stringify(join(ROOT, 'packages/hcl/src/syntax/parser.ts'))};\nexport { scan } from ${JSON.stringify(join(ROOT, 'packages/hcl/src/syntax/lexer.ts'))};\n`);
await build({ entryPoints: [join(work, 'entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(work, 'p.cjs'), logLevel: 'error' });
writeFileSync(join(work, 'run.cjs'), `
const { readFileSync } = require('node:fs');
const t0 = process.hrtime.bigint();
const m = require('./p.cjs');
const t1 = process.hrtime.bigint();
const text = readFileSync('bench.pkr.hcl', 'utf8');
const lexed = m.scan(text, 'bench.pkr.hcl');
const t2 = process.hrtime.bigint();
const h0 = process.memoryUsage().heapUsed;
const { file, diags } = m.parseConfig(text + ' ', 'bench.pkr.hcl');
const t3 = process.hrtime.bigint();
const h1 = process.memoryUsage().heapUsed;
if (diags.length || file.body.blocks.length !== 203) throw new Error('bad parse');
console.log(JSON.stringify({ load: Number(t1 - t0) / 1e6, scan: Number(t2 - t1) / 1e6, parse: Number(t3 - t2) / 1e6, live: (h1 - h0) / 1e6, tokens: lexed.tokens.length }));
`);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
if (instructions) {
  writeFileSync(join(work, 'load.cjs'), `require('./p.cjs'); require('node:fs').readFileSync('bench.pkr.hcl', 'utf8');\n`);
  writeFileSync(join(work, 'parse.cjs'), `const m = require('./p.cjs'); const { diags } = m.parseConfig(require('node:fs').readFileSync('bench.pkr.hcl', 'utf8'), 'bench.pkr.hcl'); if (diags.length) throw new Error('bad parse');\n`);
  const count = (script) => {
    const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...nodeFlags, script], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
    const m = /Collected : (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`${script}: no count\n${r.stderr.slice(-2000)}`);
    return Number(m[1]);
  };
  const load = count('load.cjs');
  const parse = count('parse.cjs');
  rmSync(work, { recursive: true, force: true });
  console.log(`parseConfig of the template, cold: ${((parse - load) / 1e6).toFixed(1)} M instructions (load only ${(load / 1e6).toFixed(1)} M, load and parse ${(parse / 1e6).toFixed(1)} M)`);
  process.exit(0);
}
const rows = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, ['run.cjs'], { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  rows.push(JSON.parse(r.stdout));
}
rmSync(work, { recursive: true, force: true });
const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(`tokens ${rows[0].tokens}; median of ${runs} cold runs: load ${med('load').toFixed(1)} ms, scan ${med('scan').toFixed(1)} ms, scan+parse ${med('parse').toFixed(1)} ms, heap after parse +${med('live').toFixed(1)} MB`);
