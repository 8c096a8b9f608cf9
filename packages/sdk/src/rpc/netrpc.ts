/**
 * Go net/rpc over one stream, with the msgpack GoRpc framing Packer uses: every message is two
 * msgpack values back to back, a header then a body.
 *   request:  {ServiceMethod: "Builder.Prepare", Seq: 0}            then the argument
 *   response: {ServiceMethod: "Builder.Prepare", Seq: 0, Error: ""} then the reply
 *             (with Error set, the body is Go's empty struct, an empty map, and is ignored)
 *
 * Public API
 *   const rpc = RpcClient.over(stream)
 *   await rpc.call<T>('Builder.Prepare', args)   // resolves with the decoded reply
 *       rejects with RpcError (the server's Error text, like Go's rpc.ServerError) or with
 *       RpcConnectionError when the connection ends before the reply ('unexpected EOF') or after
 *       rpc.close() ('connection is shut down'). Calls run concurrently, matched by Seq.
 *   rpc.close(); rpc.closed (Promise<void>)
 *
 *   const server = new RpcServer().register('Ui', { say(msg) {...}, async ask(q) {...} })
 *   await server.serve(stream)          // resolves when the stream ends; serve many streams at once
 *       Method names map to handlers by Go's exported name: 'Ui.Say' calls `Say` or, failing that,
 *       `say`. A handler receives the decoded argument and returns the reply (undefined -> nil);
 *       a throw (or rejection) becomes the response's Error text (its message). Unknown names get
 *       Go's texts: "rpc: can't find service Ui.X" / "rpc: can't find method Ui.X" /
 *       "rpc: service/method request ill-formed: X".
 */
import type { Duplex } from 'node:stream';
import { Decoder, encodeAll } from './codec.ts';

/** An error returned by the remote method (Go's rpc.ServerError). */
export class RpcError extends Error {
  constructor(message: string, readonly method?: string) {
    super(message);
    this.name = 'RpcError';
  }
}

/** The connection ended before the reply arrived. */
export class RpcConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpcConnectionError';
  }
}

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }

function headerOf(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || v instanceof Map || Array.isArray(v)) throw new Error('rpc: bad message header');
  return v as Record<string, unknown>;
}

/** Reads (header, body) pairs from a stream; calls `onMessage` for each; `onEnd` once. */
function readMessages(stream: Duplex, onMessage: (header: Record<string, unknown>, body: unknown) => void, onEnd: (err?: Error) => void): void {
  const dec = new Decoder();
  let header: Record<string, unknown> | undefined;
  let ended = false;
  const end = (err?: Error): void => { if (!ended) { ended = true; onEnd(err); } };
  stream.on('data', (chunk: Buffer) => {
    if (ended) return;
    dec.push(chunk);
    try {
      for (;;) {
        const r = dec.next();
        if (!r) break;
        if (header === undefined) { header = headerOf(r.value); continue; }
        const h = header;
        header = undefined;
        onMessage(h, r.value);
      }
    } catch (e) {
      end(e as Error);
      stream.destroy();
    }
  });
  stream.on('end', () => end());
  stream.on('close', () => end());
  stream.on('error', (e: Error) => end(e));
}

export class RpcClient {
  private seq = 0;
  private pending = new Map<number, Pending>();
  private shut = false;
  private lost: Error | undefined;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  static over(stream: Duplex): RpcClient { return new RpcClient(stream); }

  constructor(readonly stream: Duplex) {
    this.closed = new Promise((r) => { this.resolveClosed = r; });
    readMessages(stream, (h, body) => this.onResponse(h, body), (err) => this.onEnd(err));
  }

  /** Calls `method` ("Service.Method") with `args`; resolves with the reply. */
  call<T = unknown>(method: string, args?: unknown): Promise<T> {
    if (this.shut) return Promise.reject(new RpcConnectionError('connection is shut down'));
    if (this.lost) return Promise.reject(this.lost);
    const seq = this.seq++;
    let msg: Buffer;
    try {
      msg = encodeAll({ ServiceMethod: method, Seq: seq }, args ?? null);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject, method });
      this.stream.write(msg);
    });
  }

  /** Closes the stream; pending calls reject with 'connection is shut down'. */
  close(): void {
    if (this.shut) return;
    this.shut = true;
    this.failAll(new RpcConnectionError('connection is shut down'));
    this.stream.end();
    this.resolveClosed();
  }

  private onResponse(h: Record<string, unknown>, body: unknown): void {
    const seq = Number(h.Seq);
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    const err = h.Error;
    if (typeof err === 'string' && err !== '') p.reject(new RpcError(err, p.method));
    else p.resolve(body);
  }

  private onEnd(err?: Error): void {
    this.lost = new RpcConnectionError(this.shut ? 'connection is shut down' : 'unexpected EOF', { cause: err });
    this.failAll(this.lost);
    this.resolveClosed();
  }

  private failAll(e: Error): void {
    const ps = [...this.pending.values()];
    this.pending.clear();
    for (const p of ps) p.reject(e);
  }
}

export type RpcHandler = (args: any) => unknown;

export class RpcServer {
  private services = new Map<string, object>();

  /** Registers `handlers` under the service name `name` (e.g. 'Builder'). */
  register(name: string, handlers: object): this {
    this.services.set(name, handlers);
    return this;
  }

  /** Removes a service. */
  unregister(name: string): this {
    this.services.delete(name);
    return this;
  }

  /** Finds the handler for "Service.Method", or the Go error text. */
  lookup(serviceMethod: string): { fn: RpcHandler; self: object } | string {
    const dot = serviceMethod.lastIndexOf('.');
    if (dot < 0) return `rpc: service/method request ill-formed: ${serviceMethod}`;
    const svc = this.services.get(serviceMethod.slice(0, dot));
    if (!svc) return `rpc: can't find service ${serviceMethod}`;
    const m = serviceMethod.slice(dot + 1);
    const cands = [m, m.charAt(0).toLowerCase() + m.slice(1)];
    for (const c of cands) {
      if (c === 'constructor' || c === '') continue;
      const fn = (svc as Record<string, unknown>)[c];
      if (typeof fn === 'function' && !(c in Object.prototype)) return { fn: fn as RpcHandler, self: svc };
    }
    return `rpc: can't find method ${serviceMethod}`;
  }

  /** Serves requests arriving on `stream` until it ends. */
  serve(stream: Duplex): Promise<void> {
    return new Promise((resolve) => {
      let open = true;
      const reply = (method: unknown, seq: unknown, error: string, body: unknown): void => {
        if (!open || stream.destroyed || stream.writableEnded) return;
        let msg: Buffer;
        try {
          msg = error
            ? encodeAll({ ServiceMethod: method, Seq: seq, Error: error }, {})
            : encodeAll({ ServiceMethod: method, Seq: seq, Error: '' }, body ?? null);
        } catch (e) {
          msg = encodeAll({ ServiceMethod: method, Seq: seq, Error: `rpc: cannot encode reply: ${(e as Error).message}` }, {});
        }
        stream.write(msg);
      };
      readMessages(
        stream,
        (h, body) => {
          const method = h.ServiceMethod;
          const seq = h.Seq;
          const found = this.lookup(String(method ?? ''));
          if (typeof found === 'string') return reply(method, seq, found, undefined);
          let out: unknown;
          try {
            out = found.fn.call(found.self, body);
          } catch (e) {
            return reply(method, seq, errorText(e), undefined);
          }
          if (out instanceof Promise) out.then((v) => reply(method, seq, '', v), (e) => reply(method, seq, errorText(e), undefined));
          else reply(method, seq, '', out);
        },
        () => {
          open = false;
          if (!stream.destroyed && !stream.writableEnded) stream.end();
          resolve();
        },
      );
    });
  }
}

function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s === '' ? 'error' : s;
}
