/**
 * The shell provisioner: uploads a script (or the inline commands as one)
 * through the communicator and runs it on the machine, streaming its output
 * into the Ui as it comes.
 */
import { randomInt } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  CMD_DISCONNECT,
  decodeConfig,
  formatGoDuration,
  isDisconnect,
  PackerMultiError,
  render,
  runWithUi,
  sleep,
  type Communicator,
  type InterpolateContext,
  type PackerConfig,
  type Provisioner,
  type Schema,
  type Ui,
} from '@packer-ts/sdk';
import { errnoReason } from '@packer-ts/sdk';
import { formatEnvVars } from '../../common/shell-local.ts';
import { objectSpec, type ObjectSpec } from '@packer-ts/sdk';

export const schema: Schema = {
  // untagged Go fields in Packer: errors name them Inline, Script, Scripts, Binary
  inline: { type: 'string[]', goName: 'Inline' },
  script: { type: 'string', goName: 'Script' },
  scripts: { type: 'string[]', goName: 'Scripts' },
  binary: { type: 'bool', goName: 'Binary' },
  valid_exit_codes: { type: { array: 'int' } },
  environment_vars: { type: 'string[]', as: 'vars' },
  env_var_format: { type: 'string' },
  remote_path: { type: 'string' },
  execute_command: { type: 'string', interpolate: false },
  inline_shebang: { type: 'string' },
  pause_after: { type: 'duration' },
  use_env_var_file: { type: 'bool' },
  remote_folder: { type: 'string' },
  remote_file: { type: 'string' },
  start_retry_timeout: { type: 'duration' },
  skip_clean: { type: 'bool' },
  expect_disconnect: { type: 'bool' },
};

export interface ShellConfig {
  inline?: string[];
  script?: string;
  scripts?: string[];
  binary?: boolean;
  validExitCodes?: number[];
  vars?: string[];
  envVarFormat?: string;
  remotePath?: string;
  executeCommand?: string;
  inlineShebang?: string;
  pauseAfter?: number;
  useEnvVarFile?: boolean;
  remoteFolder?: string;
  remoteFile?: string;
  startRetryTimeout?: number;
  skipClean?: boolean;
  expectDisconnect?: boolean;
}

/** Packer's UnixReader: CRLF line ends become LF and the last line gets its LF. */
export function unixLines(data: Buffer): Buffer {
  if (data.length === 0) return data;
  const parts: Buffer[] = [];
  let start = 0;
  for (;;) {
    const i = data.indexOf(10, start);
    if (i < 0) {
      let line = data.subarray(start);
      if (line.length > 0) {
        if (line[line.length - 1] === 13) line = line.subarray(0, -1);
        parts.push(line, Buffer.from('\n'));
      }
      break;
    }
    let line = data.subarray(start, i);
    if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, -1);
    parts.push(line, Buffer.from('\n'));
    start = i + 1;
  }
  return Buffer.concat(parts);
}


/** Packer's retry.Config{StartTimeout}.Run: retries every 2 s until the first success or the timeout. */
export async function retryUntil<T>(timeoutMs: number, signal: AbortSignal | undefined, fn: () => Promise<T>, delayMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (signal?.aborted || (timeoutMs > 0 && Date.now() >= deadline)) throw e;
      await sleep(delayMs, signal);
    }
  }
}

function goIntSlice(v: number[]): string {
  return `[${v.join(' ')}]`;
}

/** Generated data for `{{build}}` at run time; names the builder did not generate print `<no value>`. */
function runtimeData(data: Record<string, unknown>): Record<string, unknown> {
  const missing = (k: string | symbol): boolean => typeof k === 'string' && !Object.hasOwn(data, k);
  return new Proxy(data, {
    has: (t, k) => missing(k) || Reflect.has(t, k),
    getOwnPropertyDescriptor: (t, k) => missing(k)
      ? { value: '<no value>', writable: true, enumerable: false, configurable: true }
      : Reflect.getOwnPropertyDescriptor(t, k),
    get: (t, k, r) => (missing(k) ? '<no value>' : Reflect.get(t, k, r)),
  });
}

export class ShellProvisioner implements Provisioner {
  configSpec(): ObjectSpec { return objectSpec(schema, { packerConfig: true }); }

  config: ShellConfig & {
    inline?: string[]; scripts: string[]; vars: string[]; envVarFormat: string; executeCommand: string;
    inlineShebang: string; startRetryTimeout: number; remoteFolder: string; remoteFile: string; remotePath: string;
  } = {} as never;
  private packer!: PackerConfig;
  private ctx!: InterpolateContext;
  private envVarFile = '';

  async prepare(...raws: unknown[]): Promise<void> {
    const d = decodeConfig<ShellConfig>(schema, raws, { pluginType: 'shell' });
    const c = d.config;
    this.packer = d.packer;
    this.ctx = d.ctx;
    let envVarFormat = c.envVarFormat ?? '';
    if (envVarFormat === '') envVarFormat = c.useEnvVarFile ? "export %s='%s'\n" : "%s='%s' ";
    let executeCommand = c.executeCommand ?? '';
    if (executeCommand === '') {
      executeCommand = c.useEnvVarFile ? 'chmod +x {{.Path}}; . {{.EnvVarFile}} && {{.Path}}' : 'chmod +x {{.Path}}; {{.Vars}} {{.Path}}';
    }
    const inline = c.inline && c.inline.length > 0 ? c.inline : undefined;
    const remoteFolder = c.remoteFolder || '/tmp';
    const remoteFile = c.remoteFile || `script_${randomInt(0, 9999)}.sh`;
    const remotePath = c.remotePath || `${remoteFolder}/${remoteFile}`;
    let scripts = [...(c.scripts ?? [])];
    const vars = [...(c.vars ?? [])];
    const errs: string[] = [];
    if (c.script && scripts.length > 0) errs.push('Only one of script or scripts can be specified.');
    if (c.script) scripts = [c.script];
    if (scripts.length === 0 && !inline) errs.push('Either a script file or inline script must be specified.');
    else if (scripts.length > 0 && inline) errs.push('Only a script file or an inline script can be specified, not both.');
    for (const p of scripts) {
      try {
        await stat(p);
      } catch (e) {
        errs.push(`Bad script '${p}': stat ${p}: ${errnoReason(e)}`);
      }
    }
    for (const kv of vars) {
      const i = kv.indexOf('=');
      if (i <= 0) errs.push(`Environment variable not in format 'key=value': ${kv}`);
    }
    PackerMultiError.throwIf(errs);
    this.config = {
      ...c, inline, scripts, vars, envVarFormat, executeCommand,
      inlineShebang: c.inlineShebang || '/bin/sh -e',
      startRetryTimeout: c.startRetryTimeout || 5 * 60_000,
      remoteFolder, remoteFile, remotePath,
    };
  }

  private renderAt(text: string, data: Record<string, unknown>): string {
    return render(text, { ...this.ctx, data, buildData: runtimeData(data) });
  }

  private flattenedEnvVars(data: Record<string, unknown>): string {
    return formatEnvVars(this.config.envVarFormat, this.packer, data, this.config.vars);
  }


  async provision(ui: Ui, comm: Communicator | undefined, generatedData: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    const cfg = this.config;
    if (!comm) throw new Error('shell provisioner: no communicator (communicator "none"?)');
    const data: Record<string, unknown> = { ...(generatedData ?? {}) };

    // the scripts' contents, by the name shown to the user
    // The upload keeps the mode Packer gives it: the script file's own, 0600 for inline commands
    // (Packer writes them to a temporary file); the chmod that follows may fail for a non-owner.
    const scripts: { name: string; mode: () => Promise<number>; body: () => Promise<Buffer> }[] = cfg.scripts.map((p) => ({
      name: p,
      mode: async () => (await stat(p)).mode & 0o7777,
      body: async () => {
        try {
          return await readFile(p);
        } catch (e) {
          throw new Error(`Error opening shell script: open ${p}: ${errnoReason(e)}`, { cause: e });
        }
      },
    }));
    if (cfg.inline) {
      let text = `#!${cfg.inlineShebang}\n`;
      for (const line of cfg.inline) {
        try {
          text += this.renderAt(line, data) + '\n';
        } catch (e) {
          throw new Error(`Error interpolating Inline: ${(e as Error).message}`, { cause: e });
        }
      }
      const body = Buffer.from(text);
      scripts.push({ name: `/tmp/packer-shell${randomInt(0, 2 ** 31)}`, mode: async () => 0o600, body: async () => body });
    }

    if (cfg.useEnvVarFile) {
      const content = Buffer.from(this.flattenedEnvVars(data));
      await retryUntil(cfg.startRetryTimeout, signal, async () => {
        const body = cfg.binary ? content : unixLines(content);
        const remote = `${cfg.remoteFolder}/varfile_${randomInt(0, 9999)}.sh`;
        try {
          await comm.upload(remote, Readable.from([body]), { size: body.length, mode: 0o644 });
        } catch (e) {
          throw new Error(`Error uploading envVarFile: ${(e as Error).message}`, { cause: e });
        }
        try {
          await comm.start({ command: `chmod 0600 ${remote}` }, signal);
        } catch (e) {
          throw new Error(`Error chmodding script file to 0600 in remote machine: ${(e as Error).message}`, { cause: e });
        }
        this.envVarFile = remote;
      });
    }

    const vars = this.flattenedEnvVars(data);
    for (const script of scripts) {
      ui.say(`Provisioning with shell script: ${script.name}`);
      const raw = await script.body();
      const mode = await script.mode();
      const body = cfg.binary ? raw : unixLines(raw);
      const cmdData = { ...data, Vars: vars, EnvVarFile: this.envVarFile, Path: cfg.remotePath };
      let command: string;
      try {
        command = this.renderAt(cfg.executeCommand, cmdData);
      } catch (e) {
        throw new Error(`Error processing command: ${(e as Error).message}`, { cause: e });
      }
      const status = await retryUntil(cfg.startRetryTimeout, signal, async () => {
        try {
          await comm.upload(cfg.remotePath, Readable.from([body]), { size: body.length, mode });
        } catch (e) {
          throw new Error(`Error uploading script: ${(e as Error).message}`, { cause: e });
        }
        try {
          await comm.start({ command: `chmod 0755 ${cfg.remotePath}` }, signal);
        } catch (e) {
          throw new Error(`Error chmodding script file to 0755 in remote machine: ${(e as Error).message}`, { cause: e });
        }
        return runWithUi(comm, command, ui, signal);
      });

      if (status === CMD_DISCONNECT) {
        if (!cfg.expectDisconnect) {
          throw new Error('Script disconnected unexpectedly. ' +
            'If you expected your script to disconnect, i.e. from a ' +
            'restart, you can try adding `"expect_disconnect": true` ' +
            'or `"valid_exit_codes": [0, 2300218]` to the shell ' +
            'provisioner parameters.');
        }
      } else {
        const valid = cfg.validExitCodes && cfg.validExitCodes.length > 0 ? cfg.validExitCodes : [0];
        if (!valid.includes(status)) {
          throw new Error(`Script exited with non-zero exit status: ${status}.Allowed exit codes are: ${goIntSlice(valid)}`);
        }
      }
      if (cfg.skipClean) continue;
      await this.cleanupRemoteFile(cfg.remotePath, comm, signal);
    }
    if (!cfg.skipClean) await this.cleanupRemoteFile(this.envVarFile, comm, signal);

    if (cfg.pauseAfter) {
      ui.say(`Pausing ${formatGoDuration(cfg.pauseAfter * 1e6)} after this provisioner...`);
      await sleep(cfg.pauseAfter, signal);
    }
  }

  private async cleanupRemoteFile(path: string, comm: Communicator, signal: AbortSignal): Promise<void> {
    await retryUntil(this.config.startRetryTimeout, signal, async () => {
      let status: number;
      try {
        status = await comm.start({ command: `rm -f ${path}` }, signal);
      } catch (e) {
        if (isDisconnect(e)) throw new Error('Disconnect while removing temporary script.');
        throw new Error(`Error removing temporary script at ${path}: ${(e as Error).message}`, { cause: e });
      }
      if (status === CMD_DISCONNECT) throw new Error('Disconnect while removing temporary script.');
      if (status !== 0) throw new Error(`Error removing temporary script at ${path}!`);
    });
  }
}
