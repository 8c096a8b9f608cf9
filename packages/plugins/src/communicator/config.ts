/**
 * The communicator settings every builder shares (`communicator`, `ssh_*`,
 * `winrm_*`, `pause_before_connecting`): a schema fragment to spread into a
 * builder's schema, defaults and Packer's validation messages.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { addSecret, type Schema } from '@packer-ts/sdk';
import { errnoReason } from '@packer-ts/sdk';
import { parseTunnel } from './tunnel.ts';

export const commSchema: Schema = {
  communicator: { type: 'string', as: 'type' },
  pause_before_connecting: { type: 'duration' },
  ssh_host: { type: 'string' },
  ssh_port: { type: 'int' },
  ssh_username: { type: 'string' },
  ssh_password: { type: 'string' },
  ssh_keypair_name: { type: 'string' },
  temporary_key_pair_name: { type: 'string' },
  temporary_key_pair_type: { type: 'string' },
  temporary_key_pair_bits: { type: 'int' },
  ssh_ciphers: { type: 'string[]' },
  ssh_clear_authorized_keys: { type: 'bool' },
  ssh_key_exchange_algorithms: { type: 'string[]' },
  ssh_private_key_file: { type: 'string' },
  ssh_certificate_file: { type: 'string' },
  ssh_pty: { type: 'bool' },
  ssh_timeout: { type: 'duration' },
  ssh_wait_timeout: { type: 'duration' },
  ssh_agent_auth: { type: 'bool' },
  ssh_disable_agent_forwarding: { type: 'bool' },
  ssh_handshake_attempts: { type: 'int' },
  ssh_bastion_host: { type: 'string' },
  ssh_bastion_port: { type: 'int' },
  ssh_bastion_agent_auth: { type: 'bool' },
  ssh_bastion_username: { type: 'string' },
  ssh_bastion_password: { type: 'string' },
  ssh_bastion_interactive: { type: 'bool' },
  ssh_bastion_private_key_file: { type: 'string' },
  ssh_bastion_certificate_file: { type: 'string' },
  ssh_file_transfer_method: { type: 'string' },
  ssh_proxy_host: { type: 'string' },
  ssh_proxy_port: { type: 'int' },
  ssh_proxy_username: { type: 'string' },
  ssh_proxy_password: { type: 'string' },
  ssh_keep_alive_interval: { type: 'duration' },
  ssh_read_write_timeout: { type: 'duration' },
  ssh_remote_tunnels: { type: 'string[]' },
  ssh_local_tunnels: { type: 'string[]' },
  // Go's []byte fields: list(number) in HCL2 (packer-sdc's mapping of []byte).
  ssh_public_key: { type: 'bytes' },
  ssh_private_key: { type: 'bytes' },
  winrm_username: { type: 'string' },
  winrm_password: { type: 'string' },
  winrm_host: { type: 'string' },
  winrm_no_proxy: { type: 'bool' },
  winrm_port: { type: 'int' },
  winrm_timeout: { type: 'duration' },
  winrm_use_ssl: { type: 'bool' },
  winrm_insecure: { type: 'bool' },
  winrm_use_ntlm: { type: 'bool' },
};

/** The decoded settings (durations in milliseconds). */
export interface CommConfig {
  type?: string;
  pauseBeforeConnecting?: number;
  sshHost?: string;
  sshPort?: number;
  sshUsername?: string;
  sshPassword?: string;
  sshKeypairName?: string;
  temporaryKeyPairName?: string;
  temporaryKeyPairType?: string;
  temporaryKeyPairBits?: number;
  sshCiphers?: string[];
  sshClearAuthorizedKeys?: boolean;
  sshKeyExchangeAlgorithms?: string[];
  sshPrivateKeyFile?: string;
  sshCertificateFile?: string;
  sshPty?: boolean;
  sshTimeout?: number;
  sshWaitTimeout?: number;
  sshAgentAuth?: boolean;
  sshDisableAgentForwarding?: boolean;
  sshHandshakeAttempts?: number;
  sshBastionHost?: string;
  sshBastionPort?: number;
  sshBastionAgentAuth?: boolean;
  sshBastionUsername?: string;
  sshBastionPassword?: string;
  sshBastionInteractive?: boolean;
  sshBastionPrivateKeyFile?: string;
  sshBastionCertificateFile?: string;
  sshFileTransferMethod?: string;
  sshProxyHost?: string;
  sshProxyPort?: number;
  sshProxyUsername?: string;
  sshProxyPassword?: string;
  sshKeepAliveInterval?: number;
  sshReadWriteTimeout?: number;
  sshRemoteTunnels?: string[];
  sshLocalTunnels?: string[];
  sshPublicKey?: string;
  sshPrivateKey?: string;
  winrmUsername?: string;
  winrmPassword?: string;
  winrmHost?: string;
  winrmPort?: number;
  winrmTimeout?: number;
  winrmUseSsl?: boolean;
}

/** `~/x` -> `$HOME/x` (Packer's pathing.ExpandUser). */
export function expandUser(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return homedir() + p.slice(1);
  return p;
}

/** Checks that `path` holds a private key ssh2 can use; returns the problem, if any. */
function keyFileProblem(path: string): string | undefined {
  try {
    statSync(path);
  } catch (e) {
    return `stat ${path}: ${errnoReason(e)}`;
  }
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    return `Error reading key file: open ${path}: ${errnoReason(e)}`;
  }
  // the full parse happens when connecting (ssh2 is loaded only then)
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(data.toString('latin1'))) return `Failed to read key '${path}': no key found`;
  if (data.includes('Proc-Type: 4,ENCRYPTED')) {
    return `Failed to read key '${path}': password protected keys are\nnot supported. Please decrypt the key prior to use.`;
  }
  return undefined;
}

/** A tunnel argument's problem (Packer's ParseTunnelArgument), if any. */
function tunnelProblem(v: string): string | undefined {
  try {
    parseTunnel(v, 'local');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Applies Packer's defaults to `c` (in place) and returns the validation
 * errors of its communicator settings (Packer's `communicator.Config.Prepare`).
 */
export function prepareComm(c: CommConfig): string[] {
  if (!c.type) c.type = 'ssh';
  switch (c.type) {
    case 'ssh': return prepareSSH(c);
    case 'winrm': {
      if (!c.winrmPort) c.winrmPort = c.winrmUseSsl ? 5986 : 5985;
      if (!c.winrmTimeout) c.winrmTimeout = 30 * 60_000;
      return c.winrmUsername ? [] : ['winrm_username must be specified.'];
    }
    case 'docker': case 'dockerWindowsContainer': case 'none': return [];
    default: return [`Communicator type ${c.type} is invalid`];
  }
}

function prepareSSH(c: CommConfig): string[] {
  if (!c.sshPort) c.sshPort = 22;
  if (!c.sshTimeout) c.sshTimeout = 5 * 60_000;
  if (!c.sshKeepAliveInterval) c.sshKeepAliveInterval = 5_000;
  if (!c.sshHandshakeAttempts) c.sshHandshakeAttempts = 10;
  if (c.sshBastionHost) {
    if (!c.sshBastionPort) c.sshBastionPort = 22;
    if (!c.sshBastionPrivateKeyFile && c.sshPrivateKeyFile) c.sshBastionPrivateKeyFile = c.sshPrivateKeyFile;
    if (!c.sshBastionCertificateFile && c.sshCertificateFile) c.sshBastionCertificateFile = c.sshCertificateFile;
  }
  if (c.sshProxyHost && !c.sshProxyPort) c.sshProxyPort = 1080;
  if (!c.sshFileTransferMethod) c.sshFileTransferMethod = 'scp';
  if (c.sshWaitTimeout) c.sshTimeout = c.sshWaitTimeout;

  const errs: string[] = [];
  if (!c.sshUsername) errs.push('An ssh_username must be specified\n  Note: some builders used to default ssh_username to "root".');
  if (c.sshPrivateKeyFile) {
    const p = keyFileProblem(expandUser(c.sshPrivateKeyFile));
    if (p) errs.push(`ssh_private_key_file is invalid: ${p}`);
  }
  if (c.sshBastionHost && !c.sshBastionAgentAuth) {
    if (!c.sshBastionPassword && !c.sshBastionPrivateKeyFile) {
      errs.push('ssh_bastion_password or ssh_bastion_private_key_file must be specified');
    } else if (c.sshBastionPrivateKeyFile) {
      const p = keyFileProblem(expandUser(c.sshBastionPrivateKeyFile));
      if (p) errs.push(`ssh_bastion_private_key_file is invalid: ${p}`);
    }
  }
  // (ssh2 has no OpenSSH certificate authentication: said, not ignored)
  if (c.sshCertificateFile) errs.push('ssh_certificate_file is not supported by packer-ts yet');
  if (c.sshBastionCertificateFile && c.sshBastionCertificateFile !== c.sshCertificateFile) errs.push('ssh_bastion_certificate_file is not supported by packer-ts yet');
  if (c.sshFileTransferMethod !== 'scp' && c.sshFileTransferMethod !== 'sftp') {
    errs.push(`ssh_file_transfer_method ('${c.sshFileTransferMethod}') is invalid, valid methods: sftp, scp`);
  }
  if (c.sshBastionHost && c.sshProxyHost) errs.push('please specify either ssh_bastion_host or ssh_proxy_host, not both');
  for (const v of c.sshLocalTunnels ?? []) {
    const p = tunnelProblem(v);
    if (p) errs.push(`ssh_local_tunnels ('${v}') is invalid: ${p}`);
  }
  for (const v of c.sshRemoteTunnels ?? []) {
    const p = tunnelProblem(v);
    if (p) errs.push(`ssh_remote_tunnels ('${v}') is invalid: ${p}`);
  }
  // secrets never reach the output
  for (const s of [c.sshPassword, c.sshBastionPassword, c.sshProxyPassword, c.sshPrivateKey, c.winrmPassword]) {
    if (s) addSecret(s);
  }
  return errs;
}

/** Host/Port/User/Password of the configured communicator (Packer's Config.Host() etc.). */
export function commHost(c: CommConfig): string {
  return c.type === 'ssh' ? c.sshHost ?? '' : c.type === 'winrm' ? c.winrmHost ?? '' : '';
}
export function commPort(c: CommConfig): number {
  return c.type === 'ssh' ? c.sshPort ?? 0 : c.type === 'winrm' ? c.winrmPort ?? 0 : 0;
}
export function commUser(c: CommConfig): string {
  return c.type === 'ssh' ? c.sshUsername ?? '' : c.type === 'winrm' ? c.winrmUsername ?? '' : '';
}
export function commPassword(c: CommConfig): string {
  return c.type === 'ssh' ? c.sshPassword ?? '' : c.type === 'winrm' ? c.winrmPassword ?? '' : '';
}

/** What the provisioners see of the connection (Packer's PopulateProvisionHookData). */
export function communicatorData(c: CommConfig): Record<string, unknown> {
  return {
    Host: commHost(c),
    Port: commPort(c),
    User: commUser(c),
    Password: commPassword(c),
    ConnType: c.type ?? '',
    SSHPublicKey: c.sshPublicKey ?? '',
    SSHPrivateKey: c.sshPrivateKey ?? '',
    SSHPrivateKeyFile: c.sshPrivateKeyFile ?? '',
    SSHAgentAuth: c.sshAgentAuth ?? false,
    WinRMPassword: c.winrmPassword ?? '',
  };
}
