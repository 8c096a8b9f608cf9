// An esbuild plugin for start-up time: `import { a, b } from '@packer-ts/sdk'` is bundled as
// imports of the modules that define `a` and `b`, not of the package's index file (and
// `export { a } from '@packer-ts/sdk'` as a re-export of the defining module).
//
// Why: a module reached through import() (a command, a component) is wrapped by esbuild and
// initialised on first use together with every module it imports, used or not; an index file
// (`export * from ...`) thus initialises its whole package. With this plugin a component served
// as a plugin evaluates what it uses of the SDK, not the SDK, and whatever another part of the
// code base adds to an index file stays off the start paths that do not use it.
//
// Names are found by reading the index files' `export * from` / `export { ... } from` lines and
// each module's `export function|class|const|let|var|enum|interface|type NAME` declarations.
// A name it cannot place (destructured, namespace, default) stays imported from the index
// file: correct, only slower. Source lines keep their numbers (source maps stay right).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** `@packer-ts/NAME[/SUB]` -> absolute path of the entry file, from each package's exports. */
function packageEntries(root) {
  const entries = new Map();
  for (const dir of ['sdk', 'core', 'plugins', 'hcl', 'cli']) {
    const pkgDir = join(root, 'packages', dir);
    let pkg;
    try { pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')); } catch { continue; }
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target !== 'string') continue;
      entries.set(sub === '.' ? pkg.name : `${pkg.name}/${sub.replace(/^\.\//, '')}`, resolve(pkgDir, target));
    }
  }
  return entries;
}

const DECL = /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\s*\*?|class|const|let|var|enum|const\s+enum|interface|type|namespace)\s+([A-Za-z_$][\w$]*)/gm;
const LIST = /^export\s+(type\s+)?\{([^}]*)\}\s*(?:from\s*['"]([^'"]+)['"])?/gm;
const STAR = /^export\s+\*\s+from\s*['"]([^'"]+)['"]/gm;

/** name -> [defining file, name there], for the module at `file` (following its re-exports). */
function exportMap(file, cache, seen = new Set()) {
  if (cache.has(file)) return cache.get(file);
  if (seen.has(file)) return new Map();
  seen.add(file);
  const map = new Map();
  let text;
  try { text = readFileSync(file, 'utf8'); } catch { cache.set(file, map); return map; }
  for (const m of text.matchAll(DECL)) map.set(m[1], [file, m[1]]);
  for (const m of text.matchAll(LIST)) {
    const from = m[3] && m[3].startsWith('.') ? resolve(dirname(file), m[3]) : undefined;
    if (m[3] && !from) continue;
    const sub = from ? exportMap(from, cache, seen) : undefined;
    for (const part of m[2].split(',')) {
      const spec = part.trim().replace(/^type\s+/, '');
      if (!spec) continue;
      const [orig, alias = orig] = spec.split(/\s+as\s+/);
      if (!from) map.set(alias, [file, orig]);
      else if (sub.has(orig)) map.set(alias, sub.get(orig));
    }
  }
  for (const m of text.matchAll(STAR)) {
    if (!m[1].startsWith('.')) continue;
    for (const [name, where] of exportMap(resolve(dirname(file), m[1]), cache, seen)) if (!map.has(name)) map.set(name, where);
  }
  cache.set(file, map);
  return map;
}

const IMPORT = /^(import|export)\s+\{([^}]*)\}\s*from\s*['"](@packer-ts\/[\w-]+(?:\/[\w-]+)?)['"];?/gm;

/** `source` with its named imports (and re-exports) of the packages' entry files pointed at the defining modules. */
export function directImports(source, entries, cache = new Map()) {
  return source.replace(IMPORT, (stmt, keyword, list, spec) => {
    const entry = entries.get(spec);
    if (!entry) return stmt;
    const map = exportMap(entry, cache);
    const byFile = new Map();
    const rest = [];
    for (const part of list.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').split(',')) {
      const s = part.trim();
      if (!s) continue;
      if (s.startsWith('type ')) continue; // erased anyway
      const [name, local = name] = s.split(/\s+as\s+/);
      const found = map.get(name);
      if (!found) { rest.push(s); continue; }
      const [where, orig] = found;
      if (!byFile.has(where)) byFile.set(where, []);
      byFile.get(where).push(orig === local ? orig : `${orig} as ${local}`);
    }
    const out = [...byFile].map(([file, names]) => `${keyword} { ${names.join(', ')} } from ${JSON.stringify(file)};`);
    if (rest.length) out.push(`${keyword} { ${rest.join(', ')} } from ${JSON.stringify(spec)};`);
    const lines = stmt.split('\n').length;
    return out.join(' ') + '\n'.repeat(lines - 1);
  });
}

const DYNAMIC = /\b(?:const|let|var)\s+\{([^{}]*)\}\s*=\s*await\s+import\(\s*['"](@packer-ts\/[\w-]+(?:\/[\w-]+)?)['"]\s*\)/g;

/**
 * `source` with each `{ a, b } = await import('@packer-ts/...')` whose names one module defines
 * pointed at that module: esbuild initialises the target of an import() with all its imports,
 * for an index file its whole package.
 */
export function directDynamicImports(source, entries, cache = new Map()) {
  return source.replace(DYNAMIC, (expr, list, spec) => {
    const entry = entries.get(spec);
    if (!entry) return expr;
    const map = exportMap(entry, cache);
    const files = new Set();
    for (const part of list.split(',')) {
      const s = part.trim();
      if (!s) continue;
      const [name, local] = s.split(/\s*:\s*/);
      const found = map.get(name);
      if (!found || found[1] !== name || (local !== undefined && !/^[A-Za-z_$][\w$]*$/.test(local))) return expr;
      files.add(found[0]);
    }
    return files.size === 1 ? expr.replace(/(['"])@packer-ts\/[^'"]+\1/, JSON.stringify([...files][0])) : expr;
  });
}

/** The plugin for the packages under `root`; `transform(source, path)`, if given, edits each module after. */
export function directImportsPlugin(root, transform) {
  const entries = packageEntries(root);
  const packages = join(root, 'packages') + '/';
  return {
    name: 'direct-imports',
    setup(b) {
      const cache = new Map();
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(packages)) return undefined;
        const source = directDynamicImports(directImports(readFileSync(args.path, 'utf8'), entries, cache), entries, cache);
        return { contents: transform ? transform(source, args.path) : source, loader: 'ts' };
      });
    },
  };
}
