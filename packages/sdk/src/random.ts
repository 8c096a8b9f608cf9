/**
 * Random bytes for names and ids (temporary script names, PACKER_RUN_UUID), read from
 * /dev/urandom: loading node:crypto (or touching globalThis.crypto) costs a few ms of every
 * start that needs one random name; node:crypto remains the fallback where there is no
 * /dev/urandom.
 *   randomBytes(n): Buffer      n random bytes
 *   randomUint32(): number      0 <= x < 2**32
 *   randomUUID(): string        an RFC 4122 version 4 UUID
 */
import { closeSync, openSync, readSync } from 'node:fs';

export function randomBytes(n: number): Buffer {
  const buf = Buffer.alloc(n);
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    let got = 0;
    while (got < n) {
      const k = readSync(fd, buf, got, n - got, null);
      if (k <= 0) throw new Error('short read from /dev/urandom');
      got += k;
    }
    return buf;
  } catch {
    return (process.getBuiltinModule('node:crypto') as typeof import('node:crypto')).randomBytes(n);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function randomUint32(): number {
  return randomBytes(4).readUInt32BE(0);
}

export function randomUUID(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
