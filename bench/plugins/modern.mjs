// Modern plugins (issue 11, "Speed"), interleaved rounds in one run, medians:
//  1. spawn to handshake line of a TS multi-component plugin (packages/sdk/test/fixtures/modern/
//     oracle-mirror.ts bundled as packer-plugin-mirror, `start builder mock`), of the Go
//     packer-plugin-oracle (SDK v0.6.4) and of `node -e 0` (spawn to exit);
//  2. with 50 installed plugin versions (v1.0.0-v1.49.0 of packer-plugin-oracle, sh wrappers that
//     answer `describe` with their version, in Packer 1.7+'s layout):
//     `packer-ts plugins installed` and discovery (`packer-ts validate` of a JSON template, which
//     loads every plugin's components), the describe cache warm and cold, against
//     `packer-ts version`; packer-1.16 `plugins installed` on the same directory for reference.
// Usage: npm run build && node --import tsx bench/plugins/run.mjs --only modern [--runs 10] [--write]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { startPlugin } from '../../packages/sdk/src/plugin/index.ts';
import { EXECUTABLE_BANNER } from '@packer-ts/sdk/banner';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKER_TS = join(ROOT, 'bin/packer-ts');
const ORACLES = process.env.PACKER_TS_ORACLES ?? resolve(ROOT, '../shared/fixtures/modern-plugins/bin');
const ORACLE = join(ORACLES, 'packer-plugin-oracle');
const PACKER_116 = join(ORACLES, 'packer-1.16');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x) => `${x.toFixed(1)} ms`;

function exitTime(cmd, args, env) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
    c.on('error', rej);
    c.on('exit', (code) => (code === 0 ? res(performance.now() - t0) : rej(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

async function handshake(cmd, args) {
  const t0 = performance.now();
  const p = await startPlugin(cmd, args, { detached: true });
  const t = performance.now() - t0;
  await p.kill();
  return t;
}

export async function modern({ runs, write }) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-modern-'));
  try {
    const mirror = join(dir, 'packer-plugin-mirror');
    await build({
      entryPoints: [join(ROOT, 'packages/sdk/test/fixtures/modern/oracle-mirror.ts')], outfile: mirror, bundle: true, platform: 'node',
      format: 'cjs', target: 'node20', legalComments: 'none', logLevel: 'warning', banner: { js: EXECUTABLE_BANNER },
    });
    await (await import('node:fs/promises')).chmod(mirror, 0o755);

    // 50 installed versions, all valid: v1.0.0 ... v1.49.0, each a small sh wrapper that answers
    // `describe` with its own version and runs packer-plugin-oracle for anything else
    const home = join(dir, 'home');
    const plugins = join(home, '.config', 'packer', 'plugins', 'github.com', 'acc', 'oracle');
    await mkdir(plugins, { recursive: true });
    const desc = JSON.parse(execFileSync(ORACLE, ['describe'], { encoding: 'utf8' }));
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    for (let i = 0; i < 50; i++) {
      const v = `1.${i}.0`;
      const body = `#!/bin/sh\nif [ "$1" = describe ]; then echo '${JSON.stringify({ ...desc, version: v })}'; exit 0; fi\nexec '${ORACLE}' "$@"\n`;
      const f = join(plugins, `packer-plugin-oracle_v${v}_x5.0_linux_${arch}`);
      await writeFile(f, body, { mode: 0o755 });
      await writeFile(`${f}_SHA256SUM`, createHash('sha256').update(body).digest('hex'));
    }
    await writeFile(join(dir, 't.json'), JSON.stringify({ builders: [{ type: 'null', communicator: 'none' }] }));
    const cacheFile = join(dir, 'cache', 'packer-ts', 'plugin-descriptions.json');
    const env = { HOME: home, XDG_CACHE_HOME: join(dir, 'cache'), PACKER_PLUGIN_PATH: '', PACKER_CONFIG_DIR: '', XDG_CONFIG_HOME: '', CHECKPOINT_DISABLE: '1' };
    const cold = async (args) => { await rm(cacheFile, { force: true }); return exitTime(PACKER_TS, args, env); };

    const cases = {
      'node -e 0 (spawn to exit)': () => exitTime(process.execPath, ['-e', '0']),
      'TS multi-component plugin: spawn to handshake': () => handshake(mirror, ['start', 'builder', 'mock']),
      'packer-plugin-oracle (Go): spawn to handshake': () => handshake(ORACLE, ['start', 'builder', 'mock']),
      'packer-ts version': () => exitTime(PACKER_TS, ['version'], env),
      'packer-ts plugins installed, 50 versions': () => exitTime(PACKER_TS, ['plugins', 'installed'], env),
      'packer-ts validate (discovery), 50 versions': () => exitTime(PACKER_TS, ['validate', join(dir, 't.json')], env),
      'packer-ts plugins installed, 50 versions, cold cache': () => cold(['plugins', 'installed']),
      'packer-ts validate (discovery), 50 versions, cold cache': () => cold(['validate', join(dir, 't.json')]),
      'packer-1.16 plugins installed, 50 versions': () => exitTime(PACKER_116, ['plugins', 'installed'], env),
    };
    const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    for (const f of Object.values(cases)) await f(); // warm page cache and describe cache
    for (let r = 0; r < runs; r++) for (const [k, f] of Object.entries(cases)) times[k].push(await f());
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    const node = m['node -e 0 (spawn to exit)'];
    const version = m['packer-ts version'];
    const rel = (x, base) => `${(x / base).toFixed(2)}x`;
    const goal = (x, base, lim) => `**${rel(x, base)}** ${x / base <= lim ? 'met' : 'NOT met'} (<= ${lim}x)`;
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${runs} interleaved rounds, medians; load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ')[0]}.`,
      '',
      '| case | median | ratio |',
      '|---|---|---|',
      `| \`node -e 0\` (spawn to exit) | ${ms(node)} | 1.00x |`,
      `| TS multi-component plugin (bundled oracle-mirror.ts), spawn to handshake | ${ms(m['TS multi-component plugin: spawn to handshake'])} | ${goal(m['TS multi-component plugin: spawn to handshake'], node, 1.2)} of \`node -e 0\` |`,
      `| packer-plugin-oracle (Go), spawn to handshake | ${ms(m['packer-plugin-oracle (Go): spawn to handshake'])} | ${rel(m['packer-plugin-oracle (Go): spawn to handshake'], node)} of \`node -e 0\` |`,
      `| \`packer-ts version\` | ${ms(version)} | 1.00x |`,
      `| \`packer-ts plugins installed\`, 50 installed versions | ${ms(m['packer-ts plugins installed, 50 versions'])} | ${goal(m['packer-ts plugins installed, 50 versions'], version, 1.5)} of \`version\` |`,
      `| \`packer-ts validate\` (discovery), 50 installed versions | ${ms(m['packer-ts validate (discovery), 50 versions'])} | ${goal(m['packer-ts validate (discovery), 50 versions'], version, 1.5)} of \`version\` |`,
      `| \`plugins installed\`, cold describe cache (50 \`describe\` and SHA-256) | ${ms(m['packer-ts plugins installed, 50 versions, cold cache'])} | ${rel(m['packer-ts plugins installed, 50 versions, cold cache'], version)} of \`version\` |`,
      `| \`validate\` (discovery), cold describe cache | ${ms(m['packer-ts validate (discovery), 50 versions, cold cache'])} | ${rel(m['packer-ts validate (discovery), 50 versions, cold cache'], version)} of \`version\` |`,
      `| packer-1.16 \`plugins installed\`, same directory (no cache) | ${ms(m['packer-1.16 plugins installed, 50 versions'])} | ${rel(m['packer-1.16 plugins installed, 50 versions'], version)} of \`version\` |`,
    ];
    const text = lines.join('\n');
    console.log(text);
    if (write) {
      const readme = join(ROOT, 'bench/README.md');
      let md = await readFile(readme, 'utf8');
      const block = `<!-- results:modern-plugins -->\n${text}\n<!-- /results:modern-plugins -->`;
      if (md.includes('<!-- results:modern-plugins -->')) md = md.replace(/<!-- results:modern-plugins -->[\s\S]*<!-- \/results:modern-plugins -->/, block);
      else {
        md += `\n## Modern plugins (issue 11)\nRun with \`npm run build && node --import tsx bench/plugins/run.mjs --only modern --runs 10 --write\`\n`
          + '(`bench/plugins/modern.mjs`). The 50 installed versions are v1.0.0-v1.49.0 of packer-plugin-oracle (sh\n'
          + 'wrappers answering `describe` with their version) in Packer 1.7+\'s layout; a warm run answers `describe` and the checksum from the describe cache\n'
          + '(`packages/core/src/plugins/describe-cache.ts`, keyed by path, size and mtime), a cold run has to\n'
          + 'start every binary and hash it, as Packer does on every command.\n\n'
          + `${block}\n`;
      }
      await writeFile(readme, md);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
