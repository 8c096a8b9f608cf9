/**
 * Packer's interpolation functions (Packer 1.6.6 funcs.go) for a context.
 */
import { dirname, resolve } from 'node:path';
import { randomBytes } from '../../random.ts';
import { consulKey, vaultSecret } from '../services.ts';
import { formatValue } from './gofmt.ts';
import { formatGoTime, getInitTime, RFC3339, strftime } from './gotime.ts';
import type { TemplateFunc } from './exec.ts';
import type { InterpolateContext } from './index.ts';

/** Text Packer puts in the placeholder values of generated build variables. */
export const PLACEHOLDER_MSG = 'To set this dynamically in the Packer template, you must use the `build` function';

/** The generated variables every build offers (Packer's BuilderDataCommonKeys). */
export const BUILDER_DATA_COMMON_KEYS = [
  'ID', 'Host', 'Port', 'User', 'Password', 'ConnType', 'PackerRunUUID', 'PackerHTTPPort', 'PackerHTTPIP',
  'PackerHTTPAddr', 'SSHPublicKey', 'SSHPrivateKey', 'WinRMPassword',
] as const;

/**
 * The placeholder map the core appends as last raw to provisioner and
 * post-processor configurations at prepare time (Packer's
 * BasicPlaceholderData plus the builder's generated variable names).
 */
export function basicPlaceholderData(generatedVars: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...BUILDER_DATA_COMMON_KEYS, ...generatedVars]) out[k] = `Build_${k}. ${PLACEHOLDER_MSG}`;
  // Packer lets WinRMPassword through without the build function.
  out.WinRMPassword = '{{.WinRMPassword}}';
  for (const k of generatedVars) out[k] = `Build_${k}. ${PLACEHOLDER_MSG}`;
  return out;
}

/** True for a placeholder map as built by basicPlaceholderData (Packer's DetectContextData test). */
export function isPlaceholderData(raw: unknown): raw is Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const id = (raw as Record<string, unknown>).PackerRunUUID;
  return typeof id === 'string' && id.includes('Build_PackerRunUUID.');
}

/** The text `{{ build `key` }}` renders to before the build data is known. */
export function buildPlaceholder(key: string): string {
  return key.includes('`') ? `{{ build ${JSON.stringify(key)} }}` : `{{ build \`${key}\` }}`;
}

/** Packer's uuid.TimeOrderedUUID: unix seconds in hex then random bytes. */
export function timeOrderedUUID(): string {
  const unix = Math.floor(Date.now() / 1000) >>> 0;
  const b = randomBytes(12).toString('hex');
  return `${unix.toString(16).padStart(8, '0')}-${b.slice(0, 4)}-${b.slice(4, 8)}-${b.slice(8, 12)}-${b.slice(12, 16)}${b.slice(16)}`;
}

/** Go's strings.Replace (n < 0: every occurrence). */
export function goReplace(src: string, old: string, repl: string, n: number): string {
  if (old === repl || n === 0) return src;
  if (old === '') {
    const runes = [...src];
    let out = '';
    let done = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || done < n) { out += repl; done++; }
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  let out = '';
  let pos = 0;
  let done = 0;
  while (n < 0 || done < n) {
    const i = src.indexOf(old, pos);
    if (i < 0) break;
    out += src.slice(pos, i) + repl;
    pos = i + old.length;
    done++;
  }
  return out + src.slice(pos);
}

/** Go's strings.Split. */
export function goSplit(s: string, sep: string): string[] {
  return sep === '' ? [...s] : s.split(sep);
}

function notSupported(name: string): Error {
  return new Error(`the ${name} function is not supported by packer-ts`);
}

/** Packer's `clean_resource_name` variants, which builders register themselves (not a core function in Packer). */
export const cleanResourceName = {
  /** amazon: keep [A-Za-z0-9()[] ./-'@_], others become "-". */
  amazon(s: string): string {
    return s.replace(/[^A-Za-z0-9()[\] ./\-'@_]/g, '-');
  },
  /** googlecompute: lower-cased, keep [a-z0-9], others become "-" (a valid name is kept as is). */
  googlecompute(s: string): string {
    if (/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(s)) return s;
    return s.toLowerCase().replace(/[^a-z0-9]/g, '-');
  },
  /** azure: keep [A-Za-z0-9._-], others become "-", then trailing "-_." trimmed. */
  azure(s: string): string {
    return s.replace(/[^A-Za-z0-9._-]/g, '-').replace(/[-_.]+$/, '');
  },
};

/** Packer's functions bound to `ctx` (ctx.funcs are added by the caller). */
export function packerFuncs(ctx: InterpolateContext): Record<string, TemplateFunc> {
  const S = 'string' as const;
  return {
    build_name: { params: [], fn: () => { if (!ctx.buildName) throw new Error('build_name not available'); return ctx.buildName; } },
    build_type: { params: [], fn: () => { if (!ctx.buildType) throw new Error('build_type not available'); return ctx.buildType; } },
    env: { params: [S], fn: (k) => {
      if (!ctx.enableEnv) throw new Error('env vars are not allowed here');
      return process.env[k as string] ?? '';
    } },
    isotime: { params: [], variadic: S, fn: (...format) => {
      if (format.length === 0) return formatGoTime(getInitTime(), RFC3339);
      if (format.length > 1) throw new Error(`too many values, 1 needed: [${format.join(' ')}]`);
      return formatGoTime(getInitTime(), format[0] as string);
    } },
    strftime: { params: [S], fn: (f) => strftime(f as string, getInitTime()) },
    pwd: { params: [], fn: () => process.cwd() },
    split: { params: [S, S, 'int'], fn: (k, s, i) => {
      const parts = goSplit(k as string, s as string);
      const n = i as number;
      if (n < 0) throw new Error(`runtime error: index out of range [${n}]`);
      if (parts.length <= n) throw new Error(`the substring ${n} was unavailable using the separator value, ${s}, only ${parts.length} values were found`);
      return parts[n];
    } },
    template_dir: { params: [], fn: () => {
      if (!ctx.templatePath) throw new Error('template path not available');
      return resolve(dirname(ctx.templatePath));
    } },
    timestamp: { params: [], fn: () => String(Math.floor(getInitTime().ms / 1000)) },
    uuid: { params: [], fn: () => timeOrderedUUID() },
    user: { params: [S], fn: (k) => {
      if (!ctx.userVariables) throw new Error('user variables are not available here');
      const has = Object.prototype.hasOwnProperty.call(ctx.userVariables, k as string);
      if (ctx.enableEnv && !has) throw new Error(`Error: variable not set: ${k}`);
      return has ? ctx.userVariables[k as string] : '';
    } },
    packer_version: { params: [], fn: () => { if (!ctx.coreVersion) throw new Error('packer_version not available'); return ctx.coreVersion; } },
    consul_key: { params: [S], fn: (key) => {
      if (!ctx.enableEnv) throw new Error('consul_key is not allowed here');
      return consulKey(String(key));
    } },
    vault: { params: [S, S], fn: (path, key) => {
      if (!ctx.enableEnv) throw new Error('Vault vars are only allowed in the variables section');
      return vaultSecret(String(path), String(key));
    } },
    aws_secretsmanager: { params: [], variadic: S, fn: (...secret) => {
      if (!ctx.enableEnv) throw new Error('AWS Secrets Manager is only allowed in the variables section');
      if (secret.length === 0) throw new Error('secret name must be provided');
      if (secret.length > 2) throw new Error('only secret name and optional secret key can be provided.');
      throw notSupported('aws_secretsmanager');
    } },
    sed: { params: [S, S], fn: () => {
      throw new Error('template function `sed` is deprecated use `replace` or `replace_all` instead.' +
        'Documentation: https://www.packer.io/docs/templates/engine');
    } },
    build: { params: [S], fn: (k) => {
      const key = k as string;
      const data = ctx.buildData;
      if (data === undefined) return buildPlaceholder(key);
      if (!Object.prototype.hasOwnProperty.call(data, key)) throw new Error(`loaded data, but couldnt find ${key} in it.`);
      const v = data[key];
      if (typeof v === 'string') return v.includes(PLACEHOLDER_MSG) ? buildPlaceholder(key) : v;
      return formatValue(v, false);
    } },
    replace: { params: [S, S, 'int', S], fn: (o, n, c, src) => goReplace(src as string, o as string, n as string, c as number) },
    replace_all: { params: [S, S, S], fn: (o, n, src) => goReplace(src as string, o as string, n as string, -1) },
    upper: { params: [S], fn: (s) => (s as string).toUpperCase() },
    lower: { params: [S], fn: (s) => (s as string).toLowerCase() },
  };
}
