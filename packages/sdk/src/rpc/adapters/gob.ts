/**
 * The one gob value Packer's plugin protocol carries: `CommandFinished{ExitStatus int}`, written by
 * the communicator's server on the response stream of `Communicator.Start` (encoding/gob, a fresh
 * Encoder per stream: a type definition message, then the value).
 *
 * Public API
 *   encodeCommandFinished(exitStatus): Buffer      the bytes a Go gob.Encoder writes for it
 *   readCommandFinished(stream): Promise<number>   decodes the first CommandFinished value
 *       (type definitions are skipped; the struct's first field is ExitStatus), rejects on EOF.
 */
import type { Readable } from 'node:stream';

function gobUint(out: number[], n: number): void {
  if (n < 128) { out.push(n); return; }
  const bytes: number[] = [];
  let v = BigInt(n);
  while (v > 0n) { bytes.unshift(Number(v & 0xffn)); v >>= 8n; }
  out.push(256 - bytes.length, ...bytes);
}

function gobInt(out: number[], i: number): void {
  // Gob: non-negative i -> i<<1, negative -> (^i<<1)|1.
  const u = i < 0 ? (BigInt(-i - 1) << 1n) | 1n : BigInt(i) << 1n;
  gobUint(out, Number(u));
}

function gobString(out: number[], s: string): void {
  const b = Buffer.from(s, 'utf8');
  gobUint(out, b.length);
  out.push(...b);
}

function message(body: number[]): number[] {
  const out: number[] = [];
  gobUint(out, body.length);
  return out.concat(body);
}

const TYPE_ID = 65; // the first id gob gives to a user type
const GOB_INT = 2;

function typeDefinition(): number[] {
  const b: number[] = [];
  gobInt(b, -TYPE_ID);
  b.push(3);                       // wireType.StructT (field 3)
  b.push(1);                       //   structType.CommonType
  b.push(1); gobString(b, 'CommandFinished'); //   CommonType.Name
  b.push(1); gobInt(b, TYPE_ID);   //   CommonType.Id
  b.push(0);                       //   end CommonType
  b.push(1); gobUint(b, 1);        //   structType.Field: one field
  b.push(1); gobString(b, 'ExitStatus'); b.push(1); gobInt(b, GOB_INT); b.push(0);
  b.push(0);                       // end structType
  b.push(0);                       // end wireType
  return message(b);
}

export function encodeCommandFinished(exitStatus: number): Buffer {
  const v: number[] = [];
  gobInt(v, TYPE_ID);
  if (exitStatus !== 0) { v.push(1); gobInt(v, exitStatus); }
  v.push(0);
  return Buffer.from([...typeDefinition(), ...message(v)]);
}

class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  uint(): number {
    if (this.pos >= this.buf.length) throw new Error('gob: truncated');
    const b = this.buf[this.pos++]!;
    if (b < 128) return b;
    const n = 256 - b;
    if (n > 8 || this.pos + n > this.buf.length) throw new Error('gob: bad uint');
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.buf[this.pos++]!);
    return Number(v);
  }
  int(): number {
    const u = BigInt(this.uint());
    return Number(u & 1n ? ~(u >> 1n) : u >> 1n);
  }
}

/** Resolves with the ExitStatus of the first CommandFinished value on `stream`. */
export function readCommandFinished(stream: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let acc: Buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | null, v?: number): void => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
      if (err) reject(err); else resolve(v!);
    };
    const onData = (chunk: Buffer): void => {
      acc = acc.length === 0 ? chunk : Buffer.concat([acc, chunk]);
      try {
        for (;;) {
          const c = new Cursor(acc);
          let len: number;
          try { len = c.uint(); } catch { return; }
          if (acc.length < c.pos + len) return;
          const body = new Cursor(acc.subarray(c.pos, c.pos + len));
          acc = acc.subarray(c.pos + len);
          const typeId = body.int();
          if (typeId < 0) continue; // a type definition
          let field = -1;
          let exit = 0;
          for (;;) {
            const delta = body.uint();
            if (delta === 0) break;
            field += delta;
            const v = body.int();
            if (field === 0) exit = v;
          }
          finish(null, exit);
          return;
        }
      } catch (e) {
        finish(e as Error);
      }
    };
    const onEnd = (): void => finish(new Error('gob: EOF before CommandFinished'));
    const onError = (e: Error): void => finish(e);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onEnd);
    stream.on('error', onError);
  });
}
