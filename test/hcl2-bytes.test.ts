// HCL2 files, var files, console input and `fix` templates holding bytes that are not UTF-8,
// byte for byte against Packer 1.6.6 live: a bad byte in a string, a heredoc, a comment, an
// identifier, a label, a lone continuation byte, a cut 3-byte sequence, after a BOM, with CRLF;
// through validate, inspect, build, console, fmt (-check, -diff, -write) and fix, plain and
// -machine-readable. Packer prints a diagnostic's source line as the file's bytes, its JSON
// syntax and its console read one U+FFFD per bad byte, fmt keeps the bytes of comments as
// they are.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireTools } from './helpers/requires.ts';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';

const temps: string[] = [];
const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'packer-ts-bytes-')); temps.push(d); return d; };
before(() => requireTools(REAL_PACKER, 'diff'));
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
/** A file builder source and a build of it, `content` being the given (raw) string body. */
const native = (content: string): Buffer => b(`source "file" "a" {\n  content = "${content}"\n  target  = "out.txt"\n}\n\nbuild {\n  sources = ["source.file.a"]\n}\n`);
const jsonSyntax = (content: string): Buffer => b(`{"source":{"file":{"a":{"content":"${content}","target":"out\xfe.txt"}}},"build":{"sources":["source.file.a"]}}\n`);
const withVar = b('variable "v" {\n  type = string\n}\nsource "file" "a" {\n  content = var.v\n  target  = "out.txt"\n}\nbuild {\n  sources = ["source.file.a"]\n}\n');

type Files = Record<string, Buffer>;

/** Unix times of machine-readable records and build durations differ from run to run. */
const steady = (bytes: Buffer): string => bytes.toString('latin1').replace(/^\d+,/gm, '')
  .replace(/ after( \d+(\.\d+)? (hours?|minutes?|seconds?|milliseconds?|microseconds?|nanoseconds?))+/g, ' after <duration>');

function snapshot(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) m.set(join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name)));
  }
  return m;
}

/** Runs `args` with both tools, each in a fresh copy of `files`; compares every byte out, the exit codes and the files left. */
async function same(files: Files, args: string[], input?: Buffer): Promise<void> {
  const got = [];
  for (const bin of [PACKER_TS, REAL_PACKER]) {
    const dir = tempDir();
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const r = await run(bin, args, { cwd: dir, env: { HOME: tempDir(), PACKER_LOG: undefined }, input, timeoutMs: 60_000 });
    got.push({ ...r, files: snapshot(dir) });
  }
  const [ours, theirs] = got as [typeof got[0], typeof got[0]];
  const what = args.join(' ');
  assert.equal(steady(ours.stdoutBytes), steady(theirs.stdoutBytes), `${what}: stdout bytes (latin1)`);
  assert.equal(steady(ours.stderrBytes), steady(theirs.stderrBytes), `${what}: stderr bytes (latin1)`);
  assert.equal(ours.code, theirs.code, `${what}: exit code`);
  assert.deepEqual([...ours.files.keys()].sort(), [...theirs.files.keys()].sort(), `${what}: the files left`);
  for (const [name, bytes] of theirs.files) assert.equal(ours.files.get(name)!.toString('latin1'), bytes.toString('latin1'), `${what}: ${name}`);
}

/** Native-syntax templates: each bad byte outside a comment is "Invalid character encoding", its line printed as bytes. */
const NATIVE: Record<string, Buffer> = {
  'string': native('hi\xffthere'),
  'lone continuation byte': native('hi\x80there'),
  'cut 3-byte sequence': native('hi\xe2\x82there'),
  'valid multi-byte around a bad byte': Buffer.concat([b('source "file" "a" {\n  content = "'), Buffer.from('été ', 'utf8'), b('\xff '), Buffer.from('€', 'utf8'), b('"\n  target  = "out.txt"\n}\n\nbuild {\n  sources = ["source.file.a"]\n}\n')]),
  'heredoc': b('source "file" "a" {\n  content = <<EOT\nline \xff one\nEOT\n  target = "out.txt"\n}\n\nbuild {\n  sources = ["source.file.a"]\n}\n'),
  'comments (no error)': b('# a comment \xff here\nsource "file" "a" {\n  content = "x" // tail \xfe\n  target  = "out.txt"\n}\n/* block \xff */\nbuild {\n  sources = ["source.file.a"]\n}\n'),
  'identifier': b('source "file" "a" {\n  con\xfftent = "x"\n  target  = "out.txt"\n}\n\nbuild {\n  sources = ["source.file.a"]\n}\n'),
  'block label': b('source "file" "a\xff" {\n  content = "x"\n  target  = "out.txt"\n}\n\nbuild {\n  sources = ["source.file.a"]\n}\n'),
  'BOM': Buffer.concat([b('\xef\xbb\xbf'), native('a\xffb')]),
  'CRLF': b(native('a\xffb').toString('latin1').replaceAll('\n', '\r\n')),
};

describe('native-syntax templates with bytes that are not UTF-8, as Packer 1.6.6', () => {
  for (const [name, src] of Object.entries(NATIVE)) {
    const files = { 't.pkr.hcl': src };
    for (const args of [['validate', 't.pkr.hcl'], ['inspect', 't.pkr.hcl'], ['build', 't.pkr.hcl'], ['-machine-readable', 'validate', 't.pkr.hcl'], ['validate', '.']]) {
      test(`${name}: ${args.join(' ')}`, () => same(files, args));
    }
    test(`${name}: console`, () => same(files, ['console', 't.pkr.hcl'], b('1 + 1\n')));
  }
});

describe('columns after bytes that are not UTF-8 (a range printed in a component\'s error)', () => {
  // Go counts one column per byte that is not UTF-8; a cut 3-byte sequence is two
  const provisioner = (comment: string) => b(`source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n  provisioner "shell-local" {\n    /* ${comment} */ bogus = 1\n  }\n}\n`);
  test('native syntax: a lone bad byte before the argument on its line', () => same({ 't.pkr.hcl': provisioner('\xff') }, ['validate', 't.pkr.hcl']));
  test('native syntax: a cut 3-byte sequence before the argument on its line', () => same({ 't.pkr.hcl': provisioner('\xff\xe2\x82') }, ['validate', 't.pkr.hcl']));
  test('JSON syntax: bad bytes and a cut sequence before the property on its line', () => same({
    't.pkr.json': b('{"source":{"null":{"a":{"communicator":"none"}}},"build":{"sources":["source.null.a"],"provisioner":{"shell-local":{"x\xff\xe2\x82":"\xff\xe2\x82","bogus":1}}}}\n'),
  }, ['validate', 't.pkr.json']));
});

describe('JSON-syntax templates: one U+FFFD per bad byte in strings and keys, bytes in excerpts', () => {
  const JSONS: Record<string, Buffer> = {
    'string (a bad byte, a cut sequence)': jsonSyntax('hi\xff\xe2\x82x'),
    'key': b('{"source":{"file":{"a":{"con\xfftent":"x","target":"out.txt"}}},"build":{"sources":["source.file.a"]}}\n'),
    'extra data after the value': b('{"source":{"file":{"a":{"content":"\xff","target":"out.txt"}}},"build":{"sources":["source.file.a"]} oops\n'),
    'a bad byte outside strings': b('{"source":{"file":{"a":{"content":"x", \xff "target":"out.txt"}}},"build":{"sources":["source.file.a"]}}\n'),
    'BOM (an error in HCL)': Buffer.concat([b('\xef\xbb\xbf'), jsonSyntax('x')]),
    'BOM and a bad byte': Buffer.concat([b('\xef\xbb\xbf'), jsonSyntax('x\xff')]),
  };
  for (const [name, src] of Object.entries(JSONS)) {
    for (const args of [['validate', 't.pkr.json'], ['inspect', 't.pkr.json'], ['build', 't.pkr.json'], ['-machine-readable', 'build', 't.pkr.json']]) {
      test(`${name}: ${args.join(' ')}`, () => same({ 't.pkr.json': src }, args));
    }
  }
  test('console on a JSON-syntax template: its strings', () => same({ 't.pkr.json': jsonSyntax('hi\xff\xe2\x82x') }, ['console', 't.pkr.json'], b('source.file.a\n')));
});

describe('variable values from files with bytes that are not UTF-8', () => {
  const cases: { name: string; files: Files; flags: string[] }[] = [
    { name: '-var-file of native syntax', files: { 't.pkr.hcl': withVar, 'x.pkrvars.hcl': b('v = "a\xffb"\n') }, flags: ['-var-file=x.pkrvars.hcl'] },
    { name: '-var-file of JSON syntax', files: { 't.pkr.hcl': withVar, 'x.pkrvars.json': b('{"v": "a\xffb\xe2\x82"}\n') }, flags: ['-var-file=x.pkrvars.json'] },
    { name: 'a default in the template', files: { 't.pkr.hcl': b(withVar.toString('latin1').replace('type = string', 'default = "d\xffe"')) }, flags: [] },
  ];
  for (const c of cases) {
    for (const cmd of ['validate', 'inspect', 'build']) test(`${c.name}: ${cmd}`, () => same(c.files, [cmd, ...c.flags, 't.pkr.hcl']));
    test(`${c.name}: console`, () => same(c.files, ['console', ...c.flags, 't.pkr.hcl'], b('var.v\n')));
  }
});

describe("console input lines with bytes that are not UTF-8: one U+FFFD per byte, as Go's strings", () => {
  const lines = b('"a\xffb"\n1 + \xfe\n"\xe2\x82"\nupper("x\xffy")\na\xe2\r\n\xe2\x82\xac\r"\xc3');
  test('HCL2 console', () => same({ 't.pkr.hcl': b('variable "v" {\n  default = "x"\n}\n') }, ['console', 't.pkr.hcl'], lines));
  test('HCL2 console, the last line a cut sequence', () => same({ 't.pkr.hcl': b('variable "v" {\n  default = "x"\n}\n') }, ['console', 't.pkr.hcl'], b('"\xe2\x82')));
  test('JSON console (no template)', () => same({}, ['console'], lines));
});

describe('fmt keeps the bytes of comments, and prints the diff of them raw', () => {
  const FMT: Record<string, Buffer> = {
    'comments': b('# a \xff comment\nsource "file" "a" {\n  content= "x" // tail \xfe\n  target  =   "out.txt"\n}\n/* block \xff\n more */\nbuild {\nsources = ["source.file.a"]\n}\n'),
    'formatted already': b('# a \xff comment\nx = 1\n'),
    'lone continuation bytes': b('x  = 1 # \x80\x80\n'),
    'BOM': b('\xef\xbb\xbfx  = 1 # \xff\n'),
    'CRLF': b('x  = 1 # \xff\r\nyy = 2\r\n'),
    'a bad byte in a string (does not parse)': b('a   = "hi\xffthere"\nbb = 2\n'),
    'in a heredoc (does not parse)': b('a = <<EOT\nline \xff one\nEOT\nbb  = 1\n'),
    'a cut sequence in a string (does not parse)': b('x  = "a\xe2\x82b"\n# \xe2\x82\n'),
  };
  for (const [name, src] of Object.entries(FMT)) {
    const files = { 't.pkr.hcl': src };
    for (const args of [['fmt', 't.pkr.hcl'], ['fmt', '-check', 't.pkr.hcl'], ['fmt', '-diff', 't.pkr.hcl'], ['fmt', '-write=false', 't.pkr.hcl'], ['fmt', '.'], ['-machine-readable', 'fmt', '-diff', '.']]) {
      test(`${name}: ${args.join(' ')}`, () => same(files, args));
    }
  }
  test('a directory with a var file', () => same({ 't.pkr.hcl': b('x  = 1 # \xff\n'), 'x.pkrvars.hcl': b('v  =  "a" # \xfe\n') }, ['fmt', '-diff', '.']));
});

describe('fix on JSON templates with bytes that are not UTF-8', () => {
  const FIX: Record<string, Buffer> = {
    'in a string (a bad byte, a cut sequence)': b('{"builders":[{"type":"file","content":"a\xffb\xe2\x82c","target":"out.txt"}]}\n'),
    'in a key': b('{"builders":[{"type":"file","con\xfftent":"x","target":"out.txt"}]}\n'),
    'in a "_comment"': b('{"_comment":"\xff note","builders":[{"type":"file","content":"x","target":"out.txt"}]}\n'),
    'outside strings (invalid character)': b('{"builders":[{"type":"file", \xff "content":"x","target":"out.txt"}]}\n'),
    'invalid JSON after a bad byte': b('{"builders":[{"type":"file","content":"\xff",,"target":"out.txt"}]}\n'),
    'data after the value': b('{"builders":[{"type":"file","content":"\xff","target":"out.txt"}]} oops\n'),
    'BOM': b('\xef\xbb\xbf{"builders":[{"type":"file","content":"a\xffb","target":"out.txt"}]}\n'),
    'CRLF': b('{\r\n"builders":[{"type":"file","content":"a\xffb","target":"out.txt"}]\r\n}\r\n'),
    'lone continuation bytes': b('{"builders":[{"type":"file","content":"\x80\x80","target":"out.txt"}]}\n'),
    'fixed by fixers': b('{"builders":[{"type":"virtualbox","iso_md5":"x\xff","guest_additions_url":"a","boot_command":[]}],"provisioners":[{"type":"shell","inline":["a\xff"]}]}\n'),
    'fails to validate after fixing': b('{"builders":[{"type":"file","content":"x","target":"o"}],"post-processors":[[{"type":"a\xff"},{"bad\xfe":1}]]}'),
  };
  for (const [name, src] of Object.entries(FIX)) {
    for (const args of [['fix', 't.json'], ['fix', '-validate=false', 't.json'], ['-machine-readable', 'fix', 't.json']]) {
      test(`${name}: ${args.join(' ')}`, () => same({ 't.json': src }, args));
    }
  }
});

test('the corpus holds bytes that are not UTF-8 (the comparisons above are about them)', () => {
  for (const src of Object.values(NATIVE)) assert.equal(Buffer.from(src.toString('utf8'), 'utf8').equals(src), false);
});
