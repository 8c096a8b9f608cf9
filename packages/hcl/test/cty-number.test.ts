// cty numbers: Go big.Float semantics (precision, rounding, shortest text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BigFloat } from '../src/cty/number.ts';
import { formatFloatG } from '../src/cty/print.ts';

const p = (s: string) => BigFloat.parse(s)!;

test('1/3 at 512 bits prints the digits Packer prints in string interpolation', () => {
  // "${1/3}" in packer console (Packer 1.6.6)
  assert.equal(
    p('1').quo(p('3')).text('f', -1),
    '0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335',
  );
  assert.equal(
    p('2').quo(p('3')).text('f', -1),
    '0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667',
  );
});

test('decimal literals keep their value at 512 bits', () => {
  assert.equal(p('0.1').add(p('0.2')).text('f', -1), '0.3');
  assert.equal(p('1e21').text('f', -1), '1000000000000000000000');
  assert.equal(p('100000000000000000000000000000001').text('f', -1), '100000000000000000000000000000001');
  assert.equal(p('-0.5').text('f', -1), '-0.5');
  assert.equal(p('123.456e-2').text('f', -1), '1.23456');
  assert.equal(BigFloat.parse('x'), undefined);
  assert.equal(BigFloat.parse('1.')!.cmp(p('1')), 0);
  assert.ok(p('1e400').cmp(p('1e399')) > 0, 'no overflow at 512 bits');
});

test('precision follows the operands as in Go (int64: 64 bits, float64: 53)', () => {
  const f = BigFloat.fromFloat64(0.1);
  assert.equal(f.prec, 53);
  assert.equal(f.text('f', -1), '0.1');
  assert.equal(BigFloat.fromFloat64(0.1).add(BigFloat.fromFloat64(0.2)).text('f', -1), '0.30000000000000004');
  assert.equal(BigFloat.fromBigInt(7n).prec, 64);
  assert.equal(BigFloat.fromBigInt(1n).quo(BigFloat.fromBigInt(3n)).text('f', -1), '0.33333333333333333334');
  assert.equal(p('1').quo(BigFloat.fromBigInt(3n)).prec, 512);
});

test('Text formats: e, g, and String() as Text(g, 10)', () => {
  assert.equal(p('1234.5678').text('e', 6), '1.234568e+03');
  assert.equal(p('0.000123').text('e', -1), '1.23e-04');
  assert.equal(p('1234567').text('g', -1), '1.234567e+06');
  assert.equal(p('100000').text('g', -1), '100000');
  assert.equal(p('0.0001').text('g', -1), '0.0001');
  assert.equal(p('0.00001').text('g', -1), '1e-05');
  assert.equal(p('123456789012').toString(), '1.23456789e+11');
  assert.equal(p('0').text('g', -1), '0');
  assert.equal(p('0').text('e', 2), '0.00e+00');
  assert.equal(p('2.5').text('f', 0), '2');
  assert.equal(p('3.5').text('f', 0), '4');
  assert.equal(BigFloat.infinity(false).text('f', -1), '+Inf');
});

test('floor, ceil, integer checks and float64 conversion', () => {
  assert.equal(p('-7.5').floor().text('f', -1), '-8');
  assert.equal(p('7.5').ceil().text('f', -1), '8');
  assert.equal(p('-7').floor().text('f', -1), '-7');
  assert.ok(p('5').isInt());
  assert.ok(!p('5.5').isInt());
  assert.deepEqual(p('9223372036854775807').int64(), { value: 9223372036854775807n, exact: true });
  assert.equal(p('9223372036854775808').int64().exact, false);
  assert.equal(p('2').quo(p('3')).toNumber(), 2 / 3);
  assert.equal(p('1e400').toNumber(), Infinity);
  assert.equal(p('5e-324').toNumber(), 5e-324);
  assert.equal(p('1').quo(p('0')).isInf(), true);
  assert.throws(() => p('0').quo(p('0')), /division of zero by zero/);
});

test("Go's %g of float64 (Packer's console printer)", () => {
  assert.equal(formatFloatG(1e21), '1e+21');
  assert.equal(formatFloatG(2 ** 64), '1.8446744073709552e+19');
  assert.equal(formatFloatG(1.5e6), '1.5e+06');
  assert.equal(formatFloatG(0.5), '0.5');
  assert.equal(formatFloatG(123456.5), '123456.5');
  assert.equal(formatFloatG(1e-5), '1e-05');
  assert.equal(formatFloatG(Infinity), '+Inf');
});
