/**
 * Shared pieces of the per-interface adapters (the methods themselves are declared in methods.ts): Packer's BasicError shape, value
 * conversion between our JSON-like values and what crosses the wire, and serving an object on a
 * fresh broker id.
 *
 * Public API
 *   RemoteError                      an error that came back as {Message} (Packer's BasicError)
 *   basicError(e): {Message} | null  the BasicError shape of a thrown value (null for none)
 *   throwIfBasicError(v)             throws RemoteError when `v` is a non-null BasicError
 *   toWireConfig(v)                  every number as float64 (Packer sends JSON numbers so)
 *   toWire(v)                        plain JSON-like values; numbers keep the codec's default
 *   fromWire(v)                      maps decoded as Map become plain objects where keys allow
 *   serveOnNewId(broker, register)   nextId + RpcServer + serveRpc in the background (Packer's
 *                                    newServerWithMux + go Serve()); returns { id, done }
 *   abortError(signal?)              the error thrown for a cancelled operation
 *   servedSpec(spec, encoding)       a ConfigSpec/OutputSpec reply, after learning the core's hcldec gob path if needed
 *   fromWireConfig(v), configsOf(args)   Prepare/Configure arguments received (cty JSON bytes -> raw map)
 *   callCancellable(rpc, method, args, cancelMethod, signal, opts?)   a call that sends cancelMethod on
 *                                    abort; an already aborted signal rejects at once, or with
 *                                    opts.callWhenAborted makes the call and sends cancelMethod
 */
import { float64, MAX_DECODE_DEPTH, MsgpackError, TOO_DEEP } from '../codec.ts';
import { ctyJsonConfig } from '../cty-msgpack.ts';
import type { MuxBroker } from '../broker.ts';
import { RpcServer, type RpcClient } from '../netrpc.ts';
import { call, type RpcMethod } from '../methods.ts';
import type { ObjectSpec } from '../hcl-spec.ts';
import type { Encoding } from '../methods.ts';
import { detectHcldecGobPackage, specNeedsGobPackage } from '../hcldec-gob.ts';

/** An error a remote component reported in a reply (Packer's BasicError). */
export class RemoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface BasicError { Message: string }

export function basicError(e: unknown): BasicError | null {
  if (e === undefined || e === null) return null;
  const m = e instanceof Error ? e.message : String(e);
  return { Message: m };
}

export function throwIfBasicError(v: unknown): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'object' && 'Message' in (v as object)) throw new RemoteError(String((v as BasicError).Message));
  if (v instanceof Map && v.has('Message')) throw new RemoteError(String(v.get('Message')));
}

function convert(v: unknown, numbers: (n: number) => unknown, depth = 0): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return numbers(v);
  if (typeof v !== 'object') return v;
  if (depth > MAX_DECODE_DEPTH) throw new MsgpackError(TOO_DEEP);
  if (Array.isArray(v)) return v.map((x) => convert(x, numbers, depth + 1));
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return v;
  if (v instanceof Map) {
    const m = new Map();
    for (const [k, x] of v) m.set(k, convert(x, numbers, depth + 1));
    return m;
  }
  if (v instanceof Date) return v.toISOString();
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v; // Float64, Ext, ...: the codec knows them
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = convert(x, numbers, depth + 1);
  return out;
}

/** Configs for Prepare/Configure: every number travels as float64, as Packer sends JSON numbers. */
export function toWireConfig(v: unknown): unknown {
  return convert(v, (n) => float64(n));
}

/** Other interface{} values (generated data, hook data, artifact state). */
export function toWire(v: unknown): unknown {
  return convert(v, (n) => n);
}

/** Values received: Go maps with interface{} keys arrive as Map; make them plain objects. */
export function fromWire(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  // decoded values nest at most MAX_DECODE_DEPTH levels, so this recursion is bounded
  if (Array.isArray(v)) return v.map(fromWire);
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Map) {
    if ([...v.keys()].every((k) => typeof k === 'string' || typeof k === 'number')) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v) out[String(k)] = fromWire(x);
      return out;
    }
    const m = new Map();
    for (const [k, x] of v) m.set(k, fromWire(x));
    return m;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromWire(x);
  return out;
}

/**
 * A Prepare/Configure argument received: HCL2 cores (Packer 1.6+ on HCL2 templates, 1.7+) send the
 * decoded configuration as cty JSON bytes; its value is the raw map (nulls for unset attributes,
 * which decoding skips). Other values as fromWire.
 */
export function fromWireConfig(v: unknown): unknown {
  if (v instanceof Uint8Array) return fromWire(ctyJsonConfig(v));
  return fromWire(v);
}

/** The Configs of a Prepare/Configure call, decoded. */
export function configsOf(a: { Configs?: unknown } | null | undefined): unknown[] {
  return Array.isArray(a?.Configs) ? a!.Configs.map(fromWireConfig) : [];
}

/**
 * A spec a server is about to reply with: in gob mode, a spec with blocks first learns the path the
 * core registered hcldec under (hcldec-gob.ts), which the reply's encoding then uses.
 */
export async function servedSpec(spec: ObjectSpec, encoding: Encoding): Promise<ObjectSpec> {
  if (encoding === 'gob' && specNeedsGobPackage(spec)) await detectHcldecGobPackage();
  return spec;
}

/** An empty spec for components that declare none (they accept no HCL2 attributes). */
export const EMPTY_SPEC: ObjectSpec = { kind: 'object', attributes: {} };

export function asRecord(v: unknown): Record<string, unknown> {
  const r = fromWire(v);
  return r !== null && typeof r === 'object' && !Array.isArray(r) && !(r instanceof Map) && !Buffer.isBuffer(r) ? (r as Record<string, unknown>) : {};
}

export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * Serves the services `register` adds on a new broker id, in the background, as Packer's
 * newServerWithMux(mux, id) + go server.Serve(): the peer must dial within the accept timeout.
 * `done` resolves when the peer closes the connection (or the accept failed).
 */
export function serveOnNewId(broker: MuxBroker, register: (server: RpcServer) => void): { id: number; server: RpcServer; done: Promise<void> } {
  const id = broker.nextId();
  const server = new RpcServer();
  register(server);
  const done = broker.serveRpc(id, server).catch(() => {});
  return { id, server, done };
}

/** Reads a uint32 broker id from a reply (0 when absent). */
export function streamId(v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : Number(v ?? 0);
  return Number.isFinite(n) ? n >>> 0 : 0;
}

const noop = (): void => {};

/**
 * Calls `method` and, if `signal` aborts meanwhile, sends `cancelMethod` (nil argument) on the same
 * connection, as Packer's clients do from their ctx.Done() goroutine. An already aborted signal
 * rejects at once without calling (a Go server would crash on a Cancel before its Run).
 */
export async function callCancellable<A, R>(
  rpc: RpcClient, method: RpcMethod<A, R>, args: A, cancelMethod: RpcMethod<null, null>, signal?: AbortSignal,
  opts: { callWhenAborted?: boolean } = {},
): Promise<R> {
  const onAbort = (): void => { call(rpc, cancelMethod, null).catch(noop); };
  if (signal?.aborted) {
    if (!opts.callWhenAborted) throw abortError(signal);
    // As the Go SDK's clients: the call goes out anyway, and so does the Cancel.
    const p = call(rpc, method, args);
    onAbort();
    return p;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(rpc, method, args);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The cancellation context of a server wrapper: created on first use, aborted by X.Cancel (Go's lazily made context). */
export class CancelScope {
  private controller: AbortController | undefined;
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }
  cancel(): null {
    this.controller ??= new AbortController();
    this.controller.abort();
    return null;
  }
}
