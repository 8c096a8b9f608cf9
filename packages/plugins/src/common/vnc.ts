/**
 * A minimal RFB (VNC) client on node:net: handshake (protocol 3.3, 3.7, 3.8,
 * security types None and VNC authentication) and KeyEvent messages, enough
 * to type boot commands. Server messages after the handshake are read and
 * dropped. Handshake failures are worded as Packer's VNC client
 * (mitchellh/go-vnc) words them.
 */
import { connect, type Socket } from 'node:net';
import { desEncryptBlock } from './des.ts';

/** RFB security types (RFC 6143 7.2). */
const SECURITY_NONE = 1;
const SECURITY_VNC_AUTH = 2;

/** A failure after the TCP connection was made (Packer: "Error handshaking with VNC"). */
export class VncHandshakeError extends Error {}

/** A byte with its bits in reverse order: VNC authentication's DES key takes each password byte so. */
function reverseBits(b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) r |= ((b >> i) & 1) << (7 - i);
  return r;
}

/**
 * The response to a VNC authentication challenge (RFB 7.2.2): the 16 bytes encrypted with DES,
 * keyed with the password's first 8 bytes (zero-padded), each bit-reversed, as go-vnc does.
 */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  const key = Buffer.alloc(8);
  const pw = Buffer.from(password, 'latin1');
  for (let i = 0; i < Math.min(8, pw.length); i++) key[i] = reverseBits(pw[i]!);
  return Buffer.concat([desEncryptBlock(key, challenge.subarray(0, 8)), desEncryptBlock(key, challenge.subarray(8, 16))]);
}

/** A list of security types as Go's %#v prints a []uint8: `[]byte{0x1, 0x10}`. */
function goBytes(types: number[]): string {
  return `[]byte{${types.map((t) => `0x${t.toString(16)}`).join(', ')}}`;
}

export class VncClient {
  desktopName = '';
  width = 0;
  height = 0;
  private constructor(private sock: Socket) {}

  /**
   * Connects and completes the handshake; `shared` keeps other viewers connected; with a
   * `password` the client authenticates with VNC authentication, else with None. Errors after the
   * TCP connection are VncHandshakeErrors.
   */
  static async connect(host: string, port: number, opts: { shared?: boolean; password?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<VncClient> {
    const sock = connect({ host, port });
    sock.setNoDelay(true);
    const reader = new SocketReader(sock);
    const timer = setTimeout(() => sock.destroy(new Error('VNC handshake timed out')), opts.timeoutMs ?? 10_000);
    const onAbort = () => sock.destroy(new Error('cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let connected = false;
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once('connect', () => resolve());
        sock.once('error', reject);
      });
      connected = true;
      const version = (await reader.read(12)).toString('latin1');
      const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(version);
      if (!m) throw new Error(`protocol version message not recognized: ${JSON.stringify(version)}`);
      const major = Number(m[1]);
      const minor = major > 3 ? 8 : Number(m[2]) >= 8 ? 8 : Number(m[2]) >= 7 ? 7 : 3;
      sock.write(`RFB 003.00${minor}\n`);
      const wanted = opts.password ? SECURITY_VNC_AUTH : SECURITY_NONE;
      let type: number;
      if (minor === 3) {
        // the server chooses
        type = (await reader.read(4)).readUInt32BE(0);
        if (type === 0) throw new Error(`no security types: ${await readReason(reader)}`);
        if (type !== wanted) throw new Error(`no suitable auth schemes found. server supported: ${goBytes([type])}`);
      } else {
        const n = (await reader.read(1))[0]!;
        if (n === 0) throw new Error(`no security types: ${await readReason(reader)}`);
        const types = [...(await reader.read(n))];
        if (!types.includes(wanted)) throw new Error(`no suitable auth schemes found. server supported: ${goBytes(types)}`);
        type = wanted;
        sock.write(Buffer.from([type]));
      }
      if (type === SECURITY_VNC_AUTH) sock.write(vncAuthResponse(opts.password!, await reader.read(16)));
      // 3.3 and 3.7 send no SecurityResult for None
      if (type === SECURITY_VNC_AUTH || minor === 8) {
        const result = (await reader.read(4)).readUInt32BE(0);
        if (result !== 0) throw new Error(`security handshake failed: ${minor === 8 ? await readReason(reader) : '<error>'}`);
      }
      sock.write(Buffer.from([opts.shared === false ? 0 : 1]));
      const init = await reader.read(24);
      const c = new VncClient(sock);
      c.width = init.readUInt16BE(0);
      c.height = init.readUInt16BE(2);
      const nameLen = init.readUInt32BE(20);
      c.desktopName = (await reader.read(nameLen)).toString('utf8');
      reader.drain();
      sock.on('error', () => { /* reported on the next write */ });
      return c;
    } catch (e) {
      sock.destroy();
      if (connected && !(e instanceof VncHandshakeError)) throw new VncHandshakeError((e as Error).message, { cause: e });
      throw e;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Sends a KeyEvent (message type 4) for an X11 keysym. */
  keyEvent(keysym: number, down: boolean): Promise<void> {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym >>> 0, 4);
    return new Promise((resolve, reject) => {
      if (this.sock.destroyed) { reject(new Error('VNC connection closed')); return; }
      this.sock.write(b, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    this.sock.end();
    this.sock.destroy();
  }
}

async function readReason(r: SocketReader): Promise<string> {
  try {
    const len = (await r.read(4)).readUInt32BE(0);
    return (await r.read(len)).toString('utf8');
  } catch {
    return '<error>';
  }
}

/** Reads exact byte counts from a socket. */
class SocketReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting?: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void };
  private ended?: Error;
  private draining = false;

  constructor(private sock: Socket) {
    sock.on('data', (d: Buffer) => {
      if (this.draining) return;
      this.chunks.push(d);
      this.size += d.length;
      this.pump();
    });
    const end = (e?: Error) => {
      this.ended = e ?? new Error('VNC connection closed by the server');
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(this.ended);
    };
    sock.on('error', end);
    sock.on('close', () => end());
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.pump();
    });
  }

  drain(): void {
    this.draining = true;
    this.chunks = [];
    this.size = 0;
  }

  private pump(): void {
    const w = this.waiting;
    if (!w) return;
    if (this.size >= w.n) {
      const all = Buffer.concat(this.chunks);
      this.chunks = [all.subarray(w.n)];
      this.size = all.length - w.n;
      this.waiting = undefined;
      w.resolve(all.subarray(0, w.n));
    } else if (this.ended) {
      this.waiting = undefined;
      w.reject(this.ended);
    }
  }
}
