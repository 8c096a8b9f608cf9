/**
 * A plugin process never evaluates the HCL package (packages/hcl): each plugin is a process of
 * its own, and the HCL layer's load cost (bench/hcl2) is the core's alone. Checked on the real
 * bundle: a copy of bin/ and dist/ in which the init function esbuild gives each of
 * packages/hcl's modules (a module reached only through import() is initialised on first use)
 * first appends the module's name to $PACKER_TS_HCL_TRACE; then `plugin packer-builder-file`
 * runs to its handshake and must have recorded nothing, while an HCL2 `build` (the control)
 * must have recorded the package; `version` and a JSON-template build record nothing either.
 * A packages/hcl module bundled as plain top-level code would
 * run at every start: the bundle check fails on that first (except in the programs of the HCL
 * commands, dist/fmt.cjs and dist/console.cjs, which only those commands start).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, ROOT } from './helpers/run.ts';
import { requireBundle } from './helpers/requires.ts';

const COOKIE = { PACKER_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2', PACKER_PLUGIN_MIN_PORT: '10000', PACKER_PLUGIN_MAX_PORT: '25000' };
const HCL_MODULE = /\/\/ packages\/hcl\/src\/[^\n]+\.ts\n/g;
const HCL_INIT = /("packages\/hcl\/src\/[^"]+\.ts"\(\) \{)/g;
/** Programs that exist to run HCL (start.ts programFor: `fmt`, `console`): they may load it at start. */
const HCL_PROGRAMS = new Set(['fmt.cjs', 'console.cjs']);

/** A copy of bin/ and dist/ whose packages/hcl module inits record themselves; the bundles holding them. */
function instrumentedCopy(): { dir: string; bundles: string[] } {
  requireBundle();
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-hclinit-'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true, filter: (p) => !p.includes('.cache') });
  const bundles: string[] = [];
  for (const f of readdirSync(join(dir, 'dist')).filter((n) => n.endsWith('.cjs'))) {
    const p = join(dir, 'dist', f);
    const src = readFileSync(p, 'utf8');
    const inits = src.match(HCL_INIT)?.length ?? 0;
    if (!inits && src.search(HCL_MODULE) < 0) continue;
    bundles.push(f);
    // esbuild heads each module's code with its path; a lazily initialised module has an init.
    const modules = new Set([...src.matchAll(HCL_MODULE)].map((m) => m[0].slice(3, -1)));
    const lazy = new Set([...src.matchAll(HCL_INIT)].map((m) => m[1].slice(1, m[1].indexOf('"', 1))));
    const eager = [...modules].filter((m) => !lazy.has(m));
    if (!HCL_PROGRAMS.has(f)) assert.deepEqual(eager, [], `${f} evaluates these packages/hcl modules at load, in every process it starts`);
    writeFileSync(p, src.replace(HCL_INIT, (init: string) => {
      const name = init.slice(1, init.indexOf('"', 1));
      return `${init} require("node:fs").appendFileSync(process.env.PACKER_TS_HCL_TRACE, ${JSON.stringify(name + '\n')});`;
    }));
  }
  return { dir, bundles };
}

/** Runs the copy's bin/packer-ts until `ready(output)` or exit; returns the modules recorded. */
async function hclModulesEvaluated(copy: string, cwd: string, args: string[], env: NodeJS.ProcessEnv, ready: (out: string) => boolean): Promise<{ modules: string[]; out: string }> {
  const trace = join(cwd, 'hcl-trace.txt');
  writeFileSync(trace, '');
  const child = spawn(join(copy, 'bin/packer-ts'), args, {
    cwd, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1', HOME: cwd, PACKER_TS_CODE_CACHE: '0', PACKER_TS_HCL_TRACE: trace, ...env },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const deadline = Date.now() + 60_000;
  try {
    while (!ready(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (child.exitCode !== null) await exited; // its last output may still be on the way
    assert.ok(ready(out), `packer-ts ${args.join(' ')} did not get ready:\n${out}`);
  } finally {
    child.kill('SIGKILL'); // plugins ignore SIGTERM
    await exited;
  }
  return { modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean), out };
}

let copy = '';
let bundles: string[] = [];
let work = '';
before(() => {
  ({ dir: copy, bundles } = instrumentedCopy());
  work = mkdtempSync(join(tmpdir(), 'packer-ts-hclinit-run-'));
});
after(async () => {
  if (copy) await removeDir(copy);
  if (work) await removeDir(work);
});

test('an HCL2 build evaluates packages/hcl (the probe works)', async () => {
  assert.ok(bundles.length > 0, 'no bundle in dist/ holds packages/hcl');
  writeFileSync(join(work, 'template.pkr.hcl'), 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n');
  const build = await hclModulesEvaluated(copy, work, ['build', 'template.pkr.hcl'], {}, (o) => /Builds finished/.test(o));
  assert.ok(build.modules.includes('packages/hcl/src/index.ts'), `the control failed: an HCL2 build recorded no packages/hcl init (${bundles.join(', ')})\n${build.out}`);
});

// required_plugins, the getters and the npm installer (which load @packer-ts/hcl) are served by
// @packer-ts/core/plugins-install, not by the index that the plugin command loads.
test('a plugin process (plugin packer-builder-file) does not evaluate packages/hcl', async () => {
  const plugin = await hclModulesEvaluated(copy, work, ['plugin', 'packer-builder-file'], COOKIE, (o) => /^\d+\|.*\n/m.test(o));
  assert.deepEqual(plugin.modules, [], 'packages/hcl modules a plugin process evaluated');
});

test('`version` and a JSON-template build do not evaluate packages/hcl', async () => {
  const version = await hclModulesEvaluated(copy, work, ['version'], {}, (o) => /^packer-ts v\S+ \(Packer v/m.test(o));
  assert.deepEqual(version.modules, [], 'packages/hcl modules `packer-ts version` evaluated');
  writeFileSync(join(work, 'template.json'), JSON.stringify({ builders: [{ type: 'null', communicator: 'none' }] }));
  const build = await hclModulesEvaluated(copy, work, ['build', 'template.json'], {}, (o) => /Builds finished/.test(o));
  assert.deepEqual(build.modules, [], `packages/hcl modules a JSON-template build evaluated\n${build.out}`);
});
