/**
 * artifice post-processor: replaces the artifact with one made of the
 * configured files (glob patterns, matched as Go's filepath.Glob does).
 */
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import {
  BasicArtifact, decodeConfig,
  type Artifact, type PostProcessResult, type PostProcessor, type Schema, type Ui,
} from '@packer-ts/sdk';

export const ARTIFICE_BUILDER_ID = 'packer.post-processor.artifice';

export const artificeSchema: Schema = {
  files: { type: 'string[]' },
  keep_input_artifact: { type: 'bool', default: false },
};

interface ArtificeConfig {
  files?: string[];
  keepInputArtifact?: boolean;
}

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

export class ArtificePostProcessor implements PostProcessor {
  private files: string[] = [];

  async configure(...raws: unknown[]): Promise<void> {
    const decoded = decodeConfig<ArtificeConfig>(artificeSchema, raws, { pluginType: 'artifice' });
    this.files = [...(decoded.config.files ?? [])];
    if (this.files.length === 0) throw new Error('No files specified in artifice configuration');
  }

  async postProcess(ui: Ui, artifact: Artifact, _signal: AbortSignal): Promise<PostProcessResult> {
    const previous = await artifact.files();
    if (previous.length > 0) ui.say(`Discarding files from artifact: ${previous.join(', ')}`);
    const files: string[] = [];
    for (const pattern of this.files) {
      for (const f of await goGlob(pattern)) {
        await stat(f);
        files.push(f);
      }
    }
    ui.say(`Using these artifact files: ${files.join(', ')}`);
    const out = new BasicArtifact({
      builderId: ARTIFICE_BUILDER_ID,
      files,
      string: `Created artifact from files: ${files.join(', ')}`,
      destroy: async () => {
        for (const f of files) await rm(f, { recursive: true, force: true });
      },
    });
    return { artifact: out, keep: true, forceOverride: false };
  }
}
