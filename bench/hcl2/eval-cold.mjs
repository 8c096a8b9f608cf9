// The evaluator alone, cold: one fresh node process parses bench/hcl2/run.mjs's template (200
// locals, 200 sources), then evaluates what `console` and `validate` evaluate: the variables and
// locals (parseVariables + initializeVariables), then each source's `content` template in the
// locals' context. Prints each phase's time; a first argument `parse` (or `locals`) makes the bundle stop there, so that under
// callgrind the difference of two counts is the evaluation's instructions:
//   node bench/hcl2/eval-cold.mjs [--runs 5]          (times, each run a fresh process)
//   node bench/hcl2/eval-cold.mjs --instructions      (callgrind: parse only, parse + evaluation)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const src = readFileSync(join(ROOT, 'bench/hcl2/run.mjs'), 'utf8');
const template = new Function(`${/export function template[\s\S]*?\n}\n/.exec(src)[0].replace('export ', '')}; return template;`)();
const work = mkdtempSync(join(tmpdir(), 'packer-ts-eval-cold-'));
writeFileSync(join(work, 'bench.pkr.hcl'), template(200));
writeFileSync(join(work, 'entry.ts'), `
import { readHcl2File, ROOT_SCHEMA } from ${JSON.stringify(join(ROOT, 'packages/core/src/hcl2/index.ts'))};
import { parseVariables, initializeVariables } from ${JSON.stringify(join(ROOT, 'packages/core/src/hcl2/context.ts'))};
import { exprValue, hasErrors } from ${JSON.stringify(join(ROOT, 'packages/hcl/src/index.ts'))};
const phase = process.argv[2] ?? 'all';
const t0 = performance.now();
const { file, diags } = readHcl2File('bench.pkr.hcl', 'native');
if (!file || hasErrors(diags)) throw new Error('parse failed');
const { content } = file.body.content(ROOT_SCHEMA);
const t1 = performance.now();
if (phase === 'parse') process.exit(0);
const p = parseVariables({ blocks: content.blocks, templatePath: 'bench.pkr.hcl', cwd: process.cwd(), inputs: { vars: [], varFiles: [], env: {} } });
const i = initializeVariables(p);
if (hasErrors(i.diags) || i.locals.size !== 200 || i.locals.get('l7').value.asString() !== 'a=7-b=img') throw new Error('locals wrong');
const t2 = performance.now();
if (phase === 'locals') process.exit(0);
let n = 0;
for (const b of content.blocks) {
  if (b.type !== 'source') continue;
  const { content: c } = b.body.partialContent({ attributes: [{ name: 'content' }] });
  const r = exprValue(c.attributes.get('content').expr, i.ctx);
  if (hasErrors(r.diags)) throw new Error('content failed');
  n += r.value.asString().length;
}
const t3 = performance.now();
console.log(JSON.stringify({ parse: t1 - t0, locals: t2 - t1, sources: t3 - t2, n }));
`);
await build({ entryPoints: [join(work, 'entry.ts')], outfile: join(work, 'entry.cjs'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', external: ['cpu-features', 'ssh2'] });
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
if (argv.includes("--keep")) { console.log(work); process.exit(0); }
try {
  if (argv.includes('--instructions')) {
    const counts = {};
    for (const phase of ['parse', 'locals', 'all']) {
      const r = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', 'entry.cjs', phase], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
      const m = /Collected : (\d+)/.exec(r.stderr);
      if (!m || r.status !== 0) throw new Error(`${phase}: ${r.stderr.slice(-2000)}`);
      counts[phase] = Number(m[1]) / 1e6;
    }
    console.log(`parse only ${counts.parse.toFixed(1)}M, + variables and locals ${counts.locals.toFixed(1)}M, + source contents ${counts.all.toFixed(1)}M: evaluation ${(counts.all - counts.parse).toFixed(1)}M instructions (variables and locals ${(counts.locals - counts.parse).toFixed(1)}M, source contents ${(counts.all - counts.locals).toFixed(1)}M)`);
  } else {
    const runs = Number(opt('--runs', '5'));
    const all = [];
    for (let k = 0; k < runs; k++) {
      const r = spawnSync(process.execPath, ['entry.cjs'], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(r.stderr);
      all.push(JSON.parse(r.stdout));
    }
    const med = (k) => { const v = all.map((x) => x[k]).sort((a, b) => a - b); return v[v.length >> 1].toFixed(1); };
    console.log(`median of ${runs} cold runs (ms): parse ${med('parse')}, variables+locals ${med('locals')}, 200 source contents ${med('sources')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
