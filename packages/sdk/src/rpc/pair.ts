/**
 * In-memory connections for tests and in-process plugins.
 *
 * Public API
 *   const [a, b] = duplexPair()        // what is written to a is read from b, and back
 *   const { client, server } = sessionPair(opts?)   // two yamux Sessions over a duplexPair
 *   const { client, server } = brokerPair(opts?)    // two MuxBrokers (core side, plugin side)
 *   tap(duplex, onChunk)               // observes bytes written to a duplex (e.g. to inspect frames)
 */
import { Duplex } from 'node:stream';
import { Session, type SessionOptions } from './yamux.ts';
import { MuxBroker } from './broker.ts';

class PairEnd extends Duplex {
  peer!: PairEnd;
  private wantRead = false;
  private pending: { chunk: Buffer; cb: (err?: Error | null) => void } | undefined;
  override _read(): void {
    this.wantRead = true;
    const p = this.peer.pending;
    if (p) { this.peer.pending = undefined; this.peer._write(p.chunk, 'binary', p.cb); }
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.peer.destroyed) return cb(new Error('peer closed'));
    if (!this.peer.wantRead) { this.pending = { chunk, cb }; return; }
    this.peer.wantRead = this.peer.push(chunk);
    cb();
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.peer.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.destroy();
    cb(err);
  }
}

/** Two connected in-memory duplex streams with backpressure. */
export function duplexPair(): [Duplex, Duplex] {
  const a = new PairEnd({ allowHalfOpen: true });
  const b = new PairEnd({ allowHalfOpen: true });
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export function sessionPair(opts?: SessionOptions): { client: Session; server: Session; clientConn: Duplex; serverConn: Duplex } {
  const [clientConn, serverConn] = duplexPair();
  return { client: Session.client(clientConn, opts), server: Session.server(serverConn, opts), clientConn, serverConn };
}

export function brokerPair(opts?: SessionOptions): { client: MuxBroker; server: MuxBroker } {
  const { client, server } = sessionPair(opts);
  return { client: new MuxBroker(client), server: new MuxBroker(server) };
}

/** Calls `onChunk` with every chunk written to `d` (before it is sent). */
export function tap(d: Duplex, onChunk: (chunk: Buffer) => void): void {
  const orig = d.write.bind(d) as (chunk: unknown, ...rest: unknown[]) => boolean;
  (d as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]): boolean => {
    onChunk(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return orig(chunk, ...rest);
  };
}
