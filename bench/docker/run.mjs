#!/usr/bin/env node
// Docker builder benchmark on a private dockerd (test/docker/start-dockerd.sh, the tiny busybox
// image): (1) the template below (a shell and a file provisioner, a docker-tag) through Packer
// 1.6.6 and packer-ts, alternating; (2) a 100 MiB file upload into the container: the file
// provisioner of both tools (time from its "Uploading" line to the next line) against plain
// `docker cp FILE CONTAINER:/tmp/` to a running container. Medians of --runs (default 3).
//
//   node scripts/build.mjs && node bench/docker/run.mjs [--runs N] [--write]
// --write puts the table into bench/README.md between <!-- results:docker --> markers. Root.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const write = args.includes('--write');
const tsBin = process.env.PACKER_TS_BIN || join(ROOT, 'bin/packer-ts');
const work = mkdtempSync(join(tmpdir(), 'docker-bench-'));
const dk = mkdtempSync(join(tmpdir(), 'dkb-'));

const started = spawnSync(join(ROOT, 'test/docker/start-dockerd.sh'), [dk], { encoding: 'utf8' });
if (started.status !== 0) { console.error(started.stderr); process.exit(1); }
const DOCKER_HOST = /DOCKER_HOST=(\S+)/.exec(started.stdout)[1];
const DOCKERD_PID = Number(/DOCKERD_PID=(\d+)/.exec(started.stdout)[1]);
const env = { ...process.env, DOCKER_HOST, HOME: join(work, 'home'), PACKER_NO_COLOR: '1', CHECKPOINT_DISABLE: '1' };
const docker = (...a) => spawnSync('docker', a, { env, encoding: 'utf8' });

function stop() {
  for (const id of docker('ps', '-aq').stdout.split('\n').filter(Boolean)) docker('rm', '-f', id);
  try { process.kill(DOCKERD_PID, 'SIGTERM'); } catch { /* gone */ }
  for (let i = 0; i < 300; i++) {
    try { process.kill(DOCKERD_PID, 0); } catch { break; }
    spawnSync('sleep', ['0.1']);
  }
  rmSync(dk, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', stop);
process.on('SIGINT', () => process.exit(130));

if (spawnSync(join(ROOT, 'test/docker/make-tiny-image.sh'), ['tiny:1'], { env }).status !== 0) process.exit(1);

const RUN = ['-d', '-i', '-t', '--network=none', '--pull=never', '--entrypoint=/bin/sh', '--', '{{.Image}}'];
writeFileSync(join(work, 'app.conf'), 'key = value\n'.repeat(100));
writeFileSync(join(work, 'small.json'), JSON.stringify({
  builders: [{ type: 'docker', image: 'tiny:1', pull: false, commit: true, run_command: RUN }],
  provisioners: [
    { type: 'shell', inline: ['echo provisioned > /root/marker', 'mkdir -p /opt/app'] },
    { type: 'file', source: 'app.conf', destination: '/opt/app/app.conf' },
  ],
  'post-processors': [[{ type: 'docker-tag', repository: 'bench-{{user `tool`}}', tags: ['v1'] }]],
  variables: { tool: '' },
}));
const big = join(work, 'big.bin');
writeFileSync(big, spawnSync('head', ['-c', String(100 * 1024 * 1024), '/dev/urandom'], { maxBuffer: 200 * 1024 * 1024 }).stdout);
const upload = (fix) => ({
  builders: [{ type: 'docker', image: 'tiny:1', pull: false, discard: true, run_command: RUN, fix_upload_owner: fix }],
  provisioners: [{ type: 'file', source: big, destination: '/tmp/big.bin' }, { type: 'shell', inline: ['true'] }],
});
writeFileSync(join(work, 'upload.json'), JSON.stringify(upload(true)));
writeFileSync(join(work, 'upload-nofix.json'), JSON.stringify(upload(false)));

/** Runs a build; resolves with its wall time and the arrival time of each output line. */
function build(tool, template) {
  const argv = ['build', '-var', `tool=${tool}`, template];
  const [cmd, cargs] = tool === 'packer' ? ['/usr/bin/packer', argv] : ['sh', ['-c', `exec ${tsBin} "$@"`, 'packer-ts', ...argv]];
  if (template !== 'small.json') argv.splice(1, 2);
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const lines = [];
    let buf = '';
    const child = spawn(cmd, cargs, { cwd: work, env, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').on('data', (d) => {
      const now = Number(process.hrtime.bigint() - t0) / 1e9;
      buf += d;
      let k;
      while ((k = buf.indexOf('\n')) >= 0) { lines.push([now, buf.slice(0, k)]); buf = buf.slice(k + 1); }
    });
    child.on('error', rej);
    child.on('close', (code) => {
      if (code !== 0) { rej(new Error(`${tool} ${template} exited ${code}:\n${lines.map((l) => l[1]).join('\n')}`)); return; }
      res({ wall: Number(process.hrtime.bigint() - t0) / 1e9, lines });
    });
  });
}

function uploadTime(lines) {
  const i = lines.findIndex(([, l]) => /Uploading .*big\.bin => \/tmp\/big\.bin/.test(l));
  return lines[i + 1][0] - lines[i][0];
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const res = { small: { packer: [], ts: [] }, up: { packer: [], ts: [] }, upNofix: { packer: [], ts: [] }, cp: [] };
for (let i = 0; i < runs; i++) {
  for (const tool of ['packer', 'ts']) {
    res.small[tool].push((await build(tool, 'small.json')).wall);
    res.up[tool].push(uploadTime((await build(tool, 'upload.json')).lines));
    res.upNofix[tool].push(uploadTime((await build(tool, 'upload-nofix.json')).lines));
  }
  const c = docker('run', '-d', '-i', '-t', '--network=none', '--pull=never', '--entrypoint=/bin/sh', 'tiny:1').stdout.trim();
  const t0 = process.hrtime.bigint();
  const cp = docker('cp', big, `${c}:/tmp/`);
  res.cp.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (cp.status !== 0) throw new Error(cp.stderr);
  docker('rm', '-f', c);
}
const s = (x) => `${x.toFixed(2)} s`;
const mbs = (x) => `${(100 * 1.048576 / x).toFixed(0)} MB/s`;
const m = {
  smallP: median(res.small.packer), smallT: median(res.small.ts),
  upP: median(res.up.packer), upT: median(res.up.ts), upNP: median(res.upNofix.packer), upNT: median(res.upNofix.ts), cp: median(res.cp),
};
const docker_v = docker('-v').stdout.trim();
const table = `Medians of ${runs} runs, ${new Date().toISOString().slice(0, 10)}, linux Node ${process.version}, ${docker_v}, private dockerd (overlay2 on the temp dir).

| work | Packer 1.6.6 | packer-ts | ratio |
|---|---|---|---|
| small template (shell + file provisioner, commit, docker-tag), whole build | ${s(m.smallP)} | ${s(m.smallT)} | ${(m.smallT / m.smallP).toFixed(2)}x |
| 100 MiB file provisioner upload, fix_upload_owner true (Packer: \`docker cp -\` + a chown exec; packer-ts: archive PUT, owner in the tar header) | ${s(m.upP)} (${mbs(m.upP)}) | ${s(m.upT)} (${mbs(m.upT)}) | ${(m.upT / m.upP).toFixed(2)}x |
| 100 MiB upload, fix_upload_owner false (no chown in either) | ${s(m.upNP)} (${mbs(m.upNP)}) | ${s(m.upNT)} (${mbs(m.upNT)}) | ${(m.upNT / m.upNP).toFixed(2)}x |
| plain \`docker cp FILE C:/tmp/\` | ${s(m.cp)} (${mbs(m.cp)}) | | |

packer-ts upload / plain docker cp: ${(m.upT / m.cp).toFixed(2)}x (fix_upload_owner true), ${(m.upNT / m.cp).toFixed(2)}x (false); for a root container both do the same work, so their spread is this machine's noise.
Targets: small template <= 0.8x Packer; upload at least as fast as docker cp (ratio <= 1.0).`;
console.log(table);
if (write) {
  const readme = join(ROOT, 'bench/README.md');
  let text = readFileSync(readme, 'utf8');
  const start = '<!-- results:docker -->';
  const end = '<!-- /results:docker -->';
  if (!text.includes(start)) {
    text += `\n## Docker builder (issue 12)\n\`node scripts/build.mjs && node bench/docker/run.mjs --write\` (root): the small docker template through both tools,\nand a 100 MiB upload against plain \`docker cp\`, on one private dockerd.\n\n${start}\n${end}\n`;
  }
  const i = text.indexOf(start) + start.length;
  const j = text.indexOf(end);
  writeFileSync(readme, text.slice(0, i) + '\n' + table + '\n' + text.slice(j));
}
