/**
 * StepConnect: the step every builder runs to reach the machine (Packer's
 * communicator.StepConnect). With `communicator: none` it connects to
 * nothing; with `ssh` it retries until `ssh_timeout`, then puts the
 * communicator in state `communicator` and what provisioners may use in
 * `communicator_data` (and `communicator_config`).
 */
import { readFile } from 'node:fs/promises';
import { addSecret, formatGoDuration, halt, log, NoneCommunicator, PasswordTerminal, setLongTimeout, waitFor, type LongTimer, type StateBag, type Step, type StepAction, type Ui } from '@packer-ts/sdk';
import { commHost, communicatorData, expandUser, type CommConfig } from './config.ts';
import { SSHCommunicator, SSHConnectError, type SSHEndpoint, type SSHOptions } from './ssh.ts';
import { parseTunnel, type Tunnel } from './tunnel.ts';

export interface StepConnectOptions {
  config: CommConfig;
  /** The host to connect to; default: the configured ssh_host. */
  host?: (state: StateBag) => string | Promise<string>;
  /** The port; default: the configured ssh_port. */
  sshPort?: (state: StateBag) => number | Promise<number>;
  /** Retry delay between connection attempts (ms; Packer: 5 s). */
  retryDelay?: number;
  /** Delay after an error before the next handshake (ms; Packer: 2 s). */
  handshakeRetryDelay?: number;
  /** Steps that connect communicator types of the builder's own (Packer's CustomConnect), by type. */
  custom?: Record<string, Step>;
}

/**
 * State key: when set (a time in ms since the epoch, as Date.now()), the
 * end of `ssh_timeout` for the SSH connection, for builders that spend part
 * of it before StepConnect runs.
 */
export const StateConnectDeadline = 'connect_deadline';

async function readKey(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(expandUser(path));
  } catch (e) {
    throw new Error(`Error on reading ${what}: ${(e as Error).message}`, { cause: e });
  }
}

function agentSocket(): string {
  const s = process.env.SSH_AUTH_SOCK;
  if (!s) throw new Error('SSH_AUTH_SOCK is not set');
  return s;
}

/**
 * The bastion of `c` (ssh_bastion_*), undefined without one. With
 * ssh_bastion_interactive, keyboard-interactive questions are answered on
 * `terminal`, a line each, not echoed (as Packer: the questions only go to the log).
 */
export async function bastionEndpoint(c: CommConfig, terminal?: PasswordTerminal): Promise<SSHEndpoint | undefined> {
  if (!c.sshBastionHost) return undefined;
  const b: SSHEndpoint = {
    host: c.sshBastionHost,
    port: c.sshBastionPort ?? 22,
    username: c.sshBastionUsername ?? '',
    password: c.sshBastionPassword || undefined,
    privateKeys: c.sshBastionPrivateKeyFile ? [await readKey(c.sshBastionPrivateKeyFile, 'SSH bastion private key')] : [],
    agent: c.sshBastionAgentAuth ? agentSocket() : undefined,
  };
  if (terminal) {
    b.answer = async (questions) => {
      const answers: string[] = [];
      for (let i = 0; i < questions.length; i++) answers.push(await terminal.readPassword());
      return answers;
    };
  }
  return b;
}

/** The ssh2 settings of `c` for `host:port` (through `bastion`, default: c's own). */
export async function sshOptions(c: CommConfig, host: string, port: number, bastion?: SSHEndpoint): Promise<SSHOptions> {
  const privateKeys: Buffer[] = [];
  if (c.sshPrivateKeyFile) privateKeys.push(await readKey(c.sshPrivateKeyFile, 'SSH private key'));
  if (c.sshPrivateKey) privateKeys.push(Buffer.from(c.sshPrivateKey));
  const opts: SSHOptions = {
    host,
    port,
    username: c.sshUsername ?? '',
    password: c.sshPassword || undefined,
    privateKeys,
    agent: c.sshAgentAuth ? agentSocket() : undefined,
    pty: c.sshPty ?? false,
    disableAgentForwarding: c.sshDisableAgentForwarding ?? false,
    useSftp: c.sshFileTransferMethod === 'sftp',
    keepAliveInterval: c.sshKeepAliveInterval ?? 5_000,
    readWriteTimeout: c.sshReadWriteTimeout ?? 0,
    ciphers: c.sshCiphers,
    kex: c.sshKeyExchangeAlgorithms,
  };
  const tunnels: Tunnel[] = [];
  try {
    for (const v of c.sshLocalTunnels ?? []) tunnels.push(parseTunnel(v, 'local'));
    for (const v of c.sshRemoteTunnels ?? []) tunnels.push(parseTunnel(v, 'remote'));
  } catch (e) {
    throw new Error(`Error parsing port forwarding: ${(e as Error).message}`);
  }
  if (tunnels.length > 0) opts.tunnels = tunnels;
  if (c.sshProxyHost) opts.proxy = { host: c.sshProxyHost, port: c.sshProxyPort ?? 1080, username: c.sshProxyUsername, password: c.sshProxyPassword };
  const b = bastion ?? await bastionEndpoint(c);
  if (b) opts.bastion = b;
  return opts;
}

export class StepConnect implements Step {
  readonly name = 'StepConnect';
  private comm: SSHCommunicator | undefined;
  private customStep: Step | undefined;
  /** ssh_bastion_interactive's terminal, open while the connection may need it. */
  private terminal: PasswordTerminal | undefined;
  private terminalError: Error | undefined;

  constructor(readonly opts: StepConnectOptions) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const c = this.opts.config;
    const ui = state.need<Ui>('ui');
    const type = c.type || 'ssh';
    if (type === 'none') {
      // as Packer's StepConnect: the provisioners get its none communicator
      state.set('communicator', new NoneCommunicator());
      return 'continue';
    }
    const custom = this.opts.custom?.[type];
    if (custom) {
      try {
        ui.say(`Using ${type} communicator to connect: ${await this.host(state)}`);
      } catch { /* no address */ }
      this.customStep = custom;
      return custom.run(state, signal);
    }
    if (type !== 'ssh') return halt(state, new Error(`unknown communicator type: ${type}`));
    if (c.sshBastionHost && c.sshBastionInteractive && !this.terminal) {
      // opened before anything is shown, so that an answer typed ahead is not echoed;
      // a failure is reported where Packer configures the bastion
      try { this.terminal = new PasswordTerminal(); } catch (e) { this.terminalError = e as Error; }
    }

    try {
      ui.say(`Using ssh communicator to connect: ${await this.host(state)}`);
    } catch { /* no address yet */ }

    let action = await this.connectSSH(state, ui, signal);
    if (action === 'halt') return action;
    const pause = c.pauseBeforeConnecting ?? 0;
    if (pause > 0) {
      ui.say(`Pausing ${formatGoDuration(pause * 1e6)} before connecting...`);
      if (!(await waitFor(pause, signal))) return 'halt';
      this.comm?.close();
      action = await this.connectSSH(state, ui, signal);
      if (action === 'halt') return action;
    }
    state.set('communicator_config', c);
    return 'continue';
  }

  private async host(state: StateBag): Promise<string> {
    return this.opts.host ? await this.opts.host(state) : commHost(this.opts.config);
  }

  private async connectSSH(state: StateBag, ui: Ui, signal: AbortSignal): Promise<StepAction> {
    const c = this.opts.config;
    // A builder that already waited for the server (qemu's banner probe) leaves the deadline in state.
    const deadline = state.get(StateConnectDeadline) as number | undefined;
    const timeout = deadline !== undefined ? Math.max(1, deadline - Date.now()) : c.sshTimeout || 5 * 60_000;
    const sub = new AbortController();
    const onAbort = (): void => sub.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    ui.say('Waiting for SSH to become available...');
    log(`[INFO] Waiting for SSH, up to timeout: ${formatGoDuration(timeout * 1e6)}`);
    let timer: LongTimer | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setLongTimeout(() => resolve('timeout'), timeout); });
    const wait = this.waitForSSH(state, sub.signal);
    try {
      const r = await Promise.race([wait, timedOut]);
      if (r === 'timeout') {
        sub.abort();
        void wait.then((comm) => comm?.close(), () => {});
        return halt(state, new Error('Timeout waiting for SSH.'), ui);
      }
      if (!r) {
        log('[WARN] Interrupt detected, quitting waiting for SSH.');
        return 'halt';
      }
      this.comm = r;
      // echo back on; a reconnection that asks again turns it off while it reads
      this.terminal?.restore();
      ui.say('Connected to SSH!');
      state.set('communicator', r);
      state.set('communicator_config', c);
      const data = communicatorData(c);
      for (const k of ['Password', 'SSHPrivateKey'] as const) if (typeof data[k] === 'string') addSecret(data[k] as string);
      state.set('communicator_data', data);
      return 'continue';
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      ui.error(`Error waiting for SSH: ${err.message}`);
      state.set('error', err);
      return 'halt';
    } finally {
      timer?.clear();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Packer's waitForSSH: a connection, undefined when cancelled; rejects after too many auth failures. */
  private async waitForSSH(state: StateBag, signal: AbortSignal): Promise<SSHCommunicator | undefined> {
    const c = this.opts.config;
    let handshakeAttempts = 0;
    const maxAttempts = c.sshHandshakeAttempts || 10;
    // As Packer's sshBastionConfig: once, before the first attempt; a failure ends the wait.
    let bastion: SSHEndpoint | undefined;
    try {
      if (c.sshBastionHost && c.sshBastionInteractive && !this.terminal) throw this.terminalError ?? new Error('no terminal');
      bastion = await bastionEndpoint(c, this.terminal);
    } catch (e) {
      throw new Error(`Error configuring bastion: ${(e as Error).message}`, { cause: e });
    }
    for (let first = true; ; first = false) {
      if (!first && !(await waitFor(this.opts.retryDelay ?? 5_000, signal))) return undefined;
      if (signal.aborted) return undefined;
      let host: string;
      let port = c.sshPort ?? 22;
      try {
        host = await this.host(state);
      } catch (e) {
        log(`[DEBUG] Error getting SSH address: ${(e as Error).message}`);
        continue;
      }
      try {
        if (this.opts.sshPort) port = await this.opts.sshPort(state);
      } catch (e) {
        log(`[DEBUG] Error getting SSH port: ${(e as Error).message}`);
        continue;
      }
      c.sshHost = host;
      c.sshPort = port;
      const address = `${host}:${port}`;
      let opts: SSHOptions;
      try {
        opts = await sshOptions(c, host, port, bastion);
      } catch (e) {
        log(`[DEBUG] Error getting SSH config: ${(e as Error).message}`);
        continue;
      }
      try {
        log(`[INFO] Attempting SSH connection to ${address}...`);
        const comm = await SSHCommunicator.connect(opts);
        if (signal.aborted) { comm.close(); return undefined; }
        return comm;
      } catch (e) {
        const err = e as Error;
        if (err instanceof SSHConnectError && err.kind === 'tcp') {
          log(`[DEBUG] TCP connection to SSH ip/port failed: ${err.message}`);
          continue;
        }
        log(`[DEBUG] SSH handshake err: ${err.message}`);
        let out = err;
        if (err instanceof SSHConnectError && err.kind === 'auth') {
          log('[DEBUG] Detected authentication error. Increasing handshake attempts.');
          out = new Error('Packer experienced an authentication error when trying to connect via SSH. ' +
            'This can happen if your username/password are wrong. You may want to double-check ' +
            `your credentials as part of your debugging process. original error: ${err.message}`, { cause: err });
          handshakeAttempts++;
        }
        if (handshakeAttempts < maxAttempts) {
          if (!(await waitFor(this.opts.handshakeRetryDelay ?? 2_000, signal))) return undefined;
          continue;
        }
        throw out;
      }
    }
  }

  async cleanup(state?: StateBag): Promise<void> {
    if (state) await this.customStep?.cleanup?.(state);
    this.customStep = undefined;
    this.comm?.close();
    this.comm = undefined;
    this.terminal?.close();
    this.terminal = undefined;
    this.terminalError = undefined;
  }
}
