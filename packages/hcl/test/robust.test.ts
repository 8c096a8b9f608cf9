// Bad input never throws: mutated copies of the test corpora go through the
// parsers, the evaluator, the diagnostics printer and the formatter, which
// must all answer with diagnostics (a fixed pseudo-random sequence, so a
// failure reproduces).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, EvalContext, formatDiagnostics, formatHCL, packerFunctions, parseConfig, parseJSON, ast } from '../src/index.ts';

const seeds: string[] = [];
for (const d of ['./fmt', './diag', './diag-json']) {
  const dir = fileURLToPath(new URL(d, import.meta.url));
  for (const f of readdirSync(dir).sort()) seeds.push(readFileSync(`${dir}/${f}`, 'utf8'));
}

test('mutated inputs give diagnostics, never exceptions', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = '{}[]()"$%~\n\r\t =<>!?:.,*/+-&|#\\abcx0123456789EOT<<-\'`;é👩';
  const ctx = new EvalContext({ variables: {}, functions: packerFunctions(fileURLToPath(new URL('.', import.meta.url))) });
  let withErrors = 0;
  for (let i = 0; i < 3000; i++) {
    let s = seeds[rnd(seeds.length)]!;
    for (let m = 1 + rnd(5); m > 0; m--) {
      const p = rnd(s.length + 1);
      const k = rnd(4);
      if (k === 0) s = s.slice(0, p) + alphabet[rnd(alphabet.length)] + s.slice(p);
      else if (k === 1) s = s.slice(0, p) + s.slice(p + 1 + rnd(5));
      else if (k === 2) s = s.slice(0, p);
      else s = s.slice(0, p) + s.slice(rnd(s.length));
    }
    const { file, diags } = parseConfig(s, 'f.hcl');
    if (diags.length > 0) withErrors++;
    for (const d of diags) assert.ok(d.subject, `every syntax error has a range: ${JSON.stringify(s)}`);
    formatDiagnostics(diags, { 'f.hcl': file });
    formatHCL(s);
    const walk = (b: ast.Body): void => {
      for (const a of b.attributes) formatDiagnostics(evaluate(a.expr, ctx).diags, { 'f.hcl': file });
      for (const bl of b.blocks) walk(bl.body);
    };
    walk(file.body);
    const j = parseJSON(s, 'f.json');
    formatDiagnostics(j.diags, { 'f.json': j.file });
    j.file.body.content({ attributes: [{ name: 'a' }], blocks: [{ type: 'source', labelNames: ['type', 'name'] }] });
  }
  assert.ok(withErrors > 1000, 'the mutations do break the syntax');
});
