// Diagnostics of broken native-syntax files, byte for byte as Packer 1.6.6
// prints them (`packer validate -syntax-only`): summary, "on FILE line N, in
// BLOCK:", the source lines of the subject and context, the wrapped detail,
// and every error of the file.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, parseConfig, wordWrap } from '../src/index.ts';
import { packerOn } from './oracle.ts';

const dir = fileURLToPath(new URL('./diag', import.meta.url));

describe('diagnostics as Packer 1.6.6 prints them', () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.pkr.hcl')).sort()) {
    test(name, async () => {
      const src = readFileSync(join(dir, name));
      const { file, diags } = parseConfig(new Uint8Array(src), name);
      assert.ok(diags.length > 0, 'the fixture has syntax errors');
      const ours = formatDiagnostics(diags, { [name]: file });
      const real = await packerOn(name, src, ['validate', '-syntax-only']);
      // Packer's UI adds one newline to the writer's text
      assert.equal(ours + '\n', real.stdout);
    });
  }
});

describe('diagnostic text', () => {
  test('several errors of one file are all reported, in source order', () => {
    const src = 'a { b = "foo", c = "bar" }\na { b = "foo"\n}\nx = 1, y = 2\n';
    const { diags } = parseConfig(src, 'x.hcl');
    assert.ok(diags.length >= 2);
    const lines = diags.map((d) => d.subject!.start.line);
    assert.deepEqual(lines, [...lines].sort((x, y) => x - y));
  });

  test('a range is not available without the source', () => {
    const { diags } = parseConfig('a = \n', 'x.hcl');
    const out = formatDiagnostics(diags, {});
    assert.equal(out, 'Error: Invalid expression\n\n  on x.hcl line 1:\n  (source code not available)\n\nExpected the start of an expression, but found an invalid expression token.\n\n');
  });

  test('detail text wraps at 80 columns like go-wordwrap', () => {
    const s = 'All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.';
    assert.equal(wordWrap(s, 80), 'All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in\nyour editor.');
    assert.equal(wordWrap('a\nb c', 2), 'a\nb\nc');
    assert.equal(wordWrap('averyveryverylongword x', 5), 'averyveryverylongword\nx');
  });

  test('invalid UTF-8 is reported', () => {
    const { diags } = parseConfig(new Uint8Array([0x78, 0x20, 0x3d, 0x20, 0x22, 0xff, 0x22, 0x0a]), 'x.hcl');
    assert.equal(diags[0]!.summary, 'Invalid character encoding');
  });
});
