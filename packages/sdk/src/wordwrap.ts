/** Text layout as Packer's Go code does it: unicode.IsSpace, go-wordwrap. */

/** Go's unicode.IsSpace for one code point. */
export function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Word wrapping as Packer's diagnostic writer does it: go-wordwrap's WrapString
 * as Packer's builds link it (v1.0.1: widths in runes, a no-break space is not
 * a break; Packer 1.6.6's vendor/ has v1.0.0, which counted bytes, but Debian's
 * packer and Packer 1.16 are built with v1.0.1): breaks at white space only, never
 * inside a word; a word longer than the limit stays whole on its own line.
 */
export function wordWrap(s: string, limit: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  // runes (code points), kept as counts beside the text
  let wordLen = 0;
  let spaceLen = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\n') {
      if (word === '') {
        if (current + spaceLen > limit) current = 0;
        else out += space;
        space = '';
        spaceLen = 0;
      } else {
        out += space + word;
        space = '';
        word = '';
        spaceLen = 0;
        wordLen = 0;
      }
      out += ch;
      current = 0;
    } else if (isGoSpace(c) && c !== 0xa0) {
      if (space === '' || word !== '') {
        current += spaceLen + wordLen;
        out += space + word;
        space = '';
        word = '';
        spaceLen = 0;
        wordLen = 0;
      }
      space += ch;
      spaceLen++;
    } else {
      word += ch;
      wordLen++;
      if (current + spaceLen + wordLen > limit && wordLen < limit) {
        out += '\n';
        current = 0;
        space = '';
        spaceLen = 0;
      }
    }
  }
  if (word === '') {
    if (current + spaceLen <= limit) out += space;
  } else out += space + word;
  return out;
}
