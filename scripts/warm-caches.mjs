// Writes the code caches of a fresh dist/ (scripts/build.mjs runs it after the build): `console`,
// `validate` and `build` (which read HCL2 or JSON templates, so whose first run could take either
// path) run once each through bin/packer-ts, so with the node and the flags that will
// read the cache later, on representative work (an HCL2 template with variables, locals,
// functions, sources and a build), and the launcher writes what that run
// compiled, as at any command's first run (packages/cli/src/launch.ts). A cache written by
// another kind of first run (a console on a JSON template, an error) lacks the compiled code of
// the HCL path, which every later start would compile again. The runs work in a temporary
// directory (HOME too) that is removed afterwards; they run two at a time (a run is mostly one
// thread). A run that fails is reported on stderr and its cache (an error's path) removed, so
// that the command's first real run writes it: the caches only make starts faster.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Locals, a for expression, string functions, a hash, jsonencode, a typed variable of each kind:
// what templates (and bench/hcl2's) spend their evaluation on.
const HCL = `variable "prefix" {
  type    = string
  default = "img"
}

variable "sizes" {
  type    = list(number)
  default = [1, 2, 3]
}

variable "tags" {
  type    = map(string)
  default = { team = "build", env = "ci" }
}

variable "secret" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

locals {
  l0   = join("-", [for k, v in { a = "0", b = upper(var.prefix) } : format("%s=%s", k, lower(replace(v, "I", "i")))])
  l1   = join("-", [for k, v in { a = "1", b = upper(var.prefix) } : format("%s=%s", k, lower(replace(v, "I", "i")))])
  name = "\${var.prefix}-\${length(var.sizes)}"
  tags = merge(var.tags, { name = local.name })
  big  = [for s in var.sizes : s * 2 if s > 1]
}

source "file" "s0" {
  content = "\${local.l0} \${max(0, length(local.l0)) + 0 * 2} \${sha256(local.l0)} \${jsonencode(split("-", local.l0))}"
  target  = "out/s0.txt"
}

source "file" "s1" {
  content = "\${local.l1} \${max(1, length(local.l1)) + 1 * 2} \${sha256(local.l1)} \${jsonencode(split("-", local.l1))}"
  target  = "out/s1.txt"
}

build {
  sources = [
    "source.file.s0",
    "source.file.s1",
  ]
}
`;

const CONSOLE_INPUT = ['local.l0', 'var.tags', 'local.tags["name"]', 'upper(var.prefix)', 'local.big', 'jsonencode(var.sizes)', '1 + 2 * 3', ''].join('\n');

/** The runs: command line, stdin, exit codes that count as success. */
const RUNS = [
  { args: ['console', 'warm.pkr.hcl'], stdin: CONSOLE_INPUT },
  { args: ['validate', 'warm.pkr.hcl'] },
  { args: ['build', 'warm.pkr.hcl'] },
];
// Not run, as each run here costs ~0.2 s of CPU in every build: `fmt` and `hcl2_upgrade` take one
// path whatever the input (the HCL parser and formatter; a JSON template to HCL2), so their first
// run writes the cache they need; `inspect` is rare enough to be left to its first run.

/** Runs every command of RUNS once through `root`/bin/packer-ts; resolves when all are done. */
export async function warmCaches(root) {
  const bin = join(resolve(root), 'bin', 'packer-ts');
  const work = mkdtempSync(join(tmpdir(), 'packer-ts-warm-'));
  try {
    writeFileSync(join(work, 'warm.pkr.hcl'), HCL);
    const env = { ...process.env, HOME: work, CHECKPOINT_DISABLE: '1', PACKER_NO_COLOR: '1' };
    for (const k of ['PACKER_LOG', 'PACKER_LOG_PATH', 'PACKER_TS_CODE_CACHE', 'XDG_CACHE_HOME', 'PACKER_CONFIG', 'PACKER_CONFIG_DIR', 'PACKER_CACHE_DIR', 'PACKER_PLUGIN_PATH']) delete env[k];
    for (const k of Object.keys(env)) if (k.startsWith('PKR_VAR_')) delete env[k];
    const queue = [...RUNS];
    const failed = [];
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await runOne(bin, r, work, env).catch((e) => { failed.push(r.args[0]); process.stderr.write(`${e.message}\n`); });
    };
    await Promise.all([worker(), worker()]);
    const cacheDir = join(resolve(root), 'dist', '.cache');
    for (const f of failed.length ? readdirSync(cacheDir) : []) {
      if (failed.some((cmd) => f.startsWith(`${cmd}-v`))) rmSync(join(cacheDir, f), { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runOne(bin, run, cwd, env) {
  return new Promise((res, rej) => {
    const child = spawn(bin, run.args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = ''; // stdout and stderr: the Ui prints errors on either
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (d) => { err += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    child.on('error', (e) => { clearTimeout(timer); rej(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) res();
      else rej(new Error(`scripts/warm-caches.mjs: packer-ts ${run.args.join(' ')} ended with ${signal ?? `exit code ${code}`}; its code cache is left to its first run:\n${err.trimEnd()}`));
    });
    child.stdin.end(run.stdin ?? '');
  });
}
