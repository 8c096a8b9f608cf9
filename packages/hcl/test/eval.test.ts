// Expression evaluation against `packer console` (Packer 1.6.6): the same
// value, rendered the same way, or the same diagnostic text.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cty, evaluate, EvalContext, formatDiagnostics, packerFunctions, parseExpression } from '../src/index.ts';
import { packerOn } from './oracle.ts';

const template = `locals {
  a = 1
  s = "str"
  l = [{n = "x"}, {n = "y"}]
  m = {k1 = "v1", k2 = "v2"}
}
`;

const locals = cty.objectVal({
  a: cty.numberIntVal(1),
  s: cty.stringVal('str'),
  l: cty.tupleVal([cty.objectVal({ n: cty.stringVal('x') }), cty.objectVal({ n: cty.stringVal('y') })]),
  m: cty.objectVal({ k1: cty.stringVal('v1'), k2: cty.stringVal('v2') }),
});

function ours(src: string): string {
  const ctx = new EvalContext({ variables: { local: locals }, functions: packerFunctions(process.cwd()) });
  const { expr, diags } = parseExpression(src, '<console-input>');
  if (diags.length > 0) return formatDiagnostics(diags, {});
  const r = evaluate(expr, ctx);
  if (r.diags.length > 0) return formatDiagnostics(r.diags, {});
  return cty.printableValue(r.value) + '\n';
}

const cases = [
  '1/0',
  '0/0',
  '5 % 0',
  '10 % 3.5',
  '-5 % 3',
  '0.1 + 0.2',
  '3.14159265358979323846264338327950288419716939937510582097494459 * 2',
  '"a" + 1',
  '"5" + 1',
  '1 == "1"',
  'null == null',
  '1 + null',
  'true && null',
  '"a" && true',
  '1 < "2"',
  '[for x in [1,2,3]: x * 2 if x != 2]',
  '{for k, v in local.m: v => k}',
  '{for v in ["a","b","a"]: v => v...}',
  '{for v in ["a","a"]: v => 1}',
  '[for v in null: v]',
  '[for v in 1: v]',
  'local.l[*].n',
  'local.l.*.n',
  'local.s[*]',
  'local.l[5]',
  'local.l[0.5]',
  'local.l["x"]',
  'local.m.k3',
  'local.a.b',
  'local.nope',
  'nope.x',
  'null[0]',
  'true ? 1 : "x"',
  'false ? 1 : [1]',
  'null ? 1 : 2',
  '"x" ? 1 : 2',
  '"${local.a}-${local.s} %{ for v in local.l ~} [${v.n}] %{~ endfor } %{ if local.a > 0 }pos%{ else }neg%{ endif }"',
  '"${null}"',
  '"${[1]}"',
  '{ a.b = 1 }',
  '{(local.s) = 1, "k" = 2}',
  '{(null) = 1}',
  '[local.m...]',
  '-local.s',
  '!1',
  // function calls: argument checks, expansion, special arguments
  'upper(local.s)',
  'upper(1, 2)',
  'upper()',
  'uper("x")',
  'max([1, 5, 2]...)',
  'max(local.s...)',
  'length(null)',
  'convert("1", number)',
  'try(nope, local.l[9], "fallback")',
  'can(local.l[9])',
  'join("-", [for v in local.l: upper(v.n)])',
  'lookup(local.m, "k1")',
];

describe('evaluation as packer console does it', () => {
  for (const c of cases) {
    test(c, async () => {
      const real = await packerOn('x.pkr.hcl', template, ['console'], c + '\n');
      // the console prints a result, or diagnostics followed by blank lines
      assert.equal(ours(c).trimEnd(), real.stdout.trimEnd());
    });
  }
});

describe('unknown values and marks', () => {
  test('unknowns propagate through operators, templates, conditionals, for and splats', () => {
    const u = cty.unknownVal(cty.NumberType);
    const ctx = new EvalContext({ variables: { u, l: cty.unknownVal(cty.List(cty.StringType)) } });
    for (const src of ['u + 1', '"${u}"', 'u > 1 ? "a" : "b"', '[for x in l: x]', 'l[*]', 'u == 1']) {
      const { expr } = parseExpression(src, 'e');
      const r = evaluate(expr, ctx);
      assert.deepEqual(r.diags, [], src);
      assert.equal(r.value.isKnown(), false, src);
    }
  });

  test('sensitive marks follow values', () => {
    const secret = cty.stringVal('s3cret').mark('sensitive');
    const ctx = new EvalContext({ variables: { secret }, functions: {} });
    for (const src of ['"pw=${secret}"', 'secret', '[for c in [secret]: c][0]', 'true ? secret : "x"']) {
      const { expr } = parseExpression(src, 'e');
      const r = evaluate(expr, ctx);
      assert.deepEqual(r.diags, []);
      assert.ok(r.value.containsMarked(), src);
    }
  });

  test('type errors name their range and show the values involved', () => {
    const ctx = new EvalContext({ variables: { var: cty.objectVal({ n: cty.stringVal('x') }) } });
    const { expr } = parseExpression('var.n + 1', 'f.hcl');
    const r = evaluate(expr, ctx);
    assert.equal(r.diags.length, 1);
    assert.equal(r.diags[0]!.summary, 'Invalid operand');
    assert.deepEqual(r.diags[0]!.subject!.start, { byte: 0, line: 1, column: 1 });
    assert.deepEqual(r.diags[0]!.valueNotes, ['var.n as "x"']);
    const text = formatDiagnostics(r.diags, { 'f.hcl': { source: 'var.n + 1' } });
    assert.match(text, /with var\.n as "x"\.\n\nUnsuitable value for left operand: a number is required\.\n\n$/);
  });

  test('no variables or functions without a context', () => {
    assert.equal(evaluate(parseExpression('x', 'e').expr, undefined).diags[0]!.summary, 'Variables not allowed');
    assert.equal(evaluate(parseExpression('f()', 'e').expr, undefined).diags[0]!.summary, 'Function calls not allowed');
  });
});
