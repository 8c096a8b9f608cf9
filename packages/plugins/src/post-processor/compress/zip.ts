/**
 * Streaming zip writer laid out like the compress post-processor of Packer:
 * entry name = the artifact path as given (slashes), deflate, data
 * descriptors, DOS time 0, "made by" FAT 2.0, no external attributes,
 * zip64 records only when sizes or offsets need them.
 */
import { createReadStream } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { open } from 'node:fs/promises';
import { pathError } from '@packer-ts/sdk';

const U32MAX = 0xffffffff;
const U16MAX = 0xffff;

interface Entry {
  name: Buffer;
  flags: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

function isZip64(e: Entry): boolean { return e.csize >= U32MAX || e.usize >= U32MAX; }

/** Yields the bytes of a zip archive of `files`. */
export async function* zipStream(files: string[], signal: AbortSignal): AsyncGenerator<Buffer> {
  const entries: Entry[] = [];
  let offset = 0;
  for (const path of files) {
    const name = path.replace(/\\/g, '/');
    // Open first so a missing file gives the same error as Packer.
    try {
      await (await open(path, 'r')).close();
    } catch (e) {
      throw new Error(`Unable to read file ${name}: ${pathError('open', name, e).message}`);
    }
    const nameBuf = Buffer.from(name, 'utf8');
    // eslint-disable-next-line no-control-regex
    const flags = 0x8 | (/[^\x00-\x7f]/.test(name) ? 0x800 : 0);
    const e: Entry = { name: nameBuf, flags, crc: 0, csize: 0, usize: 0, offset };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(nameBuf.length, 26);
    yield local;
    yield nameBuf;
    offset += 30 + nameBuf.length;

    const deflate = createDeflateRaw();
    const feeding = pipeline(
      createReadStream(path, { signal }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          e.crc = crc32(chunk, e.crc);
          e.usize += chunk.length;
          yield chunk;
        }
      },
      deflate,
    );
    feeding.catch(() => {});
    try {
      for await (const chunk of deflate) {
        e.csize += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      await feeding;
    } catch (err) {
      if (signal.aborted) throw err;
      throw new Error(`Failed to copy ${name} data to archive: ${err instanceof Error ? err.message : String(err)}`);
    }
    offset += e.csize;

    const z64 = isZip64(e);
    const dd = Buffer.alloc(z64 ? 24 : 16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(e.crc >>> 0, 4);
    if (z64) {
      dd.writeBigUInt64LE(BigInt(e.csize), 8);
      dd.writeBigUInt64LE(BigInt(e.usize), 16);
    } else {
      dd.writeUInt32LE(e.csize, 8);
      dd.writeUInt32LE(e.usize, 12);
    }
    yield dd;
    offset += dd.length;
    entries.push(e);
  }

  const cdStart = offset;
  for (const e of entries) {
    const big = isZip64(e) || e.offset >= U32MAX;
    const extra = big ? Buffer.alloc(28) : Buffer.alloc(0);
    if (big) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(e.usize), 4);
      extra.writeBigUInt64LE(BigInt(e.csize), 12);
      extra.writeBigUInt64LE(BigInt(e.offset), 20);
    }
    const h = Buffer.alloc(46);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(big && isZip64(e) ? 45 : 20, 6);
    h.writeUInt16LE(e.flags, 8);
    h.writeUInt16LE(8, 10);
    h.writeUInt32LE(e.crc >>> 0, 16);
    h.writeUInt32LE(big ? U32MAX : e.csize, 20);
    h.writeUInt32LE(big ? U32MAX : e.usize, 24);
    h.writeUInt16LE(e.name.length, 28);
    h.writeUInt16LE(extra.length, 30);
    h.writeUInt32LE(e.offset > U32MAX ? U32MAX : e.offset, 42);
    yield h;
    yield e.name;
    if (extra.length) yield extra;
    offset += h.length + e.name.length + extra.length;
  }
  const cdSize = offset - cdStart;
  const records = entries.length;
  if (records >= U16MAX || cdSize >= U32MAX || cdStart >= U32MAX) {
    const z = Buffer.alloc(56 + 20);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeUInt16LE(45, 12);
    z.writeUInt16LE(45, 14);
    z.writeBigUInt64LE(BigInt(records), 24);
    z.writeBigUInt64LE(BigInt(records), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdStart), 48);
    z.writeUInt32LE(0x07064b50, 56);
    z.writeBigUInt64LE(BigInt(offset), 64);
    z.writeUInt32LE(1, 72);
    yield z;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(records, U16MAX), 8);
  end.writeUInt16LE(Math.min(records, U16MAX), 10);
  end.writeUInt32LE(Math.min(cdSize, U32MAX), 12);
  end.writeUInt32LE(Math.min(cdStart, U32MAX), 16);
  yield end;
}
