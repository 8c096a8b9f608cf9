/**
 * HCL2 across the component boundary (src/hcl2/spec.ts): a component's spec (in-process or over
 * RPC), a block body decoded by it, and the argument Prepare/Configure receives, driven against
 * real components: our built-ins in-process, Packer 1.6.6's Go plugins (`packer plugin
 * packer-builder-file` etc.) and our own plugin processes (`packer-ts plugin ...`).
 */
import { REAL_PACKER, requireBundle, requireTools, ROOT } from '../../../test/helpers/requires.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicArtifact, DispatchHook, RecordingUi, type Builder, type PostProcessor, type Provisioner } from '@packer-ts/sdk';
import { cty, EvalContext, functions, parseHCL, type Body } from '@packer-ts/hcl';
import { builders, postProcessors, provisioners } from '@packer-ts/plugins';
import { componentSpec, configArgument, decodeComponentConfig, isRemoteComponent, plainConfig, toHclSpec } from '../src/hcl2/spec.ts';
import { PluginManager, type PluginRef } from '../src/plugins/index.ts';

const PACKER_TS = join(ROOT, 'bin/packer-ts');

/** The body of the first block of `src` (a `source`, `provisioner` or `post-processor` block). */
function blockBody(src: string): Body {
  const { file, diags } = parseHCL(src, 'test.pkr.hcl');
  assert.deepEqual(diags, []);
  const { content } = file.body.partialContent({ blocks: [{ type: 'source', labelNames: ['type', 'name'] }, { type: 'provisioner', labelNames: ['type'] }, { type: 'post-processor', labelNames: ['type'] }] });
  return content.blocks[0]!.body;
}

const ctx = new EvalContext({ variables: { var: cty.objectVal(new Map([['who', cty.stringVal('world')], ['n', cty.numberIntVal(3)]])) } });

function plugin(kind: PluginRef['kind'], name: string, path: string): PluginRef {
  return { kind, name, path, args: ['plugin', `packer-${kind}-${name}`], source: 'test' };
}

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-hcl2spec-'));
  try { return await f(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test('the SDK spec model becomes the HCL layer spec: attributes, nested blocks, Go types', async () => {
  const qemu = await builders.qemu!();
  const spec = toHclSpec(await componentSpec(qemu));
  assert.equal(spec.kind, 'object');
  const attrs = (spec as { attrs: Record<string, { kind: string; typeName?: string; type?: cty.Type }> }).attrs;
  assert.equal(attrs.qemu_img_args!.kind, 'block');
  assert.equal(cty.typeString(attrs.qemuargs!.type!), 'list(list(string))');
  assert.equal(cty.typeString(attrs.cpus!.type!), 'number');
  assert.equal(cty.typeString(attrs.packer_user_variables!.type!), 'map(string)');

  const body = blockBody(`source "qemu" "q" {
  qemuargs = [["-m", var.n]]
  qemu_img_args {
    create = ["-o", "x"]
  }
  cpus = "2"
}`);
  const r = await decodeComponentConfig(qemu, body, ctx);
  assert.deepEqual(r.diags, []);
  const c = r.config as Record<string, unknown>;
  assert.deepEqual(c.qemuargs, [['-m', '3']]);
  assert.deepEqual(c.qemu_img_args, { create: ['-o', 'x'], convert: null, resize: null });
  assert.equal(c.cpus, 2);
  assert.equal(c.iso_url, null, 'unset attributes are null, as ctyjson.SimpleJSONValue gives them');

  const bad = await decodeComponentConfig(qemu, blockBody('source "qemu" "q" {\n  qemuargs = [["-m"], "x"]\n  nope = 1\n}'), ctx);
  assert.equal(bad.config, undefined);
  const texts = bad.diags.map((d) => `${d.summary}: ${d.detail} (line ${d.subject?.start.line})`);
  // Packer 1.6.6 (qemu): "Inappropriate value for attribute "qemuargs": element 1: list of string required."
  assert.ok(texts.includes('Incorrect attribute value type: Inappropriate value for attribute "qemuargs": element 1: list of string required. (line 2)'), texts.join('\n'));
  assert.ok(texts.some((t) => t.startsWith('Unsupported argument: An argument named "nope" is not expected here. (line 3)')), texts.join('\n'));
});

test('in-process: the plain map reaches Prepare; null attributes do not override the core\'s packer_* values', async () => withDir(async (dir) => {
  const file = await builders.file!();
  assert.equal(isRemoteComponent(file), false);
  const target = join(dir, 'out.txt');
  const r = await decodeComponentConfig(file, blockBody(`source "file" "f" {\n  content = "hello \${var.who}"\n  target = "${target}"\n}`), ctx);
  assert.deepEqual(r.diags, []);
  assert.equal((r.config as Record<string, unknown>).packer_build_name, null);
  await file.prepare({ packer_build_name: 'f', packer_builder_type: 'file' }, r.config);
  await file.run(new RecordingUi(), new DispatchHook(), AbortSignal.timeout(10_000));
  assert.equal(await readFile(target, 'utf8'), 'hello world');

  const sl = await provisioners['shell-local']!();
  const out = join(dir, 'prov.txt');
  const p = await decodeComponentConfig(sl, blockBody(`provisioner "shell-local" {\n  inline = ["echo $PACKER_BUILD_NAME/$PACKER_BUILDER_TYPE > ${out}"]\n}`), ctx);
  assert.deepEqual(p.diags, []);
  await sl.prepare({ packer_build_name: 'f', packer_builder_type: 'file' }, p.config);
  await sl.provision(new RecordingUi(), undefined, {}, AbortSignal.timeout(10_000));
  assert.equal(await readFile(out, 'utf8'), 'f/file\n');
}));

test('over RPC the decoded value goes as cty JSON with its type, as Packer 1.6.6 encodes it', () => {
  const v = cty.objectVal(new Map([['a', cty.stringVal('x')], ['b', cty.nullVal(cty.types.List(cty.types.String))], ['n', cty.numberIntVal(1)]]));
  const wire = configArgument(v, true);
  assert.ok(Buffer.isBuffer(wire));
  assert.equal(wire.toString(), '{"value":{"a":"x","b":null,"n":1},"type":["object",{"a":"string","b":["list","string"],"n":"number"}]}');
  assert.deepEqual(configArgument(v, false), { a: 'x', b: null, n: 1 });
  assert.deepEqual(plainConfig(v), { a: 'x', b: null, n: 1 });
});

test('Packer 1.6.6 Go plugins: spec over RPC, body decoded by it, Prepare/Configure and a run', async () => withDir(async (dir) => {
  requireTools(REAL_PACKER);
  const m = new PluginManager({ env: {} });
  try {
    // builder: file
    const b = await m.start(plugin('builder', 'file', REAL_PACKER)) as unknown as Builder;
    assert.equal(isRemoteComponent(b), true);
    const target = join(dir, 'go-out.txt');
    const d = await decodeComponentConfig(b, blockBody(`source "file" "f" {\n  content = "hello \${var.who} \${var.n * 2}"\n  target = "${target}"\n}`), ctx);
    assert.deepEqual(d.diags, []);
    assert.ok(Buffer.isBuffer(d.config), 'a Go plugin gets cty JSON bytes');
    const prep = await b.prepare({ packer_build_name: 'f', packer_builder_type: 'file', packer_debug: 'false', packer_force: 'false', packer_on_error: '' }, d.config);
    assert.deepEqual(prep?.warnings ?? [], []);
    await b.run(new RecordingUi(), new DispatchHook(), AbortSignal.timeout(30_000));
    assert.equal(await readFile(target, 'utf8'), 'hello world 6');
    // the Go builder's own validation sees the decoded values
    const b2 = await m.start(plugin('builder', 'file', REAL_PACKER)) as unknown as Builder;
    const d2 = await decodeComponentConfig(b2, blockBody(`source "file" "f" {\n  content = "x"\n  source = "y"\n  target = "z"\n}`), ctx);
    await assert.rejects(b2.prepare({}, d2.config), /Cannot specify source file AND content/);
    // the Go spec rejects what Packer's rejects, before any Prepare
    const d3 = await decodeComponentConfig(b2, blockBody('source "file" "f" {\n  contents = "x"\n}'), ctx);
    assert.deepEqual(d3.diags.map((x) => x.summary), ['Unsupported argument']);

    // provisioner: shell-local (Prepare(builderVars, decoded), then Provision)
    const p = await m.start(plugin('provisioner', 'shell-local', REAL_PACKER)) as unknown as Provisioner;
    const out = join(dir, 'go-prov.txt');
    const pd = await decodeComponentConfig(p, blockBody(`provisioner "shell-local" {\n  inline = ["echo $PACKER_BUILD_NAME \${var.who} > ${out}"]\n  valid_exit_codes = [0, "1"]\n}`), ctx);
    assert.deepEqual(pd.diags, []);
    await p.prepare({ packer_build_name: 'f', packer_builder_type: 'file' }, pd.config);
    await p.provision(new RecordingUi(), undefined, {}, AbortSignal.timeout(30_000));
    assert.equal(await readFile(out, 'utf8'), 'f world\n');

    // post-processor: checksum (Configure(builderVars, decoded), then PostProcess)
    const pp = await m.start(plugin('post-processor', 'checksum', REAL_PACKER)) as unknown as PostProcessor;
    const sums = join(dir, 'sums.{{.ChecksumType}}');
    const cd = await decodeComponentConfig(pp, blockBody(`post-processor "checksum" {\n  checksum_types = ["sha256", "md5"]\n  output = "${sums}"\n}`), ctx);
    assert.deepEqual(cd.diags, []);
    await pp.configure({ packer_build_name: 'f', packer_builder_type: 'file' }, cd.config);
    const res = await pp.postProcess(new RecordingUi(), new BasicArtifact({ builderId: 'packer.file', files: [target], string: 'x' }), AbortSignal.timeout(30_000));
    assert.ok(res.artifact);
    const sha = createHash('sha256').update('hello world 6').digest('hex');
    assert.equal(await readFile(join(dir, 'sums.sha256'), 'utf8'), `${sha}\tgo-out.txt\n`);
    assert.match(await readFile(join(dir, 'sums.md5'), 'utf8'), /^[0-9a-f]{32}\t/);
  } finally {
    await m.close();
  }
}));

test('our plugin processes take the cty JSON bytes a core sends (packer-ts plugin packer-builder-file)', async () => withDir(async (dir) => {
  requireBundle();
  const m = new PluginManager({ env: {} });
  try {
    const b = await m.start(plugin('builder', 'file', PACKER_TS)) as unknown as Builder;
    const target = join(dir, 'ts-out.txt');
    const d = await decodeComponentConfig(b, blockBody(`source "file" "f" {\n  content = upper(var.who)\n  target = "${target}"\n}`), new EvalContext({ variables: ctx.variables, functions: functions(dir) }));
    assert.deepEqual(d.diags, []);
    assert.ok(Buffer.isBuffer(d.config));
    await b.prepare({ packer_build_name: 'f', packer_builder_type: 'file' }, d.config);
    await b.run(new RecordingUi(), new DispatchHook(), AbortSignal.timeout(30_000));
    assert.equal(await readFile(target, 'utf8'), 'WORLD');

    // a spec with a block (qemu_img_args) crosses gob to our core
    const q = await m.start(plugin('builder', 'qemu', PACKER_TS)) as unknown as Builder;
    const local = await componentSpec(await builders.qemu!());
    assert.deepEqual(await componentSpec(q), local);
  } finally {
    await m.close();
  }
}));
