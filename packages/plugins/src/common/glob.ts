/** Go's path/filepath Match and Glob, for every component that takes file patterns. */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Error of a malformed glob pattern (Go's filepath.ErrBadPattern). */
export class BadPatternError extends Error {
  constructor() { super('syntax error in pattern'); }
}

const hasMeta = (p: string): boolean => /[*?[\\]/.test(p);

/** Compiles one path element pattern (Go's filepath.Match syntax) to a RegExp. */
export function compileMatch(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new BadPatternError();
      re += escapeRe(pattern[i]!);
    } else if (c === '[') {
      i++;
      let cls = '';
      if (pattern[i] === '^') { cls += '^'; i++; }
      let n = 0;
      for (;;) {
        if (i >= pattern.length) throw new BadPatternError();
        if (pattern[i] === ']' && n > 0) break;
        let lo = pattern[i]!;
        if (lo === '\\') { i++; if (i >= pattern.length) throw new BadPatternError(); lo = pattern[i]!; }
        else if (lo === '-' || lo === ']') throw new BadPatternError();
        i++;
        cls += escapeRe(lo);
        if (pattern[i] === '-') {
          i++;
          let hi = pattern[i];
          if (hi === undefined || hi === ']') throw new BadPatternError();
          if (hi === '\\') { i++; hi = pattern[i]; if (hi === undefined) throw new BadPatternError(); }
          i++;
          cls += '-' + escapeRe(hi);
        }
        n++;
      }
      re += `[${cls}]`;
    } else re += escapeRe(c);
  }
  return new RegExp(re + '$', 's');
}

function escapeRe(c: string): string { return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'); }

/** Go's filepath.Glob: matches in name order per directory, no error for no match. */
export async function goGlob(pattern: string): Promise<string[]> {
  if (!hasMeta(pattern)) {
    try {
      await lstat(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const cut = pattern.lastIndexOf(sep);
  let dir = cut < 0 ? '' : pattern.slice(0, cut + 1);
  const file = pattern.slice(cut + 1);
  dir = dir === '' ? '.' : dir === sep ? sep : dir.slice(0, -1);
  const re = compileMatch(file);
  if (!hasMeta(dir)) return globDir(dir, re);
  if (dir === pattern) throw new BadPatternError();
  const out: string[] = [];
  for (const d of await goGlob(dir)) out.push(...(await globDir(d, re)));
  return out;
}

async function globDir(dir: string, re: RegExp): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) return [];
    const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return names.filter((n) => re.test(n)).map((n) => join(dir, n));
  } catch {
    return [];
  }
}
