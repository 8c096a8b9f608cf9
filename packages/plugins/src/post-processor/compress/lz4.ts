/**
 * LZ4 frame writer, the frames Packer 1.6.6's lz4 library writes (pierrec/lz4 2.5.2, the version
 * Debian builds Packer with): 4 MiB independent blocks, no block checksums, a content checksum
 * (xxHash32), no content size. Level 0 is the fast matcher (three probes a step, a 6-byte hash,
 * its table kept across blocks); a level above 0 is the chained (HC) matcher with that many better
 * matches tried per position. Blocks that do not shrink are stored. Same input and level give
 * Packer's bytes.
 */

const MAGIC = 0x184d2204;
const BLOCK_SIZE = 4 << 20; // block maximum size id 7
const WIN = 1 << 16;
const MIN_MATCH = 4;
const MF_LIMIT = 14; // no match starts in a block's last 14 bytes
const STORED = 0x80000000;

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

function rotl(x: number, r: number): number { return (x << r) | (x >>> (32 - r)); }
function read32(b: Uint8Array, i: number): number { return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0; }
function round(acc: number, lane: number): number { return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1); }

/** xxHash32 with seed 0, fed in pieces. */
export class Xxh32 {
  private v1 = (P1 + P2) | 0;
  private v2 = P2 | 0;
  private v3 = 0;
  private v4 = -P1 | 0;
  private total = 0;
  private readonly tail = new Uint8Array(16);
  private tailLen = 0;

  update(b: Uint8Array): void {
    this.total += b.length;
    let i = 0;
    if (this.tailLen > 0) {
      const n = Math.min(16 - this.tailLen, b.length);
      this.tail.set(b.subarray(0, n), this.tailLen);
      this.tailLen += n;
      i = n;
      if (this.tailLen < 16) return;
      this.stripe(this.tail, 0);
      this.tailLen = 0;
    }
    const end = b.length - 16;
    for (; i <= end; i += 16) this.stripe(b, i);
    if (i < b.length) {
      this.tail.set(b.subarray(i), 0);
      this.tailLen = b.length - i;
    }
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, read32(b, i));
    this.v2 = round(this.v2, read32(b, i + 4));
    this.v3 = round(this.v3, read32(b, i + 8));
    this.v4 = round(this.v4, read32(b, i + 12));
  }

  digest(): number {
    let h = this.total >= 16
      ? (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0
      : (this.v3 + P5) | 0;
    h = (h + this.total) | 0; // the length modulo 2^32
    const t = this.tail;
    let i = 0;
    for (; i + 4 <= this.tailLen; i += 4) h = Math.imul(rotl((h + Math.imul(read32(t, i), P3)) | 0, 17), P4);
    for (; i < this.tailLen; i++) h = Math.imul(rotl((h + Math.imul(t[i]!, P5)) | 0, 11), P1);
    h = Math.imul(h ^ (h >>> 15), P2);
    h = Math.imul(h ^ (h >>> 13), P3);
    return (h ^ (h >>> 16)) >>> 0;
  }
}

/** xxHash32 (seed 0) of one buffer. */
export function xxh32(b: Uint8Array): number {
  const h = new Xxh32();
  h.update(b);
  return h.digest();
}

/** The fast matcher's hash: bytes i..i+5 times a 48-bit prime, bits 32..47 of the product mod 2^48. */
function hash6(b: Uint8Array, i: number): number {
  const a0 = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
  const a1 = b[i + 3]! | (b[i + 4]! << 8) | (b[i + 5]! << 16);
  // 24-bit limbs: the low product is exact in a double, the middle one is wanted mod 2^24 only,
  // and their scaled sum (under 2^18, in steps of 2^-32) is exact too.
  const mid = (Math.imul(a1, H6_LO) + Math.imul(a0, H6_HI)) & 0xffffff;
  return ((a0 * H6_LO) / 0x100000000 + mid / 0x100) & 0xffff;
}
const H6_LO = 14466971; // 227718039650203 mod 2^24
const H6_HI = 13573052; // 227718039650203 >> 24

/** The chained matcher's hash: 4 bytes times Knuth's constant, the top 16 bits. */
function hash4(x: number): number { return Math.imul(x, P1) >>> 16; }

/** How many bytes from i and j on agree, counted 8 at a time up to `limit` (the last step may pass it). */
function matchLength(b: Uint8Array, i: number, j: number, limit: number): number {
  let n = 0;
  while (n < limit) {
    const x = read32(b, i + n) ^ read32(b, j + n);
    if (x !== 0) return n + firstDiff(x);
    const y = read32(b, i + n + 4) ^ read32(b, j + n + 4);
    if (y !== 0) return n + 4 + firstDiff(y);
    n += 8;
  }
  return n;
}
/** The index of the lowest non-zero byte of x (x not 0). */
function firstDiff(x: number): number { return (31 - Math.clz32(x & -x)) >>> 3; }

/** Writes a literal run and a match (or, with `offset` 0, the last literals); returns the new `di`. */
function putSequence(dst: Uint8Array, di: number, src: Uint8Array, anchor: number, lLen: number, offset: number, mLen: number): number {
  const tok = di++;
  dst[tok] = (offset ? Math.min(mLen, 15) : 0) | (Math.min(lLen, 15) << 4);
  if (lLen >= 15) {
    let l = lLen - 15;
    for (; l >= 255; l -= 255) dst[di++] = 255;
    dst[di++] = l;
  }
  dst.set(src.subarray(anchor, anchor + lLen), di);
  di += lLen;
  if (!offset) return di;
  dst[di++] = offset & 0xff;
  dst[di++] = offset >>> 8;
  if (mLen >= 15) {
    let m = mLen - 15;
    for (; m >= 255; m -= 255) dst[di++] = 255;
    dst[di++] = m;
  }
  return di;
}

/** Ends a block with its last literals; 0 where nothing matched (the block is stored). */
function finish(src: Uint8Array, dst: Uint8Array, di: number, anchor: number): number {
  if (anchor === 0) return 0;
  return putSequence(dst, di, src, anchor, src.length - anchor, 0, 0);
}

const ok = (src: Uint8Array, si: number, ref: number): boolean => {
  const offset = si - ref;
  return offset > 0 && offset < WIN && read32(src, si) === read32(src, ref);
};

/**
 * The fast matcher: probes at each position and the next two, extends a match backwards, skips
 * ahead faster the longer nothing matched; `table` is kept from block to block.
 */
export function compressBlockFast(src: Uint8Array, dst: Uint8Array, table: Int32Array): number {
  const sn = src.length - MF_LIMIT;
  if (sn <= 0) return 0;
  let si = 0;
  let anchor = 0;
  let di = 0;
  while (si < sn) {
    let h = hash6(src, si);
    const h2 = hash6(src, si + 1);
    let ref = table[h]!;
    const ref2 = table[h2]!;
    table[h] = si;
    table[h2] = si + 1;
    if (!ok(src, si, ref)) {
      h = hash6(src, si + 2);
      ref = table[h]!;
      si += 1;
      if (ok(src, si, ref2)) {
        ref = ref2;
      } else {
        si += 1;
        table[h] = si;
        if (!ok(src, si, ref)) {
          si += 2 + ((si - anchor) >> 7);
          continue;
        }
      }
    }
    const offset = si - ref;
    let lLen = si - anchor;
    let back = 0;
    for (let t = si - offset - 1; lLen > 0 && t >= 0 && src[si - 1] === src[t]; t--) { si--; lLen--; back++; }
    const base = si + MIN_MATCH;
    si = base + back;
    while (si + 8 < sn) {
      const x = read32(src, si) ^ read32(src, si - offset);
      if (x !== 0) { si += firstDiff(x); break; }
      const y = read32(src, si + 4) ^ read32(src, si + 4 - offset);
      if (y !== 0) { si += 4 + firstDiff(y); break; }
      si += 8;
    }
    di = putSequence(dst, di, src, anchor, lLen, offset, si - base);
    anchor = si;
    if (si >= sn) break;
    table[hash6(src, si - 2)] = si - 2;
  }
  return finish(src, dst, di, anchor);
}

/**
 * The chained matcher: follows each hash chain through the 64 KiB window, `depth` improvements
 * at most, and skips ahead faster the longer nothing matched.
 */
export function compressBlockHC(src: Uint8Array, dst: Uint8Array, depth: number): number {
  const sn = src.length - MF_LIMIT;
  if (sn <= 0) return 0;
  const head = new Int32Array(WIN);
  const chain = new Int32Array(WIN);
  if (depth <= 0) depth = WIN;
  let si = 0;
  let anchor = 0;
  let di = 0;
  while (si < sn) {
    let match = read32(src, si);
    const h = hash4(match);
    let mLen = 0;
    let offset = 0;
    for (let next = head[h]!, tries = depth; tries > 0 && next > 0 && si - next < WIN; next = chain[next & (WIN - 1)]!) {
      if (src[next + mLen] !== src[si + mLen]) continue;
      const ml = matchLength(src, next, si, sn - si);
      if (ml < MIN_MATCH || ml <= mLen) continue;
      mLen = ml;
      offset = si - next;
      tries--;
    }
    chain[si & (WIN - 1)] = head[h]!;
    head[h] = si;
    if (mLen === 0) { si += 1 + ((si - anchor) >> 7); continue; }
    // The positions the match covers go into the tables too (a rolling 4-byte window).
    const end = si + mLen;
    for (let p = Math.max(si + 1, end - WIN); p < end; p++) {
      match = ((match >>> 8) | (src[p + 3]! << 24)) >>> 0;
      const hp = hash4(match);
      chain[p & (WIN - 1)] = head[hp]!;
      head[hp] = p;
    }
    di = putSequence(dst, di, src, anchor, si - anchor, offset, mLen - MIN_MATCH);
    si = end;
    anchor = si;
  }
  return finish(src, dst, di, anchor);
}

function u32(x: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(x >>> 0);
  return b;
}

/** The frame header: magic, FLG (version 1, independent blocks, content checksum), BD (4 MiB), HC. */
export function lz4FrameHeader(): Buffer {
  const desc = Buffer.from([0x64, 0x70]);
  return Buffer.concat([u32(MAGIC), desc, Buffer.from([(xxh32(desc) >>> 8) & 0xff])]);
}

/**
 * Compresses a byte stream into one LZ4 frame (a `pipeline` stage). `level` as Packer's
 * compression_level: above 0 the chained matcher with that depth, else the fast one.
 */
export function lz4Frame(level: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    const sum = new Xxh32();
    const table = new Int32Array(WIN);
    // The output of a block is kept only when shorter than its input, so the input's size bounds it.
    const dst = new Uint8Array(BLOCK_SIZE + (BLOCK_SIZE >>> 8) + 16);
    const pending = new Uint8Array(BLOCK_SIZE);
    let fill = 0;
    const block = (data: Uint8Array): Buffer[] => {
      sum.update(data);
      const n = level > 0 ? compressBlockHC(data, dst, level) : compressBlockFast(data, dst, table);
      if (n > 0 && n < data.length) return [u32(n), Buffer.from(dst.slice(0, n))];
      return [u32(data.length | STORED), Buffer.from(data)];
    };
    yield lz4FrameHeader();
    for await (const chunk of source) {
      let b: Uint8Array = chunk;
      while (b.length > 0) {
        if (fill === 0 && b.length >= BLOCK_SIZE) {
          yield* block(b.subarray(0, BLOCK_SIZE));
          b = b.subarray(BLOCK_SIZE);
          continue;
        }
        const n = Math.min(BLOCK_SIZE - fill, b.length);
        pending.set(b.subarray(0, n), fill);
        fill += n;
        b = b.subarray(n);
        if (fill === BLOCK_SIZE) {
          yield* block(pending);
          fill = 0;
        }
      }
    }
    if (fill > 0) yield* block(pending.subarray(0, fill));
    yield Buffer.concat([u32(0), u32(sum.digest())]);
  };
}
