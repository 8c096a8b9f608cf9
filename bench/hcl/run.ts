// The HCL layer's costs: module load time of the bundled package, and
// parse + evaluate of a template with 200 sources and 200 locals with a
// function-heavy expression each; `packer validate -syntax-only` on the same
// file for scale. Run: node --import tsx bench/hcl/run.ts [--runs N]

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
const root = resolve(import.meta.dirname, '../..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function loadTime(): Promise<{ withHcl: number; bare: number; bytes: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'hcl-bench-'));
  try {
    const out = join(dir, 'hcl.mjs');
    const r = await build({ entryPoints: [join(root, 'packages/hcl/src/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, minify: true, logLevel: 'silent' });
    void r;
    const bytes = Number(execFileSync('stat', ['-c', '%s', out]).toString().trim());
    const time = (code: string): number => {
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const p = spawnSync(process.execPath, ['--input-type=module', '-e', code], { stdio: 'ignore' });
        if (p.status !== 0) throw new Error('node failed');
        xs.push(performance.now() - t0);
      }
      return median(xs);
    };
    // CPU time of the import alone, in process: robust when the machine is busy
    const cpu = (): number => {
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const code = `const u0 = process.cpuUsage(); await import(${JSON.stringify(out)}); const u = process.cpuUsage(u0); console.log((u.user + u.system) / 1000)`;
        xs.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', code]).toString()));
      }
      return median(xs);
    };
    return { withHcl: time(`await import(${JSON.stringify(out)})`), bare: time(''), bytes, cpu: cpu() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packerSyntaxOnly(src: string): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hcl-bench-'));
  try {
    writeFileSync(join(dir, 'bench.pkr.hcl'), src);
    const xs: number[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      const t0 = performance.now();
      const p = spawnSync('/usr/bin/packer', ['validate', '-syntax-only', 'bench.pkr.hcl'], { cwd: dir, stdio: 'ignore', env: { ...process.env, CHECKPOINT_DISABLE: '1', HOME: dir } });
      if (p.error) return undefined;
      xs.push(performance.now() - t0);
    }
    return median(xs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const wdir = mkdtempSync(join(tmpdir(), 'hcl-bench-'));
const workJs = join(wdir, 'work.mjs');
await build({ entryPoints: [join(import.meta.dirname, 'work.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: workJs, logLevel: 'silent' });
const w = JSON.parse(execFileSync(process.execPath, [workJs, root, String(runs)]).toString()) as { first: number; firstCpu: number; times: number[]; cpus: number[]; bytes: number };
rmSync(wdir, { recursive: true, force: true });
const { template } = await import('./work-template.ts');
const src = template(200);
const load = await loadTime();
const packer = packerSyntaxOnly(src);
console.log(`template: 200 sources, 200 locals, ${w.bytes} bytes`);
console.log(`parse + evaluate (bundled, one process): first ${w.first.toFixed(1)} ms wall / ${w.firstCpu.toFixed(1)} ms CPU (cold JIT), then median ${median(w.times).toFixed(1)} ms wall / ${median(w.cpus).toFixed(1)} ms CPU over ${runs} runs`);
console.log(`module load (bundled, ${(load.bytes / 1024).toFixed(0)} KiB): node + import ${load.withHcl.toFixed(1)} ms, bare node ${load.bare.toFixed(1)} ms, cost ${(load.withHcl - load.bare).toFixed(1)} ms wall, ${load.cpu.toFixed(1)} ms CPU for the import itself`);
if (packer !== undefined) console.log(`packer validate -syntax-only (whole process, for scale): ${packer.toFixed(1)} ms`);
