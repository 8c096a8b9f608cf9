/**
 * End to end with a real modern plugin: packer-plugin-oracle (SDK v0.6.4) installed with
 * `packer-ts plugins install -path`, then an HCL2 template using every one of its components
 * (builder, both provisioners, post-processor, the datasource's value in a local) plus the
 * built-in `null` and `http` datasources (http against a server on 127.0.0.1), built by packer-ts
 * and by packer-1.16 from the same plugin directory, in protobuf mode and with PACKER_FORCE_GOB=1:
 * the same output (durations aside), and packer-ts starts the plugin with `--protobuf` exactly in
 * protobuf mode. `validate` (datasources not executed) passes in both tools.
 * (bin/packer-ts runs the bundle: `node scripts/build.mjs` first.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, run } from './helpers/run.ts';
import { missingOracles, oracle } from './helpers/modern-oracles.ts';

const skip = missingOracles('packer-1.16', 'packer-plugin-oracle');

let server: Server;
let port = 0;
test.before(async () => {
  server = createServer((req, res) => {
    res.sendDate = false;
    res.setHeader('Content-Type', 'text/plain');
    res.end(`served ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
test.after(() => { server.closeAllConnections(); server.close(); });

const template = (port: number): string => `packer {
  required_plugins {
    oracle = { source = "github.com/acc/oracle", version = ">= 0.0.1" }
  }
}
data "oracle-static" "d" { mock = "ds" }
data "null" "n" { input = "from null" }
data "http" "h" { url = "http://127.0.0.1:${port}/x" }
locals {
  foo  = data.oracle-static.d.foo
  both = "\${local.foo}+\${data.null.n.output}"
}
source "oracle-mock" "m" { mock = "hello \${local.both}" }
build {
  sources = ["source.oracle-mock.m"]
  provisioner "oracle-echo" { mock = "prov \${local.foo} \${data.http.h.body} \${data.http.h.request_headers["Content-Type"]}" }
  provisioner "oracle" { mock = "default \${data.oracle-static.d.bar}" }
  post-processor "oracle-noop" { mock = "pp \${upper(data.null.n.output)}" }
}
`;

const norm = (out: string): string => out.replace(/after [0-9a-z. ]+\./g, 'after D.').replace(/completed after [0-9a-z. ]+$/gm, 'completed after D');

test('packer-plugin-oracle installed by packer-ts: every component from HCL2, as packer-1.16, gob and protobuf', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-modern-e2e-'));
  try {
    const home = join(dir, 'home');
    await mkdir(home);
    const env = { HOME: home, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: join(dir, 'cache'), PACKER_NO_COLOR: '1' };
    const inst = await run(PACKER_TS, ['plugins', 'install', '-path', oracle('packer-plugin-oracle'), 'github.com/acc/oracle'], { cwd: dir, env });
    assert.equal(inst.code, 0, inst.stdout + inst.stderr);
    assert.match(inst.stdout, /Successfully installed plugin github\.com\/acc\/oracle/);
    await writeFile(join(dir, 't.pkr.hcl'), template(port));
    for (const gob of ['0', '1']) {
      const e = { ...env, PACKER_FORCE_GOB: gob };
      const theirs = await run(oracle('packer-1.16'), ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env: e, timeoutMs: 120_000 });
      assert.equal(theirs.code, 0, `packer-1.16 gob=${gob}\n${theirs.stdout}${theirs.stderr}`);
      const ours = await run(PACKER_TS, ['build', '-color=false', 't.pkr.hcl'], { cwd: dir, env: { ...e, PACKER_LOG: '1' }, timeoutMs: 120_000 });
      assert.equal(ours.code, 0, `packer-ts gob=${gob}\n${ours.stdout}${ours.stderr}`);
      assert.equal(norm(ours.stdout), norm(theirs.stdout), `gob=${gob}`);
      assert.match(ours.stdout, /oracle-mock\.m: The mock config is set to "hello foo-value\+from null"/);
      assert.match(ours.stdout, new RegExp(`provisioner mock: prov foo-value served GET /x text/plain`));
      assert.match(ours.stdout, /provisioner mock: default bar-value/);
      assert.match(ours.stdout, /\(oracle-noop\): post-processor mock: pp FROM NULL/);
      const starts = ours.stderr.split('\n').filter((l) => l.includes('Starting plugin:'));
      assert.equal(starts.length, 5, ours.stderr); // datasource, builder, two provisioners, post-processor
      for (const l of starts) assert.equal(l.includes('"--protobuf"'), gob === '0', l);
    }
    for (const cmd of [PACKER_TS, oracle('packer-1.16')]) {
      const v = await run(cmd, ['validate', 't.pkr.hcl'], { cwd: dir, env, timeoutMs: 120_000 });
      assert.equal(v.code, 0, `${cmd} validate\n${v.stdout}${v.stderr}`);
    }
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('validate runs datasources only with -evaluate-datasources; a failing one then fails as in packer-1.16', { skip: missingOracles('packer-1.16') }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-validate-ds-'));
  try {
    const env = { HOME: dir, PACKER_PLUGIN_PATH: undefined, PACKER_CONFIG_DIR: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: join(dir, 'cache') };
    await writeFile(join(dir, 't.pkr.hcl'), `data "http" "h" {\n  url = "http://127.0.0.1:${port}/x"\n  method = "GET"\n}\nlocals { b = data.http.h.body }\nsource "null" "n" { communicator = "none" }\nbuild {\n  sources = ["source.null.n"]\n  provisioner "shell-local" { inline = ["echo \${local.b}"] }\n}\n`);
    const old = server.listeners('request');
    server.removeAllListeners('request');
    server.on('request', (_req, res) => { res.statusCode = 500; res.end('down'); });
    try {
      for (const args of [['validate', 't.pkr.hcl'], ['validate', '-evaluate-datasources', 't.pkr.hcl']]) {
        const theirs = await run(oracle('packer-1.16'), args, { cwd: dir, env });
        const ours = await run(PACKER_TS, args, { cwd: dir, env });
        assert.equal(ours.code, theirs.code, `${args.join(' ')}\nours: ${ours.stdout}\ntheirs: ${theirs.stdout}`);
        assert.equal(theirs.code, args.length === 2 ? 0 : 1);
        if (theirs.code !== 0) {
          const want = /Error: (.*)/.exec(theirs.stdout)![1]!;
          assert.equal(want, 'Datasource.Execute failed: HTTP request error. Response code: 500');
          assert.match(ours.stdout, /Error: Datasource\.Execute failed: HTTP request error\. Response code: 500/);
        }
      }
    } finally {
      server.removeAllListeners('request');
      for (const l of old) server.on('request', l as never);
    }
  } finally { await rm(dir, { recursive: true, force: true }); }
});
