// Interrupt torture: builds interrupted at random moments (see bench/README.md, "Interrupts").
// Usage: npm run build && node --import tsx bench/interrupts/run.mjs [--runs N] [--seed S]
//          [--only shell-local,builtin-plugin,go-plugin,ssh] [--qemu] [--qemu-runs N] [--write]
// --runs N       interrupted runs over the non-QEMU scenarios, round robin (default 100)
// --qemu         also run the QEMU scenario (test/vm/qemu-tiny.json on the cached tiny image,
//                made as test/qemu-build.test.ts makes it when missing); `--only qemu --qemu`
//                runs it alone
// --qemu-runs N  interrupted QEMU runs (default 5)
// --seed S       seed of the random moments, signals and targets (default: time); printed
// --write        replaces the results table in bench/README.md
// Each run: start a build, wait a random time within the scenario's measured duration, send
// SIGINT, SIGTERM or SIGKILL to the core, to the core's process group (a terminal's Ctrl-C) or
// to one plugin process; then check: the core ends in bounded time, no process of the run is
// left (by environment marker and by process group; the SSH side is counted), no artifact is
// reported by a build that did not end with status 0, no manifest is half written, and the
// next build with -force succeeds and leaves nothing behind either.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';

import { artifactRecords, PACKER_TS, REAL_PACKER, ROOT } from '../../test/helpers/run.ts';
import { describePids, killMarked, markedPids, MARK_VAR, newMark, writeWrapper } from '../../test/helpers/plugins.ts';
import { SSHFixture, sshSkipReason } from '../../packages/plugins/test/ssh-helpers.ts';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const RUNS = Number(opt('--runs', '100'));
const QEMU = argv.includes('--qemu');
const QEMU_RUNS = Number(opt('--qemu-runs', '5'));
const SEED = Number(opt('--seed', String(Date.now() % 1e9)));
const ONLY = (opt('--only', '') ?? '').split(',').filter(Boolean);
const WRITE = argv.includes('--write');
// The core must end this soon after the signal, unless the signal was ignored (plugins, Packer's
// and ours, ignore SIGINT and SIGTERM) and the build went on to finish with status 0:
const EXIT_WITHIN_MS = 10_000;
// Every process of the run must be gone this soon after the core (the watchdog that covers a
// SIGKILLed core sends SIGTERM, waits up to 2 s, then SIGKILL):
const LEFT_WITHIN_MS = 3_500;
// In an interrupted run one step sleeps this long, so that a process left behind is still there
// when looked for (and the build cannot end before the signal); NAP otherwise.
const LONG_NAP = '20';
const NAP = { prov_nap: '0.3', pp_nap: '0.2' };

for (const [what, path] of [['packer-ts bundle (npm run build)', join(ROOT, 'dist/packer-ts.mjs')], ['Packer 1.6.6 (apt-get install packer)', REAL_PACKER]]) {
  if (!existsSync(path)) { console.error(`needs ${what}: ${path} missing`); process.exit(1); }
}

// mulberry32: small seeded PRNG, so that a run can be repeated with --seed
let seedState = SEED >>> 0;
function random() {
  seedState = (seedState + 0x6d2b79f5) >>> 0;
  let t = seedState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- processes ---------------------------------------------------------------------------

async function procInfo(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0], ppid: Number(f[1]), pgid: Number(f[2]) };
  } catch { return undefined; }
}

async function allProcs() {
  const out = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const p = await procInfo(Number(e));
    if (p && p.state !== 'Z') out.push(p);
  }
  return out;
}

async function cmdline(pid) {
  try { return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim(); } catch { return ''; }
}

/** Live processes of the run: marked ones and members of the process groups seen. */
async function leftovers(mark, groups) {
  const marked = new Set(await markedPids(mark));
  return (await allProcs()).filter((p) => p.pid !== process.pid && (marked.has(p.pid) || groups.has(p.pgid))).map((p) => p.pid);
}

async function waitLeftovers(mark, groups, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const left = await leftovers(mark, groups);
    if (left.length === 0 || Date.now() > end) return left;
    await sleep(100);
  }
}

/** Plugin processes of the run (ours and Packer's): argv has `plugin packer-<kind>-<name>`. */
async function pluginPids(mark) {
  const out = [];
  for (const pid of await markedPids(mark)) if (/\bplugin packer-(builder|provisioner|post-processor)-/.test(await cmdline(pid))) out.push(pid);
  return out;
}

/** Starts the core in its own process group (as a shell job would be) with the run's marker. */
function startCore(args, { cwd, env, mark }) {
  const child = spawn(PACKER_TS, args, {
    cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', ...env, [MARK_VAR]: mark },
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { out += d; });
  const t0 = Date.now();
  const done = new Promise((r) => child.on('close', (code, signal) => r({ code, signal, ms: Date.now() - t0 })));
  return { pid: child.pid, child, done, output: () => out };
}

/** Waits for the core; SIGKILLs its group after `ms` (then `timedOut`). */
async function finishWithin(core, ms) {
  let timedOut = false;
  const t = setTimeout(() => { timedOut = true; try { process.kill(-core.pid, 'SIGKILL'); } catch { /* gone */ } }, ms);
  const r = await core.done;
  clearTimeout(t);
  return { ...r, timedOut };
}

// ---- scenarios ---------------------------------------------------------------------------

const STEPS = ['sleep 0.2', 'echo provisioned', 'sleep {{user `prov_nap`}}'];

function nullTemplate(builder, provisioner) {
  return {
    variables: NAP,
    builders: [{ type: 'null', name: 'b', ...builder }],
    provisioners: [provisioner],
    'post-processors': [[
      { type: 'shell-local', inline: ['sleep {{user `pp_nap`}}', 'echo pp'] },
      { type: 'manifest', output: 'manifest.json' },
    ]],
  };
}

function scenarios(ssh) {
  const local = nullTemplate({ communicator: 'none' }, { type: 'shell-local', inline: STEPS });
  const list = [
    { name: 'shell-local', template: local, env: { PACKER_TS_BUILTINS: '', PACKER_PLUGIN_PATH: '' }, targets: ['core', 'core-group'] },
    { name: 'builtin-plugin', template: local, env: { PACKER_TS_BUILTINS: 'plugin', PACKER_PLUGIN_PATH: '' }, targets: ['core', 'core-group', 'plugin'] },
    {
      name: 'go-plugin', template: local, targets: ['core', 'core-group', 'plugin'],
      env: { PACKER_TS_BUILTINS: '' },
      async setup(dir) {
        const plugins = join(dir, 'plugins');
        for (const n of ['packer-provisioner-shell-local', 'packer-post-processor-shell-local', 'packer-post-processor-manifest']) {
          await writeWrapper(plugins, n, [REAL_PACKER, 'plugin', n]);
        }
        return { PACKER_PLUGIN_PATH: plugins };
      },
    },
  ];
  if (ssh) {
    list.push({
      name: 'ssh', targets: ['core', 'core-group'], env: { PACKER_TS_BUILTINS: '', PACKER_PLUGIN_PATH: '' },
      template: nullTemplate({
        communicator: 'ssh', ssh_host: '127.0.0.1', ssh_port: ssh.port, ssh_username: ssh.user, ssh_password: ssh.password,
      }, { type: 'shell', inline: STEPS }),
      remote: ssh.remote,
    });
  }
  return list;
}

async function qemuScenario() {
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'packer-ts-fixtures', 'qemu-test-image');
  const image = join(cache, 'tiny.qcow2');
  if (!existsSync(image) || !existsSync(join(cache, 'id_ed25519'))) {
    console.error(`making the QEMU fixture image in ${cache} (test/vm/make-vm-image.sh)`);
    await mkdir(cache, { recursive: true });
    const r = spawnSync(join(ROOT, 'test/vm/make-vm-image.sh'), [cache, '--variant', 'tiny'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('make-vm-image.sh failed');
  }
  const template = JSON.parse(await readFile(join(ROOT, 'test/vm/qemu-tiny.json'), 'utf8'));
  return {
    name: 'qemu', template, naps: false, targets: ['core', 'core-group', 'plugin'], env: { PACKER_TS_BUILTINS: '', PACKER_PLUGIN_PATH: '' },
    args: ['-var', `image=${image}`, '-var', `ssh_key=${join(cache, 'id_ed25519')}`, '-var', 'output_dir=out'],
    // the QEMU process is the "plugin" here: a child the core must not leave behind
    pluginMatch: /qemu-system/,
  };
}

// ---- one run -----------------------------------------------------------------------------

async function prepare(sc) {
  const dir = await mkdtemp(join(tmpdir(), `packer-ts-int-${sc.name}-`));
  await writeFile(join(dir, 'template.json'), JSON.stringify(sc.template, null, 2));
  const env = { HOME: dir, ...sc.env, ...(sc.setup ? await sc.setup(dir) : {}) };
  return { dir, env };
}

const buildArgs = (sc, force, vars = {}) => [
  'build', '-machine-readable', ...(force ? ['-force'] : []), ...(sc.args ?? []),
  ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), 'template.json',
];

/** One uninterrupted build: its duration sets the range of the random moments. */
async function calibrate(sc) {
  const { dir, env } = await prepare(sc);
  const mark = newMark();
  try {
    const core = startCore(buildArgs(sc, false), { cwd: dir, env, mark });
    const r = await finishWithin(core, 600_000);
    if (r.code !== 0) throw new Error(`${sc.name}: the uninterrupted build failed (${r.code ?? r.signal}):\n${core.output()}`);
    if (artifactRecords(core.output()).length === 0) throw new Error(`${sc.name}: no artifact reported:\n${core.output()}`);
    return r.ms;
  } finally {
    await killMarked(mark);
    await rm(dir, { recursive: true, force: true });
  }
}

async function targetPids(sc, mark, target, corePid) {
  if (target === 'core' || target === 'core-group') return [];
  if (sc.pluginMatch) {
    const out = [];
    for (const pid of await markedPids(mark)) if (sc.pluginMatch.test(await cmdline(pid))) out.push(pid);
    return out;
  }
  return (await pluginPids(mark)).filter((p) => p !== corePid);
}

async function oneRun(sc, durationMs) {
  const { dir, env } = await prepare(sc);
  const mark = newMark();
  const signal = pick(['SIGINT', 'SIGTERM', 'SIGKILL']);
  let target = pick(sc.targets);
  const delay = Math.round(random() * durationMs * 1.1);
  const nap = sc.naps === false ? {} : { [pick(Object.keys(NAP))]: LONG_NAP };
  const res = { scenario: sc.name, signal, target, delay, nap: Object.keys(nap)[0], problems: [] };
  const groups = new Set();
  try {
    const core = startCore(buildArgs(sc, false, nap), { cwd: dir, env, mark });
    groups.add(core.pid);
    // sample the run's process groups while waiting, so that groups of short-lived children count
    const end = Date.now() + delay;
    while (Date.now() < end) {
      for (const pid of await markedPids(mark)) { const p = await procInfo(pid); if (p) groups.add(p.pgid); }
      await sleep(Math.min(20, Math.max(0, end - Date.now())));
    }
    res.quiet = core.output() === ''; // nothing printed yet: the core may still be starting
    if (core.child.exitCode !== null || core.child.signalCode !== null) res.before = true; // ended before the signal
    else if (target === 'core') process.kill(core.pid, signal);
    else if (target === 'core-group') process.kill(-core.pid, signal);
    else {
      const live = await targetPids(sc, mark, target, core.pid);
      if (live.length === 0) { target = 'core'; res.target = 'plugin (none alive): core'; process.kill(core.pid, signal); }
      else { const v = pick(live); res.victim = (await cmdline(v)).replace(/^.*\bplugin (packer-\S+).*$/, '$1'); process.kill(v, signal); }
    }
    const sentAt = Date.now();
    const r = await finishWithin(core, EXIT_WITHIN_MS + 60_000);
    res.code = r.code;
    res.coreSignal = r.signal;
    res.exitMs = Date.now() - sentAt;
    // A plugin killed while idle is noticed when the build next needs it, which may be after the
    // long step: then the bound is that step plus EXIT_WITHIN_MS.
    const bound = EXIT_WITHIN_MS + (target === 'plugin' ? Number(LONG_NAP) * 1000 : 0);
    if (r.timedOut || (res.exitMs > bound && r.code !== 0)) res.problems.push(`core did not end within ${bound} ms of the signal`);
    // Killed by SIGINT/SIGTERM itself: only before its handlers exist, i.e. before it printed anything.
    if ((r.signal === 'SIGINT' || r.signal === 'SIGTERM') && target !== 'plugin') {
      if (res.quiet) res.startup = true;
      else res.problems.push(`core ended by ${r.signal} (no handler) after it had started the build`);
    }
    const left = await waitLeftovers(mark, groups, LEFT_WITHIN_MS);
    if (left.length) res.problems.push(`left running:\n${await describeAll(left)}`);
    if (sc.remote) {
      // the SSH side: what still runs as the login user, but sshd's own session processes
      res.remoteLeft = sc.remote.left();
      sc.remote.clean();
    }
    // An artifact may only be reported by a build that finished: not after a cancellation or an
    // error, and not by a core that then fails without having said the builds finished.
    const arts = artifactRecords(core.output()).filter((a) => /,artifact,/.test(a));
    const out = core.output();
    const interrupted = /errored|Cancelling build|cancelled/i.test(out);
    const finished = /Builds finished\. The artifacts of successful builds are/.test(out);
    if (arts.length && (interrupted || (r.code !== 0 && !finished))) res.problems.push(`artifact reported by an interrupted build (exit ${r.code ?? r.signal}):\n${arts.join('\n')}`);
    // nor a half-written file: the manifest, when there, is whole
    const manifest = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
    if (manifest !== undefined) { try { JSON.parse(manifest); } catch { res.problems.push(`half-written manifest.json:\n${manifest.slice(0, 500)}`); } }
    if (r.code === 0) res.completed = true;
    res.output = core.output();
    // the next build with -force
    await killMarked(mark);
    const mark2 = newMark();
    const again = startCore(buildArgs(sc, true), { cwd: dir, env, mark: mark2 });
    const r2 = await finishWithin(again, Math.max(60_000, durationMs * 5));
    if (r2.timedOut) res.problems.push('next build with -force did not end in time');
    else if (r2.code !== 0) res.problems.push(`next build with -force: ${r2.code ?? r2.signal}\n${again.output().slice(-2000)}`);
    else if (!artifactRecords(again.output()).some((a) => /,artifact,/.test(a))) res.problems.push('next build with -force reported no artifact');
    const left2 = await waitLeftovers(mark2, new Set([again.pid]), LEFT_WITHIN_MS);
    if (left2.length) res.problems.push(`left running after the -force build:\n${await describeAll(left2)}`);
    await killMarked(mark2);
  } finally {
    await killMarked(mark);
    for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch { /* gone */ } }
    await rm(dir, { recursive: true, force: true });
  }
  return res;
}

async function describeAll(pids) { return (await describePids(pids)) || pids.join(' '); }

// ---- main --------------------------------------------------------------------------------

let fixture;
let sshd;
let sshNote;
if (!ONLY.length || ONLY.includes('ssh')) {
  if (sshSkipReason) { sshNote = `ssh scenario not run: ${sshSkipReason}`; console.error(sshNote); }
  else {
    fixture = new SSHFixture();
    await fixture.setup();
    sshd = await fixture.sshd();
  }
}

const results = [];
try {
  let list = scenarios(sshd && {
    port: sshd.port, user: fixture.user.name, password: fixture.user.password,
    remote: {
      left: () => spawnSync('pgrep', ['-a', '-u', fixture.user.name], { encoding: 'utf8' }).stdout
        .split('\n').map((l) => l.replace(/^\d+ /, '').trim()).filter((c) => c && !/^sshd:/.test(c) && !c.endsWith('<defunct>')),
      clean: () => { spawnSync('pkill', ['-KILL', '-u', fixture.user.name, '-x', 'sleep']); spawnSync('pkill', ['-KILL', '-u', fixture.user.name, '-x', 'sh']); },
    },
  });
  if (ONLY.length) list = list.filter((s) => ONLY.includes(s.name));
  const plan = [];
  for (let i = 0; list.length > 0 && i < RUNS; i++) plan.push(list[i % list.length]);
  if (QEMU) { const q = await qemuScenario(); for (let i = 0; i < QEMU_RUNS; i++) plan.push(q); }
  console.error(`seed ${SEED}; ${plan.length} runs`);
  const durations = new Map();
  for (const sc of new Set(plan)) {
    durations.set(sc.name, await calibrate(sc));
    console.error(`${sc.name}: uninterrupted build ${durations.get(sc.name)} ms`);
  }
  for (const [i, sc] of plan.entries()) {
    const r = await oneRun(sc, durations.get(sc.name));
    results.push(r);
    const tag = r.problems.length ? 'FAIL' : 'ok';
    console.error(`${String(i + 1).padStart(3)} ${tag} ${sc.name} ${r.signal} -> ${r.target}${r.victim ? ` (${r.victim})` : ''} at ${r.delay} ms, long ${r.nap ?? '-'}: exit ${r.code ?? r.coreSignal} after ${r.exitMs} ms${r.before ? ' (ended before the signal)' : ''}${r.remoteLeft?.length ? `; left on the SSH side: ${r.remoteLeft.join(', ')}` : ''}`);
    for (const p of r.problems) console.error(`      ${p.replaceAll('\n', '\n      ')}`);
    if (r.problems.length && process.env.INTERRUPTS_VERBOSE) console.error(r.output);
  }
} finally {
  if (fixture) await fixture.teardown();
}

// ---- summary -----------------------------------------------------------------------------

const rows = new Map();
for (const r of results) {
  const key = `${r.scenario}|${r.target.startsWith('plugin (') ? 'plugin (none alive) -> core' : r.target}|${r.signal}`;
  if (!rows.has(key)) rows.set(key, { runs: 0, completed: 0, failed: 0, before: 0, remote: 0, startup: 0 });
  const row = rows.get(key);
  row.runs++;
  if (r.before) row.before++;
  else if (r.completed) row.completed++;
  if (r.problems.length) row.failed++;
  if (r.remoteLeft?.length) row.remote++;
  if (r.startup) row.startup++;
}
const total = results.length;
const bad = results.filter((r) => r.problems.length).length;
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, seed ${SEED}: ${total} interrupted runs, ${bad} with a problem.`,
  ...(sshNote ? ['', sshNote] : []),
  '',
  '| scenario | target | signal | runs | ended before the signal | signal during start-up | finished anyway (exit 0) | SSH-side command left | runs with a problem |',
  '|---|---|---|---|---|---|---|---|---|',
  ...[...rows.entries()].sort().map(([k, v]) => `| ${k.split('|').join(' | ')} | ${v.runs} | ${v.before} | ${v.startup} | ${v.completed} | ${k.startsWith('ssh|') ? v.remote : ''} | ${v.failed} |`),
].join('\n');
console.log(`\n${table}`);

if (WRITE) {
  const readme = join(ROOT, 'bench/README.md');
  const text = await readFile(readme, 'utf8');
  const start = '<!-- results:interrupts -->';
  const stop = '<!-- /results:interrupts -->';
  const i = text.indexOf(start);
  const j = text.indexOf(stop);
  if (i < 0 || j < 0) throw new Error(`bench/README.md lacks ${start} ... ${stop}`);
  await writeFile(readme, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
}
process.exitCode = bad ? 1 : 0;
