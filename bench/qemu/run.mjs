#!/usr/bin/env node
// QEMU builder benchmark: the fixture's template (qemu-tiny.json, TCG) through Packer 1.6.6
// and packer-ts, alternating, same image. Reports total wall time and where it goes, from the
// arrival time of each UI line: preparation (start -> "Starting VM"), boot to SSH ("Starting VM"
// -> "Connected to SSH!"), provisioning, shutdown ("Gracefully halting" -> "Converting hard
// drive"), compaction + exit.
//
//   node bench/qemu/run.mjs [--runs N] [--write]
// Env: PACKER_TS_BIN (default bin/packer-ts), QEMU_BENCH_IMAGE_DIR (default: the tests' image
// cache; built with make-vm-image.sh --variant tiny when missing; needs root).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const FIX = join(ROOT, 'test/vm');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const write = args.includes('--write');
const imgDir = process.env.QEMU_BENCH_IMAGE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'packer-ts-fixtures', 'qemu-test-image');
const image = join(imgDir, 'tiny.qcow2');
if (!existsSync(image)) {
  const r = spawnSync(join(FIX, 'make-vm-image.sh'), [imgDir, '--variant', 'tiny'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const checksum = 'sha256:' + readFileSync(`${image}.sha256`, 'utf8').split(/\s+/)[0];
const work = mkdtempSync(join(tmpdir(), 'qemu-bench-'));
const tsBin = process.env.PACKER_TS_BIN || join(ROOT, 'bin/packer-ts');

const MARKS = {
  vm: /Starting VM, booting/,
  ssh: /Connected to SSH!/,
  halt: /Gracefully halting virtual machine/,
  convert: /Converting hard drive/,
};

function once(tool, i) {
  const out = `out-${tool}-${i}`;
  const vars = ['-var', `image=${image}`, '-var', `ssh_key=${join(imgDir, 'id_ed25519')}`, '-var', `image_checksum=${checksum}`, '-var', `output_dir=${out}`];
  const argv = ['build', ...vars, join(FIX, 'qemu-tiny.json')];
  const [cmd, cargs] = tool === 'packer' ? ['/usr/bin/packer', argv] : ['sh', ['-c', `exec ${tsBin} "$@"`, 'packer-ts', ...argv]];
  return new Promise((resolveRun, reject) => {
    const t0 = process.hrtime.bigint();
    const at = {};
    const child = spawn(cmd, cargs, { cwd: work, env: { ...process.env, PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let all = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      const now = Number(process.hrtime.bigint() - t0) / 1e9;
      buf += d; all += d;
      let k;
      while ((k = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, k); buf = buf.slice(k + 1);
        for (const [name, re] of Object.entries(MARKS)) if (at[name] === undefined && re.test(line)) at[name] = now;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d) => { all += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const total = Number(process.hrtime.bigint() - t0) / 1e9;
      rmSync(join(work, out), { recursive: true, force: true });
      if (code !== 0) { reject(new Error(`${tool} failed (${code}):\n${all}`)); return; }
      resolveRun({
        total,
        prepare: at.vm,
        bootToSsh: at.ssh - at.vm,
        provision: at.halt - at.ssh,
        shutdown: at.convert - at.halt,
        compactAndExit: total - at.convert,
      });
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const res = { packer: [], ts: [] };
for (let i = 0; i < runs; i++) {
  for (const tool of i % 2 ? ['ts', 'packer'] : ['packer', 'ts']) {
    const r = await once(tool, i);
    res[tool].push(r);
    process.stderr.write(`run ${i + 1}/${runs} ${tool}: ${r.total.toFixed(2)} s (boot-to-SSH ${r.bootToSsh.toFixed(2)} s)\n`);
  }
}
rmSync(work, { recursive: true, force: true });

const rows = [
  ['total build (wall)', 'total'],
  ['preparation (start -> QEMU started)', 'prepare'],
  ['boot to SSH (QEMU started -> connected)', 'bootToSsh'],
  ['provisioning (shell, 2 commands)', 'provision'],
  ['shutdown (poweroff -> QEMU gone)', 'shutdown'],
  ['compaction (qemu-img convert) + exit', 'compactAndExit'],
];
const fmt = (x) => `${x.toFixed(2)} s`;
let md = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, ` +
  `QEMU TCG, the tiny fixture image, \`/work/shared/fixtures/qemu-tiny.json\`; medians of ${runs} alternating runs per tool.\n\n` +
  '| phase | Packer 1.6.6 | packer-ts | ratio (ours / Packer) |\n|---|---|---|---|\n';
for (const [label, k] of rows) {
  const p = median(res.packer.map((r) => r[k]));
  const t = median(res.ts.map((r) => r[k]));
  md += `| ${label} | ${fmt(p)} | ${fmt(t)} | ${k === 'total' || k === 'bootToSsh' ? '**' : ''}${(t / p).toFixed(2)}x${k === 'total' || k === 'bootToSsh' ? '**' : ''} |\n`;
}
const ratio = median(res.ts.map((r) => r.total)) / median(res.packer.map((r) => r.total));
md += `\nTarget: total <= 1.0x Packer 1.6.6 — ${ratio <= 1 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x).\n`;
process.stdout.write(md);
if (write) {
  const p = join(ROOT, 'bench/README.md');
  const text = readFileSync(p, 'utf8');
  const begin = '<!-- results:qemu -->';
  const end = '<!-- /results:qemu -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < 0) throw new Error('bench/README.md has no results:qemu markers');
  writeFileSync(p, text.slice(0, i + begin.length) + '\n' + md + text.slice(j));
}
