import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration as parseNs } from '@packer-ts/sdk';
import { highlightPosition, parseJson, parseTemplate, skips, validateTemplateStructure } from '../src/index.ts';

const parseGoDuration = (s: string): number => parseNs(s) / 1e6;

test('JSON syntax errors carry Go messages, offsets and a caret excerpt', () => {
  const text = '{\n  "builders": [\n    {"type": "null", "communicator": "none",}\n  ]\n}\n';
  assert.throws(() => parseTemplate(text), (e: Error) => {
    assert.equal(e.message,
      "Error parsing JSON: invalid character '}' looking for beginning of object key string\n" +
      'At line 3, column 46 (offset 63):\n' +
      '    2:   "builders": [\n' +
      '    3:     {"type": "null", "communicator": "none",}\n' +
      '                                                   ^\n');
    return true;
  });
});

test('JSON reader: other Go errors', () => {
  const msg = (t: string) => { try { parseJson(t); return 'ok'; } catch (e) { return (e as Error).message; } };
  assert.equal(msg('{"a": 1'), 'unexpected end of JSON input');
  assert.equal(msg('{"a" 1}'), "invalid character '1' after object key");
  assert.equal(msg('[1 2]'), "invalid character '2' after array element");
  assert.equal(msg('{"a": tru}'), "invalid character '}' in literal true (expecting 'e')");
  assert.equal(msg('{} x'), "invalid character 'x' after top-level value");
  assert.equal(msg('{"a": 1, "a": 2}'), 'template has duplicate field: a');
  assert.deepEqual(parseJson('{"x": [1.5, -2e3, "\\u00e9\\n", null, true]}'), { x: [1.5, -2000, 'é\n', null, true] });
  assert.equal(highlightPosition('abc', 2).col, 2);
});

test('template decoding: builders, provisioners, post-processor forms', () => {
  const t = parseTemplate(JSON.stringify({
    _comment: 'hello',
    variables: { a: 'x', req: null },
    'sensitive-variables': ['a'],
    builders: [{ type: 'file', name: 'f', target: 't' }, { type: 'null' }],
    provisioners: [{ type: 'shell-local', only: ['f'], pause_before: '1m30s', max_retries: 3, inline: ['x'] }],
    'post-processors': ['checksum', { type: 'compress', keep_input_artifact: true }, ['manifest', { type: 'checksum', name: 'c2' }]],
  }), '/x/t.json');
  assert.deepEqual([...t.builders.keys()], ['f', 'null']);
  assert.deepEqual(t.builders.get('f')!.config, { target: 't' });
  assert.equal(t.variables.get('req')!.required, true);
  assert.deepEqual(t.sensitiveVariables, ['a']);
  assert.equal(t.comments._comment, 'hello');
  const p = t.provisioners[0]!;
  assert.equal(p.pauseBefore, 90_000);
  assert.equal(p.maxRetries, '3');
  assert.deepEqual(p.config, { inline: ['x'] });
  assert.equal(t.postProcessors.length, 3);
  assert.equal(t.postProcessors[1]![0]!.keepInputArtifact, true);
  assert.deepEqual(t.postProcessors[2]!.map((x) => x.name), ['manifest', 'c2']);
  assert.equal(skips(p, 'f'), false);
  assert.equal(skips(p, 'null'), true);
});

test('template errors are all reported together, as Packer words them', () => {
  assert.throws(() => parseTemplate(JSON.stringify({ foo: 1, bar: 2 })), /Unknown root level key in template: 'bar'[\s\S]*Unknown root level key in template: 'foo'/);
  assert.throws(
    () => parseTemplate(JSON.stringify({ builders: [{ type: 'file' }, { type: 'file' }, { name: 'x' }], 'post-processors': [[['x']], 5] })),
    (e: Error) => {
      assert.match(e.message, /3 errors occurred|4 errors occurred/);
      assert.match(e.message, /builder 2: builder with name 'file' already exists/);
      assert.match(e.message, /builder 3: missing 'type'/);
      assert.match(e.message, /post-processor 1.1: sequence not allowed to be nested in a sequence/);
      assert.match(e.message, /post-processor 2: bad format/);
      return true;
    });
  const t = parseTemplate(JSON.stringify({ builders: [{ type: 'file' }], provisioners: [{ type: 'x', only: ['nope'], override: { other: {} } }] }));
  assert.throws(() => validateTemplateStructure(t), /provisioner 1: 'only' specified builder 'nope' not found[\s\S]*provisioner 1: override 'other' doesn't exist/);
  assert.throws(() => validateTemplateStructure(parseTemplate('{}')), /at least one builder must be defined/);
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseGoDuration('500ms'), 500);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('10'), /missing unit/);
  assert.throws(() => parseGoDuration("1x"), /time: unknown unit "x" in duration "1x"/);
});

test('JSON nesting: the 10,000-level limit of Go, without recursion', () => {
  assert.equal((parseJson('['.repeat(10_000) + ']'.repeat(10_000)) as unknown[]).length, 1);
  for (const text of ['['.repeat(10_001) + ']'.repeat(10_001), '['.repeat(200_000), '{"a":'.repeat(50_000)]) {
    assert.throws(() => parseTemplate(text), (e: Error) => {
      assert.match(e.message, /^Error parsing JSON: invalid character '[[{]' exceeded max depth\nAt line 1, column \d+ \(offset \d+\):/);
      return true;
    });
  }
});
