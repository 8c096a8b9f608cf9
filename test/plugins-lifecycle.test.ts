/**
 * Plugin processes and signals, with real processes: three builds whose shell-local provisioner
 * runs `sleep 300`, with shell-local (1) in-process, (2) as Packer's Go plugin through a
 * PACKER_PLUGIN_PATH wrapper, (3) as our built-in served by `packer-ts plugin` (PACKER_TS_BUILTINS=
 * plugin). SIGINT / SIGTERM: exit 1 within a few seconds with "Cleanly cancelled builds after being
 * interrupted."; SIGKILL of the core: the watchdog ends everything. In every case no process
 * started by the run (found by an environment marker) is left after ~3 s.
 * Also: a plugin that crashes mid-build fails only its build, naming the plugin and its last
 * stderr lines; PACKER_LOG lines; API version mismatch; the config file wins over discovery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PACKER_TS, REAL_PACKER, ROOT, run } from './helpers/run.ts';
import { requireTools } from './helpers/requires.ts';
import { describePids, killMarked, markedPids, MARK_VAR, newMark, startBackground, waitNoneLeft, writeWrapper } from './helpers/plugins.ts';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';

const SLEEP_TEMPLATE = {
  builders: ['a', 'b', 'c'].map((name) => ({ type: 'null', name, communicator: 'none' })),
  provisioners: [{ type: 'shell-local', inline: ['sleep 300'] }],
};

async function sleepers(mark: string): Promise<number> {
  let n = 0;
  for (const p of await markedPids(mark)) {
    try { if ((await readFile(`/proc/${p}/cmdline`, 'utf8')) === 'sleep\x00300\x00') n++; } catch { /* gone */ }
  }
  return n;
}

type Mode = 'in-process' | 'go-plugin' | 'builtin-plugin';

async function setup(mode: Mode): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-life-'));
  await writeFile(join(dir, 'template.json'), JSON.stringify(SLEEP_TEMPLATE));
  const env: NodeJS.ProcessEnv = { HOME: dir, PACKER_PLUGIN_PATH: '', PACKER_TS_BUILTINS: '' };
  if (mode === 'go-plugin') {
    await writeWrapper(join(dir, 'plugins'), 'packer-provisioner-shell-local', [REAL_PACKER, 'plugin', 'packer-provisioner-shell-local']);
    env.PACKER_PLUGIN_PATH = join(dir, 'plugins');
  }
  if (mode === 'builtin-plugin') env.PACKER_TS_BUILTINS = 'plugin';
  return { dir, env };
}

for (const mode of ['in-process', 'go-plugin', 'builtin-plugin'] as Mode[]) {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as NodeJS.Signals[]) {
    test(`${sig} to the core, shell-local ${mode}: exits in time, nothing left`, async () => {
      if (mode === 'go-plugin') requireTools(REAL_PACKER);
      const { dir, env } = await setup(mode);
      const mark = newMark();
      const core = startBackground(PACKER_TS, ['build', 'template.json'], { cwd: dir, env: { ...env, [MARK_VAR]: mark } });
      try {
        const end = Date.now() + 20_000;
        while ((await sleepers(mark)) < 3) {
          assert.ok(Date.now() < end, `the three sleeps never started:\n${core.output()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const before = await markedPids(mark);
        if (mode !== 'in-process') assert.ok(before.length >= 3 + 3 + 1, `plugin processes expected:\n${await describePids(before)}`);
        core.kill(sig);
        const r = await core.done;
        if (sig === 'SIGKILL') {
          assert.equal(r.signal, 'SIGKILL');
        } else {
          assert.equal(r.code, 1, core.output());
          assert.match(core.output(), /Cleanly cancelled builds after being interrupted\./);
          assert.ok(r.ms < 4000, `took ${r.ms} ms to exit`);
        }
        const left = await waitNoneLeft(mark, 3500);
        assert.deepEqual(left, [], `left behind:\n${await describePids(left)}`);
      } finally {
        await killMarked(mark);
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
}

/** Bundles a TS plugin (importing the SDK sources) into one executable file. */
async function bundlePlugin(path: string, source: string): Promise<void> {
  await build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'plugin.ts', loader: 'ts' },
    outfile: path, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
    banner: { js: EXECUTABLE_BANNER },
  });
  const { chmod } = await import('node:fs/promises');
  await chmod(path, 0o755);
}

test('a plugin that dies mid-build fails only its build, naming it and its last stderr lines', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-crash-'));
  const mark = newMark();
  try {
    await bundlePlugin(join(dir, 'plugins', 'packer-builder-crash'), `
      import { serveComponent } from './packages/sdk/src/plugin/index.ts';
      void serveComponent('builder', {
        async prepare() { return {}; },
        async run(ui) {
          ui.say('crash builder running');
          process.stderr.write('first stderr line\\nabout to crash: out of luck\\n');
          setTimeout(() => process.exit(3), 50);
          await new Promise(() => {});
        },
      });`);
    await writeFile(join(dir, 'template.json'), JSON.stringify({
      builders: [{ type: 'crash' }, { type: 'file', content: 'fine\n', target: 'ok.txt' }],
    }));
    const r = await run(PACKER_TS, ['build', 'template.json'], { cwd: dir, env: { HOME: dir, PACKER_PLUGIN_PATH: join(dir, 'plugins'), [MARK_VAR]: mark } });
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    assert.match(out, /Build 'crash' errored after [^:]+: packer-builder-crash plugin exited unexpectedly \(exit status 3\) during run/);
    assert.match(out, /about to crash: out of luck/);
    assert.match(out, /Build 'file' finished/);
    assert.equal(await readFile(join(dir, 'ok.txt'), 'utf8'), 'fine\n');
    // without PACKER_LOG the plugin's stderr is not shown as it comes, only in the error
    assert.equal(out.split('first stderr line').length, out.split('Last lines of its stderr:').length, out);
    assert.deepEqual(await waitNoneLeft(mark, 3000), []);
  } finally {
    await killMarked(mark);
    await rm(dir, { recursive: true, force: true });
  }
});

test('PACKER_LOG: plugin start, address, stderr lines and exit in Packer\'s format', async () => {
  requireTools(REAL_PACKER);
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-log-'));
  const mark = newMark();
  try {
    const wrapper = await writeWrapper(join(dir, 'plugins'), 'packer-builder-file', [REAL_PACKER, 'plugin', 'packer-builder-file']);
    await writeFile(join(dir, 'template.json'), JSON.stringify({ builders: [{ type: 'file', content: 'x', target: 'x.txt' }] }));
    const r = await run(PACKER_TS, ['build', 'template.json'], {
      cwd: dir, env: { HOME: dir, PACKER_LOG: '1', PACKER_LOG_PATH: join(dir, 'log.txt'), PACKER_PLUGIN_PATH: join(dir, 'plugins'), [MARK_VAR]: mark },
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const log = await readFile(join(dir, 'log.txt'), 'utf8');
    const line = (re: RegExp) => assert.match(log, re, log);
    line(new RegExp(`^\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d Starting plugin: ${wrapper} \\[\\]string\\{"${wrapper}"\\}$`, 'm'));
    line(new RegExp(`Received unix RPC address for ${wrapper}: addr is /`));
    line(/ packer-builder-file plugin: .*Serving a plugin connection\.\.\.$/m);
    line(new RegExp(`${wrapper}: plugin process exited$`, 'm'));
    assert.ok(!r.stderr.includes('Serving a plugin connection'), 'plugin stderr stays out of the terminal');
    const both = await run(PACKER_TS, ['build', '-force', 'template.json'], { cwd: dir, env: { HOME: dir, PACKER_LOG: '1', PACKER_PLUGIN_PATH: join(dir, 'plugins'), [MARK_VAR]: mark } });
    assert.match(both.stderr, / packer-builder-file plugin: /, 'PACKER_LOG without a path logs to stderr');
    assert.deepEqual(await waitNoneLeft(mark, 3000), []);
  } finally {
    await killMarked(mark);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a plugin speaking another API version: clear error naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-api-'));
  const mark = newMark();
  try {
    const plugin = join(dir, 'plugins', 'packer-builder-old');
    await writeWrapper(join(dir, 'plugins'), 'old-impl', ['/bin/sh', '-c', 'echo "4|unix|/tmp/nothing-here"; sleep 30']);
    await writeFile(plugin, `#!/bin/sh\nexec '${join(dir, 'plugins', 'old-impl')}'\n`, { mode: 0o755 });
    await writeFile(join(dir, 'template.json'), JSON.stringify({ builders: [{ type: 'old' }] }));
    const r = await run(PACKER_TS, ['build', 'template.json'], { cwd: dir, env: { HOME: dir, PACKER_PLUGIN_PATH: join(dir, 'plugins'), [MARK_VAR]: mark } });
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    // the diagnostic's detail is wrapped at 80 columns, as Packer wraps it
    const flat = out.replaceAll('\n', ' ');
    assert.ok(flat.includes(`Error starting builder plugin ${plugin}: Incompatible API version with plugin. Plugin version: 4, Ours: 5`), out);
    assert.match(flat, /To fix this, use a release of the plugin made for Packer 1\.6/);
    assert.deepEqual(await waitNoneLeft(mark, 3000), [], 'the plugin was killed');
  } finally {
    await killMarked(mark);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a plugin that never completes the handshake: timeout (PACKER_TS_PLUGIN_START_TIMEOUT)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-slow-'));
  const mark = newMark();
  try {
    await writeWrapper(join(dir, 'plugins'), 'packer-builder-slow', ['/bin/sh', '-c', 'echo starting >&2; sleep 30']);
    await writeFile(join(dir, 'template.json'), JSON.stringify({ builders: [{ type: 'slow' }] }));
    const t0 = Date.now();
    const r = await run(PACKER_TS, ['build', 'template.json'], {
      cwd: dir, env: { HOME: dir, PACKER_PLUGIN_PATH: join(dir, 'plugins'), PACKER_TS_PLUGIN_START_TIMEOUT: '500', [MARK_VAR]: mark },
    });
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 1, out);
    assert.ok(Date.now() - t0 < 5000);
    assert.match(out.replaceAll('\n', ' '), /packer-builder-slow: timeout while waiting for plugin to start/);
    assert.match(out, /starting/);
    assert.deepEqual(await waitNoneLeft(mark, 3000), []);
  } finally {
    await killMarked(mark);
    await rm(dir, { recursive: true, force: true });
  }
});

test('the config file wins over discovery, discovery over built-ins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-cfg-'));
  const mark = newMark();
  try {
    const self = [PACKER_TS, 'plugin', 'packer-builder-file'];
    const discovered = await writeWrapper(join(dir, 'plugins'), 'packer-builder-file', self);
    const configured = await writeWrapper(join(dir, 'elsewhere'), 'packer-builder-file', self);
    await writeFile(join(dir, 'config.json'), JSON.stringify({ builders: { file: configured } }));
    await writeFile(join(dir, 'template.json'), JSON.stringify({ builders: [{ type: 'file', content: 'c', target: 'c.txt' }] }));
    const base = { HOME: dir, PACKER_LOG: '1', PACKER_PLUGIN_PATH: join(dir, 'plugins'), [MARK_VAR]: mark };
    const withCfg = await run(PACKER_TS, ['build', 'template.json'], { cwd: dir, env: { ...base, PACKER_CONFIG: join(dir, 'config.json') } });
    assert.equal(withCfg.code, 0, withCfg.stderr);
    assert.ok(withCfg.stderr.includes(`Starting plugin: ${configured} `), withCfg.stderr);
    const noCfg = await run(PACKER_TS, ['build', '-force', 'template.json'], { cwd: dir, env: base });
    assert.equal(noCfg.code, 0, noCfg.stderr);
    assert.ok(noCfg.stderr.includes(`Starting plugin: ${discovered} `), noCfg.stderr);
    const none = await run(PACKER_TS, ['build', '-force', 'template.json'], { cwd: dir, env: { ...base, PACKER_PLUGIN_PATH: '' } });
    assert.equal(none.code, 0);
    assert.ok(!none.stderr.includes('Starting plugin:'), 'built-ins run in-process by default');
    // a PACKER_CONFIG that names no file: a warning in the log, and the discovered plugin, as Packer 1.6.6
    const missing = await run(PACKER_TS, ['build', '-force', 'template.json'], { cwd: dir, env: { ...base, PACKER_CONFIG: join(dir, 'missing.json') } });
    assert.equal(missing.code, 0, missing.stdout);
    assert.ok(missing.stderr.includes(`[WARN] Config file doesn't exist: ${join(dir, 'missing.json')}\n`), missing.stderr);
    assert.ok(missing.stderr.includes(`Starting plugin: ${discovered} `), missing.stderr);
    // one that cannot be read is an error naming it
    const bad = await run(PACKER_TS, ['build', 'template.json'], { cwd: dir, env: { ...base, PACKER_CONFIG: dir } });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout + bad.stderr, /Error loading configuration: \n\nread .*: is a directory/);
    assert.deepEqual(await waitNoneLeft(mark, 3000), []);
  } finally {
    await killMarked(mark);
    await rm(dir, { recursive: true, force: true });
  }
});

test('packer-ts plugin: cookie check, unknown names', async () => {
  const cwd = tmpdir();
  const noCookie = await run(PACKER_TS, ['plugin', 'packer-builder-file'], { cwd });
  assert.equal(noCookie.code, 1);
  assert.match(noCookie.stderr, /Please do not execute plugins directly\. Packer will execute these for you\./);
  const env = { PACKER_PLUGIN_MAGIC_COOKIE: 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2' };
  const unknown = await run(PACKER_TS, ['plugin', 'packer-builder-nope'], { cwd, env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /Could not load builder: nope \(built-in builders: [a-z, -]*\bfile, null\b/);
  const bad = await run(PACKER_TS, ['plugin', 'something'], { cwd, env });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /Error parsing plugin argument/);
  assert.ok(existsSync(PACKER_TS));
});
