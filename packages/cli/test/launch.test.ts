/**
 * The launcher (src/launch.ts, built as dist/launch.cjs): a bundle run through it gets the
 * process's argv, require and import(); its code cache is written at the first run and used
 * (not rejected) at the next; a crash's stack names the TypeScript source and line, read from
 * the bundle's source map only then.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../../..');
const LAUNCH = join(ROOT, 'dist/launch.cjs');

async function bundle(dir: string, source: string): Promise<string> {
  writeFileSync(join(dir, 'app.ts'), source);
  const out = join(dir, 'dist', 'app.cjs');
  // As scripts/build.mjs builds dist/packer-ts.cjs: import() compiled to require().
  await build({ entryPoints: [join(dir, 'app.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', sourcemap: 'external', sourcesContent: false, supported: { 'dynamic-import': false }, logLevel: 'error' });
  return out;
}

function launch(app: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: string[] = []) {
  const code = `require(${JSON.stringify(LAUNCH)}).launch(${JSON.stringify(app)}, process.argv.slice(1))`;
  return spawnSync(process.execPath, [...nodeFlags, '-e', code, ...args], { encoding: 'utf8', env: { ...process.env, HOME: resolve(app, '../..'), NODE_OPTIONS: undefined, ...env }, timeout: 30_000 });
}

/** Each file of `dir` with its mtime and content's digest: what a rewrite would change. */
function stamps(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, `${statSync(join(dir, f)).mtimeMs} ${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}`]));
}

test('a bundle through the launcher: argv, require, import(), code cache written then used', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    const app = await bundle(dir, `
      import { createHash } from 'node:crypto';
      const name = 'node:os';
      async function main() {
        const os = await import(name);
        const vm = require('node:vm') as typeof import('node:vm');
        process.stdout.write(JSON.stringify({ args: process.argv.slice(1), eol: os.EOL, vm: typeof vm.Script, h: createHash('sha1').update('x').digest('hex').slice(0, 6), file: __filename }) + '\\n');
      }
      void main();
    `);
    const r1 = launch(app, ['build', '-force', 'x.json']);
    assert.equal(r1.status, 0, r1.stderr);
    const out = JSON.parse(r1.stdout) as Record<string, unknown>;
    assert.deepEqual(out.args, ['build', '-force', 'x.json']);
    assert.equal(out.eol, '\n');
    assert.equal(out.vm, 'function');
    assert.equal(out.h, '11f6ad');
    assert.equal(out.file, app);
    const cacheDir = join(dir, 'dist', '.cache');
    const caches = readdirSync(cacheDir);
    assert.equal(caches.length, 1);
    assert.match(caches[0]!, new RegExp(`^build-${process.version.replace(/\./g, '\\.')}-${process.arch}-`));
    // The second run reads the cache; V8 accepts it (a rejected cache would be rewritten: same mtime here).
    const before = readdirSync(cacheDir).map((f) => spawnSync('stat', ['-c', '%Y%N', join(cacheDir, f)], { encoding: 'utf8' }).stdout);
    const r2 = launch(app, ['build']);
    assert.equal(r2.status, 0, r2.stderr);
    const after = readdirSync(cacheDir).map((f) => spawnSync('stat', ['-c', '%Y%N', join(cacheDir, f)], { encoding: 'utf8' }).stdout);
    assert.deepEqual(after, before);
    // PACKER_TS_CODE_CACHE=0: no cache read or written.
    rmSync(cacheDir, { recursive: true });
    const r3 = launch(app, ['build'], { PACKER_TS_CODE_CACHE: '0' });
    assert.equal(r3.status, 0, r3.stderr);
    assert.ok(!existsSync(cacheDir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('code caches are named by node\'s flags; the heap flags apply and are taken out of process.execArgv (a Worker refuses them)', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    const app = await bundle(dir, `
      import { getHeapSpaceStatistics } from 'node:v8';
      import { Worker } from 'node:worker_threads';
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;
      // as the deep thread starts (packages/cli/src/deep-thread.ts): process.execArgv passed on
      const w = new Worker('require("node:worker_threads").parentPort.postMessage("worker ran")', { eval: true, execArgv: process.execArgv });
      w.on('message', (m) => { process.stdout.write(JSON.stringify({ execArgv: process.execArgv.filter((a) => a.startsWith('--')), young, worker: m }) + '\\n'); });
    `);
    const heap = ['--min-semi-space-size=64', '--max-semi-space-size=64', '--interrupt-budget=600000'];
    const cacheDir = join(dir, 'dist', '.cache');
    const plain = launch(app, ['validate']);
    assert.equal(plain.status, 0, plain.stderr);
    const flagged = launch(app, ['validate'], {}, heap);
    assert.equal(flagged.status, 0, flagged.stderr);
    const p = JSON.parse(plain.stdout) as { execArgv: string[]; young: number; worker: string };
    const f = JSON.parse(flagged.stdout) as typeof p;
    assert.deepEqual(f.execArgv, [], 'the launcher took its heap flags out');
    assert.equal(f.worker, 'worker ran');
    assert.equal(f.young, 64 * 1024 * 1024, 'a 64 MB young generation from the start');
    assert.ok(p.young < f.young, `without the flags node's own young generation (${p.young})`);
    // Two caches (one per set of flags), each accepted by its next run: neither is rewritten.
    const first = stamps(cacheDir);
    assert.equal(Object.keys(first).length, 2, Object.keys(first).join(' '));
    assert.ok(Object.keys(first).every((n) => /^validate-v[\d.]+-\w+-\d+-\d+-f[0-9a-f]{8}\.v8cache$/.test(n)), Object.keys(first).join(' '));
    assert.equal(launch(app, ['validate'], {}, heap).status, 0);
    assert.equal(launch(app, ['validate']).status, 0);
    assert.deepEqual(stamps(cacheDir), first);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fresh build\'s code caches (scripts/warm-caches.mjs, run by the build): one per main command, accepted by the next run, the console\'s holding the HCL path', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  const tmp = process.env.TMPDIR;
  const restoreTmp = () => { if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp; };
  try {
    // dist/ as the build leaves it before the caches are made, with bin/packer-ts beside it
    const app = join(dir, 'app');
    cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true, filter: (p) => !p.includes('.cache') });
    mkdirSync(join(app, 'bin'));
    cpSync(join(ROOT, 'bin', 'packer-ts'), join(app, 'bin', 'packer-ts'));
    cpSync(join(ROOT, 'bin', 'package.json'), join(app, 'bin', 'package.json'));
    mkdirSync(join(dir, 'tmp'));
    process.env.TMPDIR = join(dir, 'tmp');
    // @ts-expect-error: a build script, no types
    const { warmCaches } = (await import('../../../scripts/warm-caches.mjs')) as { warmCaches(root: string): Promise<void> };
    await warmCaches(app);
    restoreTmp();
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [], 'no temporary files left');
    const cacheDir = join(app, 'dist', '.cache');
    const names = readdirSync(cacheDir).sort();
    const prefix = `${process.version}-${process.arch}-`;
    assert.deepEqual(names.map((n) => n.slice(0, n.indexOf(`-${prefix}`))), ['build', 'console', 'validate'], names.join(' '));
    assert.ok(names.every((n) => /-[0-9a-f]{16}(-f[0-9a-f]{8})?\.v8cache$/.test(n)), names.join(' '));

    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 't.pkr.hcl'), 'variable "p" {\n  default = "img"\n}\n\nlocals {\n  xs = [for s in ["a", "b"] : "${upper(s)}-${var.p}"]\n}\n');
    writeFileSync(join(work, 't.json'), JSON.stringify({ variables: { p: 'img' }, builders: [{ type: 'null', communicator: 'none' }] }));
    const env = { ...process.env, HOME: dir, NODE_OPTIONS: undefined, PACKER_TS_CODE_CACHE: undefined };
    const bin = join(app, 'bin', 'packer-ts');
    const console = (template: string, input: string, viaNode = false, extra: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync(viaNode ? process.execPath : bin, [...(viaNode ? [bin] : []), 'console', template], { cwd: work, input, encoding: 'utf8', env: { ...env, ...extra }, timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const want = console('t.pkr.hcl', 'local.xs\n', false, { PACKER_TS_CODE_CACHE: '0' });
    assert.match(want, /"A-img"/);
    // Accepted: V8 took the build's cache (a rejected one is rewritten at exit), same answer.
    const made = stamps(cacheDir);
    assert.equal(console('t.pkr.hcl', 'local.xs\n'), want);
    assert.deepEqual(stamps(cacheDir), made);
    // The HCL path is in it: the bytecode of the `for` expression's evaluator holds this string
    // constant (a function's constants are in a code cache only once it was compiled).
    const marker = 'Iteration over null value';
    const consoleCache = names.find((n) => n.startsWith('console-'))!;
    assert.ok(readFileSync(join(cacheDir, consoleCache)).includes(marker), 'the build\'s console cache holds the HCL evaluator');
    // What the build spares: a cache first written by a console on a JSON template (the run-time
    // fallback when none is there) lacks it, so every later HCL console compiles it again.
    rmSync(join(cacheDir, consoleCache));
    console('t.json', '1 + 1\n');
    assert.ok(existsSync(join(cacheDir, consoleCache)), 'a missing cache is written by the run');
    assert.ok(!readFileSync(join(cacheDir, consoleCache)).includes(marker), 'a JSON console compiled no HCL evaluator');
    // `node bin/packer-ts` (no heap flags) keeps a cache of its own beside the sh launcher's.
    assert.equal(console('t.pkr.hcl', 'local.xs\n', true), want);
    assert.equal(readdirSync(cacheDir).filter((n) => n.startsWith('console-')).length, 2);
  } finally {
    restoreTmp();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scripts/warm-caches.mjs: a run that fails is reported and its cache removed; the others are kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist', '.cache'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'packer-ts'), readFileSync(join(ROOT, 'bin', 'packer-ts')), { mode: 0o755 });
    writeFileSync(join(dir, 'bin', 'package.json'), readFileSync(join(ROOT, 'bin', 'package.json')));
    // a launcher that writes a cache as the real one does at exit, and fails `validate`
    writeFileSync(join(dir, 'dist', 'launch.cjs'), `
      const cmd = process.argv[2];
      require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'dist', '.cache'))} + '/' + cmd + '-' + process.version + '-x.v8cache', 'cache');
      if (cmd === 'validate') { process.stdout.write('Error: broken on purpose\\n'); process.exit(1); }
      module.exports.start = () => {};
    `);
    // @ts-expect-error: a build script, no types
    const { warmCaches } = (await import('../../../scripts/warm-caches.mjs')) as { warmCaches(root: string): Promise<void> };
    const write = process.stderr.write.bind(process.stderr);
    let said = '';
    process.stderr.write = ((chunk: string) => { said += chunk; return true; }) as typeof process.stderr.write;
    try { await warmCaches(dir); } finally { process.stderr.write = write; }
    assert.match(said, /packer-ts validate warm\.pkr\.hcl ended with exit code 1; its code cache is left to its first run:\nError: broken on purpose/);
    assert.deepEqual(readdirSync(join(dir, 'dist', '.cache')).map((f) => f.slice(0, f.indexOf('-v'))).sort(), ['build', 'console']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no program in dist/ has an import() left: a vm.Script cannot run one on Node 20', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, () => {
  for (const b of ['packer-ts.cjs', 'version.cjs', 'plugin.cjs', 'console.cjs', 'fmt.cjs']) {
    const text = readFileSync(join(ROOT, 'dist', b), 'utf8');
    const left = text.split('\n').filter((l) => /(^|[^\w$.])import\(/.test(l));
    assert.deepEqual(left, [], b);
  }
});

test('a crash names the TypeScript source and line (source map read on demand)', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    const app = await bundle(dir, [
      'function deep(n: number): number {',
      '  if (n === 0) throw new Error("boom from the source");',
      '  return deep(n - 1) + 1;',
      '}',
      'deep(3);',
      '',
    ].join('\n'));
    const r = launch(app, []);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Error: boom from the source/);
    assert.ok(r.stderr.includes(`at deep (${join(dir, 'app.ts')}:2:`), r.stderr);
    assert.ok(!/^ +at .*app\.cjs:/m.test(r.stderr), `frames of the bundle are mapped:\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('start(): version.cjs for `version`, plugin.cjs for `plugin` and for packer-TYPE-NAME alone, packer-ts.cjs otherwise', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    const dist = join(dir, 'dist');
    mkdirSync(dist);
    for (const b of ['version', 'plugin', 'packer-ts']) writeFileSync(join(dist, `${b}.cjs`), `process.stdout.write(${JSON.stringify(b)} + ' ' + JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
    const bin = join(dir, 'packer-ts');
    writeFileSync(bin, `#!/usr/bin/env node\nrequire(${JSON.stringify(LAUNCH)}).start(${JSON.stringify(dist)});\n`, { mode: 0o755 });
    symlinkSync(bin, join(dir, 'packer-builder-file'));
    const run = (exe: string, args: string[]) => {
      const r = spawnSync(join(dir, exe), args, { encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(run('packer-ts', ['version']), 'version ["version"]');
    assert.equal(run('packer-ts', ['-machine-readable', '--version']), 'version ["-machine-readable","--version"]');
    assert.equal(run('packer-ts', ['plugin', 'packer-builder-null']), 'plugin ["plugin","packer-builder-null"]');
    assert.equal(run('packer-builder-file', []), 'plugin []');
    assert.equal(run('packer-builder-file', ['version']), 'version ["version"]');
    assert.equal(run('packer-ts', ['build', 'x.json']), 'packer-ts ["build","x.json"]');
    assert.equal(run('packer-ts', []), 'packer-ts []');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/packer-ts (sh, or node): programs see the invoked path as argv[1], through a symlink too, and no launcher variable', { skip: !existsSync(LAUNCH) && 'needs dist/ (npm run build)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    const dist = join(dir, 'app', 'dist');
    mkdirSync(dist, { recursive: true });
    mkdirSync(join(dir, 'app', 'bin'));
    mkdirSync(join(dir, 'plugins'));
    writeFileSync(join(dist, 'launch.cjs'), readFileSync(LAUNCH));
    const report = 'JSON.stringify([process.argv[1], process.argv.slice(2), Object.keys(process.env).filter((k) => k.startsWith("PACKER_TS_")), process.env.NODE_EXTRA_CA_CERTS ?? null])';
    for (const b of ['version', 'plugin', 'packer-ts']) writeFileSync(join(dist, `${b}.cjs`), `process.stdout.write(${JSON.stringify(b)} + ' ' + ${report} + '\\n');\n`);
    const bin = join(dir, 'app', 'bin', 'packer-ts');
    writeFileSync(bin, readFileSync(join(ROOT, 'bin', 'packer-ts')), { mode: 0o755 });
    writeFileSync(join(dir, 'app', 'bin', 'package.json'), readFileSync(join(ROOT, 'bin', 'package.json')));
    symlinkSync(bin, join(dir, 'plugins', 'packer-builder-file'));
    const run = (exe: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
      const r = spawnSync(exe, args, { encoding: 'utf8', env: { ...process.env, HOME: dir, NODE_EXTRA_CA_CERTS: undefined, ...env }, timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      return r.stdout.trim();
    };
    const link = join(dir, 'plugins', 'packer-builder-file');
    assert.equal(run(bin, ['version']), `version ${JSON.stringify([bin, ['version'], [], null])}`);
    assert.equal(run(link, []), `plugin ${JSON.stringify([link, [], [], null])}`);
    assert.equal(run(link, ['build', 'x.json'], { NODE_EXTRA_CA_CERTS: '/etc/none.pem' }), `packer-ts ${JSON.stringify([link, ['build', 'x.json'], [], '/etc/none.pem'])}`);
    // The same file read by node (`node bin/packer-ts`): JavaScript after the sh line.
    assert.equal(run(process.execPath, [bin, 'build']), `packer-ts ${JSON.stringify([bin, ['build'], [], null])}`);
    // Relative, as a user's shell may run it.
    const r = spawnSync('./bin/packer-ts', ['plugin', 'packer-builder-null'], { cwd: join(dir, 'app'), encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `plugin ${JSON.stringify([bin, ['plugin', 'packer-builder-null'], [], process.env.NODE_EXTRA_CA_CERTS ?? null])}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/packer-ts gives node the heap flags for the commands that read templates, none for plugins and the rest; run by node, none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-launch-'));
  try {
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist'));
    const bin = join(dir, 'bin', 'packer-ts');
    writeFileSync(bin, readFileSync(join(ROOT, 'bin', 'packer-ts')), { mode: 0o755 });
    writeFileSync(join(dir, 'bin', 'package.json'), readFileSync(join(ROOT, 'bin', 'package.json')));
    // a launcher that reports node's flags and its arguments
    writeFileSync(join(dir, 'dist', 'launch.cjs'), 'process.stdout.write(JSON.stringify([process.execArgv, process.argv.slice(2)]));\nmodule.exports.start = () => {};\n');
    const flags = (args: string[]) => {
      const r = spawnSync(bin, args, { encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      const [execArgv, argv] = JSON.parse(r.stdout) as [string[], string[]];
      assert.deepEqual(argv, args, 'the arguments unchanged');
      return execArgv.join(' ');
    };
    const heap = flags(['console', 't.pkr.hcl']);
    assert.match(heap, /^--min-semi-space-size=\d+ --max-semi-space-size=\d+ --interrupt-budget=\d+$/);
    for (const args of [['validate', '-syntax-only', 'x.pkr.hcl'], ['inspect', '.'], ['fmt', '-check', '.'], ['-machine-readable', 'validate', 'x'], ['console']]) assert.equal(flags(args), heap, args.join(' '));
    for (const args of [['plugin', 'packer-builder-file'], ['version'], ['build', 't.pkr.hcl'], ['hcl2_upgrade', 't.json'], ['fix', 't.json'], [], ['init', 'x']]) assert.equal(flags(args), '', args.join(' '));
    // node reads the file as JavaScript: node's own flags, none added
    const r = spawnSync(process.execPath, [bin, 'console'], { encoding: 'utf8', env: { ...process.env, HOME: dir }, timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, JSON.stringify([[], ['console']]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/packer-ts moves NODE_EXTRA_CA_CERTS aside with the same sh as the SDK\'s EXECUTABLE_BANNER', async () => {
  const { EXECUTABLE_BANNER } = await import('@packer-ts/sdk/banner');
  const move = /if \[ -n "\$\{NODE_EXTRA_CA_CERTS-\}" \]; then .*?; fi;/.exec(EXECUTABLE_BANNER)?.[0];
  assert.ok(move, EXECUTABLE_BANNER);
  assert.ok(readFileSync(join(ROOT, 'bin', 'packer-ts'), 'utf8').split('\n')[1]!.includes(move), 'the launcher and the banner defer the certificates alike');
});
