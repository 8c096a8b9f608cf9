/**
 * The npm package `packer-ts`, as a user gets it:
 * - `npm pack` in a fresh copy of the repository (the files git knows, as in a clone, with this
 *   checkout's node_modules linked in for the build that `prepack` runs) gives a tarball holding
 *   the launcher, the bundle, its source map, README and package.json: no tests, fixtures or sources;
 * - `npm install -g --prefix DIR` of that tarball (its dependencies from a registry on 127.0.0.1
 *   serving what `npm ci` put in the npm cache: no network) gives a `packer-ts` that prints its version,
 *   builds examples/hello, and serves `packer-builder-file` to Packer 1.6.6 through a symlink in
 *   ~/.packer.d/plugins; the same through `npx` (npm exec) from the tarball;
 * - its code cache is written beside the bundle at first run, and a cache it cannot use
 *   (another node's, garbage) or cannot write (dist/.cache not a directory) changes nothing but speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PACKER_TS, REAL_PACKER, ROOT, run } from './helpers/run.ts';
import { startLocalRegistry, type LocalRegistry } from './helpers/npm-registry.ts';

const work = mkdtempSync(join(tmpdir(), 'packer-ts-dist-'));
const home = join(work, 'home');
const prefix = join(work, 'prefix');
const cache = join(work, 'npm-cache');
let tarball = '';
let registry: LocalRegistry | undefined;
let packed: { files: { path: string }[]; size: number; unpackedSize: number } | undefined;

const npmEnv = (): NodeJS.ProcessEnv => ({ HOME: home, npm_config_cache: cache, npm_config_registry: registry!.url, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
const installed = () => join(prefix, 'bin', 'packer-ts');
const installedDist = () => join(prefix, 'lib', 'node_modules', 'packer-ts', 'dist');

before(async () => {
  assert.ok(existsSync(REAL_PACKER), `these tests run Packer 1.6.6: apt-get install -y packer (${REAL_PACKER} is missing)`);
  mkdirSync(home, { recursive: true });
  // A fresh copy of the repository: the files git knows (tracked and new, not ignored).
  const src = join(work, 'src');
  const list = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const rel of list) {
    const from = join(ROOT, rel);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(src, rel)), { recursive: true });
    cpSync(from, join(src, rel));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  registry = await startLocalRegistry(ROOT);

  const out = join(work, 'out');
  mkdirSync(out);
  const r = await run('npm', ['pack', '--json', '--pack-destination', out], { cwd: src, env: npmEnv(), timeoutMs: 120_000 });
  assert.equal(r.code, 0, `npm pack failed:\n${r.stdout}\n${r.stderr}`);
  packed = (JSON.parse(r.stdout) as NonNullable<typeof packed>[])[0];
  tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
});

after(async () => {
  await registry?.close();
  rmSync(work, { recursive: true, force: true });
});

test('npm pack: the tarball holds the launcher, the bundles and their maps, nothing else', (t) => {
  assert.ok(packed, 'npm pack ran');
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, ['README.md', 'bin/package.json', 'bin/packer-ts', 'dist/console.cjs', 'dist/console.cjs.map', 'dist/fmt.cjs', 'dist/fmt.cjs.map', 'dist/launch.cjs', 'dist/packer-ts.cjs', 'dist/packer-ts.cjs.map', 'dist/plugin.cjs', 'dist/plugin.cjs.map', 'dist/version.cjs', 'dist/version.cjs.map', 'package.json']);
  assert.ok(!files.some((f) => f.endsWith('.ts') || f.startsWith('test/') || f.includes('fixtures')), 'no sources, tests or fixtures');
  assert.equal(statSync(tarball).size, packed.size);
  t.diagnostic(`tarball ${packed.size} bytes, unpacked ${packed.unpackedSize} bytes`);
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
  assert.deepEqual(manifest.bin, { 'packer-ts': 'bin/packer-ts' });
  assert.deepEqual(Object.keys(manifest.dependencies as object), ['ssh2'], 'the one module the bundle leaves out that it needs');
  assert.deepEqual(Object.keys(manifest.optionalDependencies as object), ['lzma-native'], 'the module it leaves out for xz, optional (a platform without its prebuilt binary installs without xz)');
  assert.match(String((manifest.engines as Record<string, string>).node), /^>=20/);
});

test('npm install -g --prefix: packer-ts version, build of examples/hello', async () => {
  const r = await run('npm', ['install', '-g', '--prefix', prefix, tarball], { cwd: work, env: npmEnv(), timeoutMs: 180_000 });
  assert.equal(r.code, 0, `npm install failed:\n${r.stdout}\n${r.stderr}`);
  assert.ok(existsSync(installed()), 'bin/packer-ts on the prefix');
  assert.ok(registry!.served.some((p) => p.startsWith('ssh2@')), `ssh2 came from the registry (served: ${registry!.served.join(', ')})`);

  const v = await run(installed(), ['version'], { cwd: work, env: { HOME: home } });
  const ours = await run(PACKER_TS, ['version'], { cwd: work, env: { HOME: home } });
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^packer-ts v\d+\.\d+\.\d+ \(Packer v1\.6\.6 compatible\)\n$/);
  assert.equal(v.stdout, ours.stdout);
  assert.ok(readdirSync(join(installedDist(), '.cache')).some((f) => f.startsWith(`version-${process.version}-`)), 'the first run wrote its code cache beside the bundle');

  const hello = join(work, 'hello');
  cpSync(join(ROOT, 'examples', 'hello'), hello, { recursive: true });
  const b = await run(installed(), ['build', 'hello.json'], { cwd: hello, env: { HOME: home, USER: 'tester' }, timeoutMs: 120_000 });
  assert.equal(b.code, 0, `${b.stdout}\n${b.stderr}`);
  assert.match(readFileSync(join(hello, 'output', 'greeting.txt'), 'utf8'), /^Hello from packer-ts, built by tester at \d{4}-\d\d-\d\d /);
  assert.deepEqual(readdirSync(join(hello, 'output')).sort(), ['greeting.sha256', 'greeting.tar.gz', 'greeting.txt', 'manifest.json']);
  const sum = readFileSync(join(hello, 'output', 'greeting.sha256'), 'utf8');
  const want = execFileSync('sha256sum', ['greeting.txt'], { cwd: join(hello, 'output'), encoding: 'utf8' }).split(' ')[0];
  assert.ok(sum.includes(want!), `checksum file ${sum} names sha256 ${want}`);

  // xz loads lzma-native (left out of the bundle) from the installed package's dependencies.
  assert.ok(registry!.served.some((p) => p.startsWith('lzma-native@')), `lzma-native came from the registry (served: ${registry!.served.join(', ')})`);
  writeFileSync(join(hello, 'xz.json'), JSON.stringify({ builders: [{ type: 'file', content: 'packed by liblzma\n', target: 'in.txt' }], 'post-processors': [{ type: 'compress', output: 'in.txt.xz' }] }));
  const x = await run(installed(), ['build', 'xz.json'], { cwd: hello, env: { HOME: home }, timeoutMs: 120_000 });
  assert.equal(x.code, 0, `${x.stdout}\n${x.stderr}`);
  assert.equal(execFileSync('xz', ['-dc', join(hello, 'in.txt.xz')], { encoding: 'utf8' }), 'packed by liblzma\n');
});

test('installed packer-ts as a Packer 1.6.6 plugin: a symlink packer-builder-file in ~/.packer.d/plugins', async () => {
  assert.ok(existsSync(installed()), 'installed by the previous test');
  const h = join(work, 'plugin-home');
  const plugins = join(h, '.packer.d', 'plugins');
  mkdirSync(plugins, { recursive: true });
  symlinkSync(installed(), join(plugins, 'packer-builder-file'));
  const dir = join(work, 'plugin-build');
  mkdirSync(dir);
  writeFileSync(join(dir, 't.json'), JSON.stringify({ builders: [{ type: 'file', content: 'served by packer-ts\n', target: 'out.txt' }] }));
  const r = await run(REAL_PACKER, ['build', 't.json'], { cwd: dir, env: { HOME: h, PACKER_LOG: '1' }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'served by packer-ts\n');
  // Packer's log: it started our link (not its own file builder) and got its handshake.
  const link = join(plugins, 'packer-builder-file');
  assert.ok(r.stderr.includes(`Discovered plugin: file = ${link}`), `Packer found our plugin:\n${r.stderr}`);
  assert.ok(r.stderr.includes(`Received unix RPC address for ${link}: addr is `), `our plugin answered the handshake:\n${r.stderr}`);
});

test('npx (npm exec) from the tarball runs packer-ts', async () => {
  const dir = join(work, 'npx');
  mkdirSync(dir);
  const r = await run('npm', ['exec', '--yes', `--package=${tarball}`, '--', 'packer-ts', 'version'], { cwd: dir, env: npmEnv(), timeoutMs: 180_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /packer-ts v\d+\.\d+\.\d+ \(Packer v1\.6\.6 compatible\)\n$/);
});

test('code cache: unusable or unwritable caches fall back to compiling, with the same output', async () => {
  const dist = installedDist();
  assert.ok(existsSync(dist), 'installed by an earlier test');
  const cacheDir = join(dist, '.cache');
  const want = (await run(installed(), ['version'], { cwd: work, env: { HOME: home } })).stdout;
  // Garbage under the expected name (as a cache from another node looks to V8): rejected, rewritten.
  const name = readdirSync(cacheDir).find((f) => f.startsWith('version-'))!;
  writeFileSync(join(cacheDir, name), Buffer.alloc(4096, 7));
  const r1 = await run(installed(), ['version'], { cwd: work, env: { HOME: home } });
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r1.stdout, want);
  assert.equal(r1.stderr, '');
  assert.notDeepEqual(readFileSync(join(cacheDir, name)), Buffer.alloc(4096, 7), 'the rejected cache was replaced');
  // dist/.cache unusable (a file): the user's cache directory takes it; none writable: no cache, same output.
  rmSync(cacheDir, { recursive: true });
  writeFileSync(cacheDir, 'not a directory');
  const xdg = join(work, 'xdg');
  const r2 = await run(installed(), ['version'], { cwd: work, env: { HOME: home, XDG_CACHE_HOME: xdg } });
  assert.equal(r2.stdout, want);
  assert.ok(readdirSync(join(xdg, 'packer-ts')).some((f) => f.startsWith('version-')), 'cache written to $XDG_CACHE_HOME/packer-ts');
  rmSync(join(xdg, 'packer-ts'), { recursive: true });
  writeFileSync(join(xdg, 'packer-ts'), 'not a directory either');
  const r3 = await run(installed(), ['version'], { cwd: work, env: { HOME: home, XDG_CACHE_HOME: xdg } });
  assert.equal(r3.code, 0, r3.stderr);
  assert.equal(r3.stdout, want);
  assert.equal(r3.stderr, '');
  rmSync(cacheDir);
  chmodSync(dist, 0o755);
});
