/**
 * yamux: the stream multiplexer under Packer's plugin RPC (hashicorp/yamux, protocol version 0).
 *
 * Public API
 *   const s = Session.client(socket, opts?)   // the core's side: opens odd stream ids
 *   const s = Session.server(socket, opts?)   // the plugin's side: opens even stream ids
 *   s.open(): Stream                          // new stream; the SYN is sent at once (as yamux's OpenStream)
 *   await s.accept(): Promise<Stream>         // next stream the peer opened (sends its ACK)
 *   await s.ping(): Promise<number>           // round trip in ms
 *   s.goAway()                                // refuse further incoming streams
 *   s.close(err?)                             // closes the connection and destroys every stream
 *   s.closed: Promise<void>; s.isClosed; s.numStreams; s.on('close', (err?) => ...)
 *
 *   Stream is a Node Duplex: write() honours the peer's receive window (the write callback waits for
 *   window and for the socket to drain); the readable side grants window only as data is read;
 *   end() sends FIN (half-close); destroy() without both FINs sends RST; reset() sends RST.
 *   A stream reset by the peer is destroyed with an error whose code is 'ECONNRESET'.
 *
 * Options: maxStreamWindow (receive window this side grants, >= 256 KiB, default 256 KiB),
 * keepAliveMs (ping period, default off; false/0 = off), pingTimeoutMs (default 10 s),
 * acceptBacklog (default 256).
 */
import { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';

export const PROTO_VERSION = 0;
export const TYPE_DATA = 0;
export const TYPE_WINDOW_UPDATE = 1;
export const TYPE_PING = 2;
export const TYPE_GO_AWAY = 3;
export const FLAG_SYN = 1;
export const FLAG_ACK = 2;
export const FLAG_FIN = 4;
export const FLAG_RST = 8;
export const INITIAL_STREAM_WINDOW = 256 * 1024;
export const GO_AWAY_NORMAL = 0;
export const GO_AWAY_PROTO_ERR = 1;
export const GO_AWAY_INTERNAL_ERR = 2;
export const HEADER_SIZE = 12;

/** Error of the yamux layer; `code` is stable. */
export class YamuxError extends Error {
  constructor(readonly code: 'ECONNRESET' | 'SESSION_SHUTDOWN' | 'PROTOCOL' | 'REMOTE_GO_AWAY' | 'KEEPALIVE_TIMEOUT' | 'TIMEOUT' | 'BACKLOG', message: string) {
    super(message);
    this.name = 'YamuxError';
  }
}

export interface SessionOptions {
  maxStreamWindow?: number;
  keepAliveMs?: number | false;
  pingTimeoutMs?: number;
  acceptBacklog?: number;
}

/** Encodes one 12-byte yamux header. */
export function encodeHeader(type: number, flags: number, streamId: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h[0] = PROTO_VERSION;
  h[1] = type;
  h.writeUInt16BE(flags, 2);
  h.writeUInt32BE(streamId >>> 0, 4);
  h.writeUInt32BE(length >>> 0, 8);
  return h;
}

const enum State { Init, SynSent, SynReceived, Established, LocalClose, RemoteClose, Closed, Reset }

type Waiter = { resolve: (s: Stream) => void; reject: (e: Error) => void };

export class Session extends EventEmitter {
  readonly isClient: boolean;
  readonly maxWindow: number;
  /** Resolves when the session is closed (whatever the cause). */
  readonly closed: Promise<void>;
  private conn: Duplex;
  private nextId: number;
  private streams = new Map<number, Stream>();
  private acceptQueue: Stream[] = [];
  private acceptWaiters: Waiter[] = [];
  private backlog: number;
  private shutdown = false;
  private shutdownErr: Error | undefined;
  private localGoAway = false;
  private remoteGoAway = false;
  private pingId = 0;
  private pings = new Map<number, () => void>();
  private pingTimeoutMs: number;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private drainWaiters: (() => void)[] = [];
  private resolveClosed!: () => void;
  // receive parser state
  private hdr = Buffer.alloc(HEADER_SIZE);
  private hdrFill = 0;
  private payloadLeft = 0;
  private payloadStream: Stream | undefined;

  static client(conn: Duplex, opts?: SessionOptions): Session { return new Session(conn, true, opts); }
  static server(conn: Duplex, opts?: SessionOptions): Session { return new Session(conn, false, opts); }

  constructor(conn: Duplex, client: boolean, opts: SessionOptions = {}) {
    super();
    this.conn = conn;
    this.isClient = client;
    this.nextId = client ? 1 : 2;
    this.maxWindow = Math.max(opts.maxStreamWindow ?? INITIAL_STREAM_WINDOW, INITIAL_STREAM_WINDOW);
    this.backlog = opts.acceptBacklog ?? 256;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 10_000;
    this.closed = new Promise((r) => { this.resolveClosed = r; });
    conn.on('data', (chunk: Buffer) => this.onData(chunk));
    conn.on('end', () => this.close());
    conn.on('close', () => this.close());
    conn.on('error', (e: Error) => this.close(e));
    conn.on('drain', () => {
      const ws = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of ws) w();
    });
    if (opts.keepAliveMs) {
      const period = opts.keepAliveMs;
      this.keepAliveTimer = setInterval(() => {
        this.ping().catch((e: Error) => {
          if (!this.shutdown) this.close(new YamuxError('KEEPALIVE_TIMEOUT', `keepalive failed: ${e.message}`));
        });
      }, period);
      this.keepAliveTimer.unref();
    }
  }

  get isClosed(): boolean { return this.shutdown; }
  get numStreams(): number { return this.streams.size; }

  /** Opens a new stream (sends a window update with SYN, as yamux's OpenStream). */
  open(): Stream {
    if (this.shutdown) throw this.shutdownErr ?? new YamuxError('SESSION_SHUTDOWN', 'session shutdown');
    if (this.remoteGoAway) throw new YamuxError('REMOTE_GO_AWAY', 'remote end is not accepting connections');
    const id = this.nextId;
    if (id >= 0xffffffff - 1) throw new YamuxError('PROTOCOL', 'streams exhausted');
    this.nextId += 2;
    const s = new Stream(this, id, State.Init);
    this.streams.set(id, s);
    s.sendWindowUpdate();
    return s;
  }

  /** Waits for the next stream opened by the peer. */
  accept(): Promise<Stream> {
    const s = this.acceptQueue.shift();
    if (s) { s.sendWindowUpdate(); return Promise.resolve(s); }
    if (this.shutdown) return Promise.reject(this.shutdownErr ?? new YamuxError('SESSION_SHUTDOWN', 'session shutdown'));
    return new Promise((resolve, reject) => this.acceptWaiters.push({ resolve, reject }));
  }

  /** Sends a ping and resolves with the round-trip time in milliseconds. */
  ping(): Promise<number> {
    if (this.shutdown) return Promise.reject(new YamuxError('SESSION_SHUTDOWN', 'session shutdown'));
    const id = this.pingId;
    this.pingId = (this.pingId + 1) >>> 0;
    const start = performance.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pings.delete(id); reject(new YamuxError('TIMEOUT', 'i/o deadline reached')); }, this.pingTimeoutMs);
      timer.unref();
      this.pings.set(id, () => { clearTimeout(timer); resolve(performance.now() - start); });
      this.closed.then(() => { if (this.pings.delete(id)) { clearTimeout(timer); reject(new YamuxError('SESSION_SHUTDOWN', 'session shutdown')); } });
      this.writeControl(TYPE_PING, FLAG_SYN, 0, id);
    });
  }

  /** Tells the peer no more streams will be accepted; incoming SYNs are then answered with RST. */
  /** Why the session closed: a YamuxError (code PROTOCOL for bytes that are not yamux), or undefined while open. */
  get closeError(): Error | undefined { return this.shutdownErr; }

  goAway(): void {
    this.localGoAway = true;
    this.writeControl(TYPE_GO_AWAY, 0, 0, GO_AWAY_NORMAL);
  }

  /** Closes the connection and every stream. */
  close(err?: Error): void {
    if (this.shutdown) return;
    this.shutdown = true;
    this.shutdownErr = err ?? new YamuxError('SESSION_SHUTDOWN', 'session shutdown');
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.conn.destroy();
    const queued = new Set(this.acceptQueue);
    this.acceptQueue = [];
    for (const s of [...this.streams.values()]) s.forceClose(queued.has(s) ? undefined : err);
    this.streams.clear();
    for (const w of this.acceptWaiters) w.reject(this.shutdownErr);
    this.acceptWaiters = [];
    const ws = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of ws) w();
    this.resolveClosed();
    this.emit('close', err);
  }

  // ---- sending ----

  /** @internal Writes a header-only frame. */
  writeControl(type: number, flags: number, id: number, length: number): void {
    if (this.shutdown) return;
    this.conn.write(encodeHeader(type, flags, id, length));
  }

  /** @internal Writes a data frame; returns false when the socket asks to wait for 'drain'. */
  writeData(flags: number, id: number, body: Buffer): boolean {
    if (this.shutdown) return true;
    const h = encodeHeader(TYPE_DATA, flags, id, body.length);
    if (body.length <= 1024) return this.conn.write(Buffer.concat([h, body], HEADER_SIZE + body.length));
    this.conn.cork();
    this.conn.write(h);
    const ok = this.conn.write(body);
    this.conn.uncork();
    return ok;
  }

  /** @internal */
  cork(): void { this.conn.cork(); }
  /** @internal */
  uncork(): void { this.conn.uncork(); }

  /** @internal Calls `fn` once the socket drained (or the session closed). */
  onDrain(fn: () => void): void {
    if (this.shutdown || !this.conn.writableNeedDrain) { fn(); return; }
    this.drainWaiters.push(fn);
  }

  /** @internal */
  removeStream(id: number): void { this.streams.delete(id); }

  /** @internal Removes `s` from the accept queue; true if it was there. */
  dropQueued(s: Stream): boolean {
    const i = this.acceptQueue.indexOf(s);
    if (i < 0) return false;
    this.acceptQueue.splice(i, 1);
    return true;
  }

  // ---- receiving ----

  private onData(chunk: Buffer): void {
    let off = 0;
    const n = chunk.length;
    while (off < n && !this.shutdown) {
      if (this.payloadLeft > 0) {
        const take = Math.min(this.payloadLeft, n - off);
        const part = take === n && off === 0 ? chunk : chunk.subarray(off, off + take);
        off += take;
        this.payloadLeft -= take;
        if (this.payloadStream) this.payloadStream.receive(part);
        if (this.payloadLeft === 0) this.payloadStream = undefined;
        continue;
      }
      if (this.hdrFill === 0 && n - off >= HEADER_SIZE) {
        this.handleHeader(chunk, off);
        off += HEADER_SIZE;
        continue;
      }
      const take = Math.min(HEADER_SIZE - this.hdrFill, n - off);
      chunk.copy(this.hdr, this.hdrFill, off, off + take);
      this.hdrFill += take;
      off += take;
      if (this.hdrFill === HEADER_SIZE) {
        this.hdrFill = 0;
        this.handleHeader(this.hdr, 0);
      }
    }
  }

  private handleHeader(b: Buffer, o: number): void {
    const version = b[o]!;
    const type = b[o + 1]!;
    const flags = b.readUInt16BE(o + 2);
    const id = b.readUInt32BE(o + 4);
    const length = b.readUInt32BE(o + 8);
    if (version !== PROTO_VERSION) return this.close(new YamuxError('PROTOCOL', 'invalid protocol version'));
    switch (type) {
      case TYPE_DATA:
      case TYPE_WINDOW_UPDATE:
        return this.handleStreamMessage(type, flags, id, length);
      case TYPE_PING:
        if (flags & FLAG_SYN) this.writeControl(TYPE_PING, FLAG_ACK, 0, length);
        else { const p = this.pings.get(length); if (p) { this.pings.delete(length); p(); } }
        return;
      case TYPE_GO_AWAY:
        if (length === GO_AWAY_NORMAL) { this.remoteGoAway = true; return; }
        if (length === GO_AWAY_PROTO_ERR) return this.close(new YamuxError('PROTOCOL', 'yamux protocol error'));
        if (length === GO_AWAY_INTERNAL_ERR) return this.close(new YamuxError('PROTOCOL', 'remote yamux internal error'));
        return this.close(new YamuxError('PROTOCOL', 'unexpected go away received'));
      default:
        return this.close(new YamuxError('PROTOCOL', 'invalid msg type'));
    }
  }

  private protocolError(msg: string): void {
    this.writeControl(TYPE_GO_AWAY, 0, 0, GO_AWAY_PROTO_ERR);
    this.close(new YamuxError('PROTOCOL', msg));
  }

  private handleStreamMessage(type: number, flags: number, id: number, length: number): void {
    if (flags & FLAG_SYN) {
      if (this.localGoAway) {
        this.writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
      } else if (this.streams.has(id)) {
        return this.protocolError('duplicate stream initiated');
      } else if (this.acceptQueue.length >= this.backlog && this.acceptWaiters.length === 0) {
        this.writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
      } else {
        const s = new Stream(this, id, State.SynReceived);
        // The peer may reset the stream in the same read, before whoever accepts it can listen:
        // its error must not go unhandled (listeners added later still receive later errors).
        s.on('error', () => {});
        this.streams.set(id, s);
        const w = this.acceptWaiters.shift();
        if (w) { s.sendWindowUpdate(); w.resolve(s); } else this.acceptQueue.push(s);
        this.emit('stream', s);
      }
    }
    const s = this.streams.get(id);
    if (!s) {
      if (type === TYPE_DATA && length > 0) { this.payloadLeft = length; this.payloadStream = undefined; }
      return;
    }
    if (type === TYPE_WINDOW_UPDATE) {
      if (!s.processFlags(flags)) return this.protocolError('unexpected flag');
      s.incrSendWindow(length);
      return;
    }
    if (!s.processFlags(flags)) return this.protocolError('unexpected flag');
    if (length === 0) return;
    if (!s.reserveRecv(length)) return this.protocolError('recv window exceeded');
    this.payloadLeft = length;
    this.payloadStream = s;
  }
}

/** One yamux stream, as a Node Duplex. */
export class Stream extends Duplex {
  readonly id: number;
  readonly session: Session;
  private state: State;
  private sendWindow = INITIAL_STREAM_WINDOW;
  private recvWindow = INITIAL_STREAM_WINDOW;
  private queue: Buffer[] = [];
  private queued = 0;
  private wantRead = false;
  private remoteFin = false;
  private pendingWrite: { chunk: Buffer; cb: (err?: Error | null) => void } | undefined;
  private flushScheduled = false;

  /** @internal */
  constructor(session: Session, id: number, state: State) {
    super({ allowHalfOpen: true, readableHighWaterMark: 64 * 1024, writableHighWaterMark: 256 * 1024 });
    this.session = session;
    this.id = id;
    this.state = state;
  }

  /** Aborts the stream: sends RST and destroys it. */
  reset(): void {
    if (this.state !== State.Reset && this.state !== State.Closed) {
      this.session.writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, this.id, 0);
      this.state = State.Reset;
    }
    this.destroy();
  }

  /** @internal Flags to piggyback on the next frame (SYN for a new stream, ACK for an accepted one). */
  private sendFlags(): number {
    if (this.state === State.Init) { this.state = State.SynSent; return FLAG_SYN; }
    if (this.state === State.SynReceived) { this.state = State.Established; return FLAG_ACK; }
    return 0;
  }

  /** @internal Grants the peer window for what has been consumed, as yamux's sendWindowUpdate. */
  sendWindowUpdate(): void {
    const max = this.session.maxWindow;
    const delta = max - this.queued - this.recvWindow;
    const flags = this.sendFlags();
    if (delta < max / 2 && flags === 0) return;
    this.recvWindow += delta;
    this.session.writeControl(TYPE_WINDOW_UPDATE, flags, this.id, delta);
  }

  /** @internal Applies SYN/ACK/FIN/RST; false on a protocol error. */
  processFlags(flags: number): boolean {
    if (flags & FLAG_ACK) {
      if (this.state === State.SynSent) this.state = State.Established;
    }
    if (flags & FLAG_FIN) {
      switch (this.state) {
        case State.SynSent: case State.SynReceived: case State.Established:
          this.state = State.RemoteClose; break;
        case State.LocalClose:
          this.state = State.Closed; this.session.removeStream(this.id); break;
        default:
          return false;
      }
      this.remoteFin = true;
      this.flush();
    }
    if (flags & FLAG_RST) {
      this.state = State.Reset;
      this.session.removeStream(this.id);
      const e = new YamuxError('ECONNRESET', 'connection reset');
      this.failPendingWrite(e);
      // A stream nobody holds yet (still in the accept queue) is dropped quietly.
      if (this.session.dropQueued(this)) this.destroy();
      else this.destroy(e);
    }
    return true;
  }

  /** @internal */
  incrSendWindow(n: number): void {
    this.sendWindow += n;
    if (this.pendingWrite && this.sendWindow > 0) {
      const { chunk, cb } = this.pendingWrite;
      this.pendingWrite = undefined;
      this.sendChunk(chunk, cb);
    }
  }

  /** @internal Accounts for an incoming data frame of `n` bytes; false if it exceeds the window. */
  reserveRecv(n: number): boolean {
    if (n > this.recvWindow) return false;
    this.recvWindow -= n;
    return true;
  }

  /** @internal Data arrived for this stream. */
  receive(part: Buffer): void {
    if (this.destroyed) { this.sendWindowUpdate(); return; }
    this.queue.push(part);
    this.queued += part.length;
    if (this.wantRead) this.flush();
  }

  /** @internal The session shut down. */
  forceClose(err?: Error): void {
    if (this.state !== State.Reset) this.state = State.Closed;
    this.failPendingWrite(err ?? new YamuxError('SESSION_SHUTDOWN', 'session shutdown'));
    if (!this.destroyed) this.destroy(err);
  }

  private failPendingWrite(e: Error): void {
    const p = this.pendingWrite;
    this.pendingWrite = undefined;
    if (p) p.cb(e);
  }

  private flush(): void {
    let pushed = false;
    while (this.wantRead && this.queue.length > 0) {
      const b = this.queue.shift()!;
      this.queued -= b.length;
      pushed = true;
      this.wantRead = this.push(b);
    }
    if (pushed && !this.destroyed && this.state !== State.Reset) this.sendWindowUpdate();
    if (this.queue.length === 0 && this.remoteFin && this.wantRead) {
      this.remoteFin = false;
      this.push(null);
    }
  }

  override _read(): void {
    this.wantRead = true;
    // Called from read() with data still buffered: pushing now would make read() join the
    // buffered chunk and the new one into a fresh copy. Push on the next tick instead.
    if (this.readableLength > 0) {
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        process.nextTick(() => { this.flushScheduled = false; this.flush(); });
      }
      return;
    }
    this.flush();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.sendChunk(chunk, cb);
  }

  /** Several buffered writes: their frames go out corked, in one system call. */
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.session.cork();
    let i = 0;
    // sendChunk calls back synchronously while window and socket allow; otherwise resume later.
    const step = (): void => {
      while (i < chunks.length) {
        const c = chunks[i++]!.chunk;
        let sync = true, pending = true, error: Error | null | undefined;
        this.sendChunk(c, (e) => {
          pending = false; error = e;
          if (!sync) { if (e) cb(e); else { this.session.cork(); step(); } }
        });
        sync = false;
        if (pending) { this.session.uncork(); return; }
        if (error) { this.session.uncork(); cb(error); return; }
      }
      this.session.uncork();
      cb();
    };
    step();
  }

  private sendChunk(chunk: Buffer, cb: (err?: Error | null) => void): void {
    let off = 0;
    for (;;) {
      if (this.state === State.Reset) return cb(new YamuxError('ECONNRESET', 'connection reset'));
      if (this.state === State.Closed || this.session.isClosed) return cb(new YamuxError('SESSION_SHUTDOWN', 'stream closed'));
      if (off >= chunk.length) return cb();
      if (this.sendWindow === 0) {
        this.pendingWrite = { chunk: off === 0 ? chunk : chunk.subarray(off), cb };
        return;
      }
      const n = Math.min(this.sendWindow, chunk.length - off);
      const body = n === chunk.length ? chunk : chunk.subarray(off, off + n);
      off += n;
      this.sendWindow -= n;
      const ok = this.session.writeData(this.sendFlags(), this.id, body);
      if (!ok) {
        const rest = chunk.subarray(off);
        this.session.onDrain(() => this.sendChunk(rest, cb));
        return;
      }
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    switch (this.state) {
      case State.Init: case State.SynSent: case State.SynReceived: case State.Established:
        this.session.writeControl(TYPE_WINDOW_UPDATE, this.sendFlags() | FLAG_FIN, this.id, 0);
        this.state = State.LocalClose;
        break;
      case State.RemoteClose:
        this.session.writeControl(TYPE_WINDOW_UPDATE, this.sendFlags() | FLAG_FIN, this.id, 0);
        this.state = State.Closed;
        this.session.removeStream(this.id);
        break;
      default:
        break;
    }
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.failPendingWrite(err ?? new YamuxError('SESSION_SHUTDOWN', 'stream destroyed'));
    this.queue = [];
    this.queued = 0;
    const live = this.state !== State.Closed && this.state !== State.Reset && !this.session.isClosed;
    if (live && err) {
      // Abort: reset the stream.
      this.session.writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, this.id, 0);
      this.state = State.Reset;
    } else if (live) {
      // Plain destroy() closes like yamux's Close: FIN, then whatever the peer still sends is
      // dropped (its window is granted back) until its own FIN arrives.
      if (this.state === State.RemoteClose) {
        this.session.writeControl(TYPE_WINDOW_UPDATE, this.sendFlags() | FLAG_FIN, this.id, 0);
        this.state = State.Closed;
      } else if (this.state !== State.LocalClose) {
        this.session.writeControl(TYPE_WINDOW_UPDATE, this.sendFlags() | FLAG_FIN, this.id, 0);
        this.state = State.LocalClose;
      }
    }
    if (this.state !== State.LocalClose) this.session.removeStream(this.id);
    cb(err);
  }
}
