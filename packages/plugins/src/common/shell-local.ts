/**
 * The shell-local runner shared by the shell-local provisioner and
 * post-processor: configuration schema, validation and the local execution
 * of inline commands or scripts, streaming their output to the Ui.
 */
import { spawn } from 'node:child_process';
import { chmod, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  cleanOutputLine,
  decodeConfig,
  errorMessage,
  LineSplitter,
  PackerMultiError,
  PackerError,
  render,
  prepareChildGroups,
  trackChildGroup,
  untrackChildGroup,
  type InterpolateContext,
  type PackerConfig,
  type Schema,
  type Ui,
  packerRunUUID,
  HTTP_ADDR_NOT_IMPLEMENTED,
  HTTP_IP_NOT_IMPLEMENTED,
  HTTP_PORT_NOT_IMPLEMENTED,
} from '@packer-ts/sdk';
import { errnoReason, randomUint32 } from '@packer-ts/sdk';

export const shellLocalSchema: Schema = {
  // Packer's Command, Inline, Script and Scripts have no mapstructure tag: errors name the Go field
  command: { type: 'string', goName: 'Command' },
  inline: { type: 'string[]', goName: 'Inline' },
  script: { type: 'string', goName: 'Script' },
  scripts: { type: 'string[]', goName: 'Scripts' },
  inline_shebang: { type: 'string' },
  environment_vars: { type: 'string[]' },
  env_var_format: { type: 'string' },
  execute_command: { type: 'string[]', interpolate: false },
  use_linux_pathing: { type: 'bool' },
  only_on: { type: 'string[]' },
  valid_exit_codes: { type: { array: 'int' } },
  tempfile_extension: { type: 'string' },
};

/** The decoded configuration, as the schema yields it. */
export interface ShellLocalRaw {
  command?: string;
  inline?: string[];
  script?: string;
  scripts?: string[];
  inlineShebang?: string;
  environmentVars?: string[];
  envVarFormat?: string;
  executeCommand?: string[];
  useLinuxPathing?: boolean;
  onlyOn?: string[];
  validExitCodes?: number[];
  tempfileExtension?: string;
}

/** The validated configuration the runner uses. */
export interface ShellLocalConfig {
  /** Lines of the inline script; undefined when scripts are used. */
  inline?: string[];
  scripts: string[];
  inlineShebang: string;
  vars: string[];
  envVarFormat: string;
  executeCommand: string[];
  onlyOn: string[];
  validExitCodes: number[];
  tempfileExtension: string;
  packer: PackerConfig;
  ctx: InterpolateContext;
}

/** Packer's GOOS names of the supported systems. */
const SUPPORTED_OS = ['darwin', 'freebsd', 'linux', 'openbsd', 'solaris', 'windows'];

/** process.platform as Go's runtime.GOOS. */
export function goos(platform: string = process.platform): string {
  switch (platform) {
    case 'win32': return 'windows';
    case 'sunos': return 'solaris';
    default: return platform;
  }
}

/** Decodes the raws; decoding problems are reported as Packer does ("Error decoding config: ..."). */
export function decodeShellLocal(raws: unknown[]): { raw: ShellLocalRaw; packer: PackerConfig; ctx: InterpolateContext } {
  try {
    const d = decodeConfig<ShellLocalRaw>(shellLocalSchema, raws, {});
    return { raw: d.config, packer: d.packer, ctx: d.ctx };
  } catch (e) {
    throw new PackerError('CONFIG_INVALID', `Error decoding config: ${errorMessage(e)}`, { cause: e });
  }
}

/** Windows-style absolute path to the path seen by the Windows Linux Subsystem. */
export function convertToLinuxPath(winAbsPath: string): string {
  const p = winAbsPath.replace(/\\/g, '/');
  const i = p.indexOf(':/');
  if (i < 0) {
    throw new Error('There was an error splitting your absolute path; expected ' +
      "to find a drive following the format ':/' but did not: absolute " +
      `path: ${p}`);
  }
  return `/mnt/${p.slice(0, i).toLowerCase()}/${p.slice(i + 2)}`;
}

/**
 * Applies defaults and checks the configuration like Packer's shell-local
 * Validate: every problem in one PackerMultiError, except an unknown `only_on`
 * system or a path conversion failure, reported alone.
 */
export async function validateShellLocal(
  d: { raw: ShellLocalRaw; packer: PackerConfig; ctx: InterpolateContext },
  platform: string = process.platform,
): Promise<ShellLocalConfig> {
  const raw = d.raw;
  const windows = platform === 'win32';
  let executeCommand = [...(raw.executeCommand ?? [])];
  let tempfileExtension = raw.tempfileExtension ?? '';
  let inlineShebang = raw.inlineShebang ?? '';
  if (windows) {
    if (executeCommand.length === 0) executeCommand = ['cmd', '/V', '/C', '{{.Vars}}', 'call', '{{.Script}}'];
    if (tempfileExtension === '') tempfileExtension = '.cmd';
  } else {
    if (inlineShebang === '') inlineShebang = '/bin/sh -e';
    if (executeCommand.length === 0) executeCommand = ['/bin/sh', '-c', '{{.Vars}} {{.Script}}'];
  }

  // an empty inline list counts as absent (Packer tells `"inline": []` apart; decoding may not)
  let inline = raw.inline && raw.inline.length > 0 ? [...raw.inline] : undefined;
  let scripts = [...(raw.scripts ?? [])];
  const vars = [...(raw.environmentVars ?? [])];
  const command = raw.command ?? '';
  const script = raw.script ?? '';
  const errs: string[] = [];

  if (command === '' && (inline?.length ?? 0) === 0 && scripts.length === 0 && script === '') {
    errs.push('Command, Inline, Script and Scripts options cannot all be empty.');
  }
  const tooMany = 'You may only specify one of the following options: Command, Inline, Script or Scripts. ' +
    'Please consolidate these options in your config.';
  if (command !== '') {
    if ((inline?.length ?? 0) !== 0 || scripts.length !== 0 || script !== '') errs.push(tooMany);
    else inline = [command];
  }
  if (script !== '') {
    if (scripts.length > 0 || (inline?.length ?? 0) > 0) errs.push(tooMany);
    else scripts = [script];
  }
  if (scripts.length > 0 && inline !== undefined) errs.push(tooMany);

  for (const p of scripts) {
    try {
      await stat(p);
    } catch (e) {
      errs.push(`Bad script '${p}': stat ${p}: ${errnoReason(e)}`);
    }
  }

  const onlyOn = [...(raw.onlyOn ?? [])];
  for (const os of onlyOn) {
    if (!SUPPORTED_OS.includes(os)) {
      throw new PackerError('CONFIG_INVALID',
        `Invalid OS specified in only_on: '${os}'\nSupported OS names: ${SUPPORTED_OS.join(', ')}`);
    }
  }

  const useLinuxPathing = raw.useLinuxPathing ?? false;
  if (useLinuxPathing) {
    scripts = scripts.map((s) => {
      try {
        return convertToLinuxPath(resolve(s));
      } catch (e) {
        throw new PackerError('CONFIG_INVALID', errorMessage(e));
      }
    });
    if ((inline?.length ?? 0) > 0) {
      errs.push('Packer is unable to use the Command and Inline features with the Windows Linux Subsystem. ' +
        'Please use the Script or Scripts options instead');
    }
  }

  let envVarFormat = raw.envVarFormat ?? '';
  if (envVarFormat === '') envVarFormat = windows && !useLinuxPathing ? 'set %s=%s && ' : "%s='%s' ";

  if (tempfileExtension.startsWith('.')) tempfileExtension = tempfileExtension.slice(1);

  for (const kv of vars) {
    const i = kv.indexOf('=');
    if (i <= 0) errs.push(`Environment variable not in format 'key=value': ${kv}`);
  }

  PackerMultiError.throwIf(errs);

  return {
    inline,
    scripts,
    inlineShebang,
    vars,
    envVarFormat,
    executeCommand,
    onlyOn,
    validExitCodes: [...(raw.validExitCodes ?? [])],
    tempfileExtension,
    packer: d.packer,
    ctx: d.ctx,
  };
}

/** Go's fmt.Sprintf for the `%s` and `%%` verbs only (what env_var_format uses). */
export function sprintfS(format: string, ...args: string[]): string {
  let i = 0;
  let out = format.replace(/%([%s])/g, (_m, v: string) => {
    if (v === '%') return '%';
    return i < args.length ? args[i++]! : '%!s(MISSING)';
  });
  if (i < args.length) out += `%!(EXTRA ${args.slice(i).map((a) => `string=${a}`).join(', ')})`;
  return out;
}

const HTTP_NOT_IMPLEMENTED: Record<string, [string, string]> = {
  PackerHTTPAddr: ['PACKER_HTTP_ADDR', HTTP_ADDR_NOT_IMPLEMENTED],
  PackerHTTPIP: ['PACKER_HTTP_IP', HTTP_IP_NOT_IMPLEMENTED],
  PackerHTTPPort: ['PACKER_HTTP_PORT', HTTP_PORT_NOT_IMPLEMENTED],
};

/**
 * Generated data for `{{build `X`}}` at run time. In Packer the prepare pass
 * turns `{{build `X`}}` into `{{.X}}`, so a name the builder did not generate
 * (the file builder generates none) prints `<no value>` instead of failing;
 * unknown names were already refused at prepare time.
 */
function runtimeBuildData(data: Record<string, unknown>): Record<string, unknown> {
  const missing = (k: string | symbol): boolean => typeof k === 'string' && !Object.hasOwn(data, k);
  return new Proxy(data, {
    has: (t, k) => missing(k) || Reflect.has(t, k),
    getOwnPropertyDescriptor: (t, k) => missing(k)
      ? { value: '<no value>', writable: true, enumerable: false, configurable: true }
      : Reflect.getOwnPropertyDescriptor(t, k),
    get: (t, k, r) => (missing(k) ? '<no value>' : Reflect.get(t, k, r)),
  });
}

function renderAt(template: string, cfg: ShellLocalConfig, data: Record<string, unknown>): string {
  return render(template, { ...cfg.ctx, data, buildData: runtimeBuildData(data) });
}

/**
 * The `{{.Vars}}` string of Packer's shell provisioners: PACKER_BUILD_NAME,
 * PACKER_BUILDER_TYPE, the PACKER_HTTP_* values a builder generated, and the
 * user's `key=value` entries (single quotes escaped), sorted by name, each
 * written with `format` (env_var_format).
 */
export function formatEnvVars(
  format: string,
  packer: { buildName?: string; builderType?: string },
  generatedData: Record<string, unknown>,
  vars: string[],
): string {
  const env = new Map<string, string>();
  env.set('PACKER_BUILD_NAME', packer.buildName ?? '');
  env.set('PACKER_BUILDER_TYPE', packer.builderType ?? '');
  for (const [key, [name, missing]] of Object.entries(HTTP_NOT_IMPLEMENTED)) {
    const v = generatedData[key];
    if (v !== undefined && v !== null && v !== missing) env.set(name, String(v));
  }
  for (const kv of vars) {
    const i = kv.indexOf('=');
    const k = i < 0 ? kv : kv.slice(0, i);
    const v = i < 0 ? '' : kv.slice(i + 1);
    env.set(k, v.replace(/'/g, `'"'"'`));
  }
  const keys = [...env.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => sprintfS(format, k, env.get(k)!)).join('');
}

/** The `{{.Vars}}` string of shell-local, whose variables may use `{{build}}` at run time. */
export function flattenEnvVars(cfg: ShellLocalConfig, generatedData: Record<string, unknown>): string {
  const vars = cfg.vars.map((kv) => renderAt(kv, cfg, generatedData));
  return formatEnvVars(cfg.envVarFormat, cfg.packer, generatedData, vars);
}

/** Writes the inline commands to a new temporary script (shebang, then one line each), mode 0700. */
export async function createInlineScript(cfg: ShellLocalConfig, generatedData: Record<string, unknown>): Promise<string> {
  let text = cfg.inlineShebang !== '' ? `#!${cfg.inlineShebang}\n` : '';
  for (const line of cfg.inline ?? []) text += renderAt(line, cfg, generatedData) + '\n';
  const dir = tmpdir();
  for (let attempt = 0; ; attempt++) {
    const name = join(dir, `packer-shell${randomUint32()}`);
    let fh;
    try {
      fh = await open(name, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10000) continue;
      throw new Error(`Error preparing shell script: ${errorMessage(e)}`, { cause: e });
    }
    try {
      await fh.writeFile(text);
    } catch (e) {
      throw new Error(`Error preparing shell script: ${errorMessage(e)}`, { cause: e });
    } finally {
      await fh.close();
    }
    await chmod(name, 0o700).catch(() => {});
    return name;
  }
}

/** Go's %v of an int slice: "[0 1]". */
function goIntSlice(v: number[]): string {
  return `[${v.join(' ')}]`;
}

function cancelled(): PackerError {
  return new PackerError('CANCELLED', 'shell-local was cancelled');
}

/**
 * Runs `argv` locally: stdin from /dev/null, stdout lines to ui.message,
 * stderr lines to ui.error, as they come. Resolves with the exit status
 * (-1 when killed by a signal). Aborting `signal` kills the whole process
 * group and rejects.
 */
export function runLocalCommand(argv: string[], ui: Ui, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<number> {
  return new Promise<number>((resolvePromise, reject) => {
    if (argv.length === 0) {
      reject(new Error('Error launching command via shell-local communicator: No ExecuteCommand provided'));
      return;
    }
    if (signal?.aborted) { reject(cancelled()); return; }
    const posix = process.platform !== 'win32';
    if (posix) prepareChildGroups();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env, detached: posix });
    // Its process group must not outlive us, even if we are killed (see @packer-ts/sdk children.ts).
    if (posix) { trackChildGroup(child.pid); child.once('exit', () => untrackChildGroup(child.pid)); }
    let settled = false;
    const out = new LineSplitter((ls) => { for (const l of ls) ui.message(cleanOutputLine(l)); });
    const err = new LineSplitter((ls) => { for (const l of ls) ui.error(cleanOutputLine(l)); });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      try {
        if (posix && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      // let the pipes drain without holding the event loop
      child.stdout.destroy();
      child.stderr.destroy();
      reject(cancelled());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      reject(e);
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      out.end();
      err.end();
      resolvePromise(code ?? -1);
    });
  });
}

/**
 * Runs the configured commands (Packer's shell-local Run). Resolves when
 * every script ran with a valid exit code (also when skipped by only_on);
 * rejects with Packer's error otherwise.
 */
export async function runShellLocal(
  ui: Ui,
  cfg: ShellLocalConfig,
  generatedData: Record<string, unknown> | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const data: Record<string, unknown> = { ...(generatedData ?? {}) };
  if (cfg.onlyOn.length > 0 && !cfg.onlyOn.includes(goos())) {
    ui.say('Skipping shell-local due to runtime OS');
    return;
  }
  signal?.throwIfAborted();

  let scripts = [...cfg.scripts];
  let tempScript: string | undefined;
  if (scripts.length === 0 && cfg.inline !== undefined) {
    tempScript = await createInlineScript(cfg, data);
    if (cfg.tempfileExtension !== '') {
      const renamed = `${tempScript}.${cfg.tempfileExtension}`;
      await rename(tempScript, renamed).catch(() => {});
      tempScript = renamed;
    }
    scripts = [tempScript];
  }

  try {
    const vars = flattenEnvVars(cfg, data);
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Packer's children inherit PACKER_RUN_UUID from the core's environment
    env.PACKER_RUN_UUID ||= typeof data.PackerRunUUID === 'string' && data.PackerRunUUID !== '' ? data.PackerRunUUID : packerRunUUID();
    for (const script of scripts) {
      const abs = resolve(script);
      const cmdData = { ...data, Vars: vars, Script: abs, Command: abs };
      let argv: string[];
      try {
        argv = cfg.executeCommand.map((c) => renderAt(c, cfg, cmdData));
      } catch (e) {
        throw new Error(`Error processing command: ${errorMessage(e)}`, { cause: e });
      }
      ui.say(`Running local shell script: ${script}`);
      let status: number;
      try {
        status = await runLocalCommand(argv, ui, env, signal);
      } catch (e) {
        // a cancelled run (Ctrl-C, a provisioner timeout) reads as Packer's failed RunWithUi too
        const message = `Error executing script: ${abs}\n\nPlease see output above for more information.`;
        if (e instanceof PackerError && e.code === 'CANCELLED') throw new PackerError('CANCELLED', message, { cause: e });
        throw new Error(message, { cause: e });
      }
      const valid = cfg.validExitCodes.length > 0 ? cfg.validExitCodes : [0];
      if (!valid.includes(status)) {
        throw new Error(`Script exited with non-zero exit status: ${status}.Allowed exit codes are: ${goIntSlice(valid)}`);
      }
    }
  } finally {
    if (tempScript) await rm(tempScript, { force: true });
  }
}
