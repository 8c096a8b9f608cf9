// Go's strings/unicode behaviour where JavaScript's differs: simple case
// mapping, unicode.IsSpace, strings.Title, grapheme clusters.

import { graphemes as rangeGraphemes, isUnicodeSpace } from '../range.ts';

/** unicode.IsSpace (one owner: range.ts) */
export const isGoSpace = isUnicodeSpace;

/** strings.TrimSpace */
export function goTrimSpace(s: string): string {
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && isGoSpace(cps[a].codePointAt(0)!)) a++;
  while (b > a && isGoSpace(cps[b - 1].codePointAt(0)!)) b--;
  return cps.slice(a, b).join('');
}

/** strings.Trim(s, cutset) */
export function goTrim(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const set = new Set([...cutset]);
  const cps = [...s];
  let a = 0;
  let b = cps.length;
  while (a < b && set.has(cps[a])) a++;
  while (b > a && set.has(cps[b - 1])) b--;
  return cps.slice(a, b).join('');
}

function mapSimple(s: string, f: (c: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}
/** strings.ToUpper (simple case mapping) */
export function goToUpper(s: string): string {
  // ASCII maps one character to one: JavaScript's mapping is Go's
  if (ASCII.test(s)) return s.toUpperCase();
  return mapSimple(s, (c) => c.toUpperCase());
}
/** strings.ToLower (simple case mapping) */
export function goToLower(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  return mapSimple(s, (c) => (c === '\u0130' ? 'i' : c.toLowerCase()));
}

/** ASCII text: case maps as Go maps it, and is its own NFC form. */
export const ASCII = /^[\x00-\x7f]*$/;

/** unicode.ToTitle: the four digraph letters have their own title case. */
const TITLE_CASE: Record<string, string> = {
  'Ǆ': 'ǅ', 'ǅ': 'ǅ', 'ǆ': 'ǅ', 'Ǉ': 'ǈ', 'ǈ': 'ǈ', 'ǉ': 'ǈ', 'Ǌ': 'ǋ', 'ǋ': 'ǋ', 'ǌ': 'ǋ', 'Ǳ': 'ǲ', 'ǲ': 'ǲ', 'ǳ': 'ǲ',
};

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) return false;
    return true;
  }
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return isGoSpace(c);
}

/** strings.Title */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    if (isSeparator(prev)) {
      const t = TITLE_CASE[ch] ?? ch.toUpperCase();
      out += [...t].length === 1 ? t : ch;
    } else out += ch;
    prev = ch;
  }
  return out;
}

/** Whether s is ASCII without a CR LF pair (then each char is one grapheme cluster). */
function simpleAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || (c === 0x0d && s.charCodeAt(i + 1) === 0x0a)) return false;
  }
  return true;
}

/** Extended grapheme clusters (textseg.ScanGraphemeClusters), with a fast path for plain ASCII. */
export function graphemes(s: string): string[] {
  return simpleAscii(s) ? s.split('') : rangeGraphemes(s);
}

/** Number of grapheme clusters. */
export function graphemeLength(s: string): number {
  return simpleAscii(s) ? s.length : rangeGraphemes(s).length;
}

/** Go's sort.Strings order (byte order of UTF-8 = code point order). */
export function goStringLess(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
