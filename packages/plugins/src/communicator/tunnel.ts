/**
 * SSH port forwarding: `ssh_local_tunnels` and `ssh_remote_tunnels` (Packer's
 * ParseTunnelArgument and the SSH communicator's connectTunnels).
 *
 *   parseTunnel("8080:host:80", "local") -> { listenPort: 8080, forwardHost, forwardPort } or
 *     throws Packer's error ("Error parsing tunnel 'x': [x]", "Error parsing forwarding, must be
 *     a tcp address: address ...: missing port in address", ...)
 *   openTunnels(client, tunnels) -> Promise<void>: a local tunnel listens
 *     on localhost:PORT here and forwards each connection through the SSH server to HOST:HOSTPORT;
 *     a remote one asks the server to listen on localhost:PORT and forwards each connection back to
 *     HOST:HOSTPORT from here. Everything closes with the SSH connection.
 */
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client as ClientT } from 'ssh2';

export interface Tunnel {
  direction: 'local' | 'remote';
  listenPort: number;
  forwardHost: string;
  forwardPort: number;
}

/** Go's net.SplitHostPort, with its errors. */
function splitHostPort(hostport: string): [string, string] {
  const fail = (why: string): never => { throw new Error(`address ${hostport}: ${why}`); };
  const i = hostport.lastIndexOf(':');
  if (i < 0) fail('missing port in address');
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) fail("missing ']' in address");
    if (end + 1 === hostport.length) fail('missing port in address');
    if (end + 1 !== i) fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) fail('too many colons in address');
  }
  if (hostport.slice(j).includes('[')) fail("unexpected '[' in address");
  if (hostport.slice(k).includes(']')) fail("unexpected ']' in address");
  return [host, hostport.slice(i + 1)];
}

/** Go's strconv.Atoi, with its errors. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** Packer's ParseTunnelArgument: `port:host:hostport` (a bind address is not supported, as in Packer). */
export function parseTunnel(forward: string, direction: Tunnel['direction']): Tunnel {
  const c = forward.indexOf(':');
  if (c < 0) throw new Error(`Error parsing tunnel '${forward}': [${forward}]`);
  const listening = forward.slice(0, c);
  const forwarding = forward.slice(c + 1);
  let host: string;
  let port: string;
  try {
    [host, port] = splitHostPort(forwarding);
  } catch (e) {
    throw new Error(`Error parsing forwarding, must be a tcp address: ${(e as Error).message}`);
  }
  let forwardPort: number;
  try { forwardPort = atoi(port); } catch (e) { throw new Error(`Error parsing forwarding port, must be a valid port: ${(e as Error).message}`); }
  let listenPort: number;
  try { listenPort = atoi(listening); } catch (e) { throw new Error(`Error parsing listening port, must be a valid port: ${(e as Error).message}`); }
  return { direction, listenPort, forwardHost: host, forwardPort };
}

/** Copies both ways; either side's end or error closes the other (Packer's handleProxyClient). */
function proxy(a: Duplex, b: Duplex): void {
  const close = (): void => { a.destroy(); b.destroy(); };
  a.on('error', close);
  b.on('error', close);
  a.on('close', close);
  b.on('close', close);
  a.pipe(b);
  b.pipe(a);
}

/** Opens `tunnels` over `client`; they close when the client does (a failure to open closes those opened). */
export async function openTunnels(client: ClientT, tunnels: Tunnel[]): Promise<void> {
  const servers: Server[] = [];
  const remote: Tunnel[] = [];
  const sockets = new Set<Socket>();
  const closeAll = (): void => {
    for (const s of servers) s.close();
    for (const s of sockets) s.destroy();
    servers.length = 0;
    for (const t of remote.splice(0)) {
      try { client.unforwardIn('localhost', t.listenPort, () => {}); } catch { /* connection gone */ }
    }
  };
  client.once('close', closeAll);
  try {
    for (const t of tunnels) {
      if (t.direction === 'local') {
        const server = createServer((sock) => {
          sockets.add(sock);
          sock.once('close', () => sockets.delete(sock));
          sock.on('error', () => {});
          client.forwardOut('127.0.0.1', sock.remotePort ?? 0, t.forwardHost, t.forwardPort, (err, stream) => {
            // the server could not reach the forward address: this connection ends
            if (err) {
              sock.destroy();
              return;
            }
            proxy(sock, stream);
          });
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', (e) => reject(new Error(`Tunnel: Failed to bind local ('localhost:${t.listenPort}'): ${e.message}`)));
          server.listen(t.listenPort, 'localhost', () => resolve());
        });
        servers.push(server);
      } else {
        await new Promise<void>((resolve, reject) => {
          client.forwardIn('localhost', t.listenPort, (err) => (err ? reject(new Error(`Tunnel: Failed to bind remote ('localhost:${t.listenPort}'): ${err.message}`)) : resolve()));
        });
        remote.push(t);
      }
    }
  } catch (e) {
    closeAll();
    throw e;
  }
  if (remote.length > 0) {
    client.on('tcp connection', (info, accept, reject) => {
      const t = remote.find((r) => r.listenPort === info.destPort);
      if (!t) { reject(); return; }
      const stream = accept();
      const sock = netConnect({ host: t.forwardHost, port: t.forwardPort });
      sockets.add(sock);
      sock.once('close', () => sockets.delete(sock));
      proxy(stream, sock);
    });
  }
}
