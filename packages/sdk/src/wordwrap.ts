/** Text layout as Packer's Go code does it: unicode.IsSpace, go-wordwrap. */

/** Go's unicode.IsSpace for one code point. */
export function isGoSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Word wrapping as Packer's diagnostic writer does it (go-wordwrap's
 * WrapString, widths in bytes): breaks at white space only, never inside a
 * word; a word longer than the limit stays whole on its own line.
 */
export function wordWrap(s: string, limit: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  const len = (x: string) => Buffer.byteLength(x, 'utf8');
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\n') {
      if (word === '') {
        if (current + len(space) > limit) current = 0;
        else out += space;
        space = '';
      } else {
        out += space + word;
        space = '';
        word = '';
      }
      out += ch;
      current = 0;
    } else if (isGoSpace(c)) {
      if (space === '' || word !== '') {
        current += len(space) + len(word);
        out += space + word;
        space = '';
        word = '';
      }
      space += ch;
    } else {
      word += ch;
      if (current + len(space) + len(word) > limit && len(word) < limit) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (word === '') {
    if (current + len(space) <= limit) out += space;
  } else out += space + word;
  return out;
}
