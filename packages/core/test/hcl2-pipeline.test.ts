/**
 * The HCL2 pipeline in-process: what components receive (Prepare's
 * arguments as Packer 1.6.6 sends them in HCL2 mode: the builder variables
 * map, then the body decoded with the component's spec; a provisioner's
 * override; the body decoded again with the build's generated data before
 * it runs), build names, -only/-except. The components here are real SDK
 * components that record what they get; the acceptance tests
 * (test/hcl2-cli.test.ts) compare whole runs with Packer itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BasicArtifact, objectSpec,
  type Artifact, type Builder, type Communicator, type Hook, type PostProcessor, type PostProcessResult, type PrepareResult, type Provisioner, type Schema, type Ui,
} from '@packer-ts/sdk';
import { BasicUi, FactoryStore, type ComponentFinder } from '../src/index.ts';
import { compileGlob, getHcl2Builds, parseHcl2, type PackerConfig } from '../src/hcl2/index.ts';

const calls: { what: string; args: unknown[] }[] = [];

const schema: Schema = {
  msg: { type: 'string' },
  count: { type: 'int' },
  tags: { type: 'string[]' },
};

class RecBuilder implements Builder {
  configSpec() { return objectSpec(schema); }
  async prepare(...raws: unknown[]): Promise<PrepareResult> {
    calls.push({ what: 'builder.prepare', args: raws });
    return { generatedVars: ['Extra'], warnings: [] };
  }
  async run(ui: Ui, hook: Hook, signal: AbortSignal): Promise<Artifact | undefined> {
    await hook.run('packer_provision', ui, undefined, { ID: 'the-id', Extra: 'x1', Port: 22 }, signal);
    return new BasicArtifact({ builderId: 'rec', string: 'rec artifact', state: { generated_data: { ID: 'the-id', Extra: 'x1' } } });
  }
}

class RecProvisioner implements Provisioner {
  configSpec() { return objectSpec(schema); }
  async prepare(...raws: unknown[]): Promise<void> { calls.push({ what: 'provisioner.prepare', args: raws }); }
  async provision(_ui: Ui, _c: Communicator | undefined, data: Record<string, unknown>): Promise<void> { calls.push({ what: 'provisioner.provision', args: [data] }); }
}

class RecPostProcessor implements PostProcessor {
  configSpec() { return objectSpec(schema); }
  async configure(...raws: unknown[]): Promise<void> { calls.push({ what: 'pp.configure', args: raws }); }
  async postProcess(_ui: Ui, artifact: Artifact): Promise<PostProcessResult> {
    calls.push({ what: 'pp.postProcess', args: [await artifact.string()] });
    return { artifact, keep: true, forceOverride: false };
  }
}

function finder(): ComponentFinder {
  return {
    builders: new FactoryStore('builder', { rec: () => new RecBuilder() }),
    provisioners: new FactoryStore('provisioner', { rec: () => new RecProvisioner() }),
    postProcessors: new FactoryStore('post-processor', { rec: () => new RecPostProcessor() }),
    close: async () => {},
  };
}

async function load(files: Record<string, string>, fn: (cfg: PackerConfig, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2-unit-'));
  try {
    for (const [n, t] of Object.entries(files)) await writeFile(join(dir, n), t);
    const r = parseHcl2({ path: dir, components: finder(), cwd: dir, env: {} });
    assert.deepEqual(r.diags.map((d) => d.summary), []);
    assert.ok(r.config);
    await fn(r.config, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const TEMPLATE = `
variable "who" {
  type    = string
  default = "world"
}
source "rec" "one" {
  msg   = "hello \${var.who}"
  count = 2
}
build {
  name = "b"
  source "source.rec.one" {
    name = "local"
    tags = ["t1"]
  }
  provisioner "rec" {
    msg      = "\${source.type}/\${source.name}/\${build.name}/\${build.ID}/\${build.Extra}"
    override = { local = { count = 7 } }
  }
  post-processor "rec" {
    name = "p"
    msg  = "\${build.ID}"
  }
}
`;

test('Prepare receives the builder variables, then the body decoded by the spec; provisioners get their override', async () => {
  calls.length = 0;
  await load({ 't.pkr.hcl': TEMPLATE }, async (cfg) => {
    assert.deepEqual(cfg.initialize().map((d) => d.summary), []);
    const { builds, diags } = await getHcl2Builds(cfg, { force: true, onError: 'abort' });
    assert.deepEqual(diags, []);
    assert.deepEqual(builds.map((b) => b.name), ['b.rec.local']);
    const bp = calls.find((c) => c.what === 'builder.prepare')!;
    assert.deepEqual(bp.args[0], { packer_build_name: 'one', packer_builder_type: 'rec', packer_debug: 'false', packer_force: 'true', packer_on_error: 'abort' });
    assert.deepEqual(bp.args[1], { msg: 'hello world', count: 2, tags: ['t1'] });
    const pp = calls.find((c) => c.what === 'provisioner.prepare')!;
    assert.deepEqual(pp.args[0], { packer_build_name: 'one', packer_builder_type: 'rec' });
    // before the build, build.* are placeholders; the source's local name is source.name
    assert.deepEqual(pp.args[1], { msg: 'rec/local/b/<unknown>/<unknown>', count: null, tags: null });
    assert.deepEqual(pp.args[2], { count: 7 });
    const ppc = calls.find((c) => c.what === 'pp.configure')!;
    assert.deepEqual(ppc.args, [{ packer_build_name: 'one', packer_builder_type: 'rec' }, { msg: '<unknown>', count: null, tags: null }]);

    calls.length = 0;
    const ui = new BasicUi({ write: () => {} }, { write: () => {} }, undefined);
    const result = await builds[0]!.run(ui, new AbortController().signal);
    assert.equal(result.error, undefined);
    // the provisioner is prepared again with the build's data, then runs
    const again = calls.filter((c) => c.what === 'provisioner.prepare');
    assert.equal(again.length, 1);
    assert.deepEqual((again[0]!.args[1] as Record<string, unknown>).msg, 'rec/local/b/the-id/x1');
    assert.ok(calls.findIndex((c) => c.what === 'provisioner.prepare') < calls.findIndex((c) => c.what === 'provisioner.provision'));
    // post-processors see the artifact's generated data only (Packer 1.6.6)
    const conf = calls.filter((c) => c.what === 'pp.configure');
    assert.deepEqual((conf[0]!.args[1] as Record<string, unknown>).msg, 'the-id');
    assert.deepEqual(calls.filter((c) => c.what === 'pp.postProcess').map((c) => c.args[0]), ['rec artifact']);
  });
});

test('-only / -except select builds by name globs; -except also names post-processors', async () => {
  const t = `source "rec" "a" {}\nsource "rec" "b" {}\nbuild {\n  sources = ["rec.a", "rec.b"]\n  post-processor "rec" {\n    name = "p"\n  }\n}\n`;
  await load({ 't.pkr.hcl': t }, async (cfg) => {
    cfg.initialize();
    const names = async (o: { only?: string[]; except?: string[] }) => (await getHcl2Builds(cfg, o)).builds.map((b) => b.name);
    assert.deepEqual(await names({}), ['rec.a', 'rec.b']);
    assert.deepEqual(await names({ only: ['*.b'] }), ['rec.b']);
    assert.deepEqual(await names({ except: ['rec.[a]'] }), ['rec.b']);
    const r = await getHcl2Builds(cfg, { except: ['p'] });
    assert.deepEqual(r.builds.map((b) => b.o.postProcessors.length), [0, 0]);
    const bad = await getHcl2Builds(cfg, { only: ['rec.[a'] });
    assert.deepEqual(bad.diags.map((d) => d.summary), ['Invalid -only pattern rec.[a: unexpected end of input']);
  });
});

test('gobwas-style globs: any character for * and ?, classes, alternatives', () => {
  const m = (p: string, s: string) => compileGlob(p).test(s);
  assert.ok(m('*', 'a.b.c'));
  assert.ok(m('a.?.c', 'a.b.c'));
  assert.ok(!m('a.?.c', 'a.bb.c'));
  assert.ok(m('x.[!a-c]', 'x.d'));
  assert.ok(!m('x.[!a-c]', 'x.b'));
  assert.ok(m('{a,b{c,d}}.x', 'bd.x'));
  assert.ok(m('\\*', '*'));
  assert.ok(!m('\\*', 'a'));
});
