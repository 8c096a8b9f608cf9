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
 *   registerUi(server, ui)            serves `ui` under "Ui" on an RpcServer
 */
import { progressFeed } from '../../progress.ts';
import type { Ui } from '../../ui.ts';
import type { RpcClient, RpcServer } from '../netrpc.ts';
import { Endpoint } from './wire.ts';

export class UiClient implements Ui {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly onError: (e: unknown) => void;

  constructor(readonly rpc: RpcClient, opts: { onError?: (e: unknown) => void } = {}) {
    this.onError = opts.onError ?? (() => {});
  }

  private enqueue<T>(method: string, args: unknown): Promise<T> {
    const p = this.tail.then(() => this.rpc.call<T>(`${Endpoint.Ui}.${method}`, args));
    this.tail = p.catch((e) => this.onError(e));
    return p;
  }

  say(message: string): void { void this.enqueue('Say', message).catch(() => {}); }
  message(message: string): void { void this.enqueue('Message', message).catch(() => {}); }
  error(message: string): void { void this.enqueue('Error', message).catch(() => {}); }
  machine(type: string, ...data: string[]): void {
    void this.enqueue('Machine', { Category: type, Args: data }).catch(() => {});
  }
  async ask(query: string): Promise<string> {
    const r = await this.enqueue<unknown>('Ask', query);
    return r === null || r === undefined ? '' : String(r);
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
  server.register(Endpoint.Ui, {
    Say(m: unknown) { ui.say(String(m ?? '')); return null; },
    Message(m: unknown) { ui.message(String(m ?? '')); return null; },
    Error(m: unknown) { ui.error(String(m ?? '')); return null; },
    Machine(a: { Category?: unknown; Args?: unknown } | null) {
      const args = Array.isArray(a?.Args) ? a!.Args.map((x) => String(x)) : [];
      ui.machine(String(a?.Category ?? ''), ...args);
      return null;
    },
    async Ask(q: unknown) { return await ui.ask(String(q ?? '')); },
    NewTrackProgress(pl: { Src?: unknown; CurrentSize?: unknown; TotalSize?: unknown } | null) {
      let suffix = '';
      for (let i = 0; i < 6; i++) suffix += alnum[Math.floor(Math.random() * alnum.length)];
      const src = String(pl?.Src ?? '');
      const id = `${src}${suffix}`;
      const bar = progressFeed(ui, src, Number(pl?.CurrentSize ?? 0) || 0, Number(pl?.TotalSize ?? 0) || 0);
      server.register(`${Endpoint.Ui}${id}`, {
        Add: (n: unknown) => { bar.add(Number(n) || 0); return null; },
        Close: () => { bar.close(); return null; },
      });
      return id;
    },
  });
}
