// Every function called with many combinations of odd arguments (unknown,
// null, marked, dynamic, wrong types, extreme numbers): each call returns a
// value or a diagnostic, never a JavaScript exception; "panics" only where
// Packer's own functions panic (go-cty reports them as call errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../src/cty/index.ts';
import { functions, callHcl, CallError, CallErrors } from '../src/funcs/index.ts';

const GO_PANICS = /panic in function implementation: (strings: negative Repeat count|Float\.SetFloat64\(NaN\))\.$/;

test('no function throws anything but a call error, whatever the arguments', () => {
  const fns = functions('/nonexistent-base');
  const pool: c.Value[] = [
    c.stringVal(''), c.stringVal('abc'), c.stringVal('10.0.0.0/8'), c.stringVal('%d %s %v'), c.stringVal('2020-01-01T00:00:00Z'), c.stringVal('[1,2]'),
    c.stringVal('(a'), c.stringVal('é👍🏽'), c.numberIntVal(0), c.numberIntVal(-1), c.numberIntVal(3), c.parseNumberVal('1.5'), c.parseNumberVal('1e300'),
    c.parseNumberVal('-1e300'), c.parseNumberVal('9223372036854775808'), c.True, c.False, c.nullVal(c.DynamicType), c.nullVal(c.StringType),
    c.unknownVal(c.StringType), c.DynamicVal, c.unknownVal(c.List(c.StringType)), c.tupleVal([]), c.tupleVal([c.stringVal('a'), c.numberIntVal(1)]),
    c.listVal([c.stringVal('b'), c.stringVal('a')]), c.setVal([c.numberIntVal(2), c.numberIntVal(1)]), c.objectVal({}),
    c.objectVal({ a: c.numberIntVal(1), b: c.stringVal('x') }), c.mapVal({ k: c.stringVal('v') }), c.listVal([c.listVal([c.True])]),
    c.stringVal('x').mark('sensitive'), c.tupleVal([c.unknownVal(c.NumberType)]), c.listValEmpty(c.StringType), c.mapValEmpty(c.NumberType),
  ];
  // functions that reach the network, the clock, randomness or slow hashing are covered elsewhere
  const skip = new Set(['vault', 'consul_key', 'bcrypt', 'try', 'can', 'convert', 'templatefile', 'uuidv4', 'timestamp', 'legacy_isotime', 'legacy_strftime']);
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const unexpected: string[] = [];
  let calls = 0;
  for (const [name, fn] of Object.entries(fns)) {
    if (skip.has(name)) continue;
    for (let k = 0; k < 250; k++) {
      const n = fn.params.length + (fn.varParam ? rnd(3) : 0) + (rnd(10) === 0 ? 1 : 0);
      const args = Array.from({ length: n }, () => pool[rnd(pool.length)]);
      calls++;
      try {
        const v = callHcl(name, fn, args);
        assert.ok(v instanceof c.Value);
      } catch (e) {
        const ok = (e instanceof CallError && (!/panic in function implementation/.test(e.detail) || GO_PANICS.test(e.detail))) || e instanceof CallErrors;
        if (!ok) unexpected.push(`${name}(${args.map((a) => a.goString()).join(', ')}): ${e instanceof CallError ? e.detail : (e as Error).stack}`);
      }
    }
  }
  assert.ok(calls > 15000);
  assert.deepEqual(unexpected.slice(0, 20), []);
});
