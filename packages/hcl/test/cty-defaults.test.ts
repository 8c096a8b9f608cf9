// optional() attributes with defaults (Packer 1.16 variables): the type read
// with typeFromConstraint, defaults applied with applyDefaults, compared with
// what Packer 1.16 prints for the variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExpression, evaluate, EvalContext, typeExprNode, cty } from '../src/index.ts';
import { oracleBinary } from './funcs-oracle-lib.ts';

const TYPE = `object({
    a = optional(string, "dflt")
    b = optional(number)
    c = string
    d = optional(list(object({x = optional(number, 7), y = string})), [])
    e = optional(map(object({z = optional(bool, true)})))
  })`;

const DEFAULTS = [
  '{ c = "see", d = [{y = "why"}], e = {k = {}} }',
  '{ c = "see" }',
  '{ c = "see", a = null, d = [{y = "1", x = 2}, {y = "2"}] }',
  '{ c = 1, b = "2", e = {p = {z = false}, q = {}} }',
];

function ours(defaultExpr: string): string {
  const t = parseExpression(TYPE, 'type.hcl');
  const r = cty.typeFromConstraint(typeExprNode(t.expr), { constraint: true, withDefaults: true });
  assert.deepEqual(r.diags, []);
  const v = evaluate(parseExpression(defaultExpr, 'default.hcl').expr, new EvalContext({ variables: {}, functions: {} })).value;
  return cty.printableValue(cty.convert(cty.applyDefaults(r.defaults, v), r.type));
}

test('defaults fill missing and null optional attributes, nested in lists and maps', () => {
  assert.equal(
    ours(DEFAULTS[0]),
    '{\n  "a" = "dflt"\n  "c" = "see"\n  "d" = [\n    {\n      "x" = 7\n      "y" = "why"\n    },\n  ]\n  "e" = {\n    "k" = {\n      "z" = true\n    }\n  }\n}',
  );
  assert.match(ours(DEFAULTS[2]), /"a" = "dflt"/);
});

test('same values as Packer 1.16 prints for the variable (skipped without the 1.16 oracle)', (t) => {
  const bin = oracleBinary('1.16');
  if (!bin) {
    t.skip('packer-1.16 not found under $PACKER_TS_ORACLES or ../shared/fixtures/modern-plugins/bin');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cty-defaults-'));
  try {
    for (const d of DEFAULTS) {
      writeFileSync(join(dir, 'a.pkr.hcl'), `variable "v" {\n  type = ${TYPE}\n  default = ${d}\n}\n`);
      const r: SpawnSyncReturns<string> = spawnSync(bin, ['console', join(dir, 'a.pkr.hcl')], {
        input: 'var.v\n',
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PACKER_CHECKPOINT_DISABLE: '1' },
        encoding: 'utf8',
        timeout: 30000,
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(ours(d), r.stdout.replace(/\n$/, ''), d);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
