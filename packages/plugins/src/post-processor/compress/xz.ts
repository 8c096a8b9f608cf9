/**
 * xz writer on liblzma (lzma-native): one stream with one LZMA2 block and a CRC64 check, the
 * container Packer's xz library (ulikunitz/xz) writes, with its 8 MiB dictionary (what a reader
 * needs: 9 MiB). The encoder is liblzma's preset 1 (fast mode, HC4 match finder) with that
 * dictionary: about Packer's speed, a smaller file (numbers in ARCHITECTURE.md). Loaded only
 * when a build compresses to xz.
 */
import { once } from 'node:events';

const DICT_SIZE = 8 << 20;

type Lzma = typeof import('lzma-native');

/** lzma-native, an optional dependency (its binary may be missing on a platform without a prebuild). */
async function loadLzma(): Promise<Lzma> {
  // A CommonJS module: its exports are the default export.
  return (await import('lzma-native')).default;
}

/**
 * The xz stage of a pipeline: compresses a byte stream into one xz stream. Fails (before anything
 * is written) when liblzma's binding cannot be loaded.
 */
export async function xzStream(load: () => Promise<Lzma> = loadLzma): Promise<(source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>> {
  let lzma: Lzma;
  try {
    lzma = await load();
  } catch (e) {
    throw new Error(`xz compression needs the optional package lzma-native (liblzma's binding), which did not load: ${(e as Error).message}`);
  }
  return async function* (source) {
    const enc = lzma.createStream('streamEncoder', {
      check: lzma.CHECK_CRC64,
      filters: [{ id: lzma.FILTER_LZMA2, options: { dictSize: DICT_SIZE, mode: lzma.MODE_FAST, mf: lzma.MF_HC4, niceLen: 128, depth: 8 } }],
    });
    const feed = (async () => {
      for await (const chunk of source) {
        if (!enc.write(chunk)) await once(enc, 'drain');
      }
      enc.end();
    })();
    // A failing source (a file that cannot be read) ends the output with its error.
    feed.catch((e: unknown) => enc.destroy(e as Error));
    try {
      for await (const out of enc) yield out as Buffer;
      await feed;
    } finally {
      enc.destroy();
      enc.cleanup();
    }
  };
}
