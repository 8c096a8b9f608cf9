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
