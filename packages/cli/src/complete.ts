/**
 * Shell completion, the way Packer does it (posener/complete through mitchellh/cli):
 *
 *   packer-ts -autocomplete-install     appends `complete -C BIN packer-ts` to the first of
 *                                       ~/.bashrc, ~/.bash_profile, ~/.bash_login, ~/.profile
 *                                       that exists, and `complete -o nospace -C BIN packer-ts`
 *                                       (after `autoload -U +X bashcompinit && bashcompinit` when
 *                                       that line is not there yet) to $ZDOTDIR/.zshrc or ~/.zshrc
 *   packer-ts -autocomplete-uninstall   removes those `complete` lines again
 *   COMP_LINE=... [COMP_POINT=...]      how the shell then runs BIN: one completion a line on stdout
 *
 * Completed: commands and global flags, each command's flags (Packer 1.6.6's lists), and,
 * beyond Packer, template files for the commands that take one (directories, `*.json`,
 * `*.pkr.hcl`, `*.pkr.json`) and variable files after `-var-file`.
 * Unlike Packer (whose library reads the passwd entry and exits 1 silently), HOME is the
 * home directory, as for the shells themselves, and a failed install says why on stderr.
 */
import { closeSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Flags offered per command: those Packer 1.6.6 completes (`COMP_LINE='packer build -'`). */
export const COMMAND_FLAGS: Record<string, readonly string[]> = {
  build: ['-color', '-debug', '-except', '-force', '-machine-readable', '-on-error', '-only', '-parallel', '-timestamp-ui', '-var', '-var-file'],
  console: ['-var', '-var-file'],
  fix: ['-validate'],
  fmt: ['-check', '-diff', '-write'],
  hcl2_upgrade: [],
  inspect: ['-machine-readable'],
  validate: ['-except', '-only', '-syntax-only', '-var', '-var-file'],
  version: [],
  plugin: [],
  // Packer 1.16's (InitCommand.AutocompleteFlags)
  init: ['-upgrade'],
};

/** Flags before the command. */
export const GLOBAL_FLAGS = ['-autocomplete-install', '-autocomplete-uninstall', '-help', '-version'];

const TAKES_TEMPLATE = new Set(['build', 'console', 'fix', 'inspect', 'validate']);
const TEMPLATE_FILE = /\.(json|pkr\.hcl|pkr\.json)$/;
const VAR_FILE = /\.(json|pkrvars\.hcl|pkrvars\.json|hcl)$/;
/** Flags whose value is the next word. */
const VALUE_FLAGS = new Set(['-var', '-var-file', '-only', '-except', '-on-error', '-parallel-builds', '-config-type']);

/**
 * The completions for `line` (COMP_LINE) cut at `point` (COMP_POINT), with `commands` the
 * command names; `cwd` for file names.
 */
export function completions(line: string, point: number | undefined, commands: readonly string[], cwd: string): string[] {
  if (point !== undefined && Number.isInteger(point) && point >= 0 && point < line.length) line = line.slice(0, point);
  const words = line.split(/[ \t]+/);
  words.shift(); // the program
  if (words[0] === '') words.shift();
  const last = words.pop() ?? '';
  const first = words.find((w) => !w.startsWith('-'));
  // An unknown command completes as if there were none (as posener/complete does).
  const cmd = first !== undefined && Object.hasOwn(COMMAND_FLAGS, first) ? first : undefined;
  let out: string[];
  if (cmd === undefined) {
    out = last.startsWith('-') ? GLOBAL_FLAGS : [...commands];
  } else if (last.startsWith('-')) {
    out = [...COMMAND_FLAGS[cmd]!];
  } else {
    const prev = words[words.length - 1];
    if (prev === '-var-file') out = files(cwd, last, VAR_FILE);
    else if (prev !== undefined && VALUE_FLAGS.has(prev)) out = [];
    else out = TAKES_TEMPLATE.has(cmd) ? files(cwd, last, TEMPLATE_FILE) : [];
  }
  return out.filter((c) => c.startsWith(last)).sort();
}

/** Directories (with a trailing `/`) and files matching `pattern` under the typed prefix. */
function files(cwd: string, typed: string, pattern: RegExp): string[] {
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const dir = dirPart.startsWith('/') ? dirPart : join(cwd, dirPart);
  let entries: import('node:fs').Dirent[];
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return []; }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') && !typed.slice(slash + 1).startsWith('.')) continue;
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) { try { isDir = statSync(join(dir, e.name)).isDirectory(); } catch { continue; } }
    if (isDir) out.push(`${dirPart}${e.name}/`);
    else if (pattern.test(e.name)) out.push(`${dirPart}${e.name}`);
  }
  return out;
}

interface RcFile { shell: 'bash' | 'zsh'; path: string; line: string; init?: string }

const BASHCOMPINIT = 'autoload -U +X bashcompinit && bashcompinit';

/** The rc files to edit, as posener/complete picks them (bash: the first that exists). */
export function rcFiles(name: string, bin: string, env: NodeJS.ProcessEnv): RcFile[] {
  const home = env.HOME ?? '';
  const out: RcFile[] = [];
  if (home) {
    const bash = ['.bashrc', '.bash_profile', '.bash_login', '.profile'].map((f) => join(home, f)).find((f) => isFile(f));
    if (bash) out.push({ shell: 'bash', path: bash, line: `complete -C ${bin} ${name}` });
  }
  const zdot = env.ZDOTDIR ? join(env.ZDOTDIR, '.zshrc') : '';
  const zsh = zdot && isFile(zdot) ? zdot : home && isFile(join(home, '.zshrc')) ? join(home, '.zshrc') : '';
  if (zsh) out.push({ shell: 'zsh', path: zsh, line: `complete -o nospace -C ${bin} ${name}`, init: BASHCOMPINIT });
  return out;
}

function isFile(p: string): boolean {
  try { return statSync(p).isFile(); } catch { return false; }
}

function hasLine(text: string, line: string): boolean {
  return text.split('\n').includes(line);
}

/** `-autocomplete-install` (install) or `-autocomplete-uninstall`; returns the exit code. */
export function autocomplete(action: 'install' | 'uninstall', name: string, bin: string, env: NodeJS.ProcessEnv, stderr: { write(s: string): unknown }): number {
  const rcs = rcFiles(name, bin, env);
  if (rcs.length === 0) {
    stderr.write(`Did not find any shells to ${action} (no ~/.bashrc, ~/.bash_profile, ~/.bash_login, ~/.profile or ~/.zshrc)\n`);
    return 1;
  }
  const errors: string[] = [];
  for (const rc of rcs) {
    let text: string;
    try { text = readFileSync(rc.path, 'utf8'); } catch (e) { errors.push(`${rc.path}: ${(e as Error).message}`); continue; }
    const installed = hasLine(text, rc.line);
    try {
      if (action === 'install') {
        if (installed) { errors.push(`already installed in ${rc.path}`); continue; }
        const add = rc.init && !hasLine(text, rc.init) ? `${rc.init}\n${rc.line}` : rc.line;
        const fd = openSync(rc.path, 'a');
        try { writeSync(fd, `\n${add}\n`); } finally { closeSync(fd); }
      } else {
        if (!installed) { errors.push(`does not installed in ${rc.path}`); continue; }
        const kept = text.split('\n');
        if (kept[kept.length - 1] === '') kept.pop();
        const body = kept.filter((l) => l !== rc.line).map((l) => `${l}\n`).join('');
        // Whole file or nothing: a new file renamed over the old one.
        const tmp = `${rc.path}.packer-ts-${process.pid}.tmp`;
        writeFileSync(tmp, body, { mode: statSync(rc.path).mode & 0o7777 });
        renameSync(tmp, rc.path);
      }
    } catch (e) {
      errors.push(`${rc.path}: ${(e as Error).message}`);
    }
  }
  if (errors.length > 0) {
    stderr.write(`${errors.length} error(s) occurred:\n\n${errors.map((e) => `* ${e}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** Answers a completion request (COMP_LINE in the environment) on stdout. */
export function answerCompletion(env: NodeJS.ProcessEnv, commands: readonly string[], stdout: { write(s: string): unknown }, cwd = process.cwd()): number {
  const point = env.COMP_POINT !== undefined && env.COMP_POINT !== '' ? Number(env.COMP_POINT) : undefined;
  const list = completions(env.COMP_LINE ?? '', point, commands, cwd);
  if (list.length > 0) stdout.write(`${list.join('\n')}\n`);
  return 0;
}
