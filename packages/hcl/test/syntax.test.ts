// The native syntax: every construct of hclsyntax/spec.md parses to the
// expected tree, with byte offset, line and column for its nodes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ast, cty, evaluate, EvalContext, parseConfig, parseExpression, parseTemplate, PosTracker, rangeBetween, rangeEndOf, rangeStart, scan, type Range } from '../src/index.ts';

type Expr = ast.Expr;

/** A range's file and positions (ranges of ASCII text compute their positions when read). */
function fields(r: { filename: string; start: unknown; end: unknown }): unknown {
  return { filename: r.filename, start: r.start, end: r.end };
}

function expr(src: string): Expr {
  const { expr, diags } = parseExpression(src, 'e.hcl');
  assert.deepEqual(diags, [], src);
  return expr;
}

/** A compact rendering of an expression tree, to compare shapes. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'Literal':
      return e.value.t === 'number' ? e.value.text : e.value.t === 'string' ? JSON.stringify(e.value.v) : e.value.t === 'bool' ? String(e.value.v) : e.value.t;
    case 'ScopeTraversal':
    case 'RelativeTraversal':
      return (
        (e.kind === 'RelativeTraversal' ? `(${show(e.source)})` : '') +
        e.traversal.map((t) => (t.kind === 'root' ? t.name : t.kind === 'attr' ? '.' + t.name : `[${t.key.t === 'number' ? t.key.text : t.key.t === 'string' ? JSON.stringify(t.key.v) : t.key.t}]`)).join('')
      );
    case 'BinaryOp':
      return `(${show(e.lhs)} ${e.op} ${show(e.rhs)})`;
    case 'UnaryOp':
      return `(${e.op}${show(e.val)})`;
    case 'Conditional':
      return `(${show(e.condition)} ? ${show(e.trueResult)} : ${show(e.falseResult)})`;
    case 'FunctionCall':
      return `${e.name}(${e.args.map(show).join(', ')}${e.expandFinal ? '...' : ''})`;
    case 'TupleCons':
      return `[${e.exprs.map(show).join(', ')}]`;
    case 'ObjectCons':
      return `{${e.items.map((i) => `${show(i.key)}=${show(i.value)}`).join(', ')}}`;
    case 'ObjectConsKey':
      return (e.forceNonLiteral ? '!' : '') + show(e.wrapped);
    case 'Template':
      return `tpl(${e.parts.map(show).join(' ')})`;
    case 'TemplateWrap':
      return `wrap(${show(e.wrapped)})`;
    case 'TemplateJoin':
      return `join(${show(e.tuple)})`;
    case 'For':
      return `for(${e.keyVar ? e.keyVar + ',' : ''}${e.valVar} in ${show(e.collExpr)}: ${e.keyExpr ? show(e.keyExpr) + ' => ' : ''}${show(e.valExpr)}${e.group ? '...' : ''}${e.condExpr ? ' if ' + show(e.condExpr) : ''})`;
    case 'Index':
      return `${show(e.collection)}[${show(e.key)}]`;
    case 'Splat':
      return `splat(${show(e.source)}, ${show(e.each)})`;
    case 'AnonSymbol':
      return '@';
  }
}

describe('structure', () => {
  test('attributes and blocks with labels, and their ranges', () => {
    const src = 'a = 1\nblock "l1" l2 {\n  b = "x"\n  inner {}\n}\n';
    const { file, diags } = parseConfig(src, 'f.hcl');
    assert.deepEqual(diags, []);
    const [a] = file.body.attributes;
    assert.equal(a!.name, 'a');
    assert.deepEqual(fields(a!.nameRange), { filename: 'f.hcl', start: { byte: 0, line: 1, column: 1 }, end: { byte: 1, line: 1, column: 2 } });
    assert.deepEqual(a!.range.end, { byte: 5, line: 1, column: 6 });
    const [b] = file.body.blocks;
    assert.equal(b!.type, 'block');
    assert.deepEqual(b!.labels, ['l1', 'l2']);
    assert.deepEqual(fields(b!.labelRanges[0]!), { filename: 'f.hcl', start: { byte: 12, line: 2, column: 7 }, end: { byte: 16, line: 2, column: 11 } });
    assert.deepEqual(ast.blockDefRange(b!).end, { byte: 19, line: 2, column: 14 });
    assert.equal(b!.body.attributes[0]!.name, 'b');
    assert.equal(b!.body.blocks[0]!.type, 'inner');
    assert.deepEqual(b!.closeBraceRange.start, { byte: 43, line: 5, column: 1 });
    assert.equal(file.contextString(30), 'block "l1" "l2"');
    assert.equal(file.contextString(2), '');
  });

  test('one-line blocks', () => {
    const { file, diags } = parseConfig('a { b = 1 }\nc {}\n', 'f.hcl');
    assert.deepEqual(diags, []);
    assert.equal(file.body.blocks[0]!.body.attributes[0]!.name, 'b');
    assert.equal(file.body.blocks[1]!.body.attributes.length, 0);
  });

  test('comments of all three kinds', () => {
    const { file, diags } = parseConfig('# one\na = 1 // two\n/* three\n */ b = 2\n', 'f.hcl');
    assert.deepEqual(diags, []);
    assert.deepEqual(file.body.attributes.map((x) => x.name), ['a', 'b']);
    assert.deepEqual(file.body.attributes[1]!.nameRange.start, { byte: 32, line: 4, column: 5 });
  });

  test('columns count grapheme clusters, bytes count UTF-8', () => {
    const { file } = parseConfig('x = "👩‍👩‍👧‍👦é" # c\ny = 1\n', 'f.hcl');
    const x = file.body.attributes[0]!;
    // the family emoji is 25 bytes and one column; é 2 bytes, one column
    assert.deepEqual(x.range.end, { byte: 4 + 2 + 25 + 2, line: 1, column: 5 + 4 });
  });

  test('a byte order mark is skipped but counted', () => {
    const { file, diags } = parseConfig('\ufeffa = 1\n', 'f.hcl');
    assert.deepEqual(diags, []);
    assert.deepEqual(file.body.attributes[0]!.nameRange.start, { byte: 3, line: 1, column: 1 });
  });
});

describe('expressions', () => {
  test('operator precedence and associativity', () => {
    assert.equal(show(expr('a || b && c == d + e * f')), '(a || (b && (c == (d + (e * f)))))');
    assert.equal(show(expr('1 - 2 - 3')), '((1 - 2) - 3)');
    assert.equal(show(expr('-1 + 2')), '((-1) + 2)');
    assert.equal(show(expr('!a && b')), '((!a) && b)');
    assert.equal(show(expr('a < b == c >= d')), '((a < b) == (c >= d))');
    assert.equal(show(expr('a % b / c')), '((a % b) / c)');
    assert.equal(show(expr('(1 + 2) * 3')), '((1 + 2) * 3)');
  });

  test('conditionals nest to the right', () => {
    assert.equal(show(expr('a ? b : c ? d : e')), '(a ? b : (c ? d : e))');
  });

  test('traversals: attributes, indexes, legacy index, splats', () => {
    assert.equal(show(expr('a.b[0]["k"].c')), 'a.b[0]["k"].c');
    assert.equal(show(expr('a.0.b')), 'a[0].b');
    assert.equal(show(expr('a[b]')), 'a[b]');
    assert.equal(show(expr('a[*].b.c')), 'splat(a, (@).b.c)');
    assert.equal(show(expr('a.*.b')), 'splat(a, (@).b)');
    assert.equal(show(expr('f(x).y')), '(f(x)).y');
  });

  test('function calls, with expansion', () => {
    assert.equal(show(expr('f()')), 'f()');
    assert.equal(show(expr('f(1, 2,)')), 'f(1, 2)');
    assert.equal(show(expr('f(a, b...)')), 'f(a, b...)');
    const e = expr('upper( "x" )') as Extract<Expr, { kind: 'FunctionCall' }>;
    assert.deepEqual(e.nameRange.end, { byte: 5, line: 1, column: 6 });
    assert.deepEqual(e.closeParenRange.start, { byte: 11, line: 1, column: 12 });
  });

  test('collections', () => {
    assert.equal(show(expr('[1, "a", true, null]')), '[1, tpl("a"), true, null]');
    assert.equal(show(expr('{a = 1, "b" = 2, (c) = 3, d: 4}')), '{a=1, wrap("b")=2, !c=3, d=4}'.replace('wrap("b")', 'tpl("b")'));
    assert.equal(show(expr('{\n  a = 1\n  b = 2\n}')), '{a=1, b=2}');
  });

  test('for expressions: tuple, object, if, grouping', () => {
    assert.equal(show(expr('[for x in xs: x]')), 'for(x in xs: x)');
    assert.equal(show(expr('[for i, x in xs: x if i > 0]')), 'for(i,x in xs: x if (i > 0))');
    assert.equal(show(expr('{for k, v in m: v => k...}')), 'for(k,v in m: v => k...)');
  });

  test('templates: interpolation, directives, strip markers, escapes', () => {
    assert.equal(show(expr('"a ${b} c"')), 'tpl("a " b " c")');
    assert.equal(show(expr('"${b}"')), 'wrap(b)');
    assert.equal(show(expr('"%{if a}x%{else}y%{endif}"')), 'tpl((a ? tpl("x") : tpl("y")))');
    assert.equal(show(expr('"%{for v in l}${v},%{endfor}"')), 'tpl(join(for(v in l: tpl(v ","))))');
    assert.equal(show(expr('"a  ${~ b ~}  c"')), 'tpl("a" b "c")');
    // escapes are resolved; "$${" and "%%{" are literal parts of their own, as hclsyntax scans them
    const esc = expr('"\\n\\t\\"\\\\\\u00e9\\U0001F600 $${x} %%{y}"');
    assert.equal(show(esc), 'tpl("\\n\\t\\"\\\\é😀 " "${" "x} " "%{" "y}")');
    assert.equal(evaluate(esc, undefined).value.asString(), '\n\t"\\é😀 ${x} %{y}');
  });

  test('heredocs, plain and flush', () => {
    const { file, diags } = parseConfig('a = <<EOT\n  x\n    y\n  EOT\nb = <<-EOT\n  x\n    y ${z}\n  EOT\n', 'f.hcl');
    assert.deepEqual(diags, []);
    const ctx = new EvalContext({ variables: { z: cty.stringVal('Z') } });
    assert.equal(evaluate(file.body.attributes[0]!.expr, ctx).value.asString(), '  x\n    y\n');
    assert.equal(evaluate(file.body.attributes[1]!.expr, ctx).value.asString(), 'x\n  y Z\n');
  });

  test('bare templates (templatefile, JSON strings)', () => {
    const { expr: t, diags } = parseTemplate('Hello ${name}!\n%{ for x in [1,2] }${x}%{ endfor }', 't.tpl');
    assert.deepEqual(diags, []);
    const v = evaluate(t, new EvalContext({ variables: { name: cty.stringVal('you') } })).value;
    assert.equal(v.asString(), 'Hello you!\n12');
  });

  test('numbers: scanned as HCL does (no trailing dot, exponents)', () => {
    const toks = scan('1.5e+3 1. 2e', 'f').tokens.map((t) => t.end - t.start);
    assert.deepEqual(toks.slice(0, 5), [6, 1, 1, 1, 1]);
  });
});

describe('positions', () => {
  // ranges of ASCII text compute line and column from offsets when read; they must agree
  // with the position tracker that non-ASCII text uses, token by token
  const sources = [
    'a = 1\r\nb = "x${y}z"\r\n\r\nc {\n\td = <<-EOT\n  one\r\n  two ${3}\n  EOT\n}\n',
    '\ufeffx = [for k, v in m : "${k}=%{if v}y%{else}n%{endif}"] # c\r\n/* multi\nline */ y = 2\rz\n',
    'locals {\n  l = join("-", [1, 2.5e3, null])\n}\n',
    '',
  ];
  const origins = [undefined, { byte: 10, line: 3, column: 5 }];
  for (const [i, src] of sources.entries()) {
    for (const origin of origins) {
      test(`source ${i}, origin ${origin ? 'moved' : 'at the start'}`, () => {
        const lexed = scan(Buffer.from(src, 'utf8'), 'p.hcl', origin);
        const bom = src.charCodeAt(0) === 0xfeff ? 1 : 0;
        const start = origin ?? { byte: 0, line: 1, column: 1 };
        const tracker = new PosTracker(src.slice(bom), bom ? { byte: start.byte + 3, line: start.line, column: start.column } : start);
        const plain: Range[] = [];
        for (const t of lexed.tokens) {
          const want = { filename: 'p.hcl', start: tracker.at(t.start - bom), end: tracker.at(t.end - bom) };
          assert.deepEqual(fields(t.range), want, `token ${t.start}-${t.end}`);
          plain.push(want);
        }
        const n = lexed.tokens.length;
        for (let a = 0; a < n; a += 3) {
          const b = (a * 7) % n;
          assert.deepEqual(fields(rangeBetween(lexed.tokens[a]!.range, lexed.tokens[b]!.range)), rangeBetween(plain[a]!, plain[b]!));
          assert.deepEqual(fields(rangeEndOf(lexed.tokens[a]!.range)), rangeEndOf(plain[a]!));
          assert.deepEqual(fields(rangeStart(lexed.tokens[b]!.range)), rangeStart(plain[b]!));
        }
      });
    }
  }
});
