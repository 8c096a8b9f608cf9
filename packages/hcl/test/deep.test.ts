// Deeply nested input: moderate depths parse and evaluate; depths beyond the
// engine's stack give a "Nesting too deep" diagnostic naming the file and
// line, never a RangeError.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, parseConfig, parseExpression, parseJson, parseTemplate, type Expr } from '../src/index.ts';

const nestedBrackets = (n: number): string => '['.repeat(n) + ']'.repeat(n);

// How many tuples deep the type is ([[[]]] is 3).
function depth(v: { type: { kind: string } }): number {
  let d = 0;
  let t = v.type as { kind: string; elems?: { kind: string }[] };
  while (t.kind === 'tuple') {
    d++;
    if (!t.elems || t.elems.length === 0) break;
    t = t.elems[0]!;
  }
  return d;
}

test('1,000 nested brackets, parentheses and objects parse and evaluate', () => {
  const { file, diags } = parseConfig(`locals {\n  x = ${nestedBrackets(1000)}\n  y = ${'('.repeat(1000)}1${')'.repeat(1000)}\n  z = ${'{a='.repeat(1000)}1${'}'.repeat(1000)}\n}\n`, 'deep.pkr.hcl');
  assert.deepEqual(diags, []);
  const attrs = file.body.blocks[0]!.body.attributes;
  const x = evaluate(attrs[0]!.expr, undefined);
  assert.deepEqual(x.diags, []);
  assert.equal(depth(x.value), 1000);
  const y = evaluate(attrs[1]!.expr, undefined);
  assert.deepEqual(y.diags, []);
  assert.equal(y.value.type.kind, 'number');
  assert.deepEqual(evaluate(attrs[2]!.expr, undefined).diags, []);
});

for (const [shape, src] of [
  ['100,000 brackets', `x = ${nestedBrackets(100000)}`],
  ['100,000 parentheses', `x = ${'('.repeat(100000)}1${')'.repeat(100000)}`],
  ['100,000 objects', `x = ${'{a='.repeat(100000)}1${'}'.repeat(100000)}`],
  // (10,000: template parsing is slower than linear in the nesting depth)
  ['10,000 interpolations', `x = ${'"${'.repeat(10000)}1${'}"'.repeat(10000)}`],
  ['100,000 blocks', `${'a {\n'.repeat(100000)}${'}\n'.repeat(100000)}`],
] as const) {
  test(`${shape} nested: a diagnostic naming file and line, not a stack overflow`, () => {
    const { diags } = parseConfig(`# deep\n${src}\n`, 'deep.pkr.hcl');
    const deep = diags.find((d) => d.summary === 'Nesting too deep');
    assert.ok(deep, `diagnostics: ${diags.map((d) => d.summary).join(', ')}`);
    assert.equal(deep.subject?.filename, 'deep.pkr.hcl');
    assert.ok(deep.subject!.start.line >= 2, `line ${deep.subject!.start.line}`);
  });
}

test('100,000 nested JSON arrays, a bare expression and a bare template give the diagnostic too', () => {
  const j = parseJson(`{"locals":\n{"x": ${nestedBrackets(100000)}}}`, 'deep.pkr.json');
  assert.deepEqual(j.diags.map((d) => [d.summary, d.subject?.filename, d.subject?.start.line]), [['Nesting too deep', 'deep.pkr.json', 2]]);
  const e = parseExpression(nestedBrackets(100000), 'expr.hcl');
  assert.equal(e.diags[0]?.summary, 'Nesting too deep');
  const t = parseTemplate('${' + nestedBrackets(100000) + '}', 'tpl.txt');
  assert.equal(t.diags[0]?.summary, 'Nesting too deep');
});

test('an expression tree too deep to evaluate gives a diagnostic at its range', () => {
  const range = { filename: 'gen.pkr.hcl', start: { line: 7, column: 3, byte: 40 }, end: { line: 7, column: 9, byte: 46 } };
  let expr: Expr = { kind: 'Literal', value: { t: 'number', text: '1' }, range } as Expr;
  for (let i = 0; i < 200000; i++) expr = { kind: 'TupleCons', exprs: [expr], range, openRange: range } as Expr;
  const r = evaluate(expr, undefined);
  assert.deepEqual(r.diags.map((d) => [d.summary, d.subject?.filename, d.subject?.start.line]), [['Nesting too deep', 'gen.pkr.hcl', 7]]);
});

test('with a hand-off depth set, input nested deeper throws DeepNestingError (the CLI re-runs it on a deep-stack thread)', () => {
  const key = Symbol.for('packer-ts.hcl.nesting-handoff');
  const g = globalThis as Record<symbol, unknown>;
  g[key] = 50;
  try {
    assert.deepEqual(parseConfig(`x = ${nestedBrackets(40)}\n`, 'ok.pkr.hcl').diags, []);
    assert.throws(() => parseConfig(`# deep\nx = ${nestedBrackets(60)}\n`, 'deep.pkr.hcl'), (e: unknown) => (e as { code?: string }).code === 'PACKER_TS_DEEP_NESTING' && /deep\.pkr\.hcl:2/.test((e as Error).message));
    assert.throws(() => parseJson(`{"x": ${nestedBrackets(60)}}`, 'deep.pkr.json'), (e: unknown) => (e as { code?: string }).code === 'PACKER_TS_DEEP_NESTING');
    assert.throws(() => parseExpression('!'.repeat(60) + 'true', 'expr.hcl'), (e: unknown) => (e as { code?: string }).code === 'PACKER_TS_DEEP_NESTING');
  } finally {
    delete g[key];
  }
  // without it, the same input reads
  assert.deepEqual(parseConfig(`x = ${nestedBrackets(60)}\n`, 'deep.pkr.hcl').diags, []);
});
