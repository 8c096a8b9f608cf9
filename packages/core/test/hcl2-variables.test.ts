/**
 * HCL2 input variables, their values and locals (core/hcl2/context.ts,
 * variables.ts, values.ts, locals.ts) through the API the template
 * pipeline calls. What Packer itself prints is compared live in
 * test/hcl2-console.test.ts; here the values and diagnostics are checked
 * one by one, including the cases where Packer's order is random.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cty, exprValue, parseExpression, parseFile, type Block, type Diagnostic } from '@packer-ts/hcl';
import { clearSecrets, redact } from '@packer-ts/sdk';
import { evaluateVariables, initializeVariables, parseVariables, type EvaluateOptions, type Evaluated } from '../src/hcl2/context.ts';
import type { VariableInputs } from '../src/hcl2/values.ts';

const ROOT_BLOCKS = [
  { type: 'variable', labelNames: ['name'] },
  { type: 'variables' },
  { type: 'locals' },
  { type: 'local', labelNames: ['name'] },
  { type: 'source', labelNames: ['type', 'name'] },
  { type: 'build' },
];

/** Writes `files` into a fresh directory and evaluates its *.pkr.hcl / *.pkr.json files' blocks. */
function evalDir(files: Record<string, string>, inputs: VariableInputs = {}, opts: Partial<EvaluateOptions> = {}): Evaluated & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hcl2-vars-'));
  const blocks: Block[] = [];
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
  for (const name of Object.keys(files).sort()) {
    if (!name.endsWith('.pkr.hcl') && !name.endsWith('.pkr.json')) continue;
    const { file, diags } = parseFile(files[name]!, join(dir, name));
    assert.deepEqual(diags, [], `${name} parses`);
    blocks.push(...file.body.content({ blocks: ROOT_BLOCKS }).content.blocks);
  }
  // var file names are given relative to the directory, as on a command line run there
  const varFiles = inputs.varFiles?.map((f) => join(dir, f));
  const ev = evaluateVariables({ blocks, templatePath: dir, cwd: dir, inputs: { ...inputs, ...(varFiles ? { varFiles } : {}) }, ...opts });
  return { ...ev, dir };
}

function show(ev: Evaluated, expr: string): string {
  const { expr: e, diags } = parseExpression(expr, '<test>', { byte: 0, line: 1, column: 1 });
  assert.deepEqual(diags, []);
  const r = exprValue(e, ev.ctx);
  assert.deepEqual(r.diags, [], `${expr} evaluates`);
  return cty.printableValue(r.value);
}

const summaries = (diags: readonly Diagnostic[]) => diags.map((d) => `${d.severity}: ${d.summary}`);

test.afterEach(() => clearSecrets());

test('defaults are converted to the declared type; without a type the default gives it', () => {
  const ev = evalDir({
    'a.pkr.hcl': `
variable "o" {
  type    = object({ a = string, b = number })
  default = { a = 1, b = "4" }
}
variable "l" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "untyped" {
  default = ["x", 1]
}
variables {
  short = true
}
`,
  });
  assert.deepEqual(ev.diags, []);
  assert.deepEqual(ev.initDiags, []);
  assert.equal(show(ev, 'var.o'), '{\n  "a" = "1"\n  "b" = 4\n}');
  assert.equal(show(ev, 'var.l'), '[\n  "a",\n  "b",\n]');
  assert.equal(cty.typeString(ev.variables.get('untyped')!.type!), 'tuple([string, number])');
  assert.equal(show(ev, 'var.short'), 'true');
});

test('precedence (1.6.6): default < PKR_VAR_ < native var files (auto, then -var-file) < JSON var files < -var', () => {
  const decl = 'variable "a" {\n  default = "default"\n}\n'.replace(/"a"/, '"%"');
  const names = ['env', 'autohcl', 'filehcl', 'autojson', 'filejson', 'cmd'];
  const files: Record<string, string> = { 'a.pkr.hcl': names.map((n) => decl.replace('%', n)).join('') + decl.replace('%', 'untouched') };
  // each source sets its own variable and those of every later source: only a later source may override it
  const upTo = (n: string) => names.slice(names.indexOf(n));
  files['x.auto.pkrvars.hcl'] = upTo('autohcl').map((n) => `${n} = "autohcl"\n`).join('');
  files['x.auto.pkrvars.json'] = JSON.stringify(Object.fromEntries(upTo('autojson').map((n) => [n, 'autojson'])));
  files['f.pkrvars.hcl'] = upTo('filehcl').map((n) => `${n} = "filehcl"\n`).join('');
  files['f.pkrvars.json'] = JSON.stringify(Object.fromEntries(upTo('filejson').map((n) => [n, 'filejson'])));
  const env = Object.fromEntries(upTo('env').map((n) => [`PKR_VAR_${n}`, 'env']));
  // -var-file order given JSON first: 1.6.6 still reads every .hcl before every .json
  const ev = evalDir(files, { env, varFiles: ['f.pkrvars.json', 'f.pkrvars.hcl'], vars: upTo('cmd').map((n) => ({ name: n, value: 'cmd' })) });
  assert.deepEqual(ev.diags, []);
  for (const n of names) assert.equal(show(ev, `var.${n}`), n, n);
  assert.equal(show(ev, 'var.untouched'), 'default');
  assert.deepEqual(ev.variables.get('cmd')!.values.map((v) => v.from), ['default', 'env', 'varfile', 'varfile', 'varfile', 'varfile', 'cmd']);
  assert.deepEqual(ev.variables.get('env')!.values.map((v) => v.from), ['default', 'env']);
});

test('precedence (1.16): auto var files, then -var-file in the order given', () => {
  const ev = evalDir(
    {
      'a.pkr.hcl': 'variable "a" {\n  default = "default"\n}\n',
      'x.auto.pkrvars.hcl': 'a = "autohcl"\n',
      'x.auto.pkrvars.json': '{"a": "autojson"}',
      'f.pkrvars.json': '{"a": "filejson"}',
      'f.pkrvars.hcl': 'a = "filehcl"\n',
    },
    { varFiles: ['f.pkrvars.hcl', 'f.pkrvars.json'] },
    { version: 'packer-1.16' },
  );
  assert.deepEqual(ev.diags, []);
  assert.equal(show(ev, 'var.a'), 'filejson');
});

test('-var: strings and numbers are literal, other types are HCL expressions; the last -var of a name wins', () => {
  const ev = evalDir(
    { 'a.pkr.hcl': 'variable "s" {\n  type = string\n}\nvariable "n" {\n  type = number\n}\nvariable "l" {\n  type = list(number)\n}\nvariable "u" {\n}\n' },
    { vars: [{ name: 's', value: '[1]' }, { name: 'n', value: '12' }, { name: 'l', value: '[1, "2"]' }, { name: 'u', value: 'first' }, { name: 'u', value: '{x=1}' }] },
  );
  assert.deepEqual(ev.diags, []);
  assert.equal(show(ev, 'var.s'), '[1]');
  assert.equal(show(ev, 'var.n + 1'), '13');
  assert.equal(show(ev, 'var.l'), '[\n  1,\n  2,\n]');
  assert.equal(show(ev, 'var.u'), '{x=1}');
});

test('bad values: wrong type, undeclared -var, undeclared name in a var file (a warning), a declaration in a var file', () => {
  const ev = evalDir(
    { 'a.pkr.hcl': 'variable "n" {\n  type = number\n  default = 1\n}\n', 'x.auto.pkrvars.hcl': 'n = "x"\nzz = 1\n' },
    { vars: [{ name: 'n', value: 'abc' }, { name: 'nope', value: '1' }] },
  );
  assert.deepEqual(summaries(ev.diags), ['error: Invalid value for variable', 'warning: Undefined variable', 'error: Invalid argument value for -var variable', 'error: Undefined -var variable']);
  const [fileDiag, warning, argDiag] = ev.diags;
  assert.equal(fileDiag!.subject!.filename, join(ev.dir, 'x.auto.pkrvars.hcl'));
  assert.equal(fileDiag!.subject!.start.line, 1);
  assert.equal(fileDiag!.detail, "The value for n is not compatible with the variable's type constraint: a number is required.");
  assert.equal(warning!.context!.start.line, 2);
  // a literal -var has no source: Packer prints "on  line 0"
  assert.equal(argDiag!.subject!.filename, '');
  assert.equal(argDiag!.subject!.start.line, 0);

  const decl = evalDir({ 'a.pkr.hcl': 'variable "a" {\n}\n', 'x.auto.pkrvars.hcl': 'variable "a" {\n}\n' });
  assert.deepEqual(summaries(decl.diags), ['error: Variable declaration in a .pkrvar file']);
  assert.match(decl.diags[0]!.detail!, /use the definition syntax instead:\n {4}a = <value>$/);
});

test('declarations: duplicates, bad names, type errors, defaults that do not convert, env() in defaults', () => {
  const ev = evalDir(
    {
      'a.pkr.hcl': `
variable "a" {
  default = 1
}
variable "a" {
  default = 2
}
variable "1b" {
}
variable "c" {
  type    = number
  default = "x"
}
variable "e" {
  default = env("H10_TEST_VALUE")
}
variables {
  a = 3
}
`,
    },
    { env: { H10_TEST_VALUE: 'from-env()' } },
  );
  assert.deepEqual(summaries(ev.diags), ['error: Duplicate variable', 'error: Invalid variable name', 'error: Invalid default value for variable', 'error: Duplicate variable']);
  assert.equal(ev.diags[0]!.context!.start.line, 5);
  assert.equal(ev.diags[2]!.subject!.start.line, 12);
  assert.equal(show(ev, 'var.e'), 'from-env()');
});

test('validation rules: Packer 1.6.6 wording, the failing assignment as subject', () => {
  const tpl = `variable "v" {
  type    = string
  default = "ab"
  validation {
    condition     = length(var.v) > 3
    error_message = "The v must be longer than 3."
  }
}
`;
  const def = evalDir({ 'a.pkr.hcl': tpl });
  assert.deepEqual(summaries(def.initDiags), ['error: Invalid value for default variable']);
  assert.equal(def.initDiags[0]!.detail, `The v must be longer than 3.\n\nThis was checked by the validation rule at ${join(def.dir, 'a.pkr.hcl')}:4,3-13.`);
  assert.equal(def.initDiags[0]!.subject!.start.line, 3);
  const ok = evalDir({ 'a.pkr.hcl': tpl }, { vars: [{ name: 'v', value: 'abcd' }] });
  assert.deepEqual(ok.initDiags, []);
  const env = evalDir({ 'a.pkr.hcl': tpl }, { env: { PKR_VAR_v: 'x' } });
  assert.deepEqual(summaries(env.initDiags), ['error: Invalid value for env variable']);

  const bad = evalDir({
    'a.pkr.hcl': `variable "v" {
  default = 1
  validation {
    condition     = var.w > 0
    error_message = "lower case and no period"
  }
}
`,
  });
  assert.deepEqual(summaries(bad.diags), ['error: Invalid reference in variable validation', 'error: Invalid variable validation condition', 'error: Invalid validation error message']);
});

test('unset variables: an error of the initialize phase, the value unknown', () => {
  const ev = evalDir({ 'a.pkr.hcl': 'variable "r" {\n  type = string\n}\n' });
  assert.deepEqual(ev.diags, []);
  assert.deepEqual(summaries(ev.initDiags), ['error: Unset variable "r"']);
  assert.equal(show(ev, 'var.r'), '<unknown>');
});

test('locals: any order of definition, across blocks and files; path, packer.version and functions', () => {
  const ev = evalDir({
    'a.pkr.hcl': 'locals {\n  c = "${local.b}-${upper(var.x)}"\n}\nvariable "x" {\n  default = "q"\n}\n',
    'b.pkr.hcl': 'locals {\n  b = local.a\n  a = "${path.root == "" ? "none" : "root"}/${packer.version}"\n}\n',
  });
  assert.deepEqual(ev.initDiags, []);
  assert.equal(show(ev, 'local.c'), 'root/1.6.6-Q');
  assert.equal(show(ev, 'path.cwd'), ev.dir);
});

/** The locals of a whole run (name: printed value), in the order they got their values. */
const localValues = (locals: ReadonlyMap<string, { value: cty.Value }>) => [...locals].map(([k, v]) => `${k}=${cty.printableValue(v.value)}`);

test('locals evaluated as far as asked (console) have the values of a whole run, in its order; the rest wait', () => {
  const queue = 'locals {\n  c = "${local.b}-x"\n  b = local.a\n  t = try(local.z, "fallback")\n  z = 2\n  d = 1\n}\nlocals {\n  a = "A"\n  d = "${local.a}${local.d}"\n  e = local.missing\n  f = "F"\n}\n';
  const stop = `locals {\n${Array.from({ length: 102 }, (_, i) => `  f${i} = local.missing${i}\n`).join('')}  good = "ok"\n}\n`;
  const secret = 'locals {\n  plain = "x"\n  late = "also s3cr3t"\n}\nlocal "s" {\n  expression = "s3cr3t"\n  sensitive = true\n}\n';
  for (const [name, text, asks] of [
    ['retries, try before its target is set, a later definition winning, an error', queue, [['t'], ['c'], ['d'], ['nope'], ['e']]],
    ['a queue that stops after 101 failures in a row', stop, [['f3'], ['good']]],
    ['a sensitive local, evaluated with the first ask', secret, [['plain']]],
  ] as const) {
    const whole = evalDir({ 'a.pkr.hcl': text });
    clearSecrets(); // the whole run registered the sensitive values: the lazy one must do it itself
    const dir = mkdtempSync(join(tmpdir(), 'hcl2-vars-'));
    try {
      const { file } = parseFile(text, join(dir, 'a.pkr.hcl'));
      const blocks = file.body.content({ blocks: ROOT_BLOCKS }).content.blocks;
      const lazy = initializeVariables(parseVariables({ blocks, templatePath: dir, cwd: dir, inputs: {} }), undefined, { lazyLocals: true });
      assert.ok(lazy.ensureLocals, name);
      assert.equal(lazy.locals.size, 0, `${name}: nothing evaluated before a line asks`);
      const all = localValues(whole.locals);
      for (const ask of asks) {
        lazy.ensureLocals(ask);
        // a prefix of the whole run's values, holding each name asked that the whole run set
        const got = localValues(lazy.locals);
        assert.deepEqual(got, all.slice(0, got.length), `${name}: after ${ask}`);
        for (const n of ask) assert.equal(lazy.locals.has(n), whole.locals.has(n), `${name}: ${n}`);
        if (ask === asks[0] && text === queue) assert.deepEqual(got, ['t=fallback'], 'only as far as the first ask needs');
        // the sensitive local was registered with the first ask, before anything could print "plain"
        if (text === secret) assert.equal(redact('[s3cr3t]'), '[<sensitive>]');
      }
      lazy.ensureLocals();
      assert.deepEqual(localValues(lazy.locals), all, `${name}: all of them`);
      assert.equal(show({ ...whole, ctx: lazy.ctx }, 'length(local)'), String(whole.locals.size));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(whole.dir, { recursive: true, force: true });
    }
  }
});

test('locals: a cycle is an error on one of its references (Packer 1.6.6 picks one at random)', () => {
  const ev = evalDir({ 'a.pkr.hcl': 'locals {\n  a = local.b\n  b = local.a\n}\n' });
  assert.deepEqual(summaries(ev.initDiags), ['error: Unsupported attribute']);
  assert.ok([2, 3].includes(ev.initDiags[0]!.subject!.start.line));
});

test('local blocks (Packer 1.16) with sensitive values, optional attributes with defaults, duplicate locals, cycles', () => {
  const ev = evalDir(
    {
      'a.pkr.hcl': `
variable "o" {
  type    = object({ a = string, b = optional(number, 7) })
  default = { a = "x" }
}
local "secret" {
  expression = "s3cr3t-\${var.o.b}"
  sensitive  = true
}
locals {
  shown = local.secret
}
`,
    },
    {},
    { version: 'packer-1.16' },
  );
  assert.deepEqual(ev.diags, []);
  assert.deepEqual(ev.initDiags, []);
  assert.equal(show(ev, 'var.o.b'), '7');
  assert.deepEqual(ev.sensitive, ['s3cr3t-7']);
  assert.equal(redact('value: s3cr3t-7.'), 'value: <sensitive>.');

  const dup = evalDir({ 'a.pkr.hcl': 'locals {\n  a = 1\n}\nlocal "a" {\n  expression = 2\n}\n' }, {}, { version: 'packer-1.16' });
  assert.deepEqual(summaries(dup.diags), ['error: Duplicate local definition']);
  const cyc = evalDir({ 'a.pkr.hcl': 'locals {\n  a = local.b\n  b = local.a\n}\n' }, {}, { version: 'packer-1.16' });
  assert.ok(summaries(cyc.initDiags).includes('error: Max local recursion depth exceeded.'));
  // what 1.16 added is there when 1.6.6's behaviour is followed too
  const old = evalDir({ 'a.pkr.hcl': 'variable "o" {\n  type = object({ a = optional(string, "d") })\n  default = {}\n}\nlocal "l" {\n  expression = var.o.a\n}\n' });
  assert.deepEqual([...old.diags, ...old.initDiags], []);
  assert.equal(show(old, 'local.l'), 'd');
});

test('sensitive variables: every string inside the value is masked by the secret filter', () => {
  const ev = evalDir(
    { 'a.pkr.hcl': 'variable "pw" {\n  sensitive = true\n  type = map(list(string))\n  default = { a = ["hunter2", "x-token"] }\n}\nvariable "open" {\n  default = "visible"\n}\n' },
    { vars: [{ name: 'pw', value: '{ a = ["cmdsecret"], b = ["other-secret"] }' }] },
  );
  assert.deepEqual(ev.diags, []);
  assert.deepEqual(ev.sensitive.sort(), ['cmdsecret', 'other-secret']);
  assert.equal(redact('cmdsecret other-secret visible hunter2'), '<sensitive> <sensitive> visible hunter2');
});

test('no template: empty var and local, path.root ""', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcl2-vars-'));
  try {
    mkdirSync(join(dir, 'sub'));
    const ev = evaluateVariables({ blocks: [], templatePath: '', cwd: dir, inputs: {} });
    assert.equal(show(ev, 'var'), '{}');
    assert.equal(show(ev, 'path.root'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
