/**
 * Ui across the plugin boundary (Packer's rpc.Ui / rpc.UiServer, endpoint "Ui").
 *   Ui.Say / Ui.Message / Ui.Error: a string; Ui.Machine: {Category, Args}; Ui.Ask: a string ->
 *   a string; Ui.NewTrackProgress: {Src, TotalSize, CurrentSize} -> an id, then "Ui<id>.Add"
 *   (a byte count) per chunk and "Ui<id>.Close": the served Ui's trackProgress draws the bar.
 *
 * Public API
 *   new UiClient(rpc, { onError? })   implements Ui. Output calls never block the caller: they are
 *       queued and sent one at a time, each after the previous reply (a Go server runs calls
 *       concurrently, so pipelining would lose their order). ask() joins the same queue.
 *       flush(): resolves once everything queued so far was delivered (or failed).
 *       trackProgress(src, current, total, stream): the stream, read through: Ui.NewTrackProgress,
 *       then "Ui<id>.Add" per chunk read and "Ui<id>.Close" at its end (queued like the rest).
 *   registerUi(server, ui)            serves `ui` under "Ui" on an RpcServer (relaying to a UiClient, each
 *       call is answered once delivered)
 */
import { progressFeed } from '../../progress.ts';
import { PassThrough } from 'node:stream';
import type { Ui } from '../../ui.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { call, handle, Methods, type RpcMethod } from '../methods.ts';

export class UiClient implements Ui {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly onError: (e: unknown) => void;

  constructor(readonly rpc: RpcClient, opts: { onError?: (e: unknown) => void } = {}) {
    this.onError = opts.onError ?? (() => {});
  }

  private enqueue<A, R>(method: RpcMethod<A, R>, args: A): Promise<R> {
    const p = this.tail.then(() => call(this.rpc, method, args));
    this.tail = p.catch((e) => this.onError(e));
    return p;
  }

  say(message: string): void { void this.enqueue(Methods.Ui.Say, message).catch(() => {}); }
  message(message: string): void { void this.enqueue(Methods.Ui.Message, message).catch(() => {}); }
  error(message: string): void { void this.enqueue(Methods.Ui.Error, message).catch(() => {}); }
  machine(type: string, ...data: string[]): void {
    void this.enqueue(Methods.Ui.Machine, { Category: type, Args: data }).catch(() => {});
  }
  async ask(query: string): Promise<string> {
    const r = await this.enqueue(Methods.Ui.Ask, query);
    return r === null || r === undefined ? '' : String(r);
  }

  trackProgress(src: string, currentSize: number, totalSize: number, stream: NodeJS.ReadableStream): NodeJS.ReadableStream {
    const id = this.enqueue(Methods.Ui.NewTrackProgress, { Src: src, CurrentSize: currentSize, TotalSize: totalSize });
    id.catch(() => {});
    const sub = (name: string, arg: unknown): void => {
      const p = this.tail.then(() => id.then((i) => this.rpc.call(`${Methods.Ui.name}${String(i)}.${name}`, arg)));
      this.tail = p.catch((e) => this.onError(e));
    };
    const out = new PassThrough();
    let closed = false;
    const close = (): void => { if (!closed) { closed = true; sub('Close', null); } };
    stream.on('data', (chunk: Buffer | string) => { sub('Add', typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length); });
    stream.on('end', close);
    stream.on('close', close);
    stream.on('error', (e: Error) => out.destroy(e));
    stream.pipe(out);
    return out;
  }

  /** Resolves when every call queued so far has been answered. */
  async flush(): Promise<void> {
    for (;;) {
      const t = this.tail;
      await t;
      if (t === this.tail) return;
    }
  }
}

const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function registerUi(server: RpcServer, ui: Ui): void {
  // A Ui that forwards over RPC (a plugin relaying the core's Ui) replies once it delivered, as a
  // Go UiServer, whose calls are synchronous: the caller's next call cannot overtake it.
  const delivered = ui instanceof UiClient ? () => ui.flush() : () => Promise.resolve();
  handle(server, Methods.Ui, {
    async Say(m: unknown) { ui.say(String(m ?? '')); await delivered(); return null; },
    async Message(m: unknown) { ui.message(String(m ?? '')); await delivered(); return null; },
    async Error(m: unknown) { ui.error(String(m ?? '')); await delivered(); return null; },
    async Machine(a: { Category?: unknown; Args?: unknown } | null) {
      const args = Array.isArray(a?.Args) ? a!.Args.map((x) => String(x)) : [];
      ui.machine(String(a?.Category ?? ''), ...args);
      await delivered();
      return null;
    },
    async Ask(q: unknown) { return await ui.ask(String(q ?? '')); },
    NewTrackProgress(pl: { Src?: unknown; CurrentSize?: unknown; TotalSize?: unknown } | null) {
      let suffix = '';
      for (let i = 0; i < 6; i++) suffix += alnum[Math.floor(Math.random() * alnum.length)];
      const src = String(pl?.Src ?? '');
      const id = `${src}${suffix}`;
      const bar = progressFeed(ui, src, Number(pl?.CurrentSize ?? 0) || 0, Number(pl?.TotalSize ?? 0) || 0);
      server.register(`${Methods.Ui.name}${id}`, {
        Add: (n: unknown) => { bar.add(Number(n) || 0); return null; },
        Close: () => { bar.close(); return null; },
      });
      return id;
    },
  });
}
