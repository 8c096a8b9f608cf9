/**
 * Every RPC method of Packer's plugin protocol, declared once: its wire name, its argument and
 * reply types, and, where the two protocol encodings differ (gob / protobuf: ConfigSpec,
 * OutputSpec, Datasource.Execute), how the typed value becomes the wire value and back. Client
 * proxies call `call(rpc, Methods.Builder.Prepare, args)`; server wrappers register handlers with
 * `handle(server, Methods.Builder, { Prepare: async (args) => reply, ... })`. Both sides are typed
 * by the same declaration (the way vscode-languageserver-node declares each request type).
 *
 * Public API
 *   type Encoding = 'gob' | 'protobuf'
 *   RpcMethod<A, R>          { method: 'Endpoint.Name', toWire/fromWire for args and reply }
 *   Methods.{Artifact, Builder, Communicator, Datasource, Hook, PostProcessor, Provisioner, Ui}
 *   call(rpc, m, args, encoding = 'gob'): Promise<R>
 *   handle(server, endpoint, handlers, encoding = 'gob')   registers the handlers given (typed by the
 *       declarations; Ui progress sub-services "Ui<id>" register their own)
 *   wire shapes: ConfigsArgs, BuilderPrepareReply, HookRunArgs, ProvisionArgs, PostProcessReply,
 *       MachineArgs, TrackProgressArgs, StartArgs, UploadArgs, DownloadArgs, DirArgs, ExecuteResult
 */
import type { RpcClient, RpcServer } from './netrpc.ts';
import { ctyGob, ctyMsgpackDynamic, decodeCtyGob, decodeCtyMsgpackDynamic, type CtyValue } from './cty-msgpack.ts';
import { specFromGob, specFromProtobuf, specToGob, specToProtobuf, type ObjectSpec } from './hcl-spec.ts';

export type Encoding = 'gob' | 'protobuf';

interface Codec<T> {
  toWire(v: T, enc: Encoding): unknown;
  fromWire(w: unknown, enc: Encoding): T;
}

export interface RpcMethod<A, R> {
  readonly method: string;
  readonly args: Codec<A>;
  readonly reply: Codec<R>;
}

const asIs = <T>(): Codec<T> => ({ toWire: (v) => v, fromWire: (w) => w as T });

function field(w: unknown, key: string): unknown {
  if (w instanceof Map) return w.get(key);
  return w !== null && typeof w === 'object' ? (w as Record<string, unknown>)[key] : undefined;
}

/** A reply `{KEY: bytes}` holding an hcldec spec: gob or protobuf by the connection's mode. */
function specReply(key: string): Codec<ObjectSpec> {
  return {
    toWire: (spec, enc) => ({ [key]: enc === 'protobuf' ? specToProtobuf(spec) : specToGob(spec) }),
    fromWire: (w, enc) => {
      const b = field(w, key);
      if (!(b instanceof Uint8Array)) throw new Error(`${key}: no spec in the reply`);
      return enc === 'protobuf' ? specFromProtobuf(b) : specFromGob(b);
    },
  };
}

export interface BasicErrorWire { Message: string }
export interface ExecuteResult { value: CtyValue | undefined; error: BasicErrorWire | null }

const executeReply: Codec<ExecuteResult> = {
  toWire: (r, enc) => ({
    Value: r.value === undefined ? Buffer.alloc(0) : enc === 'protobuf' ? ctyMsgpackDynamic(r.value) : ctyGob(r.value),
    Error: r.error,
  }),
  fromWire: (w, enc) => {
    const b = field(w, 'Value');
    const e = field(w, 'Error');
    const error = e === null || e === undefined ? null : { Message: String(field(e, 'Message') ?? '') };
    const value = b instanceof Uint8Array && b.length > 0 ? (enc === 'protobuf' ? decodeCtyMsgpackDynamic(b) : decodeCtyGob(b)) : undefined;
    return { value, error };
  },
};

type Decl = { args?: Codec<unknown>; reply?: Codec<unknown> };

/** Declares the methods of one endpoint; `M` maps each method name to [args, reply]. */
function endpoint<M extends Record<string, [unknown, unknown]>>(
  name: string, names: { [K in keyof M]: Decl },
): { readonly name: string } & { readonly [K in keyof M]: RpcMethod<M[K][0], M[K][1]> } {
  const out: Record<string, unknown> = { name };
  for (const [k, d] of Object.entries(names)) {
    out[k] = { method: `${name}.${k}`, args: d.args ?? asIs(), reply: d.reply ?? asIs() };
  }
  return out as never;
}

// Wire shapes (Go structs of packer-plugin-sdk/rpc), as they travel.
export interface ConfigsArgs { Configs: unknown[] }
export interface BuilderPrepareReply { GeneratedVars?: unknown; Warnings?: unknown; Error?: unknown }
export interface HookRunArgs { Name: string; Data: unknown; StreamId: number }
export interface ProvisionArgs { GeneratedData: unknown; StreamID: number }
export interface PostProcessReply { Err?: unknown; Keep?: boolean; ForceOverride?: boolean; StreamId?: number }
export interface MachineArgs { Category: string; Args: string[] }
export interface TrackProgressArgs { Src: string; TotalSize?: number; CurrentSize?: number }
export interface StartArgs { Command: string; StdinStreamId: number; StdoutStreamId: number; StderrStreamId: number; ResponseStreamId: number }
export interface UploadArgs { Path: string; ReaderStreamId: number; FileInfo: { N: string; S: number; M: number } | null }
export interface DownloadArgs { Path: string; WriterStreamId: number }
export interface DirArgs { Dst: string; Src: string; Exclude: string[] }

const configSpec = { reply: specReply('ConfigSpec') as Codec<unknown> };

export const Methods = {
  Artifact: endpoint<{
    BuilderId: [null, unknown]; Files: [null, unknown]; Id: [null, unknown]; String: [null, unknown];
    State: [string, unknown]; Destroy: [null, unknown];
  }>('Artifact', { BuilderId: {}, Files: {}, Id: {}, String: {}, State: {}, Destroy: {} }),
  Builder: endpoint<{
    ConfigSpec: [null, ObjectSpec]; Prepare: [ConfigsArgs, BuilderPrepareReply | null]; Run: [number, unknown]; Cancel: [null, null];
  }>('Builder', { ConfigSpec: configSpec, Prepare: {}, Run: {}, Cancel: {} }),
  Communicator: endpoint<{
    Start: [StartArgs, null]; Upload: [UploadArgs, null]; Download: [DownloadArgs, null];
    UploadDir: [DirArgs, unknown]; DownloadDir: [DirArgs, unknown];
  }>('Communicator', { Start: {}, Upload: {}, Download: {}, UploadDir: {}, DownloadDir: {} }),
  Datasource: endpoint<{
    ConfigSpec: [null, ObjectSpec]; OutputSpec: [null, ObjectSpec]; Configure: [ConfigsArgs, { Error: unknown } | null];
    Execute: [null, ExecuteResult]; Cancel: [null, null];
  }>('Datasource', {
    ConfigSpec: configSpec, OutputSpec: { reply: specReply('OutputSpec') as Codec<unknown> }, Configure: {},
    Execute: { reply: executeReply as Codec<unknown> }, Cancel: {},
  }),
  Hook: endpoint<{ Run: [HookRunArgs, null]; Cancel: [null, null] }>('Hook', { Run: {}, Cancel: {} }),
  PostProcessor: endpoint<{
    ConfigSpec: [null, ObjectSpec]; Configure: [ConfigsArgs, null]; PostProcess: [number, PostProcessReply | null]; Cancel: [null, null];
  }>('PostProcessor', { ConfigSpec: configSpec, Configure: {}, PostProcess: {}, Cancel: {} }),
  Provisioner: endpoint<{
    ConfigSpec: [null, ObjectSpec]; Prepare: [ConfigsArgs, null]; Provision: [ProvisionArgs, null]; Cancel: [null, null];
  }>('Provisioner', { ConfigSpec: configSpec, Prepare: {}, Provision: {}, Cancel: {} }),
  Ui: endpoint<{
    Say: [string, null]; Message: [string, null]; Error: [string, null]; Machine: [MachineArgs, null]; Ask: [string, unknown];
    NewTrackProgress: [TrackProgressArgs, string];
  }>('Ui', { Say: {}, Message: {}, Error: {}, Machine: {}, Ask: {}, NewTrackProgress: {} }),
} as const;

/** Calls `m` over `rpc`, converting the arguments and the reply for `encoding`. */
export async function call<A, R>(rpc: RpcClient, m: RpcMethod<A, R>, args: A, encoding: Encoding = 'gob'): Promise<R> {
  const reply = await rpc.call<unknown>(m.method, m.args.toWire(args, encoding));
  return m.reply.fromWire(reply, encoding);
}

type EndpointDecl = { readonly name: string } & Record<string, unknown>;
type MethodsOf<E> = { [K in keyof E as E[K] extends RpcMethod<unknown, unknown> ? K : never]: E[K] };
type Handlers<E> = {
  [K in keyof MethodsOf<E>]?: MethodsOf<E>[K] extends RpcMethod<infer A, infer R> ? (args: A) => R | Promise<R> : never;
};

/** Registers `handlers` under the endpoint's name; each reply is converted for `encoding`. */
export function handle<E extends EndpointDecl>(server: RpcServer, ep: E, handlers: Handlers<E>, encoding: Encoding = 'gob'): void {
  const service: Record<string, (a: unknown) => Promise<unknown>> = {};
  for (const [name, h] of Object.entries(handlers as Record<string, ((a: unknown) => unknown) | undefined>)) {
    if (!h) continue;
    const m = (ep as Record<string, unknown>)[name] as RpcMethod<unknown, unknown>;
    service[name] = async (wire: unknown) => m.reply.toWire(await h(m.args.fromWire(wire, encoding)), encoding);
  }
  server.register(ep.name, service);
}
