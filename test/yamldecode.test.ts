/**
 * yamldecode against Packer 1.6.6 (go-cty-yaml): each YAML document below is decoded by
 * `console` of bin/packer-ts and of /usr/bin/packer, one expression a line in one session of
 * each, and what each prints for a line (the value, or the error with go-cty-yaml's message and
 * "on line N, column M" position) must be the same bytes. Valid documents and invalid ones:
 * the scanner's, the parser's and the converter's errors, scalar resolution (YAML 1.1 booleans,
 * numbers, timestamps, tags), anchors, merge keys, directives, several documents, and inputs
 * longer than libyaml's 512-byte read chunks; documents made of YAML's pieces at random; then a
 * few calls that use the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, removeDir, run } from './helpers/run.ts';
import { hclString } from '../packages/cli/src/commands/hcl2-upgrade.ts';

const DOCS: string[] = [
  // valid documents
  'a: [1, 2]',
  'a: 1\nb: two\nc: [x, {d: e}]\n',
  '- a\n- b\n-\n  - c\n  - d: 1\n    e: 2\n',
  'a:\n  b:\n    c: deep\n',
  '',
  '\n',
  '# only a comment\n',
  '~',
  'null',
  'a: ~\nb: null\nc:\n',
  'yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'False', 'TRUE',
  '1', '-1', '+1', '007', '1_000', '0x1F', '0o17', '017', '0b101', '-0b101', '0b1_0',
  '1.5', '.5', '-.5', '1e3', '1E-3', '6.8523015e+5', '685_230.15', '190:20:30.15', '1.', '1p3', '+Inf', '-inf', 'Inf',
  '123456789012345678901234567890', '0.1', '3.141592653589793238462643383279502884197',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'a: .NAN',
  '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10', '2002-12-14', '2002-2-3', '2001-12-14 21:59:43.10 -5', '2001-02-30', '2001-13-01', '2001-12-14T21:59:43+00:00', '2001-12-14T25:00:00Z',
  "'quoted'", '"double"', "'yes'", '"1"', "'it''s'", '"a\\tb\\u00e9\\x41\\U0001F600"', '"line1\\\nline2"', '"a\\\\b"',
  "'multi\n  line\n\n  folded'",
  '"\\0\\a\\b\\v\\f\\r\\e\\ \\/"',
  'a: |\n  literal\n  text\n',
  'a: >\n  folded\n  text\n\n  para\n',
  'a: |-\n  keep\n\n',
  'a: |+\n  keep\n\n',
  'a: |2\n   two\n',
  'a: >-\n  x\n   y\n  z\n',
  'plain text with spaces',
  'multi\n line\n plain',
  'a: b # comment',
  'url: http://example.com:8080/x',
  'a: "b: c"',
  '{a: 1, b: [2, 3], c: {d: e}}',
  '[a, b, [c, d], {e: f}]',
  '[a: 1, b]',
  '{a, b: 1}',
  '{? a : 1}',
  '? a\n: 1\n',
  '? a\n',
  'a: &x 1\nb: *x\n',
  'a: &x [1, 2]\nb: *x\n',
  'base: &b {x: 1, y: 2}\nder:\n  <<: *b\n  y: 3\n',
  '<<: {a: 1}\nb: 2',
  'a: <<',
  '1: one\n2.5: two\ntrue: three\n',
  '{a: 1, a: 2}',
  'a: 1\na: 2\n',
  'a: !!str 1',
  'a: !!int "12"',
  'a: !!int 0x1F',
  'a: !!float 1',
  'a: !!bool yes',
  'a: !!null x',
  'a: !!timestamp 2001-12-14',
  'a: !!binary aGVsbG8=',
  'a: !!binary "aGVs\\nbG8="',
  '!!map {a: 1}',
  '!!seq [1]',
  '!!str',
  '&a',
  '- &a\n- *a\n',
  '%YAML 1.1\n---\na: 1\n',
  '%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n',
  '%TAG !! tag:yaml.org,2002:\n---\na: !!int 1\n',
  '--- a',
  '---\na: 1\n...\n',
  '---\n',
  '...\n',
  'a: 1\n...\n',
  'a: "\u00e9t\u00e9"',
  '\ufeffa: 1',
  'a: \ufeffb',
  'key with spaces: value',
  '"quoted key": 1',
  'a:\n- 1\n- 2\n',
  'a:\n  - 1\n  -   2\n',
  '- - 1\n  - 2\n- - 3\n',
  '- a: 1\n  b: 2\n- c: 3\n',
  'a: b\n\n\n',
  'a: b\r\nc: d\r\n',
  'a:\tb',
  'a: "tab\there"',
  'a: [1,2,]',
  '[a,b,c]',
  '{}',
  '[]',
  'a: {}',
  'a: []',
  '- ',
  '-',
  ':',
  'a:',
  '? ',
  'a: b:c',
  'a: -1',
  'a: - b',
  'x: ""',
  "x: ''",
  // more scalar resolution
  '1e1000', '-0', '0.0', '-0.0', '1_2.3_4', '+', '-', '.', '..', '1__0', '0b', '0x', '+0b11', '0B11', '1.5p2', '1e', '-.5e-3', '._5',
  '!!int 0b2', '!!int 99999999999999999999', '!!int -0x10', '!!int 0xFFFFFFFFFFFFFFFF', '!!int 0x10000000000000000', '!!int 0b' + '1'.repeat(64), '!!int -0b' + '1'.repeat(64),
  '!!float .5e1', '!!int 1e3', '!!int +0x1F', '!!int 0X1F', '!!int 0B11', '!!int 0O17', '!!int 0o18', '!!int -0b11', '!!int 08', '!!int 1_000', '!!int 0x_1F', '!!float inf', '!!float .inf', '!!float .nan', '!!int yes', '!!bool 1', '!!null ""',
  "!!int '12'", "!!timestamp '2001-12-14'", "!!bool 'yes'",
  '2001-12-14T21:59:43.1234567891Z', '2001-12-14T21:59:43.123456789Z', '2001-12-14 21:59:43.', '2001-12-14T21:59:43+05:30', '2001-12-14T21:59:43-00:00', '2001-12-14T21:59:43+25:00', '2001-12-14T21:59:43+24:00',
  '2001-1-1T1:1:1Z', '0000-01-01', '2001-12-14T21:59:43z', '2001-12-14 21:59:43 ', '2001-12-14  21:59:43', '2000-02-29', '1900-02-29', '2001-12-14T21:59Z', '20011-12-14', '2001-12-14T21:59:60Z', '2001-12-14T24:00:00Z', '2001-12-14T21:59:43.5+05:30',
  'a: !!binary aGVsbA', 'a: !!binary aGVsbA==', 'a: !!binary aGVsbB==', 'a: !!binary "aa==aa=="', 'a: !!binary ""', 'a: !!binary "aGVs bG8="', 'a: !!binary |\n  aGVs\n  bG8=\n', 'a: !!binary ====',
  // keys and merges
  '!!int x: 1', '!custom k: v', '&a k: *a', '*a : 1', '~: 1', '? : x', '{: a}', '.inf: x', '1e3: x', '0x1F: x', 'yes: x', '2001-12-14: x', '"<<": {a: 1}',
  'a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n', 'c:\n  <<: ~\n', 'c:\n  <<: 1\n', 'c:\n  <<: {x: 1}\n  x: 2\n', 'c:\n  x: 2\n  <<: {x: 1}\n', '<<: *u', 'a: &a 1\na: &a 2\nb: *a\n',
  '? - a\n  - b\n: c', '? a: b\n: c', '[[1]: 2]', '[{a: 1}: 2]', '[a: 1, b: 2]',
  // breaks, tabs, BOMs and chunk boundaries
  'a: 1\n\ufeffb: 2', '[\t1]', 'a: b\t# c', 'a: |\n  x\u2028  y\n', 'a: "x\u2028y"', 'a: x\u0085  y', 'a: |\r\n  x\r\n  y\r\n', 'a: >\r\n  x\r\n\r\n  y\r\n', '- a\r- b\r',
  'a: [1\n' + 'x'.repeat(600) + '\u0001', 'a: b: c\n' + 'x'.repeat(600) + '\u0001', 'x'.repeat(510) + '\u00e9\u0001', 'x'.repeat(511) + '\u20ac: [', 'k: ' + 'y'.repeat(1600) + '\nz: [1', 'k: "' + 'y'.repeat(1600) + '\u0007"',
  '- ' + 'a, '.repeat(400) + ']', '[' + '1, '.repeat(300) + ']', '{' + 'k: v, '.repeat(200) + 'k: w}',
  '  a: 1\n  b: 2\n', '  - 1\n  - 2\n', 'a:\n    b: 1\n    c: 2\n  d: 3\n', 'a:\n  b: 1\n   c: 2\n',
  '-\t1', 'a:\t1', 'a: 1\t\nb: 2', '\ta: 1',
  '%YAML\t1.1\n--- a', '%YAML 1.1\n--- !!str\n', '%TAG !%41! x\n--- a', '%TAG !a! %zz\n--- a', '%TAG !a! tag:x,2000:%C3%A9\n--- !a!b c', '!a!b c',
  '--- &a\n', '--- *a\n', '--- !!map\n', '---\n---\n', '... \n--- a', '---\n... # c\n',
  // invalid documents
  'a: [1, 2',
  'a: b: c',
  '- a\nb: 1',
  'a:\n\tb: 1',
  'a: *nope',
  "a: 'x",
  'a: "\\q"',
  '!!int x',
  '%YAML 1.3\n---\na',
  '%YAML 2.0\n---\na',
  '%YAML 1.1\n%YAML 1.1\n---\na',
  '%YAML 123.1\n---\na',
  '%YAML x\n---\na',
  '%FOO bar\n---\na',
  '%TAG !a! x\n%TAG !a! y\n---\nb',
  '%YAML 1.1\na: 1',
  'a: 1\n  b: 2',
  '[1, 2]]',
  '? [1]\n: 2',
  '{[1]: 2}',
  '{a: 1}: 2',
  '? {a: 1}\n: 2',
  'a: !!binary \'!!!\'',
  'a: !!binary abc',
  '- !custom 1',
  '!custom {a: 1}',
  '!custom [1]',
  '!!str {a: 1}',
  '!!map [1]',
  '!!bool maybe',
  '!!float x',
  '!!timestamp 2001',
  '!!null',
  '!<tag:yaml.org,2002:str> x',
  '!<!bar> x',
  '!e!foo x',
  '!! x',
  '! x',
  '---\na: 1\n---\nb: 2',
  'a\n---\nb',
  'a: 1\n--- b',
  '- 1\n- 2\nc: 3',
  'a: &x\n  b: *x\n',
  'a: &x [*x]',
  '*x',
  '&x *y',
  '[1, 2',
  '{a: 1',
  '{a: 1, b',
  '[1 2]',
  '{a: 1 b: 2}',
  ']',
  '}',
  '@foo',
  '`foo',
  'a: @b',
  '- a\n - b',
  '  - a\n - b',
  'a:\n  b\n c',
  'a: |\n\tx',
  'a: |0\n  x',
  'a: |x\n  x',
  'a: >\n  x\n \ty',
  'a: "unterminated\n',
  '"\\xZZ"',
  '"\\uD800"',
  '"\\U00110000"',
  "'\n---\n'",
  'a:\n  - b\n  c: d',
  '? a\n? b\nc',
  'a\nb: c',
  'a: b\n- c',
  '- a\n- b\n  c: d',
  'a: 1 # c\nb',
  '&a [1]: x',
  '&\n',
  '*\n',
  '!<x',
  '!%zz x',
  '!%ff x',
  'a: "\u0007"',
  'x\u0001y',
  'a: b\nc: [\u0002]',
  '\u0085',
  'a:\u2028b',
  '{a: [}',
  '[a: b: c]',
  '{? }',
  '[? a]',
  'a: b\n  ? c',
  'a: "x" y',
  "a: 'x' y",
  'a: [x] y',
  '--- |\n  x\n--- >\n  y\n',
  '... a',
  '%YAML 1.1 # c\n--- x',
  '%YAML 1.1 x\n--- x',
  '%TAG ! !foo\n--- !bar x',
  '%TAG x y\n--- a',
  '%TAG !x y\n--- a',
  '%TAG !x! \n--- a',
  'a: 1\n%YAML 1.1\n---\nb',
  'a'.repeat(1030) + ': 1',
  'k: ' + 'x'.repeat(600) + '\nb: \u0001',
  'k: ' + 'x'.repeat(600) + '\nb: [1',
  '\u00e9'.repeat(300) + ': [1',
  'a: ' + '\u00e9'.repeat(600) + '\u0001',
];

/** Other calls: arguments that are no string, the result in use, yamlencode's output read back. */
const EXPRS = [
  'yamldecode(null)',
  'yamldecode(1)',
  'yamldecode(["a"])',
  'yamldecode(local.a)',
  'yamldecode("a: 1").a',
  'yamldecode("- 1\\n- x")[1]',
  'yamldecode("a: [1, 2]")["a"][0] + 1',
  'length(yamldecode("- 1\\n- 2\\n- 3"))',
  'yamldecode("a: 1") == {a = 1}',
  'jsonencode(yamldecode("a: ~\\nb: [1, ~]"))',
  'yamlencode(yamldecode("a: [1, 2]\\nb: {c: x}"))',
  'yamldecode(yamlencode({a = [1, "x", true, null], b = "multi\\nline\\n"}))',
];

/** Documents made of YAML's pieces at random (a fixed seed): what no list above thought of. */
function randomDocs(count: number, seed: number): string[] {
  const pieces = ['a', 'b', ': ', ':', ' ', '  ', '\n', '\n  ', '\n    ', '- ', '-', '[', ']', '{', '}', ', ', ',', "'", '"', '# c', '&x ', '*x', '&y ', '*y', '!!str ', '!!int ', '!x ', '| ', '|-', '>', '? ', '\t', '1', '0x1F', 'yes', '~', '\\', '\\n', '%YAML 1.1\n', '---', '--- ', '...', '\n---\n', '<<: ', '2001-01-01', '.inf', '.nan', '1.5', '\u00e9', '\u2028', '\r\n', '%TAG ! !e\n', '\u0001', 'x'.repeat(200), '\ufeff', '!!binary ', '!!map ', '!<x> '];
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + rnd(30) }, () => pieces[rnd(pieces.length)]).join(''));
}

const SEP = '"-- next --"';

async function consoleLines(cmd: string, dir: string): Promise<string[]> {
  const r = await run('/bin/sh', ['-c', 'exec "$0" console t.pkr.hcl < exprs.txt 2>&1', cmd], { cwd: dir, env: { HOME: dir, PACKER_CONFIG_DIR: dir }, timeoutMs: 120_000 });
  return r.stdout.split('-- next --\n');
}

test('yamldecode: each document decodes, or fails, as in Packer 1.6.6', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-yamldecode-'));
  try {
    await writeFile(join(dir, 't.pkr.hcl'), 'locals { a = 1 }\n');
    const lines = [...[...DOCS, ...randomDocs(600, 11)].map((d) => `yamldecode(${hclString(d)})`), ...EXPRS];
    const exprs = lines.map((l) => `${l}\n${SEP}\n`).join('');
    await writeFile(join(dir, 'exprs.txt'), exprs);
    const [theirs, ours] = await Promise.all([consoleLines(REAL_PACKER, dir), consoleLines(PACKER_TS, dir)]);
    assert.equal(theirs.length, lines.length + 1, 'Packer answered every line');
    const diffs: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (ours[i] !== theirs[i]) diffs.push(`${lines[i]}\n  packer:    ${JSON.stringify(theirs[i])}\n  packer-ts: ${JSON.stringify(ours[i])}`);
    }
    assert.equal(diffs.join('\n'), '', `${diffs.length} of ${lines.length} lines differ`);
  } finally {
    await removeDir(dir);
  }
});
