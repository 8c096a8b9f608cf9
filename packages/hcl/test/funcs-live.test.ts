// Functions that read the filesystem or call a service, compared live with
// Packer 1.6.6 on the same temp directory and the same loopback HTTP
// server; and go-cty's call conventions (unknown, null, marks) that the
// console cannot show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as c from '../src/cty/index.ts';
import { functions, callHcl, CallError } from '../src/funcs/index.ts';
import { outcome, parseOracle, normalize, type Outcome } from './funcs-harness.ts';
import { parseExpression, evaluate, EvalContext, packerFunctions } from '../src/index.ts';
import { oracleBinary } from './funcs-oracle-lib.ts';

function packer(): string {
  const bin = oracleBinary('1.6.6');
  if (!bin) assert.fail('/usr/bin/packer (Packer 1.6.6) is required: install the "packer" package (scripts/test-deps.apt)');
  return bin;
}

/** Asks Packer 1.6.6's console, with the template in `dir`. */
async function askPacker(dir: string, expr: string, env: Record<string, string> = {}): Promise<Outcome> {
  const bin = packer();
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['console', join(dir, 'a.pkr.hcl')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PACKER_CHECKPOINT_DISABLE: '1', ...env },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve(normalize(parseOracle(out, code ?? -1)));
    });
    p.stdin.end(expr + '\n');
  });
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(env)) {
    saved[k] = process.env[k];
    if (env[k] === undefined) delete process.env[k];
    else process.env[k] = env[k];
  }
  try {
    return fn();
  } finally {
    for (const k of Object.keys(saved)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

test('file, fileexists, fileset, dirname/basename/abspath on a real tree match Packer 1.6.6', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'funcs-fs-'));
  try {
    writeFileSync(join(dir, 'a.pkr.hcl'), 'variable "unused" {\n  default = 1\n}\n');
    mkdirSync(join(dir, 'sub', 'deep'), { recursive: true });
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'hello.txt'), 'hello\nworld\n');
    writeFileSync(join(dir, 'sub', 'b.txt'), 'b');
    writeFileSync(join(dir, 'sub', 'c.log'), 'c');
    writeFileSync(join(dir, 'sub', 'deep', 'd.txt'), 'd');
    writeFileSync(join(dir, 'other', 'e.txt'), 'e');
    writeFileSync(join(dir, 'bin.dat'), Buffer.from([0xff, 0xfe, 0x00]));
    symlinkSync(join(dir, 'hello.txt'), join(dir, 'link.txt'));
    const exprs = [
      'file("hello.txt")',
      'file("sub/b.txt")',
      'file("missing.txt")',
      'file("bin.dat")',
      `file("${dir}/hello.txt")`,
      'file("sub")',
      'fileexists("hello.txt")',
      'fileexists("link.txt")',
      'fileexists("nope.txt")',
      'fileexists("sub")',
      'fileset(".", "*.txt")',
      'fileset(".", "**/*.txt")',
      'fileset(".", "**")',
      'fileset("sub", "*")',
      'fileset(".", "sub/**/*.txt")',
      'fileset(".", "{sub,other}/*.txt")',
      'fileset(".", "s?b/[bc].*")',
      'fileset(".", "*.none")',
      `fileset("${dir}", "other/*")`,
      'length(fileset(".", "**/*"))',
      'md5(file("hello.txt"))',
      'sha256(file("hello.txt"))',
      'base64encode(file("hello.txt"))',
      'trimspace(file("hello.txt"))',
      'split("\\n", chomp(file("hello.txt")))',
    ];
    for (const e of exprs) assert.deepEqual(outcome(e, dir), await askPacker(dir, e), e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pathexpand and a ~ path follow $HOME as Packer does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'funcs-home-'));
  try {
    writeFileSync(join(dir, 'a.pkr.hcl'), 'variable "unused" {\n  default = 1\n}\n');
    writeFileSync(join(dir, 'in-home.txt'), 'at home');
    for (const e of ['pathexpand("~/x/y")', 'pathexpand("~")', 'file("~/in-home.txt")', 'fileexists("~/in-home.txt")']) {
      const ours = withEnv({ HOME: dir }, () => outcome(e, dir));
      assert.deepEqual(ours, await askPacker(dir, e), e);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fake Vault/Consul in its own process (our functions make their
 * requests synchronously, so the server cannot share this event loop). */
async function serveFake(): Promise<{ stop(): void; addr: string; seen(): string[] }> {
  const script = `
const http = require('node:http');
const routes = {
  '/v1/secret/data/app': (h) => h['x-vault-token'] !== 'tok' ? [403, '{"errors":["permission denied"]}'] : [200, '{"data":{"data":{"user":"admin","pw":"s3cret"}},"warnings":null}'],
  '/v1/secret/v1app': () => [200, '{"data":{"user":"v1admin"}}'],
  '/v1/secret/empty': () => [200, '{"data":{},"warnings":["nothing here"]}'],
  '/v1/kv/app/name': () => [200, JSON.stringify([{ Key: 'app/name', Value: Buffer.from('consul-value').toString('base64') }])],
  '/v1/kv/app/empty': () => [200, JSON.stringify([{ Key: 'app/empty', Value: null }])],
};
const s = http.createServer((req, res) => {
  process.stderr.write(req.method + ' ' + req.url + '\\n');
  const path = req.url.split('?')[0];
  const [code, body] = routes[path] ? routes[path](req.headers) : [404, ''];
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(body);
});
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
setTimeout(() => process.exit(0), 120000);
`;
  const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  p.stderr.on('data', (d) => (log += d));
  const port = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('fake server did not start')), 10000);
    p.stdout.once('data', (d) => {
      clearTimeout(t);
      resolve(String(d).trim());
    });
  });
  return { stop: () => p.kill(), addr: `127.0.0.1:${port}`, seen: () => log.split('\n').filter(Boolean) };
}

test('vault and consul_key against a loopback server: same values and errors as Packer 1.6.6', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'funcs-svc-'));
  writeFileSync(join(dir, 'a.pkr.hcl'), 'variable "unused" {\n  default = 1\n}\n');
  const fake = await serveFake();
  const { addr } = fake;
  const seen = () => fake.seen();
  try {
    const env = { VAULT_ADDR: `http://${addr}`, VAULT_TOKEN: 'tok', CONSUL_HTTP_ADDR: addr };
    const exprs = [
      'vault("secret/data/app", "user")',
      'vault("secret/data/app", "missing")',
      'vault("secret/v1app", "user")',
      'vault("secret/empty", "x")',
      'vault("secret/none", "x")',
      'consul_key("app/name")',
      'consul_key("app/empty")',
      'consul_key("app/none")',
    ];
    for (const e of exprs) {
      const ours = withEnv(env, () => outcome(e, dir));
      assert.deepEqual(ours, await askPacker(dir, e, env), e);
    }
    assert.ok(seen().some((s) => s.startsWith('GET /v1/secret/data/app')));
    // nothing listening: both report the refused connection
    // nothing listening, by address and by name; a name that does not resolve (Go's resolver
    // names the nameserver of /etc/resolv.conf)
    for (const host of ['127.0.0.1:1', 'localhost:1', 'nohost.invalid:8200']) {
      const closed = { VAULT_ADDR: `http://${host}`, VAULT_TOKEN: 'tok', CONSUL_HTTP_ADDR: host };
      for (const e of ['vault("secret/x", "k")', 'consul_key("a/b")']) {
        assert.deepEqual(withEnv(closed, () => outcome(e, dir)), await askPacker(dir, e, closed), `${e} at ${host}`);
      }
    }
    // no token: Packer's own error, and no request is made
    const before = seen().length;
    const noToken = withEnv({ VAULT_TOKEN: undefined, VAULT_ADDR: `http://${addr}` }, () => outcome('vault("secret/data/app", "user")', dir));
    assert.equal(seen().length, before);
    assert.deepEqual(noToken, await askPacker(dir, 'vault("secret/data/app", "user")', { VAULT_ADDR: `http://${addr}` }));
  } finally {
    fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('templatefile renders files with the language layer, as Packer 1.16 does (skipped without the 1.16 oracle)', async (t) => {
  const bin = oracleBinary('1.16');
  if (!bin) {
    t.skip('packer-1.16 not found under $PACKER_TS_ORACLES or ../shared/fixtures/modern-plugins/bin');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'funcs-tpl-'));
  try {
    writeFileSync(join(dir, 'a.pkr.hcl'), 'variable "unused" {\n  default = 1\n}\n');
    writeFileSync(join(dir, 'hello.tpl'), 'Hello, ${name}! %{ for x in items ~}\n- ${upper(x)}\n%{ endfor ~}\n${jsonencode(cfg)}');
    writeFileSync(join(dir, 'bad.tpl'), 'x ${', 'utf8');
    writeFileSync(join(dir, 'rec.tpl'), '${templatefile("hello.tpl", {})}');
    writeFileSync(join(dir, 'num.tpl'), '${a + 1}');
    const exprs = [
      'templatefile("hello.tpl", {name = "World", items = ["a", "b"], cfg = {k = 1}})',
      'templatefile("hello.tpl", {name = "World"})',
      'templatefile("hello.tpl", "x")',
      'templatefile("hello.tpl", {"bad-name" = 1, name = "x", items = [], cfg = {}})',
      'templatefile("num.tpl", {a = 41})',
      'templatefile("num.tpl", {a = "x"})',
      'templatefile("rec.tpl", {})',
      'templatefile("missing.tpl", {})',
    ];
    for (const e of exprs) {
      const r = spawnSync(bin, ['console', join(dir, 'a.pkr.hcl')], {
        input: e + '\n',
        cwd: dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PACKER_CHECKPOINT_DISABLE: '1' },
        encoding: 'utf8',
        timeout: 30000,
      });
      const want = normalize(parseOracle(r.stdout + r.stderr, r.status ?? -1));
      const p = parseExpression(e, '<console-input>');
      const ev = evaluate(p.expr, new EvalContext({ variables: {}, functions: packerFunctions(dir, { version: 'packer-1.16' }) }));
      const err = ev.diags.find((d) => d.severity === 'error');
      const got = normalize(err ? { summary: err.summary, detail: err.detail ?? '' } : { ok: c.printableValue(ev.value) });
      assert.deepEqual(got, want, e);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('aws_secretsmanager gives a clear error and touches no network', () => {
  const r = outcome('aws_secretsmanager("name", "key")', '/');
  assert.ok('summary' in r);
  assert.equal(r.summary, 'Error in function call');
  assert.match(r.detail, /AWS Secrets Manager is not reachable.*AWS_ACCESS_KEY_ID/);
});

test('bcrypt hashes verify, with Go\'s $2a$ prefix and cost', () => {
  const bc = createRequire(import.meta.url)('bcryptjs') as { compareSync(s: string, h: string): boolean };
  const f = functions('/');
  const h = f.bcrypt.call([c.stringVal('pässword')]).asString();
  assert.match(h, /^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  assert.ok(bc.compareSync('pässword', h));
  assert.match(f.bcrypt.call([c.stringVal('x'), c.numberIntVal(5)]).asString(), /^\$2a\$05\$/);
});

test('uuidv4 and timestamp have the forms Packer gives', () => {
  const f = functions('/');
  assert.match(f.uuidv4.call([]).asString(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const ts = f.timestamp.call([]).asString();
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Math.abs(Date.parse(ts) - Date.now()) < 5 * 60 * 1000);
});

test('unknown arguments give unknown results of the declared type, unless the parameter allows unknowns', () => {
  const f = functions('/');
  const u = c.unknownVal(c.StringType);
  const upper = f.upper.call([u]);
  assert.ok(!upper.isKnown());
  assert.equal(upper.type.kind, 'string');
  assert.ok(!f.split.call([c.stringVal(','), u]).isKnown());
  assert.equal(c.typeString(f.split.call([c.stringVal(','), u]).type), 'list(string)');
  // length allows unknowns: a tuple's length is known from its type
  assert.equal(f.length.call([c.tupleVal([u, u])]).asNumber(), 2);
  assert.ok(!f.length.call([c.unknownVal(c.List(c.StringType))]).isKnown());
  // coalesce allows unknowns: an unknown before any known non-null value makes it unknown
  assert.ok(!f.coalesce.call([c.nullVal(c.StringType), u, c.stringVal('x')]).isKnown());
  assert.equal(f.coalesce.call([c.stringVal('a'), u]).asString(), 'a');
  // format: any not-wholly-known argument makes the result unknown
  assert.ok(!f.format.call([c.stringVal('%s %s'), c.stringVal('a'), c.tupleVal([u])]).isKnown());
  // formatlist allows unknowns element-wise
  const fl = f.formatlist.call([c.stringVal('%s'), c.listVal([c.stringVal('a'), u])]);
  assert.ok(fl.values()[0].isKnown() && !fl.values()[1].isKnown());
  // jsondecode of an unknown string has an unknown type
  assert.equal(f.jsondecode.call([u]).type.kind, 'dynamic');
  // dynamic-typed unknowns short-circuit to DynamicVal unless the parameter allows them
  assert.equal(f.lower.call([c.DynamicVal]).type.kind, 'string');
  assert.equal(f.join.call([c.stringVal(','), c.DynamicVal]).type.kind, 'dynamic');
});

test('null arguments are refused unless the parameter allows them', () => {
  const f = functions('/');
  assert.throws(() => callHcl('upper', f.upper, [c.nullVal(c.StringType)]), (e: unknown) => e instanceof CallError && e.detail === 'Invalid value for "str" parameter: argument must not be null.' && e.at === 0);
  assert.ok(f.merge.call([c.nullVal(c.Map(c.StringType))]).isNull());
  assert.equal(f.format.call([c.stringVal('%v'), c.nullVal(c.StringType)]).asString(), 'null');
});

test('marks (sensitive) carry from arguments to results; functions that see marks keep them per element', () => {
  const f = functions('/');
  const secret = c.stringVal('hunter2').mark('sensitive');
  assert.ok(f.upper.call([secret]).hasMark('sensitive'));
  assert.ok(f.join.call([c.stringVal(','), c.listVal([c.stringVal('a'), secret])]).hasMark('sensitive'));
  assert.ok(f.jsonencode.call([c.objectVal({ pw: secret })]).hasMark('sensitive'));
  assert.ok(f.abs.call([c.numberIntVal(-1).mark('sensitive')]).hasMark('sensitive'));
  assert.ok(!f.upper.call([c.stringVal('x')]).isMarked());
});

test('HCL call-site checks: argument count and conversion, worded as hclsyntax', () => {
  const f = functions('/');
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof CallError) return [e.summary, e.detail, e.at];
      throw e;
    }
    return undefined;
  };
  assert.deepEqual(err(() => callHcl('upper', f.upper, [])), ['Not enough function arguments', 'Function "upper" expects 1 argument(s). Missing value for "str".', 'close']);
  assert.deepEqual(err(() => callHcl('join', f.join, [])), ['Not enough function arguments', 'Function "join" expects at least 1 argument(s). Missing value for "separator".', 'close']);
  assert.deepEqual(err(() => callHcl('upper', f.upper, [c.stringVal('a'), c.stringVal('b')])), ['Too many function arguments', 'Function "upper" expects only 1 argument(s).', 1]);
  assert.deepEqual(err(() => callHcl('abs', f.abs, [c.stringVal('x')])), ['Invalid function argument', 'Invalid value for "num" parameter: a number is required.', 0]);
  assert.deepEqual(err(() => callHcl('max', f.max, [])), ['Error in function call', 'Call to function "max" failed: must pass at least one number.', 'call']);
});
