/**
 * MuxBroker: Packer's way to hand objects (Ui, Hook, Communicator, Artifact, byte streams) across
 * the plugin connection. Each object is served on its own yamux stream, known by a uint32 id.
 *   dialer:   opens a stream, writes the id (4 bytes, little-endian, as Go's binary.Write with
 *             LittleEndian), then waits for the same 4 bytes back.
 *   acceptor: the broker reads the id from every incoming stream and parks the stream under that id;
 *             accept(id) takes it (waiting up to 5 s either way, as Packer) and echoes the id.
 * Id 0 is the main RPC channel: the core (yamux client) dials 0, the plugin accepts 0.
 *
 * Public API
 *   const broker = MuxBroker.client(socket) / MuxBroker.server(socket) / new MuxBroker(session)
 *   broker.nextId(): number                    // 1, 2, 3 ... (Packer's NextId)
 *   await broker.accept(id, timeoutMs = 5000): Promise<Stream>
 *   await broker.dial(id): Promise<Stream>
 *   await broker.dialRpc(id): Promise<RpcClient>   // dial + RpcClient.over
 *   broker.serveRpc(id, server): Promise<void>     // accept + server.serve; resolves when it ends
 *   broker.close(); broker.session
 */
import type { Duplex } from 'node:stream';
import { Session, Stream, type SessionOptions } from './yamux.ts';
import { RpcClient, type RpcServer } from './netrpc.ts';

export class BrokerError extends Error {
  constructor(message: string) { super(message); this.name = 'BrokerError'; }
}

const noop = (): void => {};

/** Reads exactly `n` bytes from a readable stream, leaving the rest buffered in it. */
export function readExact(stream: Duplex, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      const b = stream.read(n) as Buffer | null;
      if (b === null) return;
      cleanup();
      if (b.length < n) reject(new BrokerError('unexpected EOF'));
      else resolve(b);
    };
    const onEnd = (): void => { cleanup(); reject(new BrokerError('unexpected EOF')); };
    const onError = (e: Error): void => { cleanup(); reject(e); };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onError);
    onReadable();
  });
}

function idBytes(id: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(id >>> 0, 0);
  return b;
}

interface Parked { stream: Stream; timer: NodeJS.Timeout }
interface Waiting { resolve: (s: Stream) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

export class MuxBroker {
  private id = 0;
  private parked = new Map<number, Parked>();
  private waiting = new Map<number, Waiting>();
  private parkTimeoutMs: number;

  static client(conn: Duplex, opts?: SessionOptions): MuxBroker { return new MuxBroker(Session.client(conn, opts)); }
  static server(conn: Duplex, opts?: SessionOptions): MuxBroker { return new MuxBroker(Session.server(conn, opts)); }

  constructor(readonly session: Session, opts: { parkTimeoutMs?: number } = {}) {
    this.parkTimeoutMs = opts.parkTimeoutMs ?? 5000;
    void this.run();
    session.closed.then(() => {
      for (const w of this.waiting.values()) { clearTimeout(w.timer); w.reject(new BrokerError('session shutdown')); }
      this.waiting.clear();
      for (const p of this.parked.values()) clearTimeout(p.timer);
      this.parked.clear();
    });
  }

  /** A fresh id for an object to serve. */
  nextId(): number {
    this.id = (this.id + 1) >>> 0;
    return this.id;
  }

  /** Opens a stream to the object served under `id` by the peer. */
  async dial(id: number): Promise<Stream> {
    const s = this.session.open();
    s.on('error', noop);
    try {
      s.write(idBytes(id));
      const ack = await readExact(s, 4);
      const got = ack.readUInt32LE(0);
      if (got !== id) throw new BrokerError(`bad ack: ${got} (expected ${id})`);
    } catch (e) {
      s.destroy();
      throw e;
    } finally {
      s.off('error', noop);
    }
    return s;
  }

  /** Waits for the peer to dial `id`, acknowledges, and returns the stream. */
  accept(id: number, timeoutMs = 5000): Promise<Stream> {
    const p = this.parked.get(id);
    if (p) {
      this.parked.delete(id);
      clearTimeout(p.timer);
      return Promise.resolve(this.ack(p.stream, id));
    }
    if (this.session.isClosed) return Promise.reject(new BrokerError('session shutdown'));
    if (this.waiting.has(id)) return Promise.reject(new BrokerError(`already accepting id ${id}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new BrokerError('timeout waiting for accept'));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** Dials `id` and speaks net/rpc on it. */
  async dialRpc(id: number): Promise<RpcClient> {
    return RpcClient.over(await this.dial(id));
  }

  /** Accepts `id` and serves `server` on it; resolves when that connection ends. */
  async serveRpc(id: number, server: RpcServer, timeoutMs = 5000): Promise<void> {
    const s = await this.accept(id, timeoutMs);
    await server.serve(s);
  }

  /** Closes the session and every stream. */
  close(): void { this.session.close(); }

  private ack(s: Stream, id: number): Stream {
    s.off('error', noop);
    s.write(idBytes(id));
    return s;
  }

  private async run(): Promise<void> {
    for (;;) {
      let s: Stream;
      try {
        s = await this.session.accept();
      } catch {
        return;
      }
      void this.route(s);
    }
  }

  private async route(s: Stream): Promise<void> {
    s.on('error', noop);
    let id: number;
    try {
      id = (await readExact(s, 4)).readUInt32LE(0);
    } catch {
      s.destroy();
      return;
    }
    const w = this.waiting.get(id);
    if (w) {
      this.waiting.delete(id);
      clearTimeout(w.timer);
      w.resolve(this.ack(s, id));
      return;
    }
    const old = this.parked.get(id);
    if (old) {
      // Packer keeps only the first stream parked under an id; a second one is dropped.
      s.destroy();
      return;
    }
    const timer = setTimeout(() => {
      this.parked.delete(id);
      s.destroy();
    }, this.parkTimeoutMs);
    timer.unref();
    this.parked.set(id, { stream: s, timer });
  }
}
