/**
 * JSON as `packer fix` reads and writes it: one value read like a streaming
 * decoder into a generic map (later duplicate keys win, bytes after the first
 * value are ignored, numbers are float64), and written back with sorted keys,
 * two-space indentation and Packer's escaping.
 */
import { jsonKind, JsonSyntaxError, scanJson, wellFormed } from '@packer-ts/core';

/** A decoding error, with the message Packer prints after "Error parsing template: ". */
export class GoJsonError extends Error {}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };


/**
 * Decodes the first JSON value of `text` (the file's bytes, or text) into a map: strings get
 * one U+FFFD per byte that is not UTF-8, as Go's decoder gives. Throws GoJsonError with
 * the decoder's messages ("EOF", "unexpected EOF", "invalid character ...",
 * "json: cannot unmarshal ...").
 */
export function decodeTemplateMap(text: string | Buffer): Record<string, Json> {
  let scanned;
  try {
    scanned = scanJson(text, { stream: true });
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new GoJsonError(e.message);
    throw e;
  }
  const v = scanned.value as Json;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new GoJsonError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`);
  }
  if (scanned.numberError !== undefined) throw new GoJsonError(scanned.numberError);
  return v;
}

/** Go's float64 encoding: shortest form, exponent outside [1e-6, 1e21). */
function formatNumber(v: number): string {
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

const HEX = '0123456789abcdef';

/** Go's string encoding with HTML escaping (<, >, & as \u00XX). */
function quote(s: string): string {
  let out = '"';
  for (const ch of wellFormed(s)) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += ch;
  }
  return out + '"';
}

/** Sorts keys by their UTF-8 bytes, as Go sorts map keys. */
function sortedKeys(o: object): string[] {
  return Object.keys(o).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

function encode(v: unknown, indent: string, out: string[]): void {
  if (v === null || v === undefined) { out.push('null'); return; }
  if (typeof v === 'boolean') { out.push(v ? 'true' : 'false'); return; }
  if (typeof v === 'number') { out.push(formatNumber(v)); return; }
  if (typeof v === 'string') { out.push(quote(v)); return; }
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) { out.push('[]'); return; }
    out.push('[\n');
    v.forEach((e, k) => {
      out.push(inner);
      encode(e, inner, out);
      out.push(k + 1 < v.length ? ',\n' : '\n');
    });
    out.push(indent + ']');
    return;
  }
  const keys = sortedKeys(v as object);
  if (keys.length === 0) { out.push('{}'); return; }
  out.push('{\n');
  keys.forEach((k, idx) => {
    out.push(inner, quote(k), ': ');
    encode((v as Record<string, unknown>)[k], inner, out);
    out.push(idx + 1 < keys.length ? ',\n' : '\n');
  });
  out.push(indent + '}');
}

/**
 * The text `packer fix` prints: the value encoded with sorted keys and
 * two-space indentation, a trailing newline, and `\u003c`/`\u003e` turned
 * back into `<`/`>` (`&` stays escaped).
 */
export function encodeFixed(v: unknown): string {
  const out: string[] = [];
  encode(v, '', out);
  return (out.join('') + '\n').replaceAll('\\u003c', '<').replaceAll('\\u003e', '>');
}
