/**
 * HCL2 variables, locals and `console` against the real Packer: each case
 * writes its files into a fresh directory, pipes the input lines (a real
 * pipe, as a shell does) into `console` of bin/packer-ts and of
 * /usr/bin/packer (1.6.6) with the same arguments and environment, and
 * compares exit status, stdout and stderr byte for byte. `validate` cases
 * compare the variables' diagnostics (file, line, wording). Cases that only
 * Packer 1.16 has (local blocks, optional attributes) ask packer-1.16.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PACKER_TS, REAL_PACKER, removeDir, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';

interface Case {
  files: Record<string, string>;
  /** console's input, or undefined for a `validate` case */
  input?: string;
  args: string[];
  env?: Record<string, string>;
  /** Which Packer answers (default 1.6.6). */
  oracle?: string;
  /** console's stdin: a pipe (default) or a regular file (Packer's line-by-line mode). */
  stdin?: 'pipe' | 'file';
}

async function runIn(cmd: string, c: Case): Promise<{ code: number | null; out: string; err: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2-console-'));
  try {
    for (const [name, text] of Object.entries(c.files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    const env = { HOME: dir, PACKER_CONFIG_DIR: dir, ...c.env };
    const r =
      c.input === undefined
        ? await run(cmd, ['validate', ...c.args], { cwd: dir, env })
        : c.stdin === 'file'
          ? await run('/bin/sh', ['-c', 'printf "%s" "$CONSOLE_INPUT" > "$HOME/.input" && exec "$0" console "$@" < "$HOME/.input"', cmd, ...c.args], { cwd: dir, env: { ...env, CONSOLE_INPUT: c.input } })
          : await run('/bin/sh', ['-c', 'printf "%s" "$CONSOLE_INPUT" | "$0" console "$@"', cmd, ...c.args], { cwd: dir, env: { ...env, CONSOLE_INPUT: c.input } });
    const norm = (s: string) => s.split(dir).join('<DIR>');
    return { code: r.code, out: norm(r.stdout), err: norm(r.stderr) };
  } finally {
    await removeDir(dir);
  }
}

async function compare(c: Case): Promise<void> {
  const theirs = await runIn(c.oracle ?? REAL_PACKER, c);
  const ours = await runIn(PACKER_TS, c);
  assert.deepEqual(ours, theirs);
}

const TEMPLATE = `variable "s" {
  type    = string
  default = "hello"
}
variable "n" {
  type    = number
  default = 3
}
variable "l" {
  type    = list(string)
  default = ["a", "b"]
}
variable "m" {
  type    = map(number)
  default = { x = 1, y = 2 }
}
variable "o" {
  type    = object({ a = string, b = number })
  default = { a = "q", b = "4" }
}
variable "req" {
  type = string
}
variable "sec" {
  type      = string
  default   = "topsecret"
  sensitive = true
}
variable "untyped" {
}
locals {
  x = "\${var.s}-\${var.n}"
  y = local.x
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
}
`;

const dirCase = (input: string, args: string[] = [], extra: Partial<Case> = {}): Case => ({ files: { 'd/a.pkr.hcl': TEMPLATE, ...extra.files }, input, args: [...args, 'd'], ...(extra.env ? { env: extra.env } : {}) });

const cases: Record<string, Case> = {
  'a number': dirCase('var.n\n'),
  'an argument that fails, then the conversion errors of the arguments around it (all reported)': dirCase('chunklist((2.5 || flatten("a")), {})\nparseint([for x in "a,b,c": upper(x)], ["b","a"])\nformat({}, upper(1), [1])\n'),
  'a string': dirCase('var.s\n'),
  'a list': dirCase('var.l\n'),
  'a map': dirCase('var.m\n'),
  'an object whose default was converted': dirCase('var.o\n'),
  'a sensitive value, alone and inside a string': dirCase('"x${var.sec}y"\n'),
  'locals, path, packer, source and build': dirCase('[local.y, path.root, packer.version]\n'),
  'path.cwd': dirCase('path.cwd\n'),
  'unknown values: an unset variable, source, build, all of var': dirCase('var.req\nsource\nbuild\nvar\n'),
  'the variables command': dirCase('variables\n', ['-var', 'req=1']),
  'help in HCL2 mode': dirCase('help\n'),
  'expressions: for, splat, conditionals, functions, numbers': dirCase('[for k, v in var.m : "${k}=${v * 1.5}" if v > 1]\n[for s in var.l : upper(s)][*]\n10/3\n1e3\njsonencode({b = var.o, a = [null, true]})\n'),
  'errors: each line reported, the last result printed, exit status 1': dirCase('var.nope\nlocal.nope\n1 +\nupper(1, 2)\nnope.x\nvar.l[5]\nvar.s\n'),
  'an error on the last line': dirCase('var.s\n{a =\n'),
  'stdin from a file: every result printed, errors reported, exit stops': { ...dirCase('var.s\nvar.nope\nvar.l\nexit\nvar.n\n'), stdin: 'file' },
  'stdin from a file ending in an error': { ...dirCase('var.s\nvar.nope\n'), stdin: 'file' },
  'a warning from a var file, then the value': dirCase('var.s\n', [], { files: { 'd/x.auto.pkrvars.hcl': 's = "from-auto"\nundeclared = 1\n' } }),
  'precedence: env < auto var files < -var-file (hcl, then json) < -var': dirCase('[var.s, var.n, var.l, var.o, var.untyped]\n', ['-var-file', 'f.pkrvars.json', '-var-file', 'f.pkrvars.hcl', '-var', 'untyped=cmd1', '-var', 'untyped=cmd2'], {
    files: {
      'd/x.auto.pkrvars.hcl': 's = "auto-hcl"\nn = 9\n',
      'd/x.auto.pkrvars.json': '{"n": 10, "l": ["auto", "json"]}',
      'f.pkrvars.hcl': 's = "file-hcl"\nl = ["file"]\n',
      'f.pkrvars.json': '{"s": "file-json", "o": {"a": "z", "b": 9}}',
    },
    env: { PKR_VAR_untyped: 'env', PKR_VAR_s: 'env', PKR_VAR_undeclared: 'ignored' },
  }),
  'PKR_VAR_ values parsed for non-string types': dirCase('[var.l, var.n]\n', [], { env: { PKR_VAR_l: '["e1", "e2"]', PKR_VAR_n: '42' } }),
  'a PKR_VAR_ value that does not parse': dirCase('var.l\n', [], { env: { PKR_VAR_l: '[' } }),
  'a PKR_VAR_ value of the wrong type': dirCase('var.n\n', [], { env: { PKR_VAR_n: 'many' } }),
  '-var of the wrong type (a literal: "on  line 0")': dirCase('var.n\n', ['-var', 'n=abc']),
  '-var that does not parse as an expression': dirCase('var.l\n', ['-var', 'l=[']),
  '-var converted to an object type': dirCase('var.o\n', ['-var', 'o={a=1, b=2, c=3}']),
  '-var of an undeclared variable': dirCase('var.s\n', ['-var', 'nope=1']),
  'a var file that does not exist': dirCase('var.s\n', ['-var-file', 'missing.pkrvars.hcl']),
  'a var file of unknown format': dirCase('var.s\n', ['-var-file', 'vars.txt'], { files: { 'vars.txt': 's = "x"\n' } }),
  'a var file with a type error and a syntax error': dirCase('var.s\n', ['-var-file', 'bad.pkrvars.hcl'], { files: { 'bad.pkrvars.hcl': 'n = "x"\nl = [\n' } }),
  'a var file declaring a variable': dirCase('var.s\n', ['-var-file', 'decl.pkrvars.hcl'], { files: { 'decl.pkrvars.hcl': 'variable "s" {\n  default = "x"\n}\n' } }),
  'a single file template reads no auto var files': { files: { 'd/a.pkr.hcl': TEMPLATE, 'd/x.auto.pkrvars.hcl': 's = "auto"\n' }, input: 'var.s\n', args: ['d/a.pkr.hcl'] },
  'no template in HCL2 mode': { files: {}, input: 'path.root\nvar\nupper("a")\n', args: ['--config-type=hcl2'] },
  'no template in HCL2 mode: variables': { files: {}, input: 'variables\n', args: ['-config-type=hcl2'] },
  'no template in HCL2 mode, an undeclared -var': { files: {}, input: 'var.x\n', args: ['--config-type=hcl2', '-var', 'x=1'] },
  'a JSON-syntax template': { files: { 'a.pkr.json': JSON.stringify({ variable: { v: { type: 'list(number)', default: [1, '2'] } }, locals: { w: '${var.v[1] + 1}' } }) }, input: '[var.v, local.w]\n', args: ['a.pkr.json'] },
  'locals read as far as each line needs: a chain, the whole object, an error after them, the variables command': {
    files: { 'a.pkr.hcl': `locals {\n${Array.from({ length: 40 }, (_, i) => `  l${i} = ${i === 0 ? '"a"' : `"\${local.l${i - 1}}${i % 10}"`}\n`).join('')}  bad = upper(1, 2)\n}\n` },
    input: 'local.l3\n"a012 and ${local.l1}"\nlocal.l39\nlocal.bad\nlength(local)\nkeys(local)[0]\nvariables\n',
    args: ['a.pkr.hcl'],
    stdin: 'file',
  },
  'file functions relative to a template given as a relative path (its directory is ".")': {
    files: { 'a.pkr.hcl': 'locals {\n  n = length(fileset(".", "**"))\n}\n', 'sub/b.txt': 'b', 'sub/deep/c.txt': 'c', 'top.txt': 't' },
    input: 'fileset(".", "*.hcl")\nfileset(".", "**")\nfileset("sub", "**/*.txt")\nfileset("./sub", "deep/*")\nfileset(path.root, "*.txt")\nlocal.n\nfile("sub/b.txt")\nfileexists("top.txt")\n',
    args: ['a.pkr.hcl'],
  },
  'file functions of a template directory given as "."': { files: { 'a.pkr.hcl': 'variable "v" {\n  default = 1\n}\n', 'x/y.txt': 'y' }, input: 'fileset(".", "**")\nfileset("x", "*")\n', args: ['.'] },
  'an unknown function: "Did you mean" a known one, but not inside a for expression (its own scope)': dirCase('uper("a")\n[for s in var.l : uper(s)]\njoinn(",", var.l)\n'),
  'env() in a default': { files: { 'a.pkr.hcl': 'variable "h" {\n  default = env("H10_SOME_VALUE")\n}\n' }, input: 'var.h\n', args: ['a.pkr.hcl'], env: { H10_SOME_VALUE: 'from the env' } },
};

const bad = (text: string, extra: Record<string, string> = {}, args: string[] = []): Case => ({ files: { 't/a.pkr.hcl': text, ...extra }, args: [...args, 't'] });

const validateCases: Record<string, Case> = {
  'duplicate variable blocks': bad('variable "a" {\n  default = 1\n}\nvariable "a" {\n  default = 2\n}\n'),
  'a variable both in a block and in variables {}': bad('variable "a" {\n  default = 1\n}\nvariables {\n  a = 2\n}\n'),
  'a bad type': bad('variable "a" {\n  type = list(strin)\n}\n'),
  'a default of the wrong type': bad('variable "a" {\n  type = number\n  default = "x"\n}\n'),
  'a bad variable name': bad('variable "1a" {\n  default = 1\n}\n'),
  'an unexpected argument': bad('variable "a" {\n  default = 1\n  nope = 2\n}\n'),
  'description and sensitive of the wrong type': bad('variable "a" {\n  default = 1\n  description = ["x"]\n  sensitive = "maybe"\n}\n'),
  'a default referring to a variable': bad('variable "a" {\n  default = var.b\n}\n'),
  // (one per case: Packer reports unset variables in random order)
  'an unset variable': bad('variable "a" {\n  type = string\n}\n'),
  'an unset untyped variable': bad('variable "b" {\n}\n'),
  'a failing validation rule (default)': bad('variable "v" {\n  type = string\n  default = "ab"\n  validation {\n    condition = length(var.v) > 3\n    error_message = "The v must be longer than 3."\n  }\n}\n'),
  'a failing validation rule (-var)': bad('variable "v" {\n  type = string\n  default = "abcd"\n  validation {\n    condition = length(var.v) > 3\n    error_message = "The v must be longer than 3."\n  }\n}\n', {}, ['-var', 'v=x']),
  'a failing validation rule (var file)': bad('variable "v" {\n  type = list(string)\n  default = ["a"]\n  validation {\n    condition = length(var.v) == 1\n    error_message = "Just one."\n  }\n}\n', { 'v.pkrvars.hcl': 'v = [\n  "a",\n  "b",\n]\n' }, ['-var-file', 'v.pkrvars.hcl']),
  'bad validation blocks': bad('variable "a" {\n  default = 1\n  validation {\n    condition = var.b > 1\n    error_message = "lowercase"\n  }\n  validation {\n    condition = var.a > 0\n    error_message = ""\n  }\n  validation {\n    error_message = "Missing condition."\n  }\n}\n'),
  'a null validation result': bad('variable "a" {\n  default = 1\n  validation {\n    condition = var.a == 1 ? null : true\n    error_message = "Bad."\n  }\n}\n'),
  'a validation result that is not a bool': bad('variable "a" {\n  default = 1\n  validation {\n    condition = var.a == 1 ? "yes" : "no"\n    error_message = "Bad."\n  }\n}\n'),
  'description and sensitive that refer to a variable or call a function, or are null: each error, then "value must be known"': bad('variable "a" {\n  default = 1\n  description = var.x\n  sensitive = local.y\n}\nvariable "b" {\n  default = 1\n  description = upper("x")\n  sensitive = tobool("true")\n}\nvariable "c" {\n  default = 1\n  description = null\n  sensitive = null\n}\n'),
  'a validation error_message that refers to the variable': bad('variable "v" {\n  type = string\n  default = "abc"\n  validation {\n    condition = length(var.v) > 5\n    error_message = "Too short: ${var.v}."\n  }\n}\n'),
  'a provisioner\'s pause_before calling an unknown function': bad('source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n  provisioner "shell-local" {\n    inline = ["x"]\n    pause_before = uper("1s")\n  }\n}\n'),
  'a build-level source whose name refers to a variable': bad('source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  source "source.null.a" {\n    name = var.nope\n  }\n}\n'),
  'an error in a local': bad('locals {\n  a = upper(1, 2)\n}\n'),
  'a local defined twice in one block': bad('locals {\n  a = 1\n  a = 2\n}\n'),
  // (one problem per file: Packer visits a file's attributes in random order)
  'a var file with a type error': bad('variable "a" {\n  type = number\n  default = 1\n}\n', { 't/x.auto.pkrvars.hcl': 'a = "notnum"\n' }),
  'a var file with an undeclared name': bad('variable "a" {\n  type = number\n  default = 1\n}\n', { 't/x.auto.pkrvars.hcl': 'b = 1\n' }),
  'a var file with an expression referring to a variable': bad('variable "a" {\n  type = number\n  default = 1\n}\n', { 't/x.auto.pkrvars.hcl': 'a = var.x\n' }),
  'a var file with a block': bad('variable "a" {\n  default = 1\n}\n', { 't/x.auto.pkrvars.hcl': 'b {\n}\n' }),
};

const modernCases: Record<string, Case> = {
  'local blocks, sensitive locals, optional attributes with defaults': {
    files: {
      'a.pkr.hcl': 'variable "o" {\n  type = object({ a = string, b = optional(number, 7) })\n  default = { a = "x" }\n}\nlocal "secret" {\n  expression = "s-${var.o.b}"\n  sensitive = true\n}\nlocals {\n  shown = "${local.secret}!"\n}\n',
    },
    input: '[var.o, local.shown]\n',
    args: ['a.pkr.hcl'],
  },
  'type = any takes the type of the default; -var for it is a literal': {
    files: { 'a.pkr.hcl': 'variable "a" {\n  type = any\n  default = [1]\n}\nvariable "b" {\n  type = any\n}\n' },
    input: '[var.a, var.b]\n',
    args: ['-var', 'b=[2]', 'a.pkr.hcl'],
  },
  'optional() misused': {
    files: { 'a.pkr.hcl': 'variable "a" {\n  type = list(optional(number))\n}\n' },
    input: 'var.a\n',
    args: ['a.pkr.hcl'],
  },
  'a named build whose name calls an unknown function (validate): the suggestion, then "value must be known"': {
    files: { 'a.pkr.hcl': 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  name = joinn("a")\n  sources = ["source.null.a"]\n}\n' },
    args: ['a.pkr.hcl'],
  },
  'locals that use a datasource: the datasource runs first (a line each, file mode)': {
    files: { 'a.pkr.hcl': 'data "null" "x" {\n  input = "in-${var.v}"\n}\nvariable "v" {\n  default = "vv"\n}\nlocals {\n  fromdata = data.null.x.output\n  up = upper(local.fromdata)\n  plain = "p"\n}\n' },
    input: 'local.fromdata\nlocal.up\nlocal.plain\nvariables\n',
    args: ['a.pkr.hcl'],
    stdin: 'file',
  },
  'a console line has no data: the locals\' context': {
    files: { 'a.pkr.hcl': 'data "null" "x" {\n  input = "in"\n}\nlocals {\n  l = data.null.x.output\n}\n' },
    input: 'data.null.x.output\n',
    args: ['a.pkr.hcl'],
  },
  'a local block defined twice': {
    files: { 'a.pkr.hcl': 'locals {\n  a = 1\n}\nlocal "a" {\n  expression = 2\n}\n' },
    input: 'local.a\n',
    args: ['a.pkr.hcl'],
  },
};

test('HCL2 console: byte for byte as Packer 1.6.6', async (t) => {
  requireTools('packer');
  for (const [name, c] of Object.entries(cases)) await t.test(name, () => compare(c));
});

test('HCL2 variables: validate reports what Packer 1.6.6 reports', async (t) => {
  requireTools('packer');
  for (const [name, c] of Object.entries(validateCases)) await t.test(name, () => compare(c));
});

test('HCL2 console: what came later, as Packer 1.16', async (t) => {
  const missing = missingOracles('packer-1.16');
  if (missing) {
    t.skip(missing);
    return;
  }
  for (const [name, c] of Object.entries(modernCases)) await t.test(name, () => compare({ ...c, oracle: oracle('packer-1.16') }));
});
