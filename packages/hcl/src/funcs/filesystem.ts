// Filesystem functions (go-cty-funcs filesystem with Go's path/filepath and
// bmatcuk/doublestar globbing; Packer 1.16's filebase64).
import { readFileSync, statSync, readdirSync, lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { pathError } from '@packer-ts/sdk';
import * as T from '../cty/types.ts';
import { boolVal, setVal, setValEmpty, stringVal, False, True } from '../cty/value.ts';
import { FuncError, makeFunction, staticReturnType } from './function.ts';

/** filepath.Clean */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const s = (rooted ? '/' : '') + parts.join('/');
  return s === '' ? '.' : s;
}
/** filepath.Join */
export function goJoin(...ps: string[]): string {
  const nonEmpty = ps.filter((p) => p !== '');
  if (nonEmpty.length === 0) return '';
  return goClean(nonEmpty.join('/'));
}
/** filepath.Base */
export function goBase(p: string): string {
  if (p === '') return '.';
  let s = p.replace(/\/+$/, '');
  if (s === '') return '/';
  const i = s.lastIndexOf('/');
  if (i >= 0) s = s.slice(i + 1);
  return s;
}
/** filepath.Dir */
export function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goClean(p.slice(0, i + 1));
}
/** filepath.Abs */
export function goAbs(p: string): string {
  if (p.startsWith('/')) return goClean(p);
  return goJoin(process.cwd(), p);
}

/** mitchellh/go-homedir Expand */
export function homedirExpand(p: string): string {
  if (p === '' || p[0] !== '~') return p;
  if (p.length > 1 && p[1] !== '/' && p[1] !== '\\') throw new FuncError('cannot expand user-specific home dir');
  const home = process.env.HOME || homedir();
  if (!home) throw new FuncError('failed to expand ~: $HOME is not defined');
  return goJoin(home, p.slice(1));
}

function resolve(baseDir: string, path: string): string {
  let p: string;
  try {
    p = homedirExpand(path);
  } catch (e) {
    throw new FuncError(`failed to expand ~: ${(e as Error).message}`);
  }
  if (!p.startsWith('/')) p = goJoin(baseDir, p);
  return goClean(p);
}

function readFileBytes(baseDir: string, path: string): Buffer {
  const p = resolve(baseDir, path);
  try {
    return readFileSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FuncError(`no file exists at ${p}`);
    throw new FuncError(`failed to read ${p}`);
  }
}

/** Whether bytes are valid UTF-8 (Go's utf8.Valid). */
export function utf8Valid(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

export function makeFileFunc(baseDir: string, base64: boolean) {
  return makeFunction({
    params: [{ name: 'path', type: T.String }],
    type: staticReturnType(T.String),
    impl: (a) => {
      const path = a[0].asString();
      const src = readFileBytes(baseDir, path);
      if (base64) return stringVal(src.toString('base64'));
      if (!utf8Valid(src)) {
        throw new FuncError(
          `contents of ${path} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead`,
        );
      }
      return stringVal(src.toString('utf8'));
    },
  });
}

/** Reads a file relative to baseDir as `file()` does (for templatefile). */
export function readTextFile(baseDir: string, path: string): string {
  return makeFileFunc(baseDir, false).call([stringVal(path)]).asString();
}

function goFileMode(st: import('node:fs').Stats): string {
  const perm = st.mode & 0o777;
  const rwx = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (perm & (1 << (8 - i)) ? c : '-'))
    .join('');
  const t = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'L' : st.isFIFO() ? 'p' : st.isSocket() ? 'S' : st.isCharacterDevice() ? 'Dc' : st.isBlockDevice() ? 'D' : '-';
  return (t === '-' ? '-' : t) + rwx;
}

export function makeFileExistsFunc(baseDir: string) {
  return makeFunction({
    params: [{ name: 'path', type: T.String }],
    type: staticReturnType(T.Bool),
    impl: (a) => {
      const p = resolve(baseDir, a[0].asString());
      let st;
      try {
        st = statSync(p);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return False;
        throw new FuncError(`failed to stat ${p}`);
      }
      if (st.isFile()) return True;
      throw new FuncError(`${p} is not a regular file, but ${JSON.stringify(goFileMode(st))}`);
    },
  });
}

/** doublestar (v1) pattern of one path component as a RegExp source. */
function segmentRegex(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\') {
      i++;
      if (i >= seg.length) throw new FuncError('syntax error in pattern');
      out += seg[i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const j = seg.indexOf(']', i + 2);
      if (j < 0) throw new FuncError('syntax error in pattern');
      let cls = seg.slice(i + 1, j);
      if (cls[0] === '!' || cls[0] === '^') cls = '^' + cls.slice(1);
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = j;
    } else if (c === '{') {
      const j = seg.indexOf('}', i);
      if (j < 0) throw new FuncError('syntax error in pattern');
      out += '(?:' + seg.slice(i + 1, j).split(',').map(segmentRegex).join('|') + ')';
      i = j;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

const MAGIC = /[*?[{\\]/;

/** doublestar.Glob: matching paths (absolute if the pattern is), walking
 * only the directories the pattern can reach. */
export function doublestarGlob(pattern: string): string[] {
  const rooted = pattern.startsWith('/');
  const segs = pattern.split('/').filter((x, i) => !(i === 0 && x === '') && x !== '');
  const join = (dir: string, name: string) => (dir === '' ? name : dir === '/' ? '/' + name : dir + '/' + name);
  const res = segs.map((x) => (x === '**' ? null : MAGIC.test(x) ? new RegExp('^' + segmentRegex(x) + '$') : x));
  const out: string[] = [];
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const exists = (p: string) => {
    try {
      lstatSync(p);
      return true;
    } catch {
      return false;
    }
  };
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir === '' ? '.' : dir).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    } catch {
      return [];
    }
  };
  const walk = (dir: string, i: number, depth: number): void => {
    if (i === segs.length) {
      out.push(dir === '' ? '.' : dir);
      return;
    }
    if (depth > 64) return;
    const r = res[i];
    if (r === null) {
      // ** matches zero or more directories
      walk(dir, i + 1, depth + 1);
      for (const name of list(dir)) {
        const p = join(dir, name);
        if (isDir(p)) walk(p, i, depth + 1);
        else if (i + 1 === segs.length) out.push(p);
      }
      return;
    }
    if (typeof r === 'string') {
      const p = join(dir, r);
      if (exists(p)) walk(p, i + 1, depth + 1);
      return;
    }
    for (const name of list(dir)) if (r.test(name)) walk(join(dir, name), i + 1, depth + 1);
  };
  walk(rooted ? '/' : '', 0, 0);
  return [...new Set(out)];
}

/** filepath.Rel: `to` relative to `from` (both cleaned; "." stands for the working directory). */
function goRel(from: string, to: string): string {
  const base = goClean(from);
  const targ = goClean(to);
  if (base === targ) return '.';
  if (base.startsWith('/') !== targ.startsWith('/')) throw new FuncError(`Rel: can't make ${to} relative to ${from}`);
  const b = base === '.' ? [] : base.split('/').filter(Boolean);
  const t = targ === '.' ? [] : targ.split('/').filter(Boolean);
  let i = 0;
  while (i < b.length && i < t.length && b[i] === t[i]) i++;
  if (b[i] === '..') throw new FuncError(`Rel: can't make ${to} relative to ${from}`);
  return [...new Array<string>(b.length - i).fill('..'), ...t.slice(i)].join('/') || '.';
}

export function makeFileSetFunc(baseDir: string) {
  return makeFunction({
    params: [
      { name: 'path', type: T.String },
      { name: 'pattern', type: T.String },
    ],
    type: staticReturnType(T.Set(T.String)),
    impl: (a) => {
      let path = a[0].asString();
      if (!path.startsWith('/')) path = goJoin(baseDir, path);
      const pattern = goJoin(path, a[1].asString());
      let matches: string[];
      try {
        matches = doublestarGlob(pattern);
      } catch (e) {
        throw new FuncError(`failed to glob pattern (${pattern}): ${(e as Error).message}`);
      }
      const vals = [];
      for (const m of matches) {
        let st;
        try {
          st = statSync(m);
        } catch (e) {
          throw new FuncError(`failed to stat (${m}): ${pathError('stat', m, e).message}`);
        }
        if (!st.isFile()) continue;
        vals.push(stringVal(goRel(path, m)));
      }
      return vals.length ? setVal(vals) : setValEmpty(T.String);
    },
  });
}

const pathFn = (f: (s: string) => string) =>
  makeFunction({
    params: [{ name: 'path', type: T.String }],
    type: staticReturnType(T.String),
    impl: (a) => stringVal(f(a[0].asString())),
  });

export const basename = pathFn(goBase);
export const dirname = pathFn(goDir);
export const abspath = pathFn(goAbs);
export const pathexpand = pathFn(homedirExpand);

/** Packer 1.16 filebase64: reads the path as given (relative to the working directory). */
export const filebase64 = makeFunction({
  params: [{ name: 'path', type: T.String }],
  type: staticReturnType(T.String),
  impl: (a) => {
    const p = a[0].asString();
    try {
      return stringVal(readFileSync(p).toString('base64'));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EISDIR') throw new FuncError(`failed to read file ${JSON.stringify(p)}: read ${p}: is a directory`);
      const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
      throw new FuncError(`failed to read file ${JSON.stringify(p)}: open ${p}: ${why}`);
    }
  },
});

export { boolVal };
