/**
 * The one gob value Packer's plugin protocol carries on a stream: `CommandFinished{ExitStatus int}`,
 * written by the communicator's server on the response stream of `Communicator.Start`
 * (encoding/gob, a fresh Encoder per stream: a type definition message, then the value). Encoded
 * and decoded with the SDK's gob codec (gob-codec.ts).
 *
 * Public API
 *   encodeCommandFinished(exitStatus): Buffer      the bytes a Go gob.Encoder writes for it
 *   readCommandFinished(stream): Promise<number>   decodes the first CommandFinished value
 *       (type definitions are skipped, whatever their ids; the struct's first field is ExitStatus),
 *       rejects on EOF or bad data.
 */
import type { Readable } from 'node:stream';
import { gobEncode, GobReader, goInt, goStruct } from '../gob-codec.ts';

const COMMAND_FINISHED = goStruct('CommandFinished', [{ name: 'ExitStatus', type: goInt }]);
/** The id Packer's Go plugins give the type (what Packer 1.6.6 writes). */
const IDS = new Map([[COMMAND_FINISHED, 65]]);

export function encodeCommandFinished(exitStatus: number): Buffer {
  return gobEncode(COMMAND_FINISHED, { ExitStatus: exitStatus }, IDS);
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
          const r = new GobReader(acc);
          let len: number;
          try { len = r.n(); } catch { return; } // the length is still arriving
          if (acc.length < r.pos + len) return;
          const body = new GobReader(acc, r.pos + len);
          body.pos = r.pos;
          acc = acc.subarray(r.pos + len);
          if (body.int() < 0) continue; // a type definition
          let field = -1;
          let exit = 0;
          for (let d = body.n(); d !== 0; d = body.n()) {
            field += d;
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
