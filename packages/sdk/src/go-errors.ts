/**
 * The catalogue of Go-worded messages: file-system and socket errors as Go's
 * os and syscall packages word them (`open template.json: permission denied`,
 * `read vdir: is a directory`, `connect: connection refused`), for every layer.
 */
const reasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  EINVAL: 'invalid argument',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ENOTSOCK: 'socket operation on non-socket',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EPROTOTYPE: 'protocol wrong type for socket',
};

/** The reason of a Node system error as the C library words it, e.g. "no such file or directory". */
export function errnoReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && reasons[err.code]) return reasons[err.code]!;
  const msg = err instanceof Error ? err.message : String(e);
  // Node words it "ENOENT: no such file or directory, open 'x'"
  const m = /^[A-Z]+: ([^,]+)/.exec(msg);
  return m ? m[1]! : msg;
}

/** `<op> <path>: <reason>`, Go's *PathError message. */
export function pathError(op: string, path: string, e: unknown): Error {
  return new Error(`${op} ${path}: ${errnoReason(e)}`, { cause: e });
}

/**
 * A Node file-system error as Go's *PathError for the same call: the
 * operation that failed (`open`, `read`, `stat`, ...; Node records it as
 * `syscall`) and the path as the user gave it.
 */
export function fileError(e: unknown, path: string): Error {
  const op = (e as NodeJS.ErrnoException)?.syscall ?? 'open';
  return pathError(op === 'scandir' ? 'open' : op, path, e);
}

/** `host:port` as Go joins them (net.JoinHostPort: an IPv6 address in brackets). */
function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

let resolvNameserver: string | null | undefined;

/**
 * The nameserver Go's resolver names in a failed lookup ("10.0.0.53:53"): the first
 * `nameserver` of /etc/resolv.conf (Packer's binaries use Go's own resolver); undefined
 * where there is none.
 */
function goNameserver(): string | undefined {
  if (resolvNameserver === undefined) {
    resolvNameserver = null;
    try {
      const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
      const m = /^\s*nameserver\s+(\S+)/m.exec(fs.readFileSync('/etc/resolv.conf', 'utf8'));
      if (m) resolvNameserver = joinHostPort(m[1]!, 53);
    } catch { /* no resolv.conf */ }
  }
  return resolvNameserver ?? undefined;
}

/** What a failed connection attempt carries: Node's error, or its fields sent across a process. */
export interface DialFailure {
  code?: string;
  message?: string;
  address?: string;
  port?: number;
  /** One per address tried (Node's AggregateError when it tried several). */
  errors?: DialFailure[];
}

/**
 * A failed TCP dial to `host:port` as Go's net.Dial words it, what Packer prints after
 * `Get "URL": `: `dial tcp: lookup HOST on 10.0.0.53:53: no such host`,
 * `dial tcp 127.0.0.1:1: connect: connection refused` (the address tried, IPv4 first, as Go
 * reports it), `dial tcp HOST:PORT: i/o timeout`.
 */
export function dialErrorText(e: unknown, host: string, port: string | number): string {
  let f = (e ?? {}) as DialFailure;
  if (Array.isArray(f.errors) && f.errors.length > 0) f = f.errors.find((x) => x.address && !x.address.includes(':')) ?? f.errors[0]!;
  if (f.code === 'ENOTFOUND' || f.code === 'EAI_NONAME') {
    const ns = goNameserver();
    return `dial tcp: lookup ${host}${ns ? ` on ${ns}` : ''}: no such host`;
  }
  const addr = joinHostPort(f.address ?? host, f.port ?? port);
  if (f.code === 'ETIMEDOUT') return `dial tcp ${addr}: i/o timeout`;
  return `dial tcp ${addr}: connect: ${errnoReason(f)}`;
}

/**
 * A request to `url` whose connection failed, as Go's HTTP client reports it (`op` as Go writes
 * the method, "Get"): `Get "URL": dial tcp ...` (dialErrorText for the URL's host and port).
 */
export function requestDialError(op: string, url: string, e: unknown): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${op} ${JSON.stringify(url)}: ${dialErrorText(e, u.hostname.replace(/^\[|\]$/g, ''), port)}`;
}
