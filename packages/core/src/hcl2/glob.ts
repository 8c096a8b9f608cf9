/**
 * The patterns of `-only` / `-except` on HCL2 templates, matched as
 * github.com/gobwas/glob compiles them without separators (Packer's
 * convertFilterOption): `*` and `?` match any characters (dots included),
 * `[abc]`, `[a-z]`, `[!abc]` character classes, `{a,b}` alternatives (which
 * nest, and one left open closes at the end), `\` escapes the next character.
 */

export class GlobError extends Error {}

/** Compiles a pattern into an anchored RegExp; throws GlobError for an unclosed class or group. */
export function compileGlob(pattern: string): RegExp {
  const chars = [...pattern];
  let i = 0;
  const esc = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  const parse = (inGroup: boolean): string => {
    let out = '';
    while (i < chars.length) {
      const c = chars[i]!;
      if (inGroup && (c === ',' || c === '}')) return out;
      i++;
      switch (c) {
        case '\\':
          // a trailing backslash stands for itself
          out += esc(i < chars.length ? chars[i++]! : '\\');
          break;
        case '*':
          out += '[^]*';
          break;
        case '?':
          out += '[^]';
          break;
        case '[': {
          let neg = false;
          if (chars[i] === '!') { neg = true; i++; }
          let cls = '';
          let closed = false;
          while (i < chars.length) {
            const d = chars[i++]!;
            if (d === ']') { closed = true; break; }
            if (d === '-' && cls !== '' && chars[i] !== undefined && chars[i] !== ']') { cls += '-'; continue; }
            cls += esc(d);
          }
          if (!closed) throw new GlobError('unexpected end of input');
          out += neg ? `[^${cls}]` : `[${cls}]`;
          break;
        }
        case '{': {
          const alts: string[] = [];
          for (;;) {
            alts.push(parse(true));
            // gobwas closes a group left open at the end
            if (i >= chars.length) break;
            const d = chars[i++]!;
            if (d === '}') break;
          }
          out += `(?:${alts.join('|')})`;
          break;
        }
        default:
          out += esc(c);
      }
    }
    return out;
  };
  return new RegExp(`^${parse(false)}$`, 'u');
}
