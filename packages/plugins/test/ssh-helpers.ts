/**
 * A private OpenSSH server for tests and benchmarks: its own host key, config,
 * port on 127.0.0.1 and login user. Running as root, a throwaway user is
 * created (random name and password, shell /bin/sh = dash, home in the temp
 * dir, so no rc file such as root's pyenv-loading ~/.bashrc runs per command)
 * and removed by stop(). setup() fails, saying what is missing, without
 * OpenSSH or root.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireRoot, requireTools } from '../../../test/helpers/requires.ts';

const pexec = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';

/** Fails (the hook or test calling it) unless a test sshd can run here. */
export function requireSshd(): void {
  requireTools(SSHD, 'ssh');
  requireRoot('the test sshd (it creates a throwaway login user)');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Waits (bounded: 10 s) until something listens on 127.0.0.1:`port`; fails naming `what`. */
export async function waitListening(port: number, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start listening on 127.0.0.1:${port}`);
}

export interface TestUser {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
}

export interface Keys {
  /** The user's ed25519 private key file (authorized on every test sshd). */
  key: string;
  /** A key that is not authorized. */
  wrongKey: string;
}

/** A login user and keys shared by the sshd instances of one test file. */
export class SSHFixture {
  dir = '';
  user!: TestUser;
  keys!: Keys;
  servers: Sshd[] = [];

  async setup(): Promise<void> {
    requireSshd();
    // sshd's privilege separation directory (what its systemd unit creates)
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    this.dir = await mkdtemp(join(tmpdir(), 'packer-ts-sshd-'));
    await chmod(this.dir, 0o755);
    const name = `pkts${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('base64url');
    const home = join(this.dir, 'home');
    await mkdir(home);
    // useradd takes a lock on /etc/passwd; retry when another test holds it
    for (let i = 0; ; i++) {
      try {
        await pexec('useradd', ['-M', '-d', home, '-s', '/bin/sh', name]);
        break;
      } catch (e) {
        if (i >= 20) throw e;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      }
    }
    await new Promise<void>((resolve, reject) => {
      const p = spawn('chpasswd', [], { stdio: ['pipe', 'inherit', 'inherit'] });
      p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`chpasswd exited ${c}`))));
      p.stdin.end(`${name}:${password}\n`);
    });
    const uid = Number((await pexec('id', ['-u', name])).stdout.trim());
    const gid = Number((await pexec('id', ['-g', name])).stdout.trim());
    await chown(home, uid, gid);
    this.user = { name, password, uid, gid, home };
    const keyDir = join(this.dir, 'keys');
    await mkdir(keyDir);
    const key = join(keyDir, 'id_ed25519');
    const wrongKey = join(keyDir, 'wrong_ed25519');
    await pexec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await pexec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    await writeFile(join(this.dir, 'authorized_keys'), await readFile(`${key}.pub`), { mode: 0o644 });
    this.keys = { key, wrongKey };
  }

  /** A directory owned by the test user. */
  async userDir(name: string): Promise<string> {
    const d = join(this.dir, name);
    await mkdir(d, { recursive: true });
    await chown(d, this.user.uid, this.user.gid);
    return d;
  }

  async sshd(extra: string[] = []): Promise<Sshd> {
    const s = new Sshd(this, extra);
    await s.start();
    this.servers.push(s);
    return s;
  }

  async teardown(): Promise<void> {
    for (const s of this.servers) await s.stop();
    if (this.user) {
      // kill what the user may still run, then remove it
      await pexec('pkill', ['-9', '-u', this.user.name]).catch(() => {});
      for (let i = 0; i < 20; i++) {
        try { await pexec('userdel', [this.user.name]); break; } catch { await new Promise((r) => setTimeout(r, 200)); }
      }
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** One sshd process; `extra` sshd_config lines replace the defaults of the same keyword. */
export class Sshd {
  port = 0;
  proc: ChildProcess | undefined;
  dir = '';
  log = '';

  constructor(private readonly fx: SSHFixture, private readonly extra: string[]) {}

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(this.fx.dir, 'sshd-'));
    const hostKey = join(this.dir, 'host_ed25519');
    await pexec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    for (let attempt = 0; ; attempt++) {
      this.port = await freePort();
      const cfg = join(this.dir, 'sshd_config');
      // sshd takes a keyword's first value: an extra line replaces the default one
      const keyword = (l: string): string => l.split(/\s+/, 1)[0]!.toLowerCase();
      const overridden = new Set(this.extra.map(keyword));
      await writeFile(cfg, [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.fx.dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin no',
        `AllowUsers ${this.fx.user.name}`,
        'AllowTcpForwarding yes',
        'MaxSessions 64',
        'MaxStartups 64',
        'UseDNS no',
        'PrintMotd no',
        'Subsystem sftp /usr/lib/openssh/sftp-server',
        'LogLevel ERROR',
      ].filter((l) => !overridden.has(keyword(l))).concat(this.extra, '').join('\n'));
      const p = spawn(SSHD, ['-f', cfg, '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
      p.stderr!.on('data', (d: Buffer) => { this.log += d.toString(); });
      this.proc = p;
      const exited = new Promise<boolean>((r) => p.once('exit', () => r(false)));
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        const r = await Promise.race([canConnect(this.port), exited]);
        if (p.exitCode !== null) break;
        up = r;
        if (!up) await new Promise((r2) => setTimeout(r2, 30));
      }
      if (up) return;
      p.kill('SIGKILL');
      if (attempt >= 3) throw new Error(`sshd did not start: ${this.log}`);
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await gone;
  }
}
