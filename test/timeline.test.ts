/**
 * `build -timeline=FILE.html`: the data the page carries (in-process, with
 * built-ins as plugin processes, with Packer's Go builder plugin), secrets
 * kept out of it, and the page itself rendered by a real headless Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { writeWrapper } from './helpers/plugins.ts';
import { requireTools } from './helpers/requires.ts';

const CHROMIUM = '/usr/bin/chromium';

interface Span { kind: string; name: string; start: number; end: number; status: string; depth: number }
interface Build { name: string; type: string; start: number; end: number; status: string; spans: Span[] }

const TEMPLATE = {
  variables: { secret: 'hunter2-timeline' },
  'sensitive-variables': ['secret'],
  builders: [
    { type: 'null', name: 'slow', communicator: 'none' },
    { type: 'null', name: 'broken', communicator: 'none' },
  ],
  provisioners: [
    { type: 'shell-local', inline: ['sleep 1'], only: ['slow'] },
    { type: 'shell-local', inline: ['echo {{user `secret`}}'], pause_before: '200ms', only: ['slow'] },
    { type: 'shell-local', inline: ['exit 3'], only: ['broken'], max_retries: 1 },
  ],
  'post-processors': [{ type: 'checksum', only: ['slow'] }],
};

async function buildWithTimeline(env: NodeJS.ProcessEnv = {}): Promise<{ dir: string; code: number | null; out: string; html: string; builds: Build[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-timeline-'));
  await writeFile(join(dir, 'template.json'), JSON.stringify(TEMPLATE));
  const r = await run(PACKER_TS, ['build', '-timeline=tl.html', 'template.json'], { cwd: dir, env: { HOME: dir, ...env } });
  const html = await readFile(join(dir, 'tl.html'), 'utf8');
  const m = /<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html);
  assert.ok(m, 'the page carries its data');
  return { dir, code: r.code, out: r.stdout + r.stderr, html, builds: (JSON.parse(m[1]!) as { builds: Build[] }).builds };
}

function byName(builds: Build[], name: string): Build {
  const b = builds.find((x) => x.name === name);
  assert.ok(b, `build ${name} in ${JSON.stringify(builds.map((x) => x.name))}`);
  return b;
}

/** What every run of TEMPLATE shows, wherever the components live. */
function checkCommon(builds: Build[]): void {
  assert.deepEqual(builds.map((b) => b.name).sort(), ['broken', 'slow']);
  const slow = byName(builds, 'slow');
  const broken = byName(builds, 'broken');
  assert.equal(slow.status, 'ok');
  assert.equal(slow.type, 'null');
  assert.equal(broken.status, 'failed');
  for (const b of builds) {
    assert.ok(b.start >= 0 && b.end >= b.start, `build times ${b.start}..${b.end}`);
    for (const s of b.spans) {
      assert.ok(['step', 'provisioner', 'post-processor'].includes(s.kind), s.kind);
      assert.ok(s.start >= b.start - 0.001 && s.end <= b.end + 0.001 && s.end >= s.start, `${b.name}/${s.name} ${s.start}..${s.end} within ${b.start}..${b.end}`);
    }
  }
  const builder = slow.spans.find((s) => s.kind === 'step' && s.name === 'null builder');
  assert.ok(builder, 'the builder call is a span');
  const provs = slow.spans.filter((s) => s.kind === 'provisioner' && s.depth === 0);
  assert.deepEqual(provs.map((p) => [p.name, p.status]), [['shell-local', 'ok'], ['shell-local', 'ok']]);
  // `sleep 1` cannot take less than a second; the second one starts after it.
  assert.ok(provs[0]!.end - provs[0]!.start >= 0.95, `sleep 1 took ${provs[0]!.end - provs[0]!.start}s`);
  assert.ok(provs[1]!.start >= provs[0]!.end);
  const pause = slow.spans.find((s) => s.name === 'pause before shell-local');
  assert.ok(pause && pause.depth === 1 && pause.end - pause.start >= 0.19, `pause span ${JSON.stringify(pause)}`);
  assert.ok(pause.start >= provs[1]!.start && pause.end <= provs[1]!.end, 'the pause lies inside its provisioner');
  const pp = slow.spans.filter((s) => s.kind === 'post-processor');
  assert.deepEqual(pp.map((p) => [p.name, p.status]), [['checksum', 'ok']]);
  assert.ok(pp[0]!.start >= builder.end - 0.001, 'post-processors run after the builder');
  const attempts = broken.spans.filter((s) => s.kind === 'provisioner' && s.depth === 1);
  assert.deepEqual(attempts.map((a) => [a.name, a.status]), [['shell-local attempt 1', 'failed'], ['shell-local attempt 2', 'failed']]);
  assert.deepEqual(broken.spans.filter((s) => s.kind === 'provisioner' && s.depth === 0).map((s) => s.status), ['failed']);
  assert.equal(broken.spans.filter((s) => s.kind === 'post-processor').length, 0);
}

test('timeline: in-process builds, their steps, provisioners with pauses and retries, post-processors', async () => {
  const r = await buildWithTimeline();
  try {
    assert.equal(r.code, 1, r.out);
    checkCommon(r.builds);
    const slow = byName(r.builds, 'slow');
    // In-process builders show their steps inside the builder's span.
    const steps = slow.spans.filter((s) => s.kind === 'step' && s.depth === 1).map((s) => s.name);
    assert.ok(steps.includes('StepProvision') && steps.includes('StepConnect'), JSON.stringify(steps));
    const broken = byName(r.builds, 'broken');
    assert.equal(broken.spans.find((s) => s.name === 'StepProvision')?.status, 'failed');
    // The secret is masked in the page like in every other output.
    assert.ok(!r.html.includes('hunter2-timeline'), 'secret in the page');
    assert.ok(!r.out.includes('hunter2-timeline'), 'secret in the output');
    // The page and nothing half-written beside it.
    assert.deepEqual((await readdir(r.dir)).sort(), ['template.json', 'tl.html']);
  } finally {
    await rm(r.dir, { recursive: true, force: true });
  }
});

test('timeline: built-ins as plugin processes and Packer\'s Go null builder appear as their calls', async () => {
  requireTools(REAL_PACKER);
  const asPlugins = await buildWithTimeline({ PACKER_TS_BUILTINS: 'plugin' });
  const plugins = await mkdtemp(join(tmpdir(), 'packer-ts-timeline-go-'));
  await writeWrapper(plugins, 'packer-builder-null', [REAL_PACKER, 'plugin', 'packer-builder-null']);
  const goBuilder = await buildWithTimeline({ PACKER_PLUGIN_PATH: plugins });
  try {
    for (const r of [asPlugins, goBuilder]) {
      assert.equal(r.code, 1, r.out);
      checkCommon(r.builds);
      // Across the plugin boundary the builder's steps are its own: only the call shows.
      const slow = byName(r.builds, 'slow');
      assert.deepEqual(slow.spans.filter((s) => s.kind === 'step').map((s) => s.name), ['null builder']);
    }
  } finally {
    for (const d of [asPlugins.dir, goBuilder.dir, plugins]) await rm(d, { recursive: true, force: true });
  }
});

test('timeline: an unwritable path is an error (exit 1), no temp file left', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'packer-ts-timeline-bad-'));
  try {
    await writeFile(join(dir, 'template.json'), JSON.stringify({ builders: [{ type: 'null', communicator: 'none' }] }));
    const r = await run(PACKER_TS, ['build', '-timeline=missing/tl.html', 'template.json'], { cwd: dir, env: { HOME: dir } });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Error writing the timeline missing\/tl\.html: open missing\/tl\.html: no such file or directory/);
    assert.deepEqual(await readdir(dir), ['template.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function chromium(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${join(cwd, 'profile')}`, '--hide-scrollbars', ...args,
    ], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    c.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('error', reject);
    c.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Longest horizontal run of pixels of colour `hex` (within a small tolerance) in any row. */
function longestRun(png: PNG, hex: string): number {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let best = 0;
  for (let y = 0; y < png.height; y++) {
    let runLen = 0;
    for (let x = 0; x < png.width; x++) {
      const o = (y * png.width + x) * 4;
      const near = want.every((c, k) => Math.abs(png.data[o + k]! - c) <= 6);
      runLen = near ? runLen + 1 : 0;
      if (runLen > best) best = runLen;
    }
  }
  return best;
}

test('timeline page in headless Chromium: renders the bars of a known build', async () => {
  requireTools(CHROMIUM);
  const r = await buildWithTimeline();
  try {
    const url = `file://${join(r.dir, 'tl.html')}`;
    const dom = await chromium(['--dump-dom', url], r.dir);
    assert.equal(dom.code, 0, dom.stderr);
    const bars = dom.stdout.match(/<g class="bar"/g) ?? [];
    const spans = r.builds.reduce((n, b) => n + 1 + b.spans.length, 0);
    assert.equal(bars.length, spans, 'one bar per build and span');
    assert.match(dom.stdout, /<td>slow<\/td><td>provisioner<\/td><td>shell-local<\/td>/);

    const shot = await chromium(['--window-size=1400,900', `--screenshot=${join(r.dir, 'shot.png')}`, url], r.dir);
    assert.equal(shot.code, 0, shot.stderr);
    const png = PNG.sync.read(await readFile(join(r.dir, 'shot.png')));
    // The chart is 900 px wide for the whole run; `sleep 1` is most of build "slow".
    const total = Math.max(...r.builds.map((b) => b.end));
    const sleep = byName(r.builds, 'slow').spans.find((s) => s.kind === 'provisioner')!;
    const expected = ((sleep.end - sleep.start) / total) * 900;
    const green = longestRun(png, '#59a14f');
    assert.ok(Math.abs(green - expected) <= 12, `provisioner bar ${green}px, expected about ${expected.toFixed(0)}px`);
    assert.ok(longestRun(png, '#4e79a7') >= expected, 'the builder step bar spans the provisioner');
    assert.ok(longestRun(png, '#e15759') >= 1, 'the failed build is marked');
    assert.ok(longestRun(png, '#8c8c8c') >= expected, 'the build bars');
  } finally {
    await rm(r.dir, { recursive: true, force: true });
  }
});
