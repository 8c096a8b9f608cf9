// Go RE2 regular expressions on JavaScript's engine: the pattern is
// translated (named groups, flags, \A \z \Q..\E, POSIX classes, Go's ASCII
// \s, '.' excluding only \n) and what RE2 rejects (backreferences,
// look-around) is rejected with Go's error words.
import { FuncError } from './function.ts';

export class GoRegexpError extends Error {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'GoRegexpError';
  }
}

export interface GoRegexp {
  re: RegExp;
  /** names of the capture groups, index 1..n ('' for unnamed) */
  names: string[];
  /** FindStringSubmatchIndex-like: [start,end, ...] per group (UTF-16 indexes, -1 when unset) */
  exec(s: string, from?: number): RegExpExecArray | null;
  replaceAll(s: string, template: string): string;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const PERL_CLASSES: Record<string, string> = {
  d: '0-9',
  D: '^0-9',
  s: '\\t\\n\\f\\r ',
  S: '^\\t\\n\\f\\r ',
  w: '0-9A-Za-z_',
  W: '^0-9A-Za-z_',
};

function escapeCp(c: string): string {
  const cp = c.codePointAt(0)!;
  if (/[0-9A-Za-z]/.test(c)) return c;
  return `\\u{${cp.toString(16)}}`;
}

/** Translates a Go regexp to a JavaScript one (flag 'u' always). */
export function translateGoRegexp(src: string): { source: string; flags: string; names: string[] } {
  let flags = 'u';
  let i = 0;
  const names: string[] = [];
  let out = '';
  let dotAll = false;
  let depth = 0;
  const cps = [...src];
  const n = cps.length;
  // a leading (?flags) applies to the whole pattern
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'i') flags += 'i';
      else if (f === 'm') flags += 'm';
      else if (f === 's') dotAll = true;
      else throw new GoRegexpError('invalid or unsupported Perl syntax', '(?U');
    }
    i = [...lead[0]].length;
  }
  let lastWasAtomStart = false; // whether a repetition operator may follow
  const repeatable = () => lastWasAtomStart;
  while (i < n) {
    const c = cps[i];
    if (c === '\\') {
      if (i + 1 >= n) throw new GoRegexpError('trailing backslash at end of expression', '');
      const e = cps[i + 1];
      i += 2;
      lastWasAtomStart = true;
      if (e === 'A') {
        out += flags.includes('m') ? '(?<![\\s\\S])' : '^';
        lastWasAtomStart = false;
      } else if (e === 'z') {
        out += flags.includes('m') ? '(?![\\s\\S])' : '$';
        lastWasAtomStart = false;
      } else if (e === 'b' || e === 'B') {
        out += '\\' + e;
        lastWasAtomStart = false;
      } else if (e in PERL_CLASSES) out += `[${PERL_CLASSES[e]}]`;
      else if (e === 'Q') {
        let j = i;
        let lit = '';
        while (j < n && !(cps[j] === '\\' && cps[j + 1] === 'E')) lit += cps[j++];
        i = j < n ? j + 2 : j;
        out += [...lit].map(escapeCp).join('');
      } else if (e === 'p' || e === 'P') {
        if (cps[i] === '{') {
          let j = i + 1;
          let name = '';
          while (j < n && cps[j] !== '}') name += cps[j++];
          i = j + 1;
          out += `\\${e}{${name}}`;
        } else {
          out += `\\${e}{${cps[i]}}`;
          i++;
        }
      } else if (e === 'x') {
        if (cps[i] === '{') {
          let j = i + 1;
          let h = '';
          while (j < n && cps[j] !== '}') h += cps[j++];
          i = j + 1;
          out += `\\u{${h}}`;
        } else {
          out += `\\x${cps[i]}${cps[i + 1]}`;
          i += 2;
        }
      } else if ('nrtfv'.includes(e)) out += '\\' + e;
      else if (e === 'a') out += '\\x07';
      else if (/[0-7]/.test(e)) {
        if (e === '0' || /[0-7]/.test(cps[i] ?? '')) {
          // octal escape
          let oct = e;
          while (oct.length < 3 && /[0-7]/.test(cps[i] ?? '')) oct += cps[i++];
          out += `\\u{${parseInt(oct, 8).toString(16)}}`;
        } else throw new GoRegexpError('invalid escape sequence', `\\${e}`);
      } else if (/[0-9A-Za-z]/.test(e)) throw new GoRegexpError('invalid escape sequence', `\\${e}`);
      else out += escapeCp(e);
      continue;
    }
    if (c === '[') {
      // character class
      let j = i + 1;
      let cls = '[';
      if (cps[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      let closed = false;
      while (j < n) {
        const d = cps[j];
        if (d === ']' && !first) {
          closed = true;
          j++;
          break;
        }
        first = false;
        if (d === '[' && cps[j + 1] === ':') {
          const m = /^\[:(\^?)([a-z]+):\]/.exec(cps.slice(j).join(''));
          if (m && POSIX[m[2]]) {
            if (m[1]) throw new GoRegexpError('invalid character class range', m[0]);
            cls += POSIX[m[2]];
            j += m[0].length;
            continue;
          }
        }
        if (d === '\\') {
          const e = cps[j + 1];
          j += 2;
          if (e in PERL_CLASSES) {
            const p = PERL_CLASSES[e];
            if (p.startsWith('^')) throw new GoRegexpError('invalid character class range', `\\${e}`); // rare: negated inside class
            cls += p;
          } else if (e === 'p' || e === 'P') {
            if (cps[j] === '{') {
              let k = j + 1;
              let name = '';
              while (k < n && cps[k] !== '}') name += cps[k++];
              j = k + 1;
              cls += `\\${e}{${name}}`;
            } else {
              cls += `\\${e}{${cps[j]}}`;
              j++;
            }
          } else if ('nrtfv'.includes(e)) cls += '\\' + e;
          else if (e === 'a') cls += '\\x07';
          else if (e === 'x') {
            if (cps[j] === '{') {
              let k = j + 1;
              let h = '';
              while (k < n && cps[k] !== '}') h += cps[k++];
              j = k + 1;
              cls += `\\u{${h}}`;
            } else {
              cls += `\\x${cps[j]}${cps[j + 1]}`;
              j += 2;
            }
          } else if (/[0-9A-Za-z]/.test(e ?? '')) throw new GoRegexpError('invalid escape sequence', `\\${e}`);
          else cls += escapeCp(e);
          continue;
        }
        if (d === '-' ) {
          cls += '\\-';
          j++;
          continue;
        }
        cls += d === '[' || d === '/' || d === '|' || d === '(' || d === ')' || d === '{' || d === '}' ? '\\' + d : d;
        j++;
      }
      if (!closed) throw new GoRegexpError('missing closing ]', cps.slice(i).join(''));
      // ranges: Go allows a-z written with '-' between; we escaped '-', restore ranges
      cls = cls.replace(/([^\\])\\-(?!\])/g, (m, a) => (a === '[' || a === '^' ? m : a + '-'));
      out += cls + ']';
      i = j;
      lastWasAtomStart = true;
      continue;
    }
    if (c === '(') {
      if (cps[i + 1] === '?') {
        const rest = cps.slice(i).join('');
        const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
        if (named) {
          names.push(named[1]);
          out += `(?<${named[1]}>`;
          i += [...named[0]].length;
          depth++;
          lastWasAtomStart = false;
          continue;
        }
        if (rest.startsWith('(?:')) {
          out += '(?:';
          i += 3;
          depth++;
          lastWasAtomStart = false;
          continue;
        }
        const fl = /^\(\?([imsU-]*):/.exec(rest);
        if (fl && fl[1] === 's') {
          // (?s: ... ) : dot matches newline within; approximate by global dotAll
          dotAll = true;
          out += '(?:';
          i += fl[0].length;
          depth++;
          lastWasAtomStart = false;
          continue;
        }
        const m = /^\(\?.?/.exec(rest);
        throw new GoRegexpError('invalid or unsupported Perl syntax', m ? m[0] : '(?');
      }
      names.push('');
      out += '(';
      i++;
      depth++;
      lastWasAtomStart = false;
      continue;
    }
    if (c === ')') {
      if (depth === 0) throw new GoRegexpError('unexpected )', src);
      depth--;
      out += ')';
      i++;
      lastWasAtomStart = true;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      if (!repeatable()) throw new GoRegexpError('missing argument to repetition operator', c);
      let op = c;
      i++;
      if (cps[i] === '?') {
        op += '?';
        i++;
      }
      if (cps[i] === '*' || cps[i] === '+' || cps[i] === '?') throw new GoRegexpError('invalid nested repetition operator', op + cps[i]);
      out += op;
      lastWasAtomStart = false;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(cps.slice(i).join(''));
      if (m) {
        if (!repeatable()) throw new GoRegexpError('missing argument to repetition operator', m[0]);
        const lo = parseInt(m[1], 10);
        const hi = m[3] ? parseInt(m[3], 10) : lo;
        if (lo > 1000 || hi > 1000 || (m[3] && hi < lo)) throw new GoRegexpError('invalid repeat count', m[0]);
        out += m[0];
        i += m[0].length;
        if (cps[i] === '?') {
          out += '?';
          i++;
        }
        lastWasAtomStart = false;
        continue;
      }
      out += '\\{';
      i++;
      lastWasAtomStart = true;
      continue;
    }
    if (c === '}') {
      out += '\\}';
      i++;
      lastWasAtomStart = true;
      continue;
    }
    if (c === '.') {
      out += dotAll ? '[\\s\\S]' : '[^\\n]';
      i++;
      lastWasAtomStart = true;
      continue;
    }
    if (c === '^' || c === '$') {
      out += c;
      i++;
      lastWasAtomStart = false;
      continue;
    }
    if (c === '|') {
      out += c;
      i++;
      lastWasAtomStart = false;
      continue;
    }
    out += c === '/' ? '\\/' : c;
    i++;
    lastWasAtomStart = true;
  }
  if (depth > 0) throw new GoRegexpError('missing closing )', src);
  return { source: out, flags, names };
}

/** regexp.Compile; throws GoRegexpError. */
export function compileGoRegexp(src: string): GoRegexp {
  const t = translateGoRegexp(src);
  let re: RegExp;
  try {
    re = new RegExp(t.source, t.flags + 'g');
  } catch (e) {
    throw new GoRegexpError('invalid or unsupported Perl syntax', src);
  }
  const names = t.names;
  return {
    re,
    names,
    exec(s: string, from = 0) {
      re.lastIndex = from;
      return re.exec(s);
    },
    replaceAll(s: string, template: string) {
      let out = '';
      let last = 0;
      let pos = 0;
      let prevEnd = -1;
      while (pos <= s.length) {
        re.lastIndex = pos;
        const m = re.exec(s);
        if (!m) break;
        const start = m.index;
        const end = start + m[0].length;
        if (m[0].length === 0 && start === prevEnd) {
          // Go skips an empty match right after the previous match
          pos = start + (s.codePointAt(start)! > 0xffff ? 2 : 1);
          if (start >= s.length) break;
          continue;
        }
        out += s.slice(last, start) + expandTemplate(template, m, names);
        last = end;
        prevEnd = end;
        pos = end > start ? end : end + (end < s.length && s.codePointAt(end)! > 0xffff ? 2 : 1);
        if (end >= s.length && m[0].length === 0) break;
      }
      return out + s.slice(last);
    },
  };
}

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expandTemplate(tpl: string, m: RegExpExecArray, names: string[]): string {
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i];
    if (c !== '$' || i + 1 >= tpl.length) {
      out += c;
      continue;
    }
    if (tpl[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let j: number;
    if (tpl[i + 1] === '{') {
      const k = tpl.indexOf('}', i + 2);
      const nm = k < 0 ? '' : tpl.slice(i + 2, k);
      if (k < 0 || !/^[A-Za-z0-9_]+$/.test(nm)) {
        out += c;
        continue;
      }
      name = nm;
      j = k + 1;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(tpl.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      j = i + 1 + name.length;
    }
    if (/^\d+$/.test(name)) {
      const idx = parseInt(name, 10);
      if (idx < m.length && m[idx] !== undefined) out += m[idx];
    } else {
      const idx = names.indexOf(name);
      if (idx >= 0 && m[idx + 1] !== undefined) out += m[idx + 1];
    }
    i = j - 1;
  }
  return out;
}

/** FindAll with Go's rule on empty matches. */
export function findAll(re: GoRegexp, s: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  let pos = 0;
  let prevEnd = -1;
  while (pos <= s.length) {
    const m = re.exec(s, pos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    if (m[0].length === 0 && start === prevEnd) {
      if (start >= s.length) break;
      pos = start + (s.codePointAt(start)! > 0xffff ? 2 : 1);
      continue;
    }
    out.push(m);
    prevEnd = end;
    if (end > start) pos = end;
    else {
      if (end >= s.length) break;
      pos = end + (s.codePointAt(end)! > 0xffff ? 2 : 1);
    }
  }
  return out;
}

export function regexpFuncError(e: unknown): never {
  if (e instanceof GoRegexpError) throw new FuncError(e.message);
  throw e;
}
