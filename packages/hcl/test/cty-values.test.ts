// cty values: sets in cty's order, conversions and their messages,
// unification, marks, unknowns, type constraints, JSON and msgpack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as c from '../src/cty/index.ts';

const s = c.stringVal;
const n = (x: number | string) => (typeof x === 'string' ? c.parseNumberVal(x) : c.numberIntVal(x));

test('set elements are ordered by cty rules: strings bytewise, numbers numerically, others by hash text', () => {
  assert.deepEqual(
    c.setVal(['b', 'a', '10', '9', 'B', 'é', 'a'].map(s)).values().map((v) => v.asString()),
    ['10', '9', 'B', 'a', 'b', 'é'],
  );
  assert.deepEqual(c.setVal([n(10), n(2), n('1.5'), n(-3)]).values().map((v) => v.asBigFloat().text('f', -1)), ['-3', '1.5', '2', '10']);
  assert.deepEqual(c.setVal([c.True, c.False]).values().map((v) => v.asBool()), [false, true]);
  // lists of numbers order by their hash text ("[1;2;]" < "[1;]" < "[2;]")
  const lists = c.setVal([c.listVal([n(2)]), c.listVal([n(1)]), c.listVal([n(1), n(2)])]);
  assert.deepEqual(lists.values().map((v) => v.values().map((e) => e.asNumber())), [[1, 2], [1], [2]]);
  assert.equal(c.setVal([s('a'), s('a')]).lengthInt(), 1);
});

test('conversions follow cty convert (safe and unsafe) with its messages', () => {
  assert.equal(c.convert(n('1.50'), c.StringType).asString(), '1.5');
  assert.equal(c.convert(c.True, c.StringType).asString(), 'true');
  assert.equal(c.convert(s('1e3'), c.NumberType).asNumber(), 1000);
  assert.equal(c.convert(s('1'), c.BoolType).asBool(), true);
  assert.throws(() => c.convert(s('x'), c.NumberType), /^CtyError: a number is required$/);
  assert.throws(() => c.convert(s('True'), c.BoolType), /use lowercase "true"/);
  assert.throws(() => c.convert(c.tupleVal([s('a')]), c.NumberType), /^CtyError: number required$/);
  const obj = c.objectVal({ a: n(1) });
  assert.throws(() => c.convert(obj, c.Object({ a: c.StringType, b: c.NumberType, z: c.BoolType })), /attributes "b" and "z" are required/);
  assert.throws(() => c.convert(c.tupleVal([n(1), c.listVal([n(1)])]), c.List(c.StringType)), /element 1: string required/);
  const l = c.convert(c.tupleVal([s('a'), n(1)]), c.List(c.StringType));
  assert.equal(c.typeString(l.type), 'list(string)');
  const m = c.convert(c.objectVal({ a: n(1), b: s('x') }), c.Map(c.DynamicType));
  assert.equal(c.typeString(m.type), 'map(string)');
  const set = c.convert(c.tupleVal([s('b'), s('a'), s('b')]), c.Set(c.StringType));
  assert.deepEqual(set.values().map((v) => v.asString()), ['a', 'b']);
  // optional attributes fill with null
  const ot = c.Object({ a: c.StringType, b: c.NumberType }, ['b']);
  const ov = c.convert(c.objectVal({ a: s('x') }), ot);
  assert.ok(ov.getAttr('b').isNull());
  // unknown and null convert to the wanted type
  assert.equal(c.typeString(c.convert(c.unknownVal(c.StringType), c.NumberType).type), 'number');
  assert.ok(c.convert(c.nullVal(c.DynamicType), c.StringType).isNull());
});

test('unification prefers string among primitives, lists for mixed tuples, maps for differing objects', () => {
  assert.equal(c.unifyTypes([c.NumberType, c.StringType])!.type.kind, 'string');
  assert.equal(c.unifyTypes([c.NumberType, c.BoolType]), undefined);
  assert.equal(c.typeString(c.unifyTypes([c.Tuple([c.StringType]), c.Tuple([c.StringType, c.NumberType])])!.type), 'list(string)');
  assert.equal(c.typeString(c.unifyTypes([c.Object({ a: c.NumberType }), c.Object({ b: c.StringType })])!.type), 'map(string)');
  assert.equal(c.unifyTypes([c.DynamicType, c.StringType])!.type.kind, 'dynamic');
  assert.equal(c.unifyTypes([c.DynamicType, c.StringType], true)!.type.kind, 'string');
});

test('marks travel through accessors and equality', () => {
  const v = c.objectVal({ a: s('secret') }).mark('sensitive');
  assert.ok(v.getAttr('a').hasMark('sensitive'));
  assert.ok(v.equals(v).hasMark('sensitive'));
  const [u, marks] = v.unmarkDeep();
  assert.ok(!u.containsMarked());
  assert.deepEqual([...marks], ['sensitive']);
  const l = c.listVal([s('x').mark('sensitive')]);
  assert.ok(l.containsMarked() && !l.isMarked());
});

test('unknowns: equality and access give unknown results', () => {
  const u = c.unknownVal(c.StringType);
  assert.ok(!u.equals(s('a')).isKnown());
  assert.equal(u.equals(n(1)).raw, false, 'different types are never equal');
  assert.ok(!c.unknownVal(c.List(c.StringType)).index(n(0)).isKnown());
  assert.ok(!c.unknownVal(c.Object({ a: c.StringType })).getAttr('a').isKnown());
  assert.ok(!c.setVal([u, s('a')]).length().isKnown());
  assert.equal(c.tupleVal([u]).length().asNumber(), 1);
  assert.ok(c.nullVal(c.StringType).equals(c.nullVal(c.NumberType)).asBool(), 'nulls are equal regardless of type');
});

test('type constraints read as typeexpr does, with its diagnostics', () => {
  const id = (name: string): c.TypeExprNode => ({ kind: 'ident', name });
  const call = (name: string, ...args: c.TypeExprNode[]): c.TypeExprNode => ({ kind: 'call', name, args });
  const r = c.typeFromConstraint(call('map', call('object', { kind: 'object', items: [{ key: 'a', value: id('string') }, { key: 'b', value: call('optional', call('list', id('number'))) }] })));
  assert.deepEqual(r.diags, []);
  assert.equal(c.typeString(r.type), 'map(object({a=string, b=optional(list(number))}))');
  assert.equal(c.typeFromConstraint(id('any')).type.kind, 'dynamic');
  assert.match(c.typeFromConstraint(id('any'), { constraint: false }).diags[0].detail!, /an exact type is required/);
  assert.equal(c.typeFromConstraint(id('lst')).diags[0].detail, 'The keyword "lst" is not a valid type specification.');
  assert.equal(c.typeFromConstraint(id('list')).diags[0].detail, 'The list type constructor requires one argument specifying the element type.');
  assert.equal(c.typeFromConstraint(call('string', id('x'))).diags[0].detail, 'Primitive type keyword "string" does not expect arguments.');
  assert.equal(c.typeFromConstraint(call('optional', id('string'))).diags[0].detail, 'Keyword "optional" is valid only as a modifier for object type attributes.');
  const withDefault = c.typeFromConstraint(
    call('object', { kind: 'object', items: [{ key: 'a', value: call('optional', id('number'), { kind: 'value', value: s('5') }) }] }),
    { constraint: true, withDefaults: true },
  );
  assert.deepEqual(withDefault.diags, []);
  assert.equal(withDefault.defaults!.defaultValues.a.asNumber(), 5);
  const applied = c.convert(c.applyDefaults(withDefault.defaults, c.objectVal({})), withDefault.type);
  assert.equal(applied.getAttr('a').asNumber(), 5);
});

test('cty JSON: marshal with sorted keys and Go escaping, implied types on decode', () => {
  const v = c.objectVal({ b: n(1), a: c.tupleVal([s('<x>'), c.nullVal(c.StringType), c.True]), '10': n('0.5') });
  assert.equal(c.marshalJson(v), '{"10":0.5,"a":["\\u003cx\\u003e",null,true],"b":1}');
  const d = c.decodeJsonImplied('{"b":[1,"x"],"a":{"c":null}}');
  assert.equal(c.typeString(d.type), 'object({a=object({c=any}), b=tuple([number, string])})');
  assert.throws(() => c.decodeJsonImplied('[1,'), /^CtyError: EOF$/);
  assert.throws(() => c.decodeJsonImplied('{1:2}'), /invalid character '1'$/);
  assert.equal(c.marshalType(c.Map(c.Object({ a: c.List(c.StringType) }))), '["map",["object",{"a":["list","string"]}]]');
  assert.equal(c.typeString(c.unmarshalType('["set",["tuple",["number","bool"]]]')), 'set(tuple([number, bool]))');
  const typed = c.unmarshalJson('{"value":"x","type":"string"}', c.DynamicType);
  assert.equal(typed.asString(), 'x');
});

test('cty msgpack: compact ints, unknowns as extension 0, dynamic values with their type', () => {
  const hex = (b: Buffer) => b.toString('hex');
  assert.equal(hex(c.marshalMsgpack(n(1), c.NumberType)), '01');
  assert.equal(hex(c.marshalMsgpack(n(-1), c.NumberType)), 'ff');
  assert.equal(hex(c.marshalMsgpack(n(300), c.NumberType)), 'cd012c');
  assert.equal(hex(c.marshalMsgpack(n('0.5'), c.NumberType)), 'cb3fe0000000000000');
  assert.equal(hex(c.marshalMsgpack(c.parseNumberVal('0.1'), c.NumberType)), 'a3302e31', 'not exact as float64: sent as its decimal text');
  assert.equal(hex(c.marshalMsgpack(c.unknownVal(c.StringType), c.StringType)), 'd40000');
  assert.equal(hex(c.marshalMsgpack(c.nullVal(c.StringType), c.StringType)), 'c0');
  assert.equal(hex(c.marshalMsgpack(s('x'), c.DynamicType)), '92c408' + Buffer.from('"string"').toString('hex') + 'a178');
  const obj = c.objectVal({ b: c.listVal([c.True]), a: c.unknownVal(c.NumberType) });
  const enc = c.marshalMsgpack(obj, obj.type);
  assert.equal(hex(enc), '82a161d40000a16291c3');
  const back = c.unmarshalMsgpack(enc, obj.type);
  assert.ok(!back.getAttr('a').isKnown());
  assert.equal(back.getAttr('b').values()[0].asBool(), true);
  const dyn = c.unmarshalMsgpack(c.marshalMsgpack(c.tupleVal([n(1), s('a')]), c.DynamicType), c.DynamicType);
  assert.equal(c.typeString(dyn.type), 'tuple([number, string])');
  assert.throws(() => c.marshalMsgpack(s('x').mark('sensitive'), c.StringType), /marks/);
});

test("Packer's console rendering of values", () => {
  assert.equal(c.printableValue(c.objectVal({ b: s('x'), a: n(1), n: c.nullVal(c.StringType) })), '{\n  "a" = 1\n  "b" = "x"\n}');
  assert.equal(c.printableValue(c.tupleVal([s('a'), c.listVal([n('1.5')])])), '[\n  "a",\n  [\n    1.5,\n  ],\n]');
  assert.equal(c.printableValue(c.tupleVal([])), '[]');
  assert.equal(c.printableValue(s('plain')), 'plain');
  assert.equal(c.printableValue(c.unknownVal(c.StringType)), '<unknown>');
  assert.equal(c.printableValue(c.parseNumberVal('1e21')), '1e+21');
});
