/**
 * Messages of file-system errors in the form Packer prints them
 * (`open nonexist.txt: no such file or directory`).
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
