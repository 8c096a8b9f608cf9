// SSH benchmarks: packer-ts vs Packer 1.6.6 vs OpenSSH clients, one run each,
// against one private sshd on 127.0.0.1 (packages/plugins/test/ssh-helpers.ts:
// throwaway user, login shell /bin/sh = dash, no rc files).
//
//   npm run build && node --import tsx bench/ssh/run.mjs [--write] [--size-mib 1024]
//
// --write puts the table into bench/README.md between <!-- results:ssh --> markers.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SSHFixture } from '../../packages/plugins/test/ssh-helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKER_TS = join(ROOT, 'bin/packer-ts');
const PACKER = '/usr/bin/packer';
const args = process.argv.slice(2);
const WRITE = args.includes('--write');
const sizeArg = args.indexOf('--size-mib');
const SIZE_MIB = sizeArg >= 0 ? Number(args[sizeArg + 1]) : 1024;
const CIPHER = 'aes128-gcm@openssh.com'; // ssh2's first choice with AES-NI; OpenSSH clients are given the same
const LINES = 1_750_000;
const PACKER_LINES = 35_000; // a 2 MB slice: Packer pays a round trip per line

/** Runs a command; resolves with wall seconds. `onLine` sees stdout lines. */
function timed(cmd, argv, { cwd, onLine, env } = {}) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    if (onLine) createInterface({ input: p.stdout }).on('line', onLine); else p.stdout.resume();
    p.on('error', rej);
    p.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) rej(new Error(`${cmd} ${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`)); else res(s);
    });
  });
}

const fx = new SSHFixture();
const rows = [];
const note = (work, tool, secs, bytes, extra = '') => {
  const rate = bytes ? ` (${(bytes / secs / 1e6).toFixed(0)} MB/s)` : '';
  rows.push({ work, tool, secs, text: `${secs.toFixed(2)} s${rate}${extra}` });
  console.log(`${work} | ${tool} | ${secs.toFixed(2)} s${rate}${extra}`);
};

try {
  await fx.setup();
  const sshd = await fx.sshd();
  const port = sshd.port;
  const user = fx.user.name;
  const remote = await fx.userDir('remote');
  const work = await mkdtemp(join(fx.dir, 'bench-'));
  const big = join(work, 'big.bin');
  const bytes = SIZE_MIB << 20;
  await timed('dd', ['if=/dev/urandom', `of=${big}`, 'bs=1M', `count=${SIZE_MIB}`, 'status=none']);
  const sshOpts = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-i', fx.keys.key, '-c', CIPHER];
  const builder = (method) => ({
    type: 'null', communicator: 'ssh', ssh_host: '127.0.0.1', ssh_port: port, ssh_username: user,
    ssh_private_key_file: fx.keys.key, ssh_file_transfer_method: method, ssh_ciphers: [CIPHER],
  });
  const tpl = async (name, provisioners, method = 'scp') => {
    const f = join(work, `${name}.json`);
    // Packer 1.6.6 rejects no key here; ssh_ciphers is honoured by both
    await writeFile(f, JSON.stringify({ builders: [builder(method)], provisioners }));
    return f;
  };
  const check = async (p) => { const s = await stat(p); if (s.size !== bytes) throw new Error(`${p}: ${s.size} bytes`); await rm(p); };

  // upload 1 GiB
  const up = `upload ${SIZE_MIB} MiB`;
  for (const method of ['scp', 'sftp']) {
    const t = await tpl(`up-${method}`, [{ type: 'file', source: big, destination: `${remote}/up.bin` }], method);
    note(up, `packer-ts file provisioner (${method})`, await timed(PACKER_TS, ['build', t], { cwd: work }), bytes);
    await check(`${remote}/up.bin`);
  }
  note(up, `OpenSSH scp`, await timed('scp', ['-q', '-P', String(port), ...sshOpts, big, `${user}@127.0.0.1:${remote}/up.bin`]), bytes);
  await check(`${remote}/up.bin`);
  await writeFile(join(work, 'put.batch'), `put ${big} ${remote}/up.bin\n`);
  note(up, `OpenSSH sftp`, await timed('sftp', ['-q', '-P', String(port), ...sshOpts, '-b', join(work, 'put.batch'), `${user}@127.0.0.1`]), bytes);
  await check(`${remote}/up.bin`);
  {
    const t = await tpl('up-packer', [{ type: 'file', source: big, destination: `${remote}/up.bin` }]);
    note(up, 'Packer 1.6.6 file provisioner (scp)', await timed(PACKER, ['build', t], { cwd: work }), bytes);
    await check(`${remote}/up.bin`);
  }

  // download 1 GiB
  const down = `download ${SIZE_MIB} MiB`;
  await timed('cp', [big, `${remote}/down.bin`]);
  await timed('chown', [`${fx.user.uid}`, `${remote}/down.bin`]);
  for (const method of ['scp', 'sftp']) {
    const t = await tpl(`down-${method}`, [{ type: 'file', source: `${remote}/down.bin`, destination: join(work, 'dl.bin'), direction: 'download' }], method);
    note(down, `packer-ts file provisioner (${method})`, await timed(PACKER_TS, ['build', t], { cwd: work }), bytes);
    await check(join(work, 'dl.bin'));
  }
  note(down, 'OpenSSH scp', await timed('scp', ['-q', '-P', String(port), ...sshOpts, `${user}@127.0.0.1:${remote}/down.bin`, join(work, 'dl.bin')]), bytes);
  await check(join(work, 'dl.bin'));
  await writeFile(join(work, 'get.batch'), `get ${remote}/down.bin ${join(work, 'dl.bin')}\n`);
  note(down, 'OpenSSH sftp', await timed('sftp', ['-q', '-P', String(port), ...sshOpts, '-b', join(work, 'get.batch'), `${user}@127.0.0.1`]), bytes);
  await check(join(work, 'dl.bin'));
  {
    const t = await tpl('down-packer', [{ type: 'file', source: `${remote}/down.bin`, destination: join(work, 'dl.bin'), direction: 'download' }]);
    note(down, 'Packer 1.6.6 file provisioner (scp)', await timed(PACKER, ['build', t], { cwd: work }), bytes);
    await check(join(work, 'dl.bin'));
  }

  // remote output: 1.75 M lines of 57 bytes (~100 MB), every line checked in order
  const gen = (n) => `awk 'BEGIN{for(i=0;i<${n};i++) printf "%056d\\n", i}'`;
  const verifier = () => {
    let next = 0;
    let bad = 0;
    const onLine = (l) => {
      const m = /null: (\d{56})$/.exec(l.replace(/\x1b\[[0-9;]*m/g, ''));
      if (!m) return;
      if (Number(m[1]) !== next) bad++;
      next++;
    };
    return { onLine, result: () => ({ count: next, bad }) };
  };
  const out = `shell printing ${(LINES * 57 / 1e6).toFixed(0)} MB (${LINES / 1e6} M lines)`;
  {
    const v = verifier();
    const t = await tpl('out-ts', [{ type: 'shell', inline: [gen(LINES)] }]);
    const s = await timed(PACKER_TS, ['build', t], { cwd: work, onLine: v.onLine });
    const r = v.result();
    if (r.count !== LINES || r.bad) throw new Error(`packer-ts output: ${r.count} lines, ${r.bad} out of order`);
    note(out, 'packer-ts shell provisioner', s, LINES * 57, ', every line in order');
  }
  note(out, 'OpenSSH ssh', await timed('ssh', ['-p', String(port), ...sshOpts, `${user}@127.0.0.1`, gen(LINES)]), LINES * 57);
  {
    const v = verifier();
    const t = await tpl('out-packer', [{ type: 'shell', inline: [gen(PACKER_LINES)] }]);
    const s = await timed(PACKER, ['build', t], { cwd: work, onLine: v.onLine });
    const r = v.result();
    if (r.count !== PACKER_LINES) throw new Error(`packer output: ${r.count} lines`);
    note(out, 'Packer 1.6.6 shell provisioner', s * (LINES / PACKER_LINES), 0,
      ` (extrapolated: ${s.toFixed(2)} s for ${PACKER_LINES} lines x ${LINES / PACKER_LINES})`);
  }

  // shell `true`
  const tr = 'shell `true` (whole build)';
  {
    const t = await tpl('true', [{ type: 'shell', inline: ['true'] }]);
    note(tr, 'packer-ts', await timed(PACKER_TS, ['build', t], { cwd: work }), 0);
    note(tr, 'Packer 1.6.6', await timed(PACKER, ['build', t], { cwd: work }), 0);
    note(tr, 'OpenSSH ssh, new connection', await timed('ssh', ['-p', String(port), ...sshOpts, `${user}@127.0.0.1`, 'true']), 0);
  }

  const by = (work, tool) => rows.find((r) => r.work === work && r.tool.startsWith(tool))?.secs;
  const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '?');
  const table = [
    `One run, ${new Date().toISOString().slice(0, 10)}, ${process.platform} Node ${process.version}; sshd: OpenSSH on 127.0.0.1, cipher ${CIPHER} for every client;`,
    'login shell of the test user: `/bin/sh` (dash), no rc files (root\'s pyenv-loading `~/.bashrc` is not involved).',
    'Times are wall times of whole runs (packer-ts and Packer: a full `build` including start-up and SSH handshake).',
    '',
    '| work | tool | result |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.work} | ${r.tool} | ${r.text} |`),
    '',
    'Ratios (time / time, lower is better for packer-ts):',
    `- upload: packer-ts scp / OpenSSH sftp ${ratio(by(up, 'packer-ts file provisioner (scp)'), by(up, 'OpenSSH sftp'))}, packer-ts sftp / OpenSSH sftp ${ratio(by(up, 'packer-ts file provisioner (sftp)'), by(up, 'OpenSSH sftp'))}, packer-ts scp / Packer ${ratio(by(up, 'packer-ts file provisioner (scp)'), by(up, 'Packer'))}`,
    `- download: packer-ts scp / OpenSSH scp ${ratio(by(down, 'packer-ts file provisioner (scp)'), by(down, 'OpenSSH scp'))}, packer-ts sftp / OpenSSH sftp ${ratio(by(down, 'packer-ts file provisioner (sftp)'), by(down, 'OpenSSH sftp'))}, packer-ts scp / Packer ${ratio(by(down, 'packer-ts file provisioner (scp)'), by(down, 'Packer'))}`,
    `- remote output: packer-ts / Packer (extrapolated) ${ratio(by(out, 'packer-ts'), by(out, 'Packer'))}, packer-ts / ssh ${ratio(by(out, 'packer-ts'), by(out, 'OpenSSH'))}`,
    `- shell true: packer-ts / Packer ${ratio(by(tr, 'packer-ts'), by(tr, 'Packer'))}, packer-ts / ssh ${ratio(by(tr, 'packer-ts'), by(tr, 'OpenSSH'))}`,
  ].join('\n');
  console.log('\n' + table);
  if (WRITE) {
    const readme = join(ROOT, 'bench/README.md');
    let text = await readFile(readme, 'utf8');
    const start = '<!-- results:ssh -->';
    const end = '<!-- /results:ssh -->';
    if (!text.includes(start)) {
      text += `\n## SSH (issue 4)\n\`node --import tsx bench/ssh/run.mjs --write\` (after \`npm run build\`): file provisioner upload and download,\nremote output, a trivial remote command; packer-ts vs Packer 1.6.6 vs OpenSSH clients on one private sshd.\n\n${start}\n${end}\n`;
    }
    const i = text.indexOf(start) + start.length;
    const j = text.indexOf(end);
    await writeFile(readme, text.slice(0, i) + '\n' + table + '\n' + text.slice(j));
  }
} finally {
  await fx.teardown();
}
