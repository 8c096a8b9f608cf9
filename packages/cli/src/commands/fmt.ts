/**
 * `packer-ts fmt`: rewrites HCL2 configuration files (*.pkr.hcl) and variable
 * files (*.pkrvars.hcl) in the canonical layout (command/fmt.go and
 * hcl2template/formatter.go of Packer 1.6.6). Two additions of later Packer
 * versions, absent from 1.6.6: `-recursive` (sub-directories too, skipping
 * hidden and editor backup entries) and `-` (the template on standard input,
 * the result on standard output).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, type Dirent } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { decodeRawText, encodeRawText, fileError, pathError } from '@packer-ts/sdk';
import { log } from '@packer-ts/sdk';
import { formatDiagnostics, formatHCL, hasErrors, parseConfig, type Diagnostic } from '@packer-ts/hcl';
import { FlagSet } from '../flags.ts';
import { DIAGNOSTIC_WIDTH, MetaArgs, type Meta, parseFlags } from '../meta.ts';

export const fmtHelp = `Usage: packer fmt [options] [TEMPLATE]

  Rewrites all Packer configuration files to a canonical format. Both
  configuration files (.pkr.hcl) and variable files (.pkrvars.hcl) are updated.
  JSON files (.json) are not modified.

  If TEMPATE is "." the current directory will be used. The given content must
  be in Packer's HCL2 configuration language; JSON is not supported.

Options:
  -check        Check if the input is formatted. Exit status will be 0 if all
                 input is properly formatted and non-zero otherwise.

  -diff         Display diffs of formatting change

  -write=false  Don't write to source files
                (always disabled if using -check)`;

const HCL_EXT = '.pkr.hcl';
const VAR_EXT = '.pkrvars.hcl';

interface Options {
  check: boolean;
  diff: boolean;
  write: boolean;
  recursive: boolean;
}

export async function fmtCommand(meta: Meta, argv: string[]): Promise<number> {
  const opts: Options = { check: false, diff: false, write: true, recursive: false };
  const flags = new FlagSet();
  flags.bool('check', (v) => { opts.check = v; });
  flags.bool('diff', (v) => { opts.diff = v; });
  flags.bool('write', (v) => { opts.write = v; });
  flags.bool('recursive', (v) => { opts.recursive = v; });
  // Accepted and ignored, as in Packer.
  const ignored = new MetaArgs();
  ignored.addVarFlags(flags);
  ignored.addFilterFlags(flags);
  flags.value('config-type', (v) => {
    if (v !== 'json' && v !== 'hcl2') throw new Error(`${v} does not belong to configType values`);
  });
  const stop = parseFlags(meta, flags, argv, fmtHelp);
  if (stop !== undefined) return stop;
  if (opts.check) opts.write = false;
  const path = flags.args[0]!;

  const diags: Diagnostic[] = [];
  let modified = 0;
  if (path === '-') {
    modified = await formatStdin(meta, opts, diags);
  } else {
    const files = listFiles(path, opts.recursive, diags);
    if (files && files.length === 0) {
      diags.push({ severity: 'error', summary: `Cannot tell whether ${path} contains HCL2 configuration data` });
    }
    for (const file of files ?? []) modified += formatFile(meta, file, opts, diags);
  }
  if (diags.length > 0) {
    const text = formatDiagnostics(diags, {}, { width: DIAGNOSTIC_WIDTH });
    if (hasErrors(diags)) {
      meta.ui.error(text);
      return 1;
    }
    meta.ui.say(text);
  }
  // exit status 3 as in `terraform fmt`
  return opts.check && modified > 0 ? 3 : 0;
}

/**
 * The files `fmt` rewrites for `path`: the file itself when it is a
 * configuration or variable file; for a directory its configuration files,
 * then its variable files (each in name order, as Packer 1.6.6), or with
 * `recursive` (a later Packer's flag) its files and sub-directories' files in
 * name order, hidden files and editor backups left out, as Packer 1.16.
 * Undefined (and a diagnostic) when `path` cannot be read.
 */
function listFiles(path: string, recursive: boolean, diags: Diagnostic[]): string[] | undefined {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    diags.push({ severity: 'error', summary: `Cannot tell wether ${path} is a directory`, detail: fileError(e, path).message }); // sic
    return undefined;
  }
  if (!isDir) return path.endsWith(HCL_EXT) || path.endsWith(VAR_EXT) ? [path] : [];
  const out: string[] = [];
  const walk = (dir: string): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    } catch (e) {
      diags.push({ severity: 'error', summary: 'Cannot read hcl directory', detail: pathError('open', dir, e).message });
      return false;
    }
    if (!recursive) {
      // Packer 1.6.6: the directory's configuration files, then its variable files
      const files = entries.filter((e) => !e.isDirectory()).map((e) => join(dir, e.name));
      out.push(...files.filter((f) => f.endsWith(HCL_EXT)), ...files.filter((f) => f.endsWith(VAR_EXT)));
      return true;
    }
    // -recursive (Packer 1.16's): every entry in name order, a sub-directory where it sorts
    for (const e of entries) {
      if (ignoredName(e.name)) continue;
      const f = join(dir, e.name);
      if (e.isDirectory()) { if (!walk(f)) return false; } else if (f.endsWith(HCL_EXT) || f.endsWith(VAR_EXT)) out.push(f);
    }
    return true;
  };
  return walk(path) ? out : undefined;
}

/** Hidden files and editor backups, which a recursive walk leaves alone (as later Packer versions do). */
function ignoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || (name.startsWith('#') && name.endsWith('#'));
}

/** Formats one file as Packer's processFile; returns the length of the new text when it changed. */
function formatFile(meta: Meta, file: string, opts: Options, diags: Diagnostic[]): number {
  const fail = (detail: string) => { diags.push({ severity: 'error', summary: `encountered an error while formatting ${file}`, detail }); };
  let src: Buffer;
  try {
    src = readFileSync(file);
  } catch (e) {
    const err = fileError(e, file);
    fail((e as NodeJS.ErrnoException).syscall === 'read' ? `failed to read ${file}: ${err.message}` : `failed to open ${file}: ${err.message}`);
    return 0;
  }
  const out = formatSource(src, file);
  if (out === undefined) {
    fail(`failed to parse HCL ${file}`);
    return 0;
  }
  if (out.equals(src)) return 0;
  meta.io.stdout.write(`${file}\n`);
  if (opts.write) {
    try {
      writeFileSync(file, out);
    } catch (e) {
      fail(fileError(e, file).message);
      return 0;
    }
  }
  if (opts.diff) {
    const d = unifiedDiff(src, out, file);
    if (d.error !== undefined) fail(`failed to generate diff for ${file}: ${d.error}`);
    else meta.io.stdout.write(d.text);
  }
  return out.length;
}

/** `-`: the template from standard input, the formatted text on standard output (unless -write=false). */
async function formatStdin(meta: Meta, opts: Options, diags: Diagnostic[]): Promise<number> {
  const chunks: Buffer[] = [];
  if (meta.io.stdin) for await (const c of meta.io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  const src = Buffer.concat(chunks);
  const out = formatSource(src, '-');
  if (out === undefined) {
    diags.push({ severity: 'error', summary: 'encountered an error while formatting -', detail: 'failed to parse HCL -' });
    return 0;
  }
  if (out.equals(src)) {
    meta.io.stdout.write(out);
    return 0;
  }
  if (opts.write) meta.io.stdout.write(out);
  return out.length;
}

/** The canonical layout of `src`, or undefined when it does not parse as native HCL. */
function formatSource(src: Buffer, filename: string): Buffer | undefined {
  const { diags } = parseConfig(new Uint8Array(src), filename);
  if (hasErrors(diags)) {
    // Packer 1.6.6 names only the file; the log has the details.
    for (const d of diags) log(`[DEBUG] fmt: ${filename}: ${d.subject ? `${d.subject.start.line},${d.subject.start.column}: ` : ''}${d.summary}; ${d.detail ?? ''}`);
    return undefined;
  }
  // bytes that are not UTF-8 (hclwrite keeps them, in comments) go through as escapes
  return isUtf8(src) ? Buffer.from(formatHCL(new Uint8Array(src)), 'utf8') : encodeRawText(formatHCL(decodeRawText(src)));
}

/** `diff -u` between the two texts with old/PATH and new/PATH labels, as Packer runs it. */
function unifiedDiff(before: Buffer, after: Buffer, path: string): { text: Buffer; error?: undefined } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'packer-ts-fmt-'));
  try {
    writeFileSync(join(dir, 'old'), before);
    writeFileSync(join(dir, 'new'), after);
    const r = (process.getBuiltinModule('node:child_process') as typeof import('node:child_process')).spawnSync('diff', [`--label=old/${path}`, `--label=new/${path}`, '-u', join(dir, 'old'), join(dir, 'new')], { timeout: 30_000, maxBuffer: 1 << 30 });
    const text = Buffer.concat([r.stdout ?? Buffer.alloc(0), r.stderr ?? Buffer.alloc(0)]);
    if (text.length > 0) return { text };
    if (r.error) {
      const code = (r.error as NodeJS.ErrnoException).code;
      return { error: code === 'ENOENT' ? 'exec: "diff": executable file not found in $PATH' : r.error.message };
    }
    return { error: `exit status ${r.status ?? 1}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
