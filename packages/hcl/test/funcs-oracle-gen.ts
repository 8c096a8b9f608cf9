// Runs every case of funcs-cases.ts through the real Packer console once and
// records the answers in fixtures/funcs-oracle.json (1.6.6 at /usr/bin/packer,
// 1.16 from the modern-plugins fixtures). Usage:
//   node --import tsx packages/hcl/test/funcs-oracle-gen.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CASES, type Case } from './funcs-cases.ts';
import { oracleBinary } from './funcs-oracle-lib.ts';

export interface Recorded {
  expr: string;
  oracle: '1.6.6' | '1.16';
  exit: number;
  stdout: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'fixtures', 'funcs-oracle.json');

async function run(bin: string, dir: string, home: string, expr: string): Promise<{ exit: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, ['console', join(dir, 'a.pkr.hcl')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, PACKER_CHECKPOINT_DISABLE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stdout += d));
    const t = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ exit: code ?? -1, stdout });
    });
    p.stdin.end(expr + '\n');
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'funcs-oracle-'));
  const home = mkdtempSync(join(tmpdir(), 'funcs-oracle-home-'));
  writeFileSync(join(dir, 'a.pkr.hcl'), 'variable "unused" {\n  default = 1\n}\n');
  const results: Recorded[] = [];
  const queue = [...CASES];
  const worker = async () => {
    for (;;) {
      const c: Case | undefined = queue.shift();
      if (!c) return;
      const which = c.oracle ?? '1.6.6';
      const bin = oracleBinary(which);
      if (!bin) throw new Error(`oracle for Packer ${which} not found`);
      const r = await run(bin, dir, home, c.expr);
      results.push({ expr: c.expr, oracle: which, ...r });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
  const order = new Map(CASES.map((c, i) => [c.expr + '\0' + (c.oracle ?? '1.6.6'), i]));
  results.sort((a, b) => order.get(a.expr + '\0' + a.oracle)! - order.get(b.expr + '\0' + b.oracle)!);
  writeFileSync(out, JSON.stringify(results, null, 1) + '\n');
  console.log(`recorded ${results.length} cases in ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
void existsSync;
