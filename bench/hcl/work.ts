// Worker of bench/hcl/run.ts (bundled by it, run as plain Node): parses and
// evaluates the generated template RUNS times, prints the times as JSON.
import { cty, EvalContext, exprValue, packerFunctions, parseHCL } from '../../packages/hcl/src/index.ts';

import { template } from './work-template.ts';

const root = process.argv[2] ?? process.cwd();
const runs = Number(process.argv[3] ?? 10);

function parseAndEval(src: string): number {
  const t0 = performance.now();
  const { file, diags } = parseHCL(src, 'bench.pkr.hcl');
  if (diags.length) throw new Error(diags[0]!.summary);
  const { content } = file.body.content({ blocks: [{ type: 'variable', labelNames: ['name'] }, { type: 'locals' }, { type: 'source', labelNames: ['type', 'name'] }, { type: 'build' }] });
  const functions = packerFunctions(root);
  const varCtx = new EvalContext({ variables: { var: cty.objectVal({ prefix: cty.stringVal('img') }) }, functions });
  const locals: Record<string, cty.Value> = {};
  for (const b of content.blocks.filter((x) => x.type === 'locals')) {
    for (const [name, a] of b.body.justAttributes().attributes) locals[name] = exprValue(a.expr, varCtx).value;
  }
  const ctx = new EvalContext({ variables: { var: cty.objectVal({ prefix: cty.stringVal('img') }), local: cty.objectVal(locals) }, functions });
  let n = 0;
  for (const b of content.blocks.filter((x) => x.type === 'source')) {
    for (const a of b.body.justAttributes().attributes.values()) {
      const r = exprValue(a.expr, ctx);
      if (r.diags.length) throw new Error(r.diags[0]!.summary);
      n++;
    }
  }
  if (n !== 400) throw new Error(`evaluated ${n} attributes`);
  return performance.now() - t0;
}


const src = template(200);
const c0 = process.cpuUsage();
const first = parseAndEval(src);
const c1 = process.cpuUsage(c0);
const times: number[] = [];
const cpus: number[] = [];
for (let i = 0; i < runs; i++) {
  const u0 = process.cpuUsage();
  times.push(parseAndEval(src));
  const u = process.cpuUsage(u0);
  cpus.push((u.user + u.system) / 1000);
}
console.log(JSON.stringify({ first, firstCpu: (c1.user + c1.system) / 1000, times, cpus, bytes: src.length }));
