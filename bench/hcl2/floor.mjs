// The console floor in time: `console` of a one-local template answering `local.l7` from a
// shell pipe (printf | packer-ts console tiny.pkr.hcl), start to exit, against `node -e 0`, in
// interleaved rounds (bench/startup/measure.py: wall from fork to exit, CPU from wait4, the sh
// and printf included for every case alike). NODE_EXTRA_CA_CERTS is unset (the launcher defers
// it; node would otherwise parse the CA bundle at every start). Other checkouts' bin/packer-ts
// may be given to compare builds side by side; their code caches are warmed first.
// Usage: npm run build && node bench/hcl2/floor.mjs [--rounds N] [ROOT ...]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measureStart } from '../startup/measure.mjs';

const argv = process.argv.slice(2);
const at = argv.indexOf('--rounds');
const rounds = at >= 0 ? Number(argv.splice(at, 2)[1]) : 15;
const roots = argv.length > 0 ? argv.map((r) => resolve(r)) : [resolve(import.meta.dirname, '../..')];
const work = mkdtempSync(join(tmpdir(), 'packer-ts-floor-'));
writeFileSync(join(work, 'tiny.pkr.hcl'), 'locals {\n  l7 = "a=7-b=img"\n}\n');
const env = { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_LOG: '', HOME: work };
delete env.NODE_EXTRA_CA_CERTS;
const PIPE = 'printf "local.l7\\n" | exec "$0" console tiny.pkr.hcl';
const cases = [
  { name: '`node -e 0`', cmd: ['sh', '-c', 'printf "local.l7\\n" | exec "$0" -e 0', process.execPath] },
  ...roots.map((r) => ({ name: `console tiny.pkr.hcl (${r})`, cmd: ['sh', '-c', PIPE, join(r, 'bin/packer-ts')] })),
];
for (const c of cases) {
  const r = spawnSync(c.cmd[0], c.cmd.slice(1), { cwd: work, env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || (c.name.startsWith('console') && r.stdout !== 'a=7-b=img\n')) throw new Error(`${c.name}: ${r.status} ${r.stdout}${r.stderr}`);
}
const times = cases.map(() => ({ wall: [], cpu: [] }));
for (let i = 0; i < rounds; i++) {
  for (const [k, c] of cases.entries()) {
    const m = await measureStart({ name: c.name, cmd: c.cmd, cwd: work, env, timeoutMs: 60_000 });
    times[k].wall.push(m.wall);
    times[k].cpu.push(m.cpu);
  }
}
rmSync(work, { recursive: true, force: true });
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
console.log(`${rounds} interleaved rounds, medians (ms), Node ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| case | wall | CPU |\n|---|---|---|');
for (const [k, c] of cases.entries()) console.log(`| ${c.name} | ${median(times[k].wall).toFixed(1)} | ${median(times[k].cpu).toFixed(1)} |`);
