/**
 * cd_files and floppy_files / floppy_dirs: the extra media of the qemu
 * builder, laid out as Packer 1.6.6 does (packer-plugin-sdk/multistep/
 * commonsteps/step_create_cdrom.go, step_create_floppy.go).
 *
 * CD: the files are staged in a directory, then xorriso (or mkisofs) makes
 * the ISO with the volume label `cd_label` (default "packer").
 * Floppy: a 1.44 MB FAT12 image made with mtools (mformat, mmd, mcopy); the
 * boot sector's volume label and OEM name and the root directory's volume
 * entry are `floppy_label` as given (default "packer"), as go-fs writes them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { copyFile, mkdir, open, readdir, stat, lstat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathError, type Ui } from '@packer-ts/sdk';
import { compileMatch, goGlob } from '../../common/glob.ts';

export { goGlob };

const globMeta = /[*?[]/;

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Config check of one cd_files / floppy_* entry, worded as Packer's Prepare; undefined when fine. */
export function checkMediaPath(p: string, what: string): string | undefined {
  if (globMeta.test(p)) {
    try {
      for (const el of p.split('/')) if (globMeta.test(el)) compileMatch(el);
    } catch (e) {
      return `Bad ${what} '${p}': ${(e as Error).message}`;
    }
    return undefined;
  }
  return existsSync(p) ? undefined : `Bad ${what} '${p}': stat ${p}: no such file or directory`;
}

/** Globs (Go's filepath.Glob) expanded in place, other entries kept as they are. */
export async function expandGlobs(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (globMeta.test(p)) out.push(...(await goGlob(p)));
    else out.push(p);
  }
  return out;
}

/** filepath.Walk: root as given, children joined (and cleaned) in name order; entries are lstat'ed. */
async function walk(root: string, visit: (p: string, isDir: boolean) => Promise<void>): Promise<void> {
  const st = await lstat(root);
  await visit(root, st.isDirectory());
  if (!st.isDirectory()) return;
  const names = (await readdir(root)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) await walk(join(root, n), visit);
}

async function copyOne(src: string, dst: string): Promise<void> {
  try {
    await copyFile(src, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw pathError('read', src, e);
    throw e;
  }
}

/**
 * Stages cd_files under root: a file goes to the root under its base name; a
 * directory keeps its own name and subtree ("dir/" or "." put its contents at
 * the root instead); symlinks to files are copied as files.
 */
export async function stageCDFiles(files: string[], root: string): Promise<string[]> {
  const added: string[] = [];
  for (const src of files) {
    let st;
    try { st = await stat(src); } catch (e) { throw new Error(`Error adding path to CD: ${pathError('stat', src, e).message}`); }
    if (!st.isDirectory()) {
      const base = src.slice(src.lastIndexOf('/') + 1);
      try { await copyOne(src, join(root, base)); } catch { throw new Error(`Error copying ${src} to CD root`); }
      added.push(src);
      continue;
    }
    const discard = src.slice(0, src.lastIndexOf('/') + 1);
    await walk(src, async (p, isDir) => {
      const cut = p.lastIndexOf('/') + 1;
      const inter = p.slice(0, cut).replace(discard, '');
      const dst = join(root, inter, p.slice(cut));
      if (isDir) {
        try { await mkdir(dst, { recursive: true }); } catch (e) { throw new Error(`error creating new directory ${dst}: ${(e as Error).message}`); }
        return;
      }
      try { await copyOne(p, dst); } catch (e) { throw new Error(`Error copying ${dst} to CD: ${(e as Error).message}`); }
      added.push(dst);
    });
  }
  return added;
}

/** The ISO command Packer picks on this host: xorriso, else mkisofs (genisoimage as a last resort). */
export function isoCommand(label: string, source: string, dest: string): [string, string[]] | undefined {
  if (hasTool('xorriso')) return ['xorriso', ['-as', 'genisoimage', '-rock', '-joliet', '-volid', label, '-output', dest, source]];
  for (const t of ['mkisofs', 'genisoimage']) if (hasTool(t)) return [t, ['-joliet', '-volid', label, '-o', dest, source]];
  return undefined;
}

/** Runs a host command, every output line to ui.message; "Bad exit status: N" on failure. */
export function runAndStream(cmd: string, args: string[], ui: Ui, env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    let open = 2;
    let code: number | null | undefined;
    const done = () => {
      if (open > 0 || code === undefined) return;
      if (code === 0) res(); else rej(new Error(`Bad exit status: ${code ?? 1}`));
    };
    for (const s of [child.stdout, child.stderr]) {
      const rl = createInterface({ input: s });
      rl.on('line', (l) => { const t = l.replace(/\r/g, '').trim(); if (t) ui.message(t); });
      rl.on('close', () => { open--; done(); });
    }
    child.on('error', rej);
    child.on('close', (c) => { code = c; done(); });
  });
}

/** One entry of the floppy: a host file and the floppy directory ("" = root) it goes to. */
export interface FloppyPlan {
  dirs: string[];
  files: Array<{ src: string; dir: string }>;
}

/** go-fs's label checks: the label is also the OEM name (8 bytes at most), ASCII only. */
export function floppyLabelError(label: string): string | undefined {
  for (const ch of label) {
    const cp = ch.codePointAt(0)!;
    if (cp > 0x7f) return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${ch}' in OEM name not a valid ASCII char. Must be ASCII.`;
  }
  if (label.length > 8) return 'OEMName must be 8 bytes or less';
  return undefined;
}

/**
 * Plans the floppy as Packer does: floppy_files (globs expanded) flat at the
 * root, directories among them crawled and their files put flat at the root;
 * floppy_dirs (globs expanded) copied with their structure, each directory
 * under its own name. A name used twice in a directory is an error.
 */
export async function planFloppy(files: string[], dirs: string[], ui: Ui): Promise<FloppyPlan> {
  const plan: FloppyPlan = { dirs: [], files: [] };
  const names = new Map<string, Set<string>>([['', new Set()]]);
  const add = (src: string, dir: string) => {
    const base = src.slice(src.replace(/\/+$/, '').lastIndexOf('/') + 1).trim();
    const used = names.get(dir)!;
    if (used.has(base.toUpperCase())) throw new Error(`name already exists: ${base}`);
    used.add(base.toUpperCase());
    plan.files.push({ src, dir });
  };
  const addDir = (dir: string) => {
    if (names.has(dir)) return;
    const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    addDir(parent);
    const base = dir.slice(dir.lastIndexOf('/') + 1);
    const used = names.get(parent)!;
    if (used.has(base.toUpperCase())) throw new Error(`name already exists: ${base}`);
    used.add(base.toUpperCase());
    names.set(dir, new Set());
    plan.dirs.push(dir);
  };

  ui.message('Copying files flatly from floppy_files');
  for (const filename of await expandGlobs(files)) {
    let st;
    try { st = await stat(filename); } catch (e) { throw new Error(`Error trying to stat : ${filename} : ${pathError('stat', filename, e).message}`); }
    if (st.isDirectory()) {
      ui.message(`Copying directory: ${filename}`);
      const crawled: string[] = [];
      try {
        await walk(filename, async (p, isDir) => { if (!isDir) { crawled.push(p); ui.message(`Adding file: ${p}`); } });
        for (const p of crawled) add(p, '');
      } catch (e) { throw new Error(`Error adding file from floppy_files : ${filename} : ${(e as Error).message}`); }
      continue;
    }
    ui.message(`Copying file: ${filename}`);
    try { add(filename, ''); } catch (e) { throw new Error(`Error adding file from floppy_files : ${filename} : ${(e as Error).message}`); }
  }
  ui.message('Done copying files from floppy_files');

  ui.message('Collecting paths from floppy_dirs');
  const queue = await expandGlobs(dirs);
  ui.message(`Resulting paths from floppy_dirs : [${queue.join(' ')}]`);
  for (const src of queue) {
    ui.message(`Recursively copying : ${src}`);
    try {
      let st;
      try { st = await stat(src); } catch (e) { throw new Error(`Error adding path to floppy: ${pathError('stat', src, e).message}`); }
      if (!st.isDirectory()) { add(src, ''); continue; }
      const base = dirname(resolve(src));
      await walk(src, async (p, isDir) => {
        const rel = relative(base, resolve(p));
        if (isDir) addDir(rel);
        else add(p, dirname(rel));
      });
    } catch (e) { throw new Error(`Error adding path ${src} to floppy: ${(e as Error).message}`); }
  }
  ui.message('Done copying paths from floppy_dirs');
  return plan;
}

const mtoolsEnv = () => ({ ...process.env, MTOOLS_SKIP_CHECK: '1' });

function mtool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: mtoolsEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd}: ${(r.stderr || r.stdout).trim() || `exit status ${r.status}`}`);
}

/** Formats img as a 1.44 MB FAT12 floppy labelled as go-fs labels it, then fills it per plan. */
export async function writeFloppy(img: string, label: string, plan: FloppyPlan): Promise<void> {
  const fh = await open(img, 'w');
  try { await fh.truncate(1440 * 1024); } finally { await fh.close(); }
  mtool('mformat', ['-i', img, '-f', '1440', '-v', label, '::']);
  await setFloppyLabel(img, label);
  if (plan.dirs.length > 0) mtool('mmd', ['-i', img, ...plan.dirs.map((d) => `::/${d}`)]);
  const byDir = new Map<string, string[]>();
  for (const f of plan.files) byDir.set(f.dir, [...(byDir.get(f.dir) ?? []), f.src]);
  for (const [dir, srcs] of byDir) mtool('mcopy', ['-i', img, ...srcs, `::/${dir}${dir ? '/' : ''}`]);
}

/**
 * Boot sector: OEM name (bytes 3-10, NUL padded) and volume label (43-53,
 * space padded) set to the label with its case kept; the root directory's
 * first entry, the volume label entry mformat made, gets the same name.
 */
async function setFloppyLabel(img: string, label: string): Promise<void> {
  const fh = await open(img, 'r+');
  try {
    const oem = Buffer.alloc(8);
    oem.write(label, 'ascii');
    await fh.write(oem, 0, 8, 3);
    const vol = Buffer.alloc(11, 0x20);
    vol.write(label, 'ascii');
    await fh.write(vol, 0, 11, 43);
    const rootDir = (1 + 2 * 9) * 512;
    const entry = Buffer.alloc(12);
    await fh.read(entry, 0, 12, rootDir);
    if (entry[11] === 0x08) await fh.write(vol, 0, 11, rootDir);
  } finally { await fh.close(); }
}
