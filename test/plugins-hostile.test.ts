/**
 * Broken and hostile plugins, as real executables found by discovery (PACKER_PLUGIN_PATH):
 * small node / python3 scripts written here, each misbehaving in one way. packer-ts must end
 * with exit 1 and an error naming the plugin and what it did (or failed to do), within the start
 * timeout (PACKER_TS_PLUGIN_START_TIMEOUT, small here), leaving no process behind. Where Packer
 * 1.6.6 answers at all (it hangs on a plugin that never answers), its words are in ours.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKER_TS, REAL_PACKER, run } from './helpers/run.ts';
import { describePids, killMarked, MARK_VAR, newMark, waitNoneLeft } from './helpers/plugins.ts';

const NODE = process.execPath;
const TEMPLATE = { builders: [{ type: 'null', communicator: 'none' }], provisioners: [{ type: 'bad' }] };

/** A node plugin: `body` runs with `net` loaded and `hs(addr)` printing a handshake line. */
const nodePlugin = (body: string) => `#!${NODE}\nconst net = require('node:net');\nconst hs = (l) => process.stdout.write(l + '\\n');\n${body}\n`;
/** A TCP server on a free port whose connections get `onConn(sock)`, announced on stdout. */
const tcpServer = (onConn: string) => nodePlugin(`const srv = net.createServer((sock) => { ${onConn} });
srv.listen(0, '127.0.0.1', () => hs('5|tcp|127.0.0.1:' + srv.address().port));
setInterval(() => {}, 1e6);`);

interface Case {
  name: string;
  script: string;
  /** What packer-ts must say (after "Error starting provisioner plugin PATH: "). */
  says: RegExp;
  /** Packer 1.6.6 answers too: its message must appear in ours. */
  packer?: boolean;
}

const CASES: Case[] = [
  { name: 'never prints a handshake', script: nodePlugin('setInterval(() => {}, 1e6);'), says: /timeout while waiting for plugin to start/ },
  {
    name: 'listens and never accepts',
    script: '#!/usr/bin/env python3\nimport socket, time\ns = socket.socket()\ns.bind(("127.0.0.1", 0))\ns.listen(1)\n'
      + 'print("5|tcp|127.0.0.1:%d" % s.getsockname()[1], flush=True)\ntime.sleep(300)\n',
    says: /timeout while waiting for the plugin to answer on its RPC connection \(tcp 127\.0\.0\.1:\d+\) \(start timeout 1500 ms\)/,
  },
  { name: 'accepts and never answers', script: tcpServer(''), says: /timeout while waiting for the plugin to answer on its RPC connection \(tcp 127\.0\.0\.1:\d+\)/ },
  { name: 'sends garbage', script: tcpServer("sock.write('garbage!'.repeat(100));"), says: /protocol error: invalid protocol version/ },
  { name: 'closes the connection', script: tcpServer('sock.destroy();'), says: /the plugin closed its RPC connection \(tcp 127\.0\.0\.1:\d+\) before answering|session shutdown/ },
  { name: 'exits after its handshake', script: tcpServer('') .replace("setInterval(() => {}, 1e6);", 'setTimeout(() => process.exit(3), 100);'), says: /the plugin exited \(exit status 3\) before answering on its RPC connection|connection refused|closed its RPC connection/ },
  { name: 'tcp address without port', script: nodePlugin("hs('5|tcp|127.0.0.1'); setInterval(() => {}, 1e6);"), says: /address 127\.0\.0\.1: missing port in address \(its handshake line: "5\|tcp\|127\.0\.0\.1"\)/, packer: true },
  { name: 'port out of range', script: nodePlugin("hs('5|tcp|127.0.0.1:99999'); setInterval(() => {}, 1e6);"), says: /address 99999: invalid port \(its handshake line: "5\|tcp\|127\.0\.0\.1:99999"\)/, packer: true },
  { name: 'port not a number', script: nodePlugin("hs('5|tcp|127.0.0.1:abc'); setInterval(() => {}, 1e6);"), says: /address tcp\/abc: unknown port/, packer: true },
  { name: 'empty unix path', script: nodePlugin("hs('5|unix|'); setInterval(() => {}, 1e6);"), says: /dial unix: missing address/, packer: true },
  { name: 'unix socket that does not exist', script: nodePlugin("hs('5|unix|/nonexistent/sock'); setInterval(() => {}, 1e6);"), says: /dial unix \/nonexistent\/sock: connect: no such file or directory/, packer: true },
  { name: 'unknown network', script: nodePlugin("hs('5|udp|x'); setInterval(() => {}, 1e6);"), says: /Unknown address type: udp/, packer: true },
  { name: 'not a handshake', script: nodePlugin("hs('garbage'); setInterval(() => {}, 1e6);"), says: /Unrecognized remote plugin message: garbage/, packer: true },
  { name: 'nobody listening', script: nodePlugin("hs('5|tcp|127.0.0.1:1'); setInterval(() => {}, 1e6);"), says: /dial tcp 127\.0\.0\.1:1: connect: connection refused/, packer: true },
  {
    name: 'a 10 MB line without newline',
    script: nodePlugin("process.stdout.write('x'.repeat(10 * 1024 * 1024)); setInterval(() => {}, 1e6);"),
    says: /the plugin printed more than 4096 bytes on its stdout without a newline/,
  },
];

const words = (s: string) => s.replace(/\s+/g, ' ').trim();

for (const c of CASES) {
  test(`hostile plugin: ${c.name}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'packer-ts-hostile-'));
    const mark = newMark();
    try {
      const plugins = join(dir, 'plugins');
      await mkdir(plugins);
      const exe = join(plugins, 'packer-provisioner-bad');
      await writeFile(exe, c.script);
      await chmod(exe, 0o755);
      await writeFile(join(dir, 't.json'), JSON.stringify(TEMPLATE));
      const env = { HOME: dir, PACKER_PLUGIN_PATH: plugins, PACKER_TS_PLUGIN_START_TIMEOUT: '1500', PACKER_TS_BUILTINS: '', [MARK_VAR]: mark };
      const r = await run(PACKER_TS, ['validate', 't.json'], { cwd: dir, env, timeoutMs: 30_000 });
      const out = words(r.stdout + r.stderr);
      assert.equal(r.code, 1, out);
      assert.ok(out.includes(`Error starting provisioner plugin ${exe}: `), `names the plugin: ${out.slice(0, 2000)}`);
      assert.match(out, c.says);
      assert.doesNotMatch(out, /exited unexpectedly|Received type number|Maximum call stack|RangeError|ERR_/);
      if (c.packer) {
        assert.ok(existsSync(REAL_PACKER), `${REAL_PACKER} is missing: install Debian's packer package (scripts/test-deps.apt)`);
        const p = await run(REAL_PACKER, ['validate', 't.json'], { cwd: dir, env, timeoutMs: 30_000 });
        const theirs = words(p.stdout + p.stderr);
        const m = /error initializing provisioner 'bad': (.*)$/.exec(theirs);
        assert.ok(m, `Packer's answer: ${theirs}`);
        assert.ok(out.includes(m[1]!), `Packer says ${JSON.stringify(m[1])}; packer-ts: ${out}`);
      }
      const left = await waitNoneLeft(mark, 3000);
      assert.deepEqual(left, [], `left behind:\n${await describePids(left)}`);
    } finally {
      await killMarked(mark);
      await rm(dir, { recursive: true, force: true });
    }
  });
}
