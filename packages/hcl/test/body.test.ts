// The Body API over both syntaxes: the same configuration written in native
// syntax and in JSON gives the same content, and JSON files' syntax errors
// read as Packer 1.6.6 prints them.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cty, decode, EvalContext, expandDynamic, exprTypeNode, exprValue, formatDiagnostics, MergedBody, parseHCL, parseJSON, type Body, type BodySchema, type Spec } from '../src/index.ts';
import { packerOn } from './oracle.ts';

const native = `
variable "region" {
  default = "eu-west-1"
}
source "null" "a" {
  communicator = "none"
  tags = { Name = "img-\${var.region}" }
}
source "null" "b" {
  communicator = "none"
}
build {
  sources = ["source.null.a", "source.null.b"]
  provisioner "shell-local" {
    inline = ["echo \${var.region}"]
  }
}
`;

const json = JSON.stringify({
  variable: { region: { default: 'eu-west-1' } },
  source: { null: { a: { communicator: 'none', tags: { Name: 'img-${var.region}' } }, b: { communicator: 'none' } } },
  build: { sources: ['source.null.a', 'source.null.b'], provisioner: [{ 'shell-local': { inline: ['echo ${var.region}'] } }] },
}, null, 2);

const topSchema: BodySchema = {
  blocks: [{ type: 'variable', labelNames: ['name'] }, { type: 'source', labelNames: ['type', 'name'] }, { type: 'build' }],
};

function summarize(body: Body): unknown {
  const ctx = new EvalContext({ variables: { var: cty.objectVal({ region: cty.stringVal('eu-west-1') }) }, functions: {} });
  const { content, diags } = body.content(topSchema);
  assert.deepEqual(diags, []);
  return content.blocks.map((b) => {
    const r = b.body.partialContent({ attributes: [{ name: 'communicator' }, { name: 'tags' }, { name: 'default' }, { name: 'sources' }], blocks: [{ type: 'provisioner', labelNames: ['type'] }] });
    assert.deepEqual(r.diags, []);
    const attrs: Record<string, string> = {};
    for (const [k, a] of r.content.attributes) attrs[k] = cty.printableValue(exprValue(a.expr, ctx).value);
    const provs = r.content.blocks.map((p) => {
      const ja = p.body.justAttributes();
      return [p.labels, [...ja.attributes.keys()], cty.printableValue(exprValue(ja.attributes.get('inline')!.expr, ctx).value)];
    });
    return { type: b.type, labels: b.labels, attrs, provs };
  });
}

describe('Body API', () => {
  test('native and JSON syntax decode to the same content', () => {
    const n = parseHCL(native, 'x.pkr.hcl');
    const j = parseJSON(json, 'x.pkr.json');
    assert.deepEqual(n.diags, []);
    assert.deepEqual(j.diags, []);
    assert.deepEqual(summarize(j.file.body), summarize(n.file.body));
  });

  test('content() reports what the schema does not name, with suggestions', () => {
    const n = parseHCL('source "null" "a" {\n  comunicator = "none"\n  provisoner "x" {}\n}\n', 'x.pkr.hcl');
    const { content } = n.file.body.content({ blocks: [{ type: 'source', labelNames: ['type', 'name'] }] });
    const r = content.blocks[0]!.body.content({ attributes: [{ name: 'communicator', required: true }], blocks: [{ type: 'provisioner', labelNames: ['type'] }] });
    assert.deepEqual(
      r.diags.map((d) => [d.summary, d.detail, d.subject!.start.line]),
      [
        ['Missing required argument', 'The argument "communicator" is required, but no definition was found.', 1],
        ['Unsupported argument', 'An argument named "comunicator" is not expected here. Did you mean "communicator"?', 2],
        ['Unsupported block type', 'Blocks of type "provisoner" are not expected here. Did you mean "provisioner"?', 3],
      ],
    );
  });

  test('label count errors', () => {
    const n = parseHCL('source "null" {\n}\nbuild "x" {\n}\n', 'x.pkr.hcl');
    const r = n.file.body.content({ blocks: [{ type: 'source', labelNames: ['type', 'name'] }, { type: 'build' }] });
    assert.deepEqual(r.diags.map((d) => d.summary), ['Missing name for source', 'Extraneous label for build']);
  });

  test('JSON: blocks nest by label, arrays repeat blocks, "//" is a comment', () => {
    const j = parseJSON('{"//": "note", "source": {"null": {"a": {}, "b": [{}, {}]}}}', 'x.json');
    const r = j.file.body.content({ blocks: [{ type: 'source', labelNames: ['type', 'name'] }] });
    assert.deepEqual(r.diags, []);
    assert.deepEqual(r.content.blocks.map((b) => b.labels.join('.')), ['null.a', 'null.b', 'null.b']);
    const bad = parseJSON('{"source": {"null": "x"}}', 'x.json').file.body.content({ blocks: [{ type: 'source', labelNames: ['type', 'name'] }] });
    assert.equal(bad.diags[0]!.summary, 'Incorrect JSON value type');
  });

  test('JSON: a string is a template when evaluated with a context, with positions inside the file', () => {
    const j = parseJSON('{\n  "a": "x ${nope}"\n}', 'x.json');
    const a = j.file.body.justAttributes().attributes.get('a')!;
    assert.equal(exprValue(a.expr, undefined).value.asString(), 'x ${nope}');
    const r = exprValue(a.expr, new EvalContext({ variables: {} }));
    assert.equal(r.diags[0]!.summary, 'Unknown variable');
    assert.deepEqual(r.diags[0]!.subject!.start, { byte: 14, line: 2, column: 13 });
  });

  test('MergedBody reads a directory of files as one body', () => {
    const a = parseHCL('x = 1\nb {}\n', 'a.hcl').file.body;
    const b = parseHCL('x = 2\nb {}\n', 'b.hcl').file.body;
    const r = new MergedBody([a, b]).content({ attributes: [{ name: 'x' }], blocks: [{ type: 'b' }] });
    assert.equal(r.content.blocks.length, 2);
    assert.deepEqual(r.diags.map((d) => d.summary), ['Duplicate argument']);
  });

  test('dynamic blocks expand per element, with iterators (nested ones see the outer)', () => {
    // Packer 1.6.6 builds this provisioner twice, printing "0=a" and "1=b"
    const src = 'build {\n  dynamic "provisioner" {\n    for_each = var.names\n    iterator = n\n    labels   = ["shell-local"]\n    content {\n      inline = ["echo ${n.key}=${n.value}"]\n      dynamic "nested" {\n        for_each = { x = 1 }\n        content {\n          v = "${n.value}-${nested.key}-${nested.value}"\n        }\n      }\n    }\n  }\n}\n';
    const ctx = new EvalContext({ variables: { var: cty.objectVal({ names: cty.tupleVal([cty.stringVal('a'), cty.stringVal('b')]) }) } });
    const build = parseHCL(src, 'd.hcl').file.body.content({ blocks: [{ type: 'build' }] }).content.blocks[0]!;
    const r = expandDynamic(build.body, ctx).content({ blocks: [{ type: 'provisioner', labelNames: ['type'] }] });
    assert.deepEqual(r.diags, []);
    const got = r.content.blocks.map((p) => {
      const c = p.body.content({ attributes: [{ name: 'inline' }], blocks: [{ type: 'nested' }] });
      assert.deepEqual(c.diags, []);
      const nested = c.content.blocks.map((nb) => exprValue(nb.body.justAttributes().attributes.get('v')!.expr, ctx).value.asString());
      return [p.labels[0], exprValue(c.content.attributes.get('inline')!.expr, ctx).value.values()[0]!.asString(), nested];
    });
    assert.deepEqual(got, [
      ['shell-local', 'echo 0=a', ['a-x-1']],
      ['shell-local', 'echo 1=b', ['b-x-1']],
    ]);
    const bad = parseHCL('dynamic "x" {\n  for_each = 5\n  content {}\n}\n', 'd.hcl').file.body;
    const br = expandDynamic(bad, ctx).content({ blocks: [{ type: 'x' }] });
    assert.deepEqual(br.diags.map((d) => d.detail), ['Cannot use a number value in for_each. An iterable collection is required.']);
  });

  test('type constraints read from either syntax', () => {
    const read = (e: Parameters<typeof exprTypeNode>[0]): string => cty.typeString(cty.typeFromConstraint(exprTypeNode(e).node, { constraint: false }).type);
    const j = parseJSON('{"type": "map(list(string))"}', 'v.json').file.body.justAttributes().attributes.get('type')!;
    const n = parseHCL('type = map(list(string))\n', 'v.hcl').file.body.justAttributes().attributes.get('type')!;
    assert.equal(read(j.expr), 'map(list(string))');
    assert.equal(read(n.expr), 'map(list(string))');
  });

  test('hcldec specs decode either syntax', () => {
    const spec: Spec = { kind: 'object', attrs: { n: { kind: 'attr', name: 'n', type: cty.NumberType, required: true }, tags: { kind: 'attr', name: 'tags', type: cty.Map(cty.StringType) } } };
    const n = decode(parseHCL('n = "5"\ntags = { a = "b" }\n', 'x.hcl').file.body, spec, undefined);
    const j = decode(parseJSON('{"n": 5, "tags": {"a": "b"}}', 'x.json').file.body, spec, undefined);
    assert.deepEqual(n.diags, []);
    assert.ok(n.value.rawEquals(j.value));
    const bad = decode(parseHCL('n = "x"\n', 'x.hcl').file.body, spec, undefined);
    assert.equal(bad.diags[0]!.detail, 'Inappropriate value for attribute "n": a number is required.');
  });
});

const jsonDiagDir = fileURLToPath(new URL('./diag-json', import.meta.url));

describe('JSON syntax errors as Packer 1.6.6 prints them', () => {
  for (const name of readdirSync(jsonDiagDir).sort()) {
    test(name, async () => {
      const src = readFileSync(join(jsonDiagDir, name));
      const { file, diags } = parseJSON(new Uint8Array(src), name);
      assert.ok(diags.length > 0);
      const real = await packerOn(name, src, ['validate', '-syntax-only']);
      assert.equal(formatDiagnostics(diags, { [name]: file }) + '\n', real.stdout);
    });
  }
});
