/**
 * What each start path evaluates (structure, not timing): the programs of dist/ are built again
 * with scripts/programs.mjs's options and a marker at the end of every module of packages/, then
 * run; a preload records the marked modules and node's built-in modules loaded.
 * - `version` (dist/version.cjs) evaluates no component, template, plugin discovery, HCL or RPC
 *   code, and none of node's stream, net, child_process or crypto modules;
 * - a built-in served as a plugin (dist/plugin.cjs) evaluates its component and the SDK, not the
 *   CLI, templates, HCL, docker, QEMU or the fixers; the compress post-processor none of its
 *   lz4, bgzf or xz writers (each loads when a build uses it);
 * - a trivial JSON build (null + shell-local, the whole CLI) evaluates neither HCL, docker, QEMU,
 *   post-processors nor other commands, and does not load node:crypto.
 * - `console` (dist/console.cjs) on an HCL2 template evaluates the HCL layer and core/hcl2 but no
 *   plugin client, RPC transport, component, JSON core or console or other command, and none of node's
 *   crypto, zlib, child_process or readline; with stdin no terminal, none of node's stream or net
 *   modules either (direct-io.ts); on a JSON template it answers as the whole CLI does;
 * - `fmt` (dist/fmt.cjs) evaluates the HCL parser and formatter, not the evaluator, core/hcl2,
 *   templates, plugin discovery or RPC.
 * So what is added to the code base stays off these paths unless they import it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
// @ts-expect-error: a build script, no types
import { programsOptions } from '../scripts/programs.mjs';
// @ts-expect-error: a build script, no types
import { directDynamicImports, directImports } from '../scripts/direct-imports.mjs';
import { commandLine, programFor } from '../packages/cli/src/start.ts';

const ROOT = resolve(import.meta.dirname, '..');
const COOKIE = { PACKER_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PACKER_PLUGIN_MIN_PORT: '10000', PACKER_PLUGIN_MAX_PORT: '25000' };
let work = '';
let out = '';

// Records, at exit or at the first write on process.stdout (a plugin's handshake line), the
// marked modules and the built-in modules loaded since node's own start.
const PRELOAD = `
const base = new Set(process.moduleLoadList);
const fs = require('node:fs');
let done = false;
function dump() {
  if (done) return;
  done = true;
  const builtins = process.moduleLoadList.filter((m) => !base.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13));
  fs.writeFileSync(process.env.GRAPH_OUT, JSON.stringify({ modules: globalThis.__packerTsEvaluated ?? [], builtins }));
}
process.on('exit', dump);
if (process.env.GRAPH_AT === 'handshake') {
  const w = process.stdout.write.bind(process.stdout);
  process.stdout.write = (...a) => { dump(); return w(...a); };
}
`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'packer-ts-graph-'));
  out = join(work, 'dist');
  const mark = (source: string, path: string) => `${source}\n;(globalThis.__packerTsEvaluated ??= []).push(${JSON.stringify(relative(ROOT, path))});\n`;
  await build({ ...programsOptions(ROOT, out, mark), sourcemap: false, logLevel: 'error' });
  writeFileSync(join(work, 'preload.cjs'), PRELOAD);
  mkdirSync(join(work, 'home'));
  cpSync(join(ROOT, 'bench/templates/trivial.json'), join(work, 'trivial.json'));
  writeFileSync(join(work, 'vars.json'), '{\n  "variables": {"who": "json"},\n  "builders": [{"type": "null", "communicator": "none"}]\n}\n');
  writeFileSync(join(work, 'console.pkr.hcl'), HCL2_TEMPLATE);
  writeFileSync(join(work, 'unformatted.pkr.hcl'), 'variable "a" {\n  type = string\n      default = "x"\n}\n');
});

const HCL2_TEMPLATE = `variable "who" {
  type    = string
  default = "hcl"
}

locals {
  greeting = upper(format("%s-%s", var.who, "x"))
}

source "null" "n" {
  communicator = "none"
}

build {
  sources = ["source.null.n"]
}
`;
after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

interface Graph { modules: string[]; builtins: string[] }

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(work, 'home'), CHECKPOINT_DISABLE: '1', GRAPH_OUT: join(work, 'graph.json'), ...extra };
  return e;
}

function runToExit(program: string, args: string[], input?: string): Graph & { stdout: string } {
  rmSync(join(work, 'graph.json'), { force: true });
  const r = spawnSync(process.execPath, ['-r', join(work, 'preload.cjs'), join(out, `${program}.cjs`), ...args], { cwd: work, env: env(), encoding: 'utf8', timeout: 60_000, input });
  assert.equal(r.status, 0, `${program} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return { ...(JSON.parse(readFileSync(join(work, 'graph.json'), 'utf8')) as Graph), stdout: r.stdout };
}

/** Starts the program as a plugin, waits for its handshake line (bounded), kills it. */
async function runToHandshake(program: string, args: string[]): Promise<{ graph: Graph; line: string }> {
  rmSync(join(work, 'graph.json'), { force: true });
  const child = spawn(process.execPath, ['-r', join(work, 'preload.cjs'), join(out, `${program}.cjs`), ...args], { cwd: work, env: env({ ...COOKIE, GRAPH_AT: 'handshake' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  try {
    const line = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no handshake within 30 s: ${text}${err}`)), 30_000);
      child.stdout.on('data', (d) => { text += d; if (text.includes('\n')) { clearTimeout(timer); res(text.split('\n')[0]!); } });
      child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`exited ${code} before its handshake: ${text}${err}`)); });
    });
    return { graph: JSON.parse(readFileSync(join(work, 'graph.json'), 'utf8')) as Graph, line };
  } finally {
    child.kill('SIGKILL');
  }
}

const none = (what: string, list: string[], bad: RegExp) => assert.deepEqual(list.filter((m) => bad.test(m)), [], `${what} must not evaluate these`);

test('index-file imports are bundled as imports of the defining modules, on the same lines', () => {
  const sdk = join(ROOT, 'packages/sdk/src');
  const entries = new Map([['@packer-ts/sdk', join(sdk, 'index.ts')]]);
  const src = "import {\n  halt, // why\n  type Ui,\n  goFormatValue as gf,\n  notExported,\n} from '@packer-ts/sdk';\nhalt(gf(notExported));\n";
  const out = (directImports as (s: string, e: Map<string, string>) => string)(src, entries);
  assert.equal(out.split('\n').length, src.split('\n').length, 'line numbers kept');
  const [first, ...rest] = out.split('\n');
  assert.equal(first, `import { halt } from ${JSON.stringify(join(sdk, 'multistep/index.ts'))}; import { formatValue as gf } from ${JSON.stringify(join(sdk, 'template/interpolate/gofmt.ts'))}; import { notExported } from "@packer-ts/sdk";`);
  assert.equal(rest.at(-2), 'halt(gf(notExported));');
});

test('re-exports and awaited import()s of an index file point at the defining modules', () => {
  const sdk = join(ROOT, 'packages/sdk/src');
  const entries = new Map([['@packer-ts/sdk', join(sdk, 'index.ts')]]);
  const reexport = (directImports as (s: string, e: Map<string, string>) => string)("export { halt } from '@packer-ts/sdk';\n", entries);
  assert.equal(reexport, `export { halt } from ${JSON.stringify(join(sdk, 'multistep/index.ts'))};\n`);
  const dyn = directDynamicImports as (s: string, e: Map<string, string>) => string;
  const src = "async function f() {\n  if (x) return;\n  const { halt } = await import('@packer-ts/sdk');\n  const { halt: h, goFormatValue } = await import('@packer-ts/sdk');\n  const { notExported } = await import('@packer-ts/sdk');\n}\n";
  const lines = dyn(src, entries).split('\n');
  assert.equal(lines[2], `  const { halt } = await import(${JSON.stringify(join(sdk, 'multistep/index.ts'))});`, 'one defining module');
  assert.equal(lines[3], "  const { halt: h, goFormatValue } = await import('@packer-ts/sdk');", 'names from two modules: the index');
  assert.equal(lines[4], "  const { notExported } = await import('@packer-ts/sdk');", 'a name it cannot place: the index');
});

test('the launcher picks the program from the command line', () => {
  assert.equal(programFor(['version'], {}), 'version');
  assert.equal(programFor(['-machine-readable', '-v'], {}), 'version');
  assert.equal(programFor(['--version'], {}), 'version');
  assert.equal(programFor(['-autocomplete-install', 'version'], {}), 'cli');
  assert.equal(programFor(['version'], { COMP_LINE: 'packer-ts ver' }), 'cli');
  assert.equal(programFor(['plugin', 'packer-builder-file'], {}), 'plugin');
  assert.equal(programFor(['console', 'x.pkr.hcl'], {}), 'console');
  assert.equal(programFor(['-machine-readable', 'console'], {}), 'console');
  assert.equal(programFor(['console', '-machine-readable'], {}), 'console');
  assert.equal(programFor(['console'], { COMP_LINE: 'packer-ts console ' }), 'cli');
  assert.equal(programFor(['-autocomplete-install', 'console'], {}), 'cli');
  assert.equal(programFor(['fmt', '-check', '.'], {}), 'fmt');
  assert.equal(programFor(['build', 'console'], {}), 'cli');
  assert.equal(programFor(['build', 'x.json'], {}), 'cli');
  assert.equal(programFor([], {}), 'cli');
  assert.deepEqual(commandLine('/opt/plugins/packer-builder-file', []), ['plugin', 'packer-builder-file']);
  assert.deepEqual(commandLine('/opt/plugins/packer-builder-file', ['x']), ['x']);
  assert.deepEqual(commandLine('/usr/bin/packer-ts', ['version']), ['version']);
});

test('`version` evaluates the log, the Ui and itself: no component, template, HCL or RPC code, no stream or net', () => {
  const g = runToExit('version', ['version']);
  assert.ok(g.modules.includes('packages/cli/src/commands/version.ts'), `the marker works: ${g.modules.join(' ')}`);
  none('version', g.modules, /^packages\/(hcl|plugins)\/|^packages\/core\/src\/(hcl2|template|plugins)\/|^packages\/sdk\/src\/(rpc|plugin|config|template)\/|^packages\/cli\/src\/(cli|fixers\/|commands\/(?!version))/);
  none('version', g.builtins, /^(net|stream|child_process|crypto|fs\/promises|readline|http|https|zlib|tty)$/);
});

test('a built-in served as a plugin evaluates its component and the SDK, not the CLI, HCL, docker or the fixers', async () => {
  for (const program of ['plugin', 'packer-ts']) {
    const { graph: g, line } = await runToHandshake(program, ['plugin', 'packer-builder-file']);
    assert.match(line, /^\d+\|(\d+\|)?unix\|/, `${program}: a handshake line`);
    assert.ok(g.modules.includes('packages/plugins/src/builder/file/index.ts'), `${program}: the file builder was evaluated`);
    none(`${program} plugin packer-builder-file`, g.modules, /^packages\/hcl\/|^packages\/core\/src\/(hcl2|template|plugins)\/|^packages\/plugins\/src\/(builder\/(?!file\/)|provisioner\/|post-processor\/|communicator\/)|^packages\/sdk\/src\/plugin\/(client|testing)\.ts|^packages\/cli\/src\/(cli|meta|fixers\/)/);
    none(`${program} plugin packer-builder-file`, g.builtins, /^(crypto|http|https|zlib|readline)$/);
  }
});

test('the compress post-processor served as a plugin evaluates no lz4, bgzf or xz writer before a build uses one', async () => {
  const { graph: g } = await runToHandshake('plugin', ['plugin', 'packer-post-processor-compress']);
  assert.ok(g.modules.includes('packages/plugins/src/post-processor/compress/index.ts'), 'the compress post-processor was evaluated');
  none('plugin packer-post-processor-compress', g.modules, /^packages\/plugins\/src\/post-processor\/compress\/(lz4|bgzf|xz)\.ts$/);
});

test('a trivial JSON build (null + shell-local) evaluates no HCL, docker, QEMU, post-processor or other command', { skip: !existsSync('/bin/sh') && 'needs /bin/sh' }, () => {
  const g = runToExit('packer-ts', ['build', 'trivial.json']);
  for (const m of ['packages/plugins/src/builder/null/index.ts', 'packages/plugins/src/provisioner/shell-local/index.ts', 'packages/cli/src/commands/build.ts']) assert.ok(g.modules.includes(m), `${m} evaluated`);
  none('build trivial.json', g.builtins, /^(crypto|http|https|zlib|readline)$/);
  none('build trivial.json', g.modules, /^packages\/hcl\/|^packages\/core\/src\/hcl2\/|^packages\/plugins\/src\/(builder\/(docker|qemu|file)\/|post-processor\/|provisioner\/(?!shell-local\/))|^packages\/cli\/src\/(fixers\/|commands\/(?!build|version))/);
});

// The HCL console's answer needs the HCL layer, core/hcl2 and the component names; nothing that
// runs or talks to a plugin, not the JSON core (templates, interpolation, builds), and none of
// node's heavier modules, nor yamldecode's YAML decoder before a yamldecode call.
const NOT_FOR_HCL_CONSOLE = /^packages\/hcl\/src\/funcs\/yaml-parser\.ts|^packages\/sdk\/src\/(plugin\/|rpc\/(yamux|broker|handshake|server|client)|communicator|template\/interpolate\/(parse|exec|render))|^packages\/core\/src\/(plugins\/(getter|npm)\.ts|core\.ts|build\.ts|template\/template\.ts)|^packages\/plugins\/src\/(?!index\.ts)|^packages\/cli\/src\/(cli|json-template|fixers\/|commands\/(?!console\.ts|console-hcl2\.ts))/;

test('`console` on an HCL2 template (dist/console.cjs) evaluates the HCL layer, no plugin client, RPC transport, component or other command', () => {
  const g = runToExit('console', ['console', 'console.pkr.hcl'], 'local.greeting\n');
  assert.equal(g.stdout, 'HCL-X\n');
  for (const m of ['packages/cli/src/commands/console-hcl2.ts', 'packages/hcl/src/eval/eval.ts', 'packages/core/src/hcl2/config.ts']) assert.ok(g.modules.includes(m), `${m} evaluated`);
  none('console console.pkr.hcl', g.modules, NOT_FOR_HCL_CONSOLE);
  // stdin here is a socket (spawnSync's input): read from fd 0, output written to fd 1 and 2
  none('console console.pkr.hcl', g.builtins, /^(crypto|zlib|child_process|readline|http|https|dgram|tty|net|stream|internal\/streams\/.*)$/);
});

test('`console` evaluates the YAML decoder with the first yamldecode', () => {
  const g = runToExit('console', ['console', 'console.pkr.hcl'], 'yamldecode("a: [1]").a[0]\n');
  assert.equal(g.stdout, '1\n');
  assert.ok(g.modules.includes('packages/hcl/src/funcs/yaml-parser.ts'), 'yaml-parser.ts evaluated');
});

test('`console` on a JSON template (dist/console.cjs) answers as the whole CLI does', () => {
  for (const input of ['{{user `who`}}\n', 'variables\n']) {
    const own = runToExit('console', ['console', 'vars.json'], input);
    const whole = runToExit('packer-ts', ['console', 'vars.json'], input);
    assert.equal(own.stdout, whole.stdout);
    assert.ok(own.stdout.includes('json'), own.stdout);
    assert.ok(own.modules.includes('packages/core/src/core.ts'), 'the JSON console ran');
  }
});

test('`fmt` (dist/fmt.cjs) evaluates the HCL parser and formatter, not the evaluator, core/hcl2, templates or plugins', () => {
  const g = runToExit('fmt', ['fmt', '-write=false', 'unformatted.pkr.hcl']);
  assert.equal(g.stdout, 'unformatted.pkr.hcl\n');
  for (const m of ['packages/cli/src/commands/fmt.ts', 'packages/hcl/src/fmt/format.ts']) assert.ok(g.modules.includes(m), `${m} evaluated`);
  none('fmt', g.modules, /^packages\/hcl\/src\/(eval\/|funcs\/(?!function)|dec\.ts)|^packages\/core\/src\/(hcl2\/|template\/(?!json)|plugins\/)|^packages\/sdk\/src\/(rpc|plugin)\/|^packages\/plugins\/src\/(?!index\.ts)|^packages\/cli\/src\/(cli|fixers\/|commands\/(?!fmt))/);
  none('fmt', g.builtins, /^(crypto|zlib|child_process|readline|http|https|dgram)$/);
});
