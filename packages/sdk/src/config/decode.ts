import type { Decoded, DecodeOptions, Schema } from './index.ts';

/**
 * Merges `raws` (later keys win), interpolates strings, converts types
 * weakly like mapstructure, applies defaults and collects every problem
 * (unknown key, wrong type, missing required field) into one MultiError.
 */
export function decodeConfig<T>(_schema: Schema, _raws: unknown[], _opts?: DecodeOptions): Decoded<T> {
  throw new Error('decodeConfig not implemented yet');
}
