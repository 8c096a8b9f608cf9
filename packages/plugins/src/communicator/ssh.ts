/**
 * The SSH communicator (ssh2): runs commands with their output streamed as
 * it comes, and moves files with scp (`scp -t` / `scp -f` run on the remote,
 * the default) or sftp (pipelined requests). Reconnects when the connection
 * was lost (e.g. after a reboot), like Packer's.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Client as ClientT, ClientChannel, ExecOptions, SFTPWrapper } from 'ssh2';
import { CMD_DISCONNECT, type Communicator, type FileInfo, type RemoteCmd } from '@packer-ts/sdk';
import { ChannelReader } from './channel-reader.ts';
import { dial, type SSHOptions } from './ssh-dial.ts';
import { openTunnels } from './tunnel.ts';
import { scpDownloadDir, scpDownloadFile, scpUploadDir, scpUploadDirProtocol, scpUploadFile } from './scp.ts';
import { sftpDownloadFile, sftpUploadDir, sftpUploadFile } from './sftp.ts';

export { SSHConnectError, type SSHEndpoint, type SSHOptions } from './ssh-dial.ts';

const GO_SIGNALS: Record<string, number> = {
  ABRT: 6, ALRM: 14, FPE: 8, HUP: 1, ILL: 4, INT: 2, KILL: 9, PIPE: 13, QUIT: 3, SEGV: 11, TERM: 15, USR1: 10, USR2: 12,
};

/** The SSH communicator. Create with `SSHCommunicator.connect`. */
export class SSHCommunicator implements Communicator {
  private conn: { client: ClientT; bastion?: ClientT } | undefined;
  private alive = false;

  private constructor(readonly opts: SSHOptions) {}

  /** sftp requests in flight per transfer. */
  private get concurrency(): number { return this.opts.sftpConcurrency ?? 32; }

  /** Connects (through the bastion when set); rejects with an `SSHConnectError`. */
  static async connect(opts: SSHOptions): Promise<SSHCommunicator> {
    const c = new SSHCommunicator(opts);
    await c.reconnect();
    return c;
  }

  private async reconnect(): Promise<void> {
    this.close();
    const conn = await dial(this.opts);
    // the tunnels of this connection (Packer's connectTunnels); they close with it
    if (this.opts.tunnels?.length) {
      try {
        await openTunnels(conn.client, this.opts.tunnels);
      } catch (e) {
        conn.client.end();
        conn.bastion?.end();
        throw e;
      }
    }
    this.conn = conn;
    this.alive = true;
    const dead = (): void => { if (this.conn === conn) this.alive = false; };
    conn.client.on('close', dead);
    conn.client.on('end', dead);
    conn.client.on('error', dead);
  }

  /** Closes the connection (a later call reconnects). */
  close(): void {
    if (!this.conn) return;
    const c = this.conn;
    this.conn = undefined;
    this.alive = false;
    c.client.end();
    c.bastion?.end();
  }

  /**
   * Opens a channel with `open`; reconnects once when the connection is gone
   * (Packer's newSession). `setup` runs inside ssh2's callback: events such as
   * 'exit' may fire before an awaiting caller would resume.
   */
  private async channel<T>(open: (c: ClientT, cb: (err: Error | undefined, v: T) => void) => void, setup?: (v: T) => void): Promise<T> {
    const attempt = (): Promise<T> => new Promise<T>((resolve, reject) => {
      if (!this.conn || !this.alive) { reject(new Error('client not available')); return; }
      try {
        open(this.conn.client, (err, v) => {
          if (err) { reject(err); return; }
          setup?.(v);
          resolve(v);
        });
      } catch (e) {
        reject(e);
      }
    });
    try {
      return await attempt();
    } catch {
      await this.reconnect();
      return attempt();
    }
  }

  private exec(command: string, pty = false, setup?: (ch: ClientChannel) => void): Promise<ClientChannel> {
    const opts: ExecOptions & { agentForward?: boolean } = {};
    if (pty) opts.pty = { term: 'xterm', rows: 40, cols: 80, modes: { ECHO: 0, TTY_OP_ISPEED: 14400, TTY_OP_OSPEED: 14400 } };
    if (process.env.SSH_AUTH_SOCK && !this.opts.disableAgentForwarding) opts.agentForward = true;
    return this.channel<ClientChannel>((c, cb) => c.exec(command, opts, cb), setup);
  }

  private sftp(): Promise<SFTPWrapper> {
    return this.channel<SFTPWrapper>((c, cb) => c.sftp(cb));
  }

  async start(cmd: RemoteCmd, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    let status: number | undefined;
    let closed = false;
    const ch = await this.exec(cmd.command, this.opts.pty, (c) => {
      c.on('exit', (code: number | null, sig?: string) => {
        if (typeof code === 'number') status = code;
        else if (sig) status = 128 + (GO_SIGNALS[sig.replace(/^SIG/, '')] ?? 0);
      });
      c.once('close', () => { closed = true; });
    });
    const client = this.conn!.client;
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const pending: Promise<void>[] = [];
      const forward = (src: Readable, dst: Writable | undefined): void => {
        if (!dst) { src.resume(); return; }
        src.pipe(dst, { end: false });
        pending.push(new Promise<void>((r) => { src.once('end', r); src.once('close', r); }));
      };
      forward(ch, cmd.stdout);
      forward(ch.stderr as unknown as Readable, cmd.stderr);
      if (cmd.stdin) cmd.stdin.pipe(ch); else ch.end();
      const finish = (): void => {
        if (settled) return;
        settled = true;
        cleanup();
        void Promise.all(pending).then(() => resolve(status ?? CMD_DISCONNECT));
      };
      const onClientGone = (): void => {
        // the connection dropped under the command: Packer's "disconnect"
        ch.destroy();
        finish();
      };
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        cleanup();
        try { ch.signal('KILL'); } catch { /* channel gone */ }
        ch.close();
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('cancelled'));
      };
      const cleanup = (): void => {
        client.off('close', onClientGone);
        signal?.removeEventListener('abort', onAbort);
      };
      client.once('close', onClientGone);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (closed) finish(); else ch.once('close', finish);
      ch.on('error', () => {});
    });
  }

  async upload(path: string, input: Readable, info?: FileInfo): Promise<void> {
    if (this.opts.useSftp) {
      await this.withSftp((sftp) => sftpUploadFile(sftp, path, input, info, this.concurrency));
      return;
    }
    const dir = dirname(path).replace(/ /g, '\\ ');
    await this.scpSession(`scp -t ${dir}`, (ch, r) => scpUploadFile(basename(path), input, ch, r, info));
  }

  async uploadDir(dst: string, src: string): Promise<void> {
    if (this.opts.useSftp) {
      await this.withSftp((sftp) => sftpUploadDir(sftp, dst, src, this.concurrency));
      return;
    }
    await this.scpSession(`scp -rt ${dst}`, async (ch, r) => {
      if (!src.endsWith('/')) {
        const st = await stat(src);
        await scpUploadDirProtocol(basename(src), st.mode, ch, r, () => scpUploadDir(src, ch, r));
      } else {
        await scpUploadDir(src, ch, r);
      }
    });
  }

  async download(path: string, output: Writable): Promise<void> {
    if (this.opts.useSftp) {
      await this.withSftp((sftp) => sftpDownloadFile(sftp, path, output, this.concurrency));
      return;
    }
    const quoted = path.includes(' ') ? JSON.stringify(path) : path;
    await this.scpSession(`scp -f ${quoted}`, (ch, r) => scpDownloadFile(ch, r, output));
  }

  async downloadDir(src: string, dst: string): Promise<void> {
    await this.scpSession(`scp -rf ${src}`, (ch, r) => scpDownloadDir(ch, r, dst));
  }

  private async scpSession(command: string, f: (ch: ClientChannel, r: ChannelReader) => Promise<void>): Promise<void> {
    let stderr = '';
    let status: number | undefined;
    let r!: ChannelReader;
    let closed!: Promise<void>;
    const ch = await this.exec(command, false, (c) => {
      r = new ChannelReader(c);
      c.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      c.on('exit', (code: number | null) => { if (typeof code === 'number') status = code; });
      closed = new Promise<void>((res) => c.once('close', () => res()));
    });
    ch.on('error', () => {});
    try {
      await f(ch, r);
    } catch (e) {
      if ((e as Error).message !== 'EOF') { ch.destroy(); throw e; }
    }
    ch.end();
    await closed;
    if (status !== undefined && status !== 0) {
      if (status === 127) throw new Error('SCP failed to start. This usually means that SCP is not\nproperly installed on the remote system.');
      const detail = stderr.trim().split('\n').filter((l) => !l.startsWith('debug') && !l.startsWith('Sink:') && !l.startsWith('Executing')).join('\n');
      throw new Error(`Process exited with status ${status}${detail ? `: ${detail}` : ''}`);
    }
  }

  private async withSftp<T>(f: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    let sftp: SFTPWrapper;
    try {
      sftp = await this.sftp();
    } catch (e) {
      throw new Error(`sftpSession error: ${(e as Error).message}`, { cause: e });
    }
    try {
      return await f(sftp);
    } finally {
      sftp.end();
    }
  }
}
