/**
 * BGZF writer, as Packer's bgzf library (biogo/hts) writes it: gzip members of at most 0xff00
 * input bytes each, with the `BC` extra field giving the member's size less one, MTIME 0, OS 255
 * (unknown), XFL 2 at level 9 and 4 at level 1 (as Go's gzip); then the empty end-of-file member. Members are
 * deflated on libuv's threads, as many at a time as there are cores, and written in order.
 */
import { availableParallelism } from 'node:os';
import { crc32, deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';

/** The most input bytes in one member. */
export const BGZF_BLOCK_SIZE = 0xff00;
const MAX_MEMBER = 0x10000;

/** The end-of-file marker: an empty member. */
export const BGZF_EOF = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

const deflate = promisify(deflateRaw);

async function member(data: Buffer, level: number): Promise<Buffer> {
  const body = await deflate(data, { level });
  const size = 18 + body.length + 8;
  if (size > MAX_MEMBER) throw new Error('bgzf: block overflow');
  const head = Buffer.from([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, level === 9 ? 2 : level === 1 ? 4 : 0, 0xff, 6, 0, 0x42, 0x43, 2, 0, 0, 0]);
  head.writeUInt16LE(size - 1, 16);
  const tail = Buffer.allocUnsafe(8);
  tail.writeUInt32LE(crc32(data), 0);
  tail.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, body, tail]);
}

/**
 * Compresses a byte stream into BGZF (a `pipeline` stage); `level` -1 (zlib's default, 6) or 1 to 9.
 * The last member holds what is left, or is empty when nothing is (as the library's Close).
 */
export function bgzfStream(level: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    const inFlight: Promise<Buffer>[] = [];
    const limit = Math.max(1, availableParallelism());
    let pending: Buffer[] = [];
    let fill = 0;
    for await (const chunk of source) {
      let b = chunk;
      while (b.length > 0) {
        const n = Math.min(BGZF_BLOCK_SIZE - fill, b.length);
        pending.push(b.subarray(0, n));
        fill += n;
        b = b.subarray(n);
        if (fill === BGZF_BLOCK_SIZE) {
          inFlight.push(member(Buffer.concat(pending), level));
          // Unhandled until awaited: a rejection is awaited below in order.
          inFlight[inFlight.length - 1]!.catch(() => {});
          pending = [];
          fill = 0;
          if (inFlight.length >= limit) yield await inFlight.shift()!;
        }
      }
    }
    inFlight.push(member(Buffer.concat(pending), level));
    while (inFlight.length > 0) yield await inFlight.shift()!;
    yield BGZF_EOF;
  };
}
