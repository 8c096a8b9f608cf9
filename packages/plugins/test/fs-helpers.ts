/** File-tree helpers the built-ins' tests share. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every entry under `dir`, depth first in name order: `rel/` for a directory
 * (unless `dirs: false`), `rel=content` for a file (content trimmed with `trim`).
 */
export async function tree(dir: string, opts: { dirs?: boolean; trim?: boolean } = {}): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      const rel = p.slice(dir.length + 1);
      if (e.isDirectory()) {
        if (opts.dirs !== false) out.push(`${rel}/`);
        await walk(p);
      } else {
        const text = await readFile(p, 'utf8');
        out.push(`${rel}=${opts.trim ? text.trim() : text}`);
      }
    }
  };
  await walk(dir);
  return out;
}
