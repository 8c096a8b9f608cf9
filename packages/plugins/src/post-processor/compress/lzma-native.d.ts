// The part of lzma-native (liblzma's binding) that the xz writer uses.
declare module 'lzma-native' {
  import type { Duplex } from 'node:stream';

  export interface LzmaStream extends Duplex {
    /** Frees the native coder (done by the library at a normal end, not at destroy). */
    cleanup(): void;
  }
  export interface Lzma2Options { dictSize?: number; mode?: number; niceLen?: number; mf?: number; depth?: number }
  export function createStream(coder: 'streamEncoder', options: { check: number; filters: { id: number; options: Lzma2Options }[] }): LzmaStream;
  export const CHECK_CRC64: number;
  export const FILTER_LZMA2: number;
  export const MODE_FAST: number;
  export const MF_HC4: number;
}
