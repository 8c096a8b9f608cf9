/**
 * The SDK as plugin authors get it: `scripts/pack-sdk.mjs` packs @packer-ts/sdk (compiled
 * JavaScript and .d.ts, nothing else); the starter (examples/plugin-starter) copied into a fresh
 * project outside the repository installs it (typescript and @types/node from a registry on
 * 127.0.0.1 serving the npm cache), compiles with plain `tsc`, passes its own tests with plain
 * node, and Packer 1.6.6 runs its plugin from ~/.packer.d/plugins, both as compiled by tsc and
 * as the single-file executable of `npm run bundle`.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_PACKER, ROOT, run } from './helpers/run.ts';
import { startLocalRegistry } from './helpers/npm-registry.ts';

const work = mkdtempSync(join(tmpdir(), 'packer-ts-sdkpack-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('SDK tarball: a fresh project compiles the starter with tsc, runs its tests, Packer 1.6.6 runs the plugin', async (t) => {
  assert.ok(existsSync(REAL_PACKER), `this test runs Packer 1.6.6: apt-get install -y packer (${REAL_PACKER} is missing)`);
  const tarball = execFileSync(process.execPath, [join(ROOT, 'scripts/pack-sdk.mjs'), '--out', join(work, 'out')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  assert.ok(files.includes('package/dist/index.js') && files.includes('package/dist/index.d.ts') && files.includes('package/dist/plugin/index.js'), files.join('\n'));
  assert.ok(files.every((f) => /^package\/(package\.json|README\.md|banner\.mjs|banner\.d\.mts|dist\/.*\.(js|d\.ts))$/.test(f)), `only compiled files: ${files.filter((f) => !/\.(js|d\.ts)$/.test(f)).join(', ')}`);
  t.diagnostic(`SDK tarball: ${files.length} files`);

  const project = join(work, 'greeting');
  cpSync(join(ROOT, 'examples/plugin-starter'), project, { recursive: true });
  const pj = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  pj.dependencies['@packer-ts/sdk'] = `file:${tarball}`;
  writeFileSync(join(project, 'package.json'), JSON.stringify(pj, null, 2));
  const registry = await startLocalRegistry(ROOT);
  try {
    const env = { HOME: join(work, 'home'), npm_config_cache: join(work, 'npm-cache'), npm_config_registry: registry.url, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const i = await run('npm', ['install'], { cwd: project, env, timeoutMs: 180_000 });
    assert.equal(i.code, 0, `${i.stdout}\n${i.stderr}`);
  } finally {
    await registry.close();
  }
  // Plain tsc, plain node: no bundler, no tsx.
  const c = await run(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project, timeoutMs: 120_000 });
  assert.equal(c.code, 0, `tsc: ${c.stdout}\n${c.stderr}`);
  const tests = await run(process.execPath, ['--test', 'dist/test/builder.test.js'], { cwd: project, env: { NODE_TEST_CONTEXT: undefined }, timeoutMs: 60_000 });
  assert.equal(tests.code, 0, `starter tests: ${tests.stdout}\n${tests.stderr}`);
  assert.match(tests.stdout, /# pass 2/);

  // The executable banner, a plain module of the package.
  const banner = await run(process.execPath, ['--input-type=module', '-e', "import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner'; console.log(EXECUTABLE_BANNER.split('\\n')[0]);"], { cwd: project, timeoutMs: 30_000 });
  assert.equal(banner.stdout, '#!/bin/sh\n', banner.stderr);

  // The single-file executable (the starter's documented `npm run bundle`).
  const bundle = await run('npm', ['run', 'bundle'], { cwd: project, timeoutMs: 120_000 });
  assert.equal(bundle.code, 0, `${bundle.stdout}\n${bundle.stderr}`);
  const single = join(work, 'single', 'packer-builder-greeting');
  mkdirSync(join(work, 'single'));
  cpSync(join(project, 'packer-builder-greeting'), single); // a copy, away from node_modules
  execFileSync('chmod', ['+x', single]);

  // Packer 1.6.6 runs both: the tsc output through a link, the single file as a copy.
  const home = join(work, 'packer-home');
  const plugins = join(home, '.packer.d', 'plugins');
  mkdirSync(plugins, { recursive: true });
  symlinkSync(join(project, 'bin', 'packer-builder-greeting.js'), join(plugins, 'packer-builder-greeting'));
  cpSync(single, join(plugins, 'packer-builder-greeting-single'));
  const dir = join(work, 'build');
  mkdirSync(dir);
  writeFileSync(join(dir, 't.json'), JSON.stringify({ builders: [
    { type: 'greeting', greeting: 'Hello from a packed SDK', output: 'hello.txt' },
    { type: 'greeting-single', greeting: 'Hello from one file', output: 'single.txt' },
  ] }));
  const b = await run(REAL_PACKER, ['build', '-machine-readable', 't.json'], { cwd: dir, env: { HOME: home }, timeoutMs: 120_000 });
  assert.equal(b.code, 0, `${b.stdout}\n${b.stderr}`);
  assert.equal(readFileSync(join(dir, 'hello.txt'), 'utf8'), 'Hello from a packed SDK\n');
  assert.equal(readFileSync(join(dir, 'single.txt'), 'utf8'), 'Hello from one file\n');
  assert.match(b.stdout, /greeting,artifact,0,builder-id,starter\.greeting/);
  assert.match(b.stdout, /greeting-single,artifact,0,builder-id,starter\.greeting/);
});
