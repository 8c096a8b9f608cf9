/**
 * The plugin handshake of Packer 1.6 (API version 5).
 *
 * Public API
 *   MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, API_VERSION ('5'), MANUALLY_STARTED_MESSAGE
 *   DEFAULT_MIN_PORT (10000), DEFAULT_MAX_PORT (25000)
 *   parseHandshake(line): Handshake        // '5|unix|/tmp/x', '5|0|unix|/tmp/x', '5|tcp|127.0.0.1:10000'
 *       throws HandshakeError with Packer's texts ("Unrecognized remote plugin message: ...",
 *       "Incompatible API version with plugin. Plugin version: X, Ours: 5", "Unknown address type: X")
 *   formatHandshake(network, address, minor?): string   // the line a plugin prints (without newline):
 *       '5|unix|/x' (Packer 1.6), '5|0|unix|/x' with minor '0' (multi-component plugins, API x5.0)
 *   API_VERSION_MINOR ('0')
 *   waitForHandshake(stdout, timeoutMs = 60000): Promise<Handshake>   // first line of a plugin's stdout
 *   connectHandshake(h): Promise<net.Socket>    // connects to the announced address
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import { errnoReason } from '../go-errors.ts';

export const MAGIC_COOKIE_KEY = 'PACKER_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
export const API_VERSION = '5';
export const API_VERSION_MINOR = '0';
export const MANUALLY_STARTED_MESSAGE = 'Please do not execute plugins directly. Packer will execute these for you.';
export const DEFAULT_MIN_PORT = 10000;
export const DEFAULT_MAX_PORT = 25000;

export interface Handshake {
  apiVersion: string;
  /** Minor protocol version, when the plugin printed the 4-field form. */
  apiMinor?: string;
  network: 'unix' | 'tcp';
  /** A socket path (unix) or host:port (tcp). */
  address: string;
}

export class HandshakeError extends Error {
  /** The handshake line the error is about, when there is one. */
  line?: string;
  constructor(message: string, line?: string) {
    super(message);
    this.name = 'HandshakeError';
    if (line !== undefined) this.line = line;
  }
}

/** The longest handshake line accepted (a plugin printing more without a newline is broken). */
export const MAX_HANDSHAKE_LINE = 4096;

/**
 * Go's net.SplitHostPort + port check of net.ResolveTCPAddr, with Go's messages
 * ("address 127.0.0.1: missing port in address", "address 99999: invalid port").
 */
export function splitHostPort(address: string): { host: string; port: number } {
  const fail = (why: string, addr = address): never => { throw new HandshakeError(`address ${addr}: ${why}`); };
  let host: string;
  const i = address.lastIndexOf(':');
  if (i < 0) fail('missing port in address');
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end < 0) fail("missing ']' in address");
    if (end + 1 !== i) fail(end + 1 === address.length ? 'missing port in address' : "missing ']' in address");
    host = address.slice(1, end);
  } else {
    host = address.slice(0, i);
    if (host.includes(':')) fail('too many colons in address');
  }
  if (address.indexOf('[', 1) >= 0) fail("unexpected '[' in address");
  if (address.indexOf(']', address.indexOf(']') + 1) >= 0) fail("unexpected ']' in address");
  const portText = address.slice(i + 1);
  if (portText === '') return { host, port: 0 };
  if (!/^[0-9]+$/.test(portText)) fail('unknown port', `tcp/${portText}`);
  const port = Number(portText);
  if (port > 65535) fail('invalid port', portText);
  return { host, port };
}

export function parseHandshake(line: string): Handshake {
  const text = line.trim();
  const parts = text.split('|');
  if (parts.length < 3) throw new HandshakeError(`Unrecognized remote plugin message: ${text}`, text);
  const apiVersion = parts[0]!;
  if (apiVersion !== API_VERSION) {
    throw new HandshakeError(`Incompatible API version with plugin. Plugin version: ${apiVersion}, Ours: ${API_VERSION}`, text);
  }
  let apiMinor: string | undefined;
  let rest = parts.slice(1);
  if (rest.length >= 3 && /^\d+$/.test(rest[0]!)) {
    apiMinor = rest[0];
    rest = rest.slice(1);
  }
  const network = rest[0]!;
  const address = rest.slice(1).join('|');
  if (network !== 'unix' && network !== 'tcp') throw new HandshakeError(`Unknown address type: ${network}`, text);
  if (address === '') throw new HandshakeError(`dial ${network}: missing address`, text);
  if (network === 'tcp') {
    try { splitHostPort(address); } catch (e) { (e as HandshakeError).line = text; throw e; }
  }
  return apiMinor === undefined ? { apiVersion, network, address } : { apiVersion, apiMinor, network, address };
}

export function formatHandshake(network: 'unix' | 'tcp', address: string, minor?: string): string {
  return minor === undefined ? `${API_VERSION}|${network}|${address}` : `${API_VERSION}|${minor}|${network}|${address}`;
}

/**
 * Resolves with the parsed first line of `stdout`; rejects on timeout, EOF, a bad
 * line or more than MAX_HANDSHAKE_LINE bytes without a newline.
 */
export function waitForHandshake(stdout: Readable, timeoutMs = 60_000): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let acc = '';
    const done = (err: Error | undefined, h?: Handshake): void => {
      clearTimeout(timer);
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.off('error', onError);
      if (err) reject(err); else resolve(h!);
    };
    const onData = (chunk: Buffer | string): void => {
      acc += chunk.toString();
      const nl = acc.indexOf('\n');
      if (nl < 0 || nl > MAX_HANDSHAKE_LINE) {
        if (acc.length > MAX_HANDSHAKE_LINE) {
          done(new HandshakeError(`the plugin printed more than ${MAX_HANDSHAKE_LINE} bytes on its stdout without a newline, which is no handshake line (it begins ${JSON.stringify(acc.slice(0, 40))})`));
        }
        return;
      }
      const line = acc.slice(0, nl);
      const rest = acc.slice(nl + 1);
      try {
        const h = parseHandshake(line);
        done(undefined, h);
      } catch (e) {
        done(e as Error);
      }
      if (rest) stdout.unshift(Buffer.from(rest));
    };
    const onEnd = (): void => done(new HandshakeError('plugin exited before we could connect'));
    const onError = (e: Error): void => done(e);
    const timer = setTimeout(() => done(new HandshakeError('timeout while waiting for plugin to start')), timeoutMs);
    stdout.on('data', onData);
    stdout.on('end', onEnd);
    stdout.on('error', onError);
  });
}

/** The text Go gives for a socket error (syscall.Errno's strings): the SDK's one catalogue. */
export const goErrno = (e: NodeJS.ErrnoException): string => errnoReason(e);

const READ_BUFFER = 256 * 1024;

/** Connects to the address a plugin announced. */
export function connectHandshake(h: Handshake): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let sock: net.Socket;
    // Reads land in one reused buffer of READ_BUFFER bytes and are copied out at their exact
    // size: fewer, larger reads than the default (64 KiB, each a fresh zero-filled copy when short).
    const onread = {
      buffer: Buffer.allocUnsafe(READ_BUFFER),
      callback: (n: number, buf: Uint8Array): boolean => {
        const chunk = Buffer.allocUnsafe(n);
        chunk.set(buf.subarray(0, n));
        sock.emit('data', chunk);
        return true;
      },
    };
    if (h.network === 'unix') sock = net.connect({ path: h.address, onread });
    else {
      const { host, port } = splitHostPort(h.address);
      sock = net.connect({ port, host, onread });
    }
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(new HandshakeError(`dial ${h.network} ${h.address}: connect: ${goErrno(e)}`));
    };
    sock.once('connect', () => {
      sock.off('error', onError);
      if (h.network === 'tcp') { sock.setKeepAlive(true); sock.setNoDelay(true); }
      resolve(sock);
    });
    sock.once('error', onError);
  });
}
