/**
 * Plugin discovery, the config file, layering, the plugin manager's errors and the SDK's child
 * process watchdog (with real processes).
 */
import { REAL_PACKER } from '../../../test/helpers/requires.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createComponentFinder, discoveryDirs, findPlugins, logPrefix, parsePluginFileName, PluginManager } from '../src/index.ts';

async function exe(path: string, body = '#!/bin/sh\nexit 0\n'): Promise<string> {
  await mkdir(resolve(path, '..'), { recursive: true });
  await writeFile(path, body);
  await chmod(path, 0o755);
  return path;
}

test('plugin file names', () => {
  assert.deepEqual(parsePluginFileName('/x/packer-builder-amazon-ebs'), { kind: 'builder', name: 'amazon-ebs' });
  assert.deepEqual(parsePluginFileName('packer-post-processor-checksum.exe'), { kind: 'post-processor', name: 'checksum' });
  assert.deepEqual(parsePluginFileName('packer-provisioner-shell-local'), { kind: 'provisioner', name: 'shell-local' });
  assert.equal(parsePluginFileName('packer-builder-'), undefined);
  assert.equal(parsePluginFileName('packer'), undefined);
  assert.equal(logPrefix({ path: REAL_PACKER, args: ['plugin', 'packer-builder-file'] }), 'packer-builder-file');
  assert.equal(logPrefix({ path: '/p/packer-builder-x', args: [] }), 'packer-builder-x');
});

test('discovery order: exe dir, ~/.packer.d/plugins, cwd, PACKER_PLUGIN_PATH (later wins); config file wins', async () => {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-disc-'));
  try {
    const [exeDir, home, cwd, p1, p2] = ['exe', 'home', 'cwd', 'p1', 'p2'].map((d) => join(root, d)) as [string, string, string, string, string];
    const env = { HOME: home, PACKER_PLUGIN_PATH: `${p1}:${p2}` };
    assert.deepEqual(discoveryDirs({ env, exeDir, cwd }), [exeDir, join(home, '.packer.d', 'plugins'), cwd, p1, p2]);
    await exe(join(exeDir, 'packer-builder-a'));
    await exe(join(exeDir, 'packer-builder-b'));
    await exe(join(home, '.packer.d', 'plugins', 'packer-builder-b'));
    await exe(join(home, '.packer.d', 'plugins', 'packer-builder-c'));
    await exe(join(cwd, 'packer-builder-c'));
    await exe(join(p2, 'packer-provisioner-d'));
    await exe(join(p1, 'packer-provisioner-d'));
    await writeFile(join(p1, 'packer-builder-notexec'), 'x');
    const configured = await exe(join(root, 'cfg', 'my-builder'));
    let found = findPlugins({ env, exeDir, cwd });
    assert.equal(found.builder.get('a')!.path, join(exeDir, 'packer-builder-a'));
    assert.equal(found.builder.get('b')!.path, join(home, '.packer.d', 'plugins', 'packer-builder-b'));
    assert.equal(found.builder.get('c')!.path, join(cwd, 'packer-builder-c'));
    assert.equal(found.provisioner.get('d')!.path, join(p2, 'packer-provisioner-d'));
    assert.equal(found.builder.has('notexec'), false);
    await writeFile(join(home, '.packerconfig'), JSON.stringify({ builders: { a: configured } }));
    found = findPlugins({ env, exeDir, cwd });
    assert.equal(found.builder.get('a')!.path, configured);
    await writeFile(join(root, 'bad.json'), '{"builders": ');
    assert.throws(() => findPlugins({ env: { ...env, PACKER_CONFIG: join(root, 'bad.json') }, exeDir, cwd }), /Error loading configuration: .*bad\.json/);
    // read as Go's encoding/json reads it into Packer's config struct: keys without regard to case, bools typed
    await writeFile(join(root, 'case.json'), JSON.stringify({ Builders: { b: configured } }));
    assert.equal(findPlugins({ env: { ...env, PACKER_CONFIG: join(root, 'case.json') }, exeDir, cwd }).builder.get('b')!.path, configured);
    await writeFile(join(root, 'type.json'), JSON.stringify({ disable_checkpoint: 'yes' }));
    assert.throws(() => findPlugins({ env: { ...env, PACKER_CONFIG: join(root, 'type.json') }, exeDir, cwd }), /type\.json: json: cannot unmarshal string into Go struct field config\.disable_checkpoint of type bool/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('finder: plugins layered above built-ins; PACKER_TS_BUILTINS=plugin starts built-ins as sub-processes', async () => {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-layer-'));
  try {
    const p = join(root, 'plugins');
    await exe(join(p, 'packer-builder-file'));
    await exe(join(p, 'packer-builder-extra'));
    const builtins = {
      builders: { file: () => ({ prepare: async () => ({}), run: async () => undefined }), null: () => ({ prepare: async () => ({}), run: async () => undefined }) },
      provisioners: {}, postProcessors: {},
    };
    const f = createComponentFinder({ builtins, env: { HOME: root, PACKER_PLUGIN_PATH: p }, cwd: root });
    assert.deepEqual(f.builders.list(), ['extra', 'file', 'null']);
    assert.equal(f.plugins.builder.get('file')!.path, join(p, 'packer-builder-file'));
    const lines: string[] = [];
    const g = createComponentFinder({ builtins, env: { HOME: root, PACKER_TS_BUILTINS: 'plugin' }, cwd: root, self: { command: '/bin/false', args: [] }, log: (l) => lines.push(l) });
    await assert.rejects(g.builders.start('null'), /Error starting builder plugin \/bin\/false: plugin exited before we could connect/);
    assert.ok(lines.some((l) => l === 'Starting plugin: /bin/false []string{"/bin/false", "plugin", "packer-builder-null"}'), lines.join('\n'));
    await g.close();
    await f.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('manager: API version mismatch, bad handshake, start timeout; the process is killed each time', async () => {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-mgr-'));
  try {
    const m = new PluginManager({ startTimeoutMs: 300, env: {} });
    const v4 = await exe(join(root, 'packer-builder-v4'), '#!/bin/sh\necho "4|unix|/x"\nexec sleep 30\n');
    await assert.rejects(m.start({ kind: 'builder', name: 'v4', path: v4, args: [], source: root }),
      (e: Error) => e.message.includes(`Error starting builder plugin ${v4}: Incompatible API version with plugin. Plugin version: 4, Ours: 5`) && /To fix this/.test(e.message));
    const junk = await exe(join(root, 'packer-builder-junk'), '#!/bin/sh\necho hello\nexec sleep 30\n');
    await assert.rejects(m.start({ kind: 'builder', name: 'junk', path: junk, args: [], source: root }), /Unrecognized remote plugin message: hello/);
    const slow = await exe(join(root, 'packer-builder-slow'), '#!/bin/sh\necho warming up >&2\nexec sleep 30\n');
    await assert.rejects(m.start({ kind: 'builder', name: 'slow', path: slow, args: [], source: root }), (e: Error) => /timeout while waiting for plugin to start/.test(e.message) && /warming up/.test(e.message));
    assert.equal(m.running, 0);
    await m.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

/** Running and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch { return false; }
}

test('watchdog: process groups recorded by a process are killed when it is SIGKILLed', async () => {
  // A node process that starts a detached `sleep 300` group, records it, and waits to be killed.
  const script = `
    import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
    import { trackChildGroup, watchdogPid } from ${JSON.stringify(resolve(import.meta.dirname, '../../sdk/src/children.ts'))};
    const c = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    trackChildGroup(c.pid);
    console.log(JSON.stringify({ sleep: c.pid, watchdog: watchdogPid() }));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: resolve(import.meta.dirname, '../../..') });
  const line = await new Promise<string>((res) => child.stdout.once('data', (d: Buffer) => res(d.toString())));
  const { sleep, watchdog } = JSON.parse(line) as { sleep: number; watchdog: number };
  assert.ok(alive(sleep) && alive(watchdog));
  child.kill('SIGKILL');
  const end = Date.now() + 3000;
  while ((alive(sleep) || alive(watchdog)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const left = [sleep, watchdog].filter(alive);
  for (const p of left) process.kill(p, 'SIGKILL');
  assert.deepEqual(left, [], `sleep ${sleep} and watchdog ${watchdog} are gone`);
});

test('loose packer-plugin-NAME binaries: described once, components NAME-COMPONENT and NAME (default)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'packer-ts-disc-multi-'));
  try {
    const p = join(root, 'p');
    const count = join(root, 'described');
    const desc = JSON.stringify({
      version: '1.2.3', sdk_version: '0.6.4', api_version: 'x5.0', builders: ['ebs', '-packer-default-plugin-name-'],
      post_processors: ['import'], provisioners: ['-packer-default-plugin-name-'], datasources: ['ami'], protocol_version: 'v2',
    });
    await exe(join(p, 'packer-plugin-amazon'), `#!/bin/sh\n[ "$1" = describe ] || exit 3\necho x >> ${count}\necho '${desc}'\n`);
    await exe(join(p, 'packer-plugin-bad'), '#!/bin/sh\necho not json\n');
    await exe(join(p, 'packer-plugin-old'), `#!/bin/sh\necho '${desc.replace('x5.0', 'x6.0')}'\n`);
    await exe(join(p, 'packer-builder-ebs'));
    const logs: string[] = [];
    const env = { HOME: join(root, 'home'), PACKER_PLUGIN_PATH: p };
    const found = findPlugins({ env, cwd: root, log: (l) => logs.push(l) });
    assert.deepEqual([...found.builder.keys()].sort(), ['amazon', 'amazon-ebs', 'ebs']);
    assert.deepEqual(found.builder.get('amazon-ebs')!.args, ['start', 'builder', 'ebs']);
    assert.deepEqual(found.builder.get('amazon')!.args, ['start', 'builder', '-packer-default-plugin-name-']);
    assert.deepEqual([...found.provisioner.keys()], ['amazon']);
    assert.deepEqual(found['post-processor'].get('amazon-import')!.args, ['start', 'post-processor', 'import']);
    assert.ok(logs.some((l) => l.startsWith('[WARN] could not describe plugin') && l.includes('packer-plugin-bad')), logs.join('\n'));
    assert.ok(logs.some((l) => l.includes('packer-plugin-old') && l.includes('"x6.0"')), logs.join('\n'));
    findPlugins({ env, cwd: root });
    assert.equal(readFileSync(count, 'utf8'), 'x\n', 'described once per binary');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('installed layout: the highest valid version of each plugin provides its components; loose binaries win over it', async () => {
  const { createHash } = await import('node:crypto');
  const home = await mkdtemp(join(tmpdir(), 'packer-ts-layout-'));
  try {
    const suffix = `_linux_${process.arch === 'x64' ? 'amd64' : process.arch}`;
    const dir = join(home, '.config', 'packer', 'plugins', 'example.com', 'org', 'fake');
    const install = async (version: string, described = version, sum = true): Promise<string> => {
      const d = { version: described, api_version: 'x5.0', builders: ['b', '-packer-default-plugin-name-'], provisioners: ['p'], post_processors: [], datasources: [] };
      const body = `#!/bin/sh\necho '${JSON.stringify(d)}'\n`;
      const path = await exe(join(dir, `packer-plugin-fake_v${version}_x5.0${suffix}`), body);
      if (sum) await writeFile(`${path}_SHA256SUM`, createHash('sha256').update(body).digest('hex'));
      return path;
    };
    await install('1.2.0');
    const best = await install('1.10.0');
    await install('2.0.0', '2.0.0', false); // no checksum file
    await install('3.0.0', '1.0.0'); // describe disagrees with the name
    const env = { HOME: home };
    const found = findPlugins({ env, home, cwd: home });
    assert.deepEqual(found.builder.get('fake-b'), { kind: 'builder', name: 'fake-b', path: best, args: ['start', 'builder', 'b'], source: join(home, '.config', 'packer', 'plugins'), multi: { component: 'b', protocolVersion: undefined } });
    assert.equal(found.builder.get('fake')?.path, best);
    assert.deepEqual(found.provisioner.get('fake-p')?.args, ['start', 'provisioner', 'p']);
    // a loose packer-builder-fake-b in the current directory wins (the 1.6-era directories come later)
    const loose = await exe(join(home, 'packer-builder-fake-b'));
    assert.equal(findPlugins({ env, home, cwd: home }).builder.get('fake-b')?.path, loose);
    // a PACKER_PLUGIN_PATH list: the layout is not read, the loose directories still are
    const many = findPlugins({ env: { HOME: home, PACKER_PLUGIN_PATH: `${home}/a:${home}/b` }, home, cwd: home });
    assert.equal(many.builder.get('fake'), undefined);
    assert.equal(many.builder.get('fake-b')?.path, loose);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
