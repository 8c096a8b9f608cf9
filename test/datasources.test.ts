/**
 * `data` blocks evaluated by packages/core/src/hcl2/datasources.ts with real components: the
 * built-in `null` and `http` datasources (http against a server on 127.0.0.1), and plugin
 * datasources started as processes: packer-plugin-oracle (Go, SDK v0.6.4) installed in the
 * Packer 1.7+ layout and our TS mirror of it, in gob and protobuf mode. The values are compared
 * with what packer-1.16 computes for the same blocks (its build echoes `jsonencode(data...)`),
 * and the graph errors with packer-1.16's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cty, EvalContext, formatDiagnostics, parseHCL, type Block, type Diagnostic } from '@packer-ts/hcl';
import { createComponentFinder, filenameSuffix, type PluginComponentFinder } from '@packer-ts/core';
import { builders, datasources, postProcessors, provisioners } from '@packer-ts/plugins';
import { evaluateDatasources, type PrereqLocal } from '../packages/core/src/hcl2/datasources.ts';
import { exprValue, packerFunctions } from '@packer-ts/hcl';
import { PACKER_TS, ROOT, run } from './helpers/run.ts';
import { bundlePlugin, missingOracles, oracle } from './helpers/modern-oracles.ts';

const builtins = { builders, provisioners, postProcessors, datasources };

let server: Server;
let base = '';
test.before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => { body += d; });
    req.on('end', () => {
      res.sendDate = false;
      if (req.url === '/404') { res.statusCode = 404; res.end('no'); return; }
      if (req.url === '/redir') { res.statusCode = 302; res.setHeader('Location', '/echo'); res.end(); return; }
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Multi', ['a', 'b']);
      const { host: _h, ...headers } = req.headers;
      res.end(JSON.stringify({ method: req.method, url: req.url, headers, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
test.after(() => { server.closeAllConnections(); server.close(); });

function blocksOf(src: string, filename = 't.pkr.hcl'): Block[] {
  const { file, diags } = parseHCL(src, filename);
  assert.deepEqual(diags, []);
  const { content } = file.body.content({
    blocks: [{ type: 'data', labelNames: ['type', 'name'] }, { type: 'locals' }],
  });
  return content.blocks;
}

function context(vars: Record<string, cty.Value> = {}): EvalContext {
  return new EvalContext({ variables: { var: cty.objectVal(vars), local: cty.objectVal({}) } });
}

/** The `locals` blocks as graph nodes that record their value in ctx.variables.local. */
function localsOf(blocks: Block[]): PrereqLocal[] {
  const out: PrereqLocal[] = [];
  for (const b of blocks.filter((x) => x.type === 'locals')) {
    for (const a of b.body.justAttributes().attributes.values()) {
      out.push({
        name: a.name,
        expr: a.expr,
        evaluate(ctx) {
          const r = exprValue(a.expr, ctx);
          const known = new Map((ctx.variables!.local!.raw as ReadonlyMap<string, cty.Value>));
          known.set(a.name, r.value);
          ctx.variables!.local = cty.objectVal(known);
          return r.diags;
        },
      });
    }
  }
  return out;
}

function text(diags: Diagnostic[], src: string): string {
  return formatDiagnostics(diags, { 't.pkr.hcl': { filename: 't.pkr.hcl', source: src } as never }, { color: false } as never);
}

async function finder(env: NodeJS.ProcessEnv = {}, home?: string): Promise<PluginComponentFinder> {
  const h = home ?? await mkdtemp(join(tmpdir(), 'packer-ts-ds-home-'));
  return createComponentFinder({ builtins, env: { HOME: h, PACKER_TS_DESCRIBE_CACHE: '0', ...env }, cwd: h, home: h });
}

test('null: input becomes output; usable in a local; validate leaves it unknown of its type', async () => {
  const src = `data "null" "a" { input = "hello \${var.who}" }\nlocals { x = upper(data.null.a.output) }\n`;
  for (const skipExecution of [false, true]) {
    const blocks = blocksOf(src);
    const ctx = context({ who: cty.stringVal('you') });
    ctx.functions = packerFunctions('.');
    const f = await finder();
    try {
      const r = await evaluateDatasources({ blocks, store: f.datasources, ctx, locals: localsOf(blocks), skipExecution });
      assert.deepEqual(r.diags, []);
      const v = r.values.get('null.a')!;
      if (skipExecution) {
        assert.equal(v.isKnown(), false);
        assert.equal(cty.marshalType(v.type), '["object",{"output":"string"}]');
      } else {
        assert.equal(cty.marshalJson(v), '{"output":"hello you"}');
        assert.equal((ctx.variables!.local!.raw as ReadonlyMap<string, cty.Value>).get('x')!.raw, 'HELLO YOU');
        assert.equal(cty.marshalJson(r.data), '{"null":{"a":{"output":"hello you"}}}');
      }
    } finally { await f.close(); }
  }
});

test('null without input, http with a bad method: Packer\'s configure errors on the block', async () => {
  const src = `data "null" "a" {\n}\n`;
  const f = await finder();
  try {
    const r = await evaluateDatasources({ blocks: blocksOf(src), store: f.datasources, ctx: context() });
    assert.equal(r.diags.length, 1);
    assert.equal(r.diags[0]!.summary, '1 error(s) occurred:\n\n* The `input` must be specified');
    assert.equal(r.diags[0]!.subject?.start.line, 1);
    const r2 = await evaluateDatasources({ blocks: blocksOf(`data "http" "c" {\n  method = "BAD"\n}\n`), store: f.datasources, ctx: context() });
    assert.equal(r2.diags[0]!.summary, '2 error(s) occurred:\n\n* the `url` must be specified\n* the `method` must be one of [HEAD GET POST PUT DELETE OPTIONS PATCH]');
    const r3 = await evaluateDatasources({ blocks: blocksOf(`data "nope" "b" {}\n`), store: f.datasources, ctx: context() });
    assert.equal(r3.diags[0]!.summary, 'Unknown data type nope');
    assert.equal(r3.diags[0]!.detail, 'known data sources: [http null]');
    const r4 = await evaluateDatasources({ blocks: blocksOf(`data "null" "a" {\n  imput = "x"\n}\n`), store: f.datasources, ctx: context() });
    assert.equal(r4.diags[0]!.summary, 'Unsupported argument');
    assert.match(r4.diags[0]!.detail!, /Did you mean "input"\?/);
  } finally { await f.close(); }
});

test('http: method, headers and body sent as Go sends them; Packer\'s outputs; redirects; a 404 fails', async () => {
  const src = `data "http" "c" {
  url = "${base}/echo"
  method = "POST"
  request_headers = { "x-foo" = "bar", Accept = "application/json" }
  request_body = "hello"
}
data "http" "r" { url = "${base}/redir" }
`;
  const f = await finder();
  try {
    const r = await evaluateDatasources({ blocks: blocksOf(src), store: f.datasources, ctx: context() });
    assert.deepEqual(r.diags, []);
    const c = JSON.parse(cty.marshalJson(r.values.get('http.c')!)) as { url: string; body: string; request_headers: Record<string, string> };
    assert.equal(c.url, `${base}/echo`);
    const sent = JSON.parse(c.body) as { method: string; headers: Record<string, string>; body: string };
    assert.equal(sent.method, 'POST');
    assert.equal(sent.body, 'hello');
    assert.equal(sent.headers['x-foo'], 'bar');
    assert.equal(sent.headers['user-agent'], 'Go-http-client/1.1');
    assert.equal(sent.headers['accept-encoding'], 'gzip');
    assert.equal(c.request_headers['Content-Type'], 'application/json');
    assert.equal(c.request_headers['X-Multi'], 'a, b');
    const redirected = JSON.parse(cty.marshalJson(r.values.get('http.r')!)) as { url: string; body: string };
    assert.equal(redirected.url, `${base}/redir`);
    assert.equal((JSON.parse(redirected.body) as { url: string }).url, '/echo');

    const bad = await evaluateDatasources({ blocks: blocksOf(`data "http" "x" {\n  url = "${base}/404"\n}\n`), store: f.datasources, ctx: context() });
    assert.equal(bad.diags[0]!.summary, 'Datasource.Execute failed: HTTP request error. Response code: 404');
    const refused = await evaluateDatasources({ blocks: blocksOf(`data "http" "x" {\n  url = "http://127.0.0.1:1/x"\n}\n`), store: f.datasources, ctx: context() });
    assert.equal(refused.diags[0]!.summary, 'Datasource.Execute failed: Get "http://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused');
  } finally { await f.close(); }
});

const GRAPH_CASES: { name: string; src: string }[] = [
  { name: 'missing', src: 'data "null" "a" { input = "x" }\nlocals { x = data.null.nope.output }\n' },
  { name: 'cycle', src: 'data "null" "a" { input = data.null.b.output }\ndata "null" "b" { input = data.null.a.output }\n' },
  { name: 'self', src: 'data "null" "a" { input = data.null.a.output }\n' },
  { name: 'local cycle', src: 'data "null" "a" { input = local.y }\nlocals { y = data.null.a.output }\n' },
];

const skipOracle = missingOracles('packer-1.16', 'packer-plugin-oracle');

test('graph errors: the messages packer-1.16 gives', { skip: skipOracle }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-ds-graph-'));
  try {
    const f = await finder();
    try {
      for (const c of GRAPH_CASES) {
        const blocks = blocksOf(c.src);
        const ours = await evaluateDatasources({ blocks, store: f.datasources, ctx: context(), locals: localsOf(blocks) });
        await writeFile(join(dir, 't.pkr.hcl'), `${c.src}source "null" "n" { communicator = "none" }\nbuild { sources = ["source.null.n"] }\n`);
        const theirs = await run(oracle('packer-1.16'), ['validate', 't.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
        assert.equal(theirs.code, 1, c.name);
        assert.equal(ours.diags.length, 1, c.name);
        const d = ours.diags[0]!;
        // Packer prints "Error: SUMMARY\n\nDETAIL" (wrapped at 80 columns): compare unwrapped
        // (a cycle's members are listed from a random vertex in Packer: Go map order)
        const flat = (s: string): string => s.replace(/Cycle: ([^\n]+)/g, (_m, l: string) => `Cycle: ${l.split(', ').sort().join(', ')}`).replace(/\s+/g, ' ').trim();
        assert.ok(flat(theirs.stdout).includes(flat(`Error: ${d.summary} ${d.detail ?? ''}`)), `${c.name}:\n${theirs.stdout}\nours: ${d.summary} ${d.detail}`);
      }
    } finally { await f.close(); }
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('http that cannot connect (a name that does not resolve, localhost with nobody listening): `build` prints what packer-1.16 prints', { skip: skipOracle }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-ds-dial-'));
  try {
    for (const url of ['http://nohost.invalid/x', 'http://localhost:1/x', 'http://127.0.0.1:1/x']) {
      await writeFile(join(dir, 't.pkr.hcl'), `data "http" "h" {\n  url = "${url}"\n}\nsource "null" "n" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.n"]\n}\n`);
      const theirs = await run(oracle('packer-1.16'), ['build', 't.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
      const ours = await run(PACKER_TS, ['build', 't.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
      assert.equal(theirs.code, 1, url);
      assert.match(theirs.stdout, /dial tcp/, url);
      assert.deepEqual({ code: ours.code, out: ours.stdout, err: ours.stderr }, { code: theirs.code, out: theirs.stdout, err: theirs.stderr }, url);
    }
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('sequential evaluation: datasources after the ones they use; a cycle exceeds the depth', async () => {
  const f = await finder();
  try {
    const ok = await evaluateDatasources({ blocks: blocksOf('data "null" "b" { input = "${data.null.a.output}-b" }\ndata "null" "a" { input = "a" }\n'), store: f.datasources, ctx: context(), sequential: true });
    assert.deepEqual(ok.diags, []);
    assert.equal(cty.marshalJson(ok.values.get('null.b')!), '{"output":"a-b"}');
    const cyc = await evaluateDatasources({ blocks: blocksOf('data "null" "a" { input = data.null.b.output }\ndata "null" "b" { input = data.null.a.output }\n'), store: f.datasources, ctx: context(), sequential: true });
    assert.deepEqual(cyc.diags.map((d) => [d.summary, d.subject?.start.line]), [['Max datasource recursion depth exceeded.', 2], ['Max datasource recursion depth exceeded.', 1]]);
  } finally { await f.close(); }
});

test('-use-sequential-evaluation on build, validate, inspect and console: the output and status of packer-1.16', { skip: skipOracle }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-ds-seq-'));
  try {
    // a datasource that uses a local: fine in the graph, "Unsupported attribute" in sequence
    await writeFile(join(dir, 't.pkr.hcl'), 'locals {\n  base = "b"\n  after = data.null.d.output\n}\ndata "null" "d" {\n  input = "${local.base}-in"\n}\nsource "null" "n" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.n"]\n}\n');
    await writeFile(join(dir, 'in.txt'), 'local.after\n');
    for (const argv of [['validate', '-use-sequential-evaluation'], ['inspect', '-use-sequential-evaluation'], ['build', '-use-sequential-evaluation', '-color=false'], ['build', '-color=false']]) {
      const theirs = await run(oracle('packer-1.16'), [...argv, 't.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
      const ours = await run(PACKER_TS, [...argv, 't.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
      const t = (o: string) => o.replace(/ after [^\n]*/g, ' after <duration>');
      assert.deepEqual({ code: ours.code, out: t(ours.stdout) }, { code: theirs.code, out: t(theirs.stdout) }, argv.join(' '));
    }
    for (const flag of [[], ['-use-sequential-evaluation']]) {
      const sh = (bin: string) => run('/bin/sh', ['-c', 'exec "$0" console "$@" < in.txt', bin, ...flag, 't.pkr.hcl'], { cwd: dir, env: { HOME: dir } });
      const theirs = await sh(oracle('packer-1.16'));
      const ours = await sh(PACKER_TS);
      assert.deepEqual({ code: ours.code, out: ours.stdout }, { code: theirs.code, out: theirs.stdout }, `console ${flag.join(' ')}`);
    }
  } finally { await rm(dir, { recursive: true, force: true }); }
});

/** Installs `bin` as github.com/acc/NAME v0.0.1 in `dir` (Packer 1.7+'s layout, with its checksum file). */
async function install(dir: string, name: string, bin: string): Promise<void> {
  const d = join(dir, 'github.com', 'acc', name);
  await mkdir(d, { recursive: true });
  const target = join(d, `packer-plugin-${name}_v0.0.1_x5.0${filenameSuffix()}`);
  await copyFile(bin, target);
  await writeFile(`${target}_SHA256SUM`, createHash('sha256').update(await readFile(target)).digest('hex'));
}

test('plugin datasources (Go oracle, TS mirror), gob and protobuf: the value packer-1.16 computes', { skip: skipOracle }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-ds-plugins-'));
  try {
    const mirror = await bundlePlugin(join(ROOT, 'packages/sdk/test/fixtures/modern/oracle-mirror.ts'), join(dir, 'bin', 'packer-plugin-mirror'));
    const plugins = join(dir, 'plugins');
    await install(plugins, 'oracle', oracle('packer-plugin-oracle'));
    await install(plugins, 'mirror', mirror);
    const src = 'data "oracle-static" "o" { mock = "x" }\ndata "mirror-static" "m" { mock = "y" }\nlocals { both = "${data.oracle-static.o.foo}/${data.mirror-static.m.bar}" }\n';
    // packer-1.16's values for the same blocks
    await writeFile(join(dir, 't.pkr.hcl'), `${src}source "null" "n" { communicator = "none" }\nbuild {\n  sources = ["source.null.n"]\n  provisioner "shell-local" { inline = ["echo 'V=\${jsonencode(data)}'", "echo 'L=\${local.both}'"] }\n}\n`);
    const theirs = await run(oracle('packer-1.16'), ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env: { HOME: dir, PACKER_PLUGIN_PATH: plugins }, timeoutMs: 120_000 });
    assert.equal(theirs.code, 0, theirs.stdout + theirs.stderr);
    const want = /V=(.*)$/m.exec(theirs.stdout)![1];
    for (const gob of ['0', '1']) {
      const lines: string[] = [];
      const f = createComponentFinder({ builtins, env: { HOME: dir, PACKER_PLUGIN_PATH: plugins, PACKER_FORCE_GOB: gob, PACKER_TS_DESCRIBE_CACHE: '0' }, cwd: dir, home: dir, log: (l) => lines.push(l) });
      try {
        assert.equal(f.encoding, gob === '1' ? 'gob' : 'protobuf');
        const blocks = blocksOf(src);
        const ctx = context();
        const r = await evaluateDatasources({ blocks, store: f.datasources, ctx, locals: localsOf(blocks) });
        assert.deepEqual(r.diags, [], text(r.diags, src));
        assert.equal(cty.marshalJson(r.data), want);
        assert.equal((ctx.variables!.local!.raw as ReadonlyMap<string, cty.Value>).get('both')!.raw, 'foo-value/bar-value');
        const started = lines.filter((l) => l.startsWith('Starting plugin:'));
        assert.equal(started.length, 2, lines.join('\n'));
        for (const l of started) assert.equal(l.includes('"--protobuf"'), gob === '0', l);
      } finally { await f.close(); }
    }
  } finally { await rm(dir, { recursive: true, force: true }); }
});
