/**
 * Port ranges (Packer's net.ListenRangeConfig) and the build's HTTP server
 * (Packer's StepHTTPServer: `http_directory`, plus `http_content`, files served
 * from memory by path).
 */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, normalize, resolve as resolvePath, sep } from 'node:path';
import { halt, type Step, type StepAction, type StateBag, type Ui } from '@packer-ts/sdk';

/** Ports handed out by this process and not released yet (parallel builds must not share one). */
const reserved = new Set<number>();

export interface PortLease { port: number; release(): void }

function tryListen(server: NetServer | HttpServer, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onErr = () => { server.removeListener('listening', onOk); resolve(false); };
    const onOk = () => { server.removeListener('error', onErr); resolve(true); };
    server.once('error', onErr);
    server.once('listening', onOk);
    server.listen({ host, port, exclusive: true });
  });
}

/**
 * Finds a free port in [min, max] on `host`, starting at a random place as
 * Packer does. With `keep`, the listening server is returned; otherwise the
 * port is only reserved in this process (the caller hands it to a child).
 */
export async function listenRange(host: string, min: number, max: number, server?: NetServer | HttpServer, signal?: AbortSignal): Promise<PortLease> {
  if (min > max) throw new Error(`port range min ${min} is greater than max ${max}`);
  const n = max - min + 1;
  const first = Math.floor(Math.random() * n);
  for (let i = 0; i < n; i++) {
    signal?.throwIfAborted();
    const port = min + ((first + i) % n);
    if (reserved.has(port)) continue;
    const srv = server ?? createNetServer();
    if (!(await tryListen(srv, host === '' ? '0.0.0.0' : host, port))) continue;
    reserved.add(port);
    if (!server) await new Promise<void>((r) => srv.close(() => r()));
    let released = false;
    return { port, release: () => { if (!released) { released = true; reserved.delete(port); } } };
  }
  throw new Error(`no free port in ${min}-${max} on ${host || '0.0.0.0'}`);
}

export interface HttpServerOptions {
  directory?: string;
  content?: Record<string, string>;
  portMin: number;
  portMax: number;
  bindAddress: string;
}

/** Serves `http_directory` / `http_content`; state `http_port` (0 when there is nothing to serve). */
export class StepHTTPServer implements Step {
  readonly name = 'StepHTTPServer';
  private server?: HttpServer;
  private lease?: PortLease;
  constructor(private opts: HttpServerOptions) {}

  async run(state: StateBag, signal: AbortSignal): Promise<StepAction> {
    const ui = state.need<Ui>('ui');
    const { directory, content } = this.opts;
    if (!directory && (!content || Object.keys(content).length === 0)) {
      state.set('http_port', 0);
      return 'continue';
    }
    const root = directory ? resolvePath(directory) : '';
    const server = createHttpServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
      if (content) {
        const key = Object.keys(content).find((k) => '/' + k.replace(/^\/+/, '') === path);
        if (key !== undefined) {
          res.writeHead(200, { 'content-length': Buffer.byteLength(content[key]) });
          res.end(req.method === 'HEAD' ? undefined : content[key]);
          return;
        }
      }
      if (!root) { res.writeHead(404).end('404 page not found\n'); return; }
      const file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) { res.writeHead(404).end('404 page not found\n'); return; }
      stat(file).then((st) => {
        if (!st.isFile()) { res.writeHead(404).end('404 page not found\n'); return; }
        res.writeHead(200, { 'content-length': st.size });
        if (req.method === 'HEAD') { res.end(); return; }
        createReadStream(file).pipe(res);
      }, () => { res.writeHead(404).end('404 page not found\n'); });
    });
    try {
      this.lease = await listenRange(this.opts.bindAddress, this.opts.portMin, this.opts.portMax, server, signal);
    } catch (e) {
      return halt(state, new Error(`Error finding port: ${(e as Error).message}`), ui);
    }
    this.server = server;
    server.unref();
    ui.say(`Starting HTTP server on port ${this.lease.port}`);
    state.set('http_port', this.lease.port);
    return 'continue';
  }

  async cleanup(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) {
      s.closeAllConnections?.();
      await new Promise<void>((r) => s.close(() => r()));
    }
    this.lease?.release();
  }
}
