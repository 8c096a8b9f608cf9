/**
 * A Packer JSON template, decoded and validated with Packer 1.6.6's rules
 * and messages (packer-plugin-sdk/template/{parse,template}.go).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MultiError, PackerError } from '@packer-ts/sdk';
import { highlightPosition, JsonSyntaxError, parseJson } from './json.ts';

export interface Variable {
  key: string;
  default: string;
  required: boolean;
}

export interface OnlyExcept {
  only: string[];
  except: string[];
}

export interface TemplateBuilder {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export interface TemplateProvisioner extends OnlyExcept {
  type: string;
  config: Record<string, unknown>;
  override: Record<string, Record<string, unknown>> | undefined;
  /** Milliseconds. */
  pauseBefore: number;
  maxRetries: string;
  /** Milliseconds. */
  timeout: number;
}

export interface TemplatePostProcessor extends OnlyExcept {
  type: string;
  name: string;
  config: Record<string, unknown>;
  keepInputArtifact: boolean | undefined;
}

export interface Template {
  /** Absolute path of the file ("" when read from a string). */
  path: string;
  description: string;
  minVersion: string;
  comments: Record<string, string>;
  variables: Map<string, Variable>;
  sensitiveVariables: string[];
  /** In template order. */
  builders: Map<string, TemplateBuilder>;
  provisioners: TemplateProvisioner[];
  cleanupProvisioner: TemplateProvisioner | undefined;
  postProcessors: TemplatePostProcessor[][];
  rawContents: string;
}

const ROOT_KEYS = new Set(['min_packer_version', 'description', 'builders', 'comments', 'push', 'post-processors', 'provisioners', 'error-cleanup-provisioner', 'variables', 'sensitive-variables']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function goType(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go duration string -> milliseconds (also used for pause_before/timeout). */
export function parseGoDuration(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let sign = 1;
  let rest = s;
  if (rest.startsWith('-') || rest.startsWith('+')) { sign = rest[0] === '-' ? -1 : 1; rest = rest.slice(1); }
  if (rest === '') throw new Error(`time: invalid duration "${s}"`);
  let total = 0;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== rest.length) {
    if (/^\d+(\.\d*)?$/.test(rest)) throw new Error(`time: missing unit in duration "${s}"`);
    throw new Error(`time: invalid duration "${s}"`);
  }
  return sign * total;
}

function stringList(v: unknown, what: string, errs: string[]): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v === '' ? [] : v.split(',');
  if (Array.isArray(v)) return v.map((x) => String(x));
  errs.push(`${what}: expected type '[]string', got unconvertible type '${goType(v)}'`);
  return [];
}

function durationField(v: unknown, key: string, errs: string[], prefix: string): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number') return v / 1e6;
  if (typeof v !== 'string') { errs.push(`${prefix}'${key}' expected type 'time.Duration', got unconvertible type '${goType(v)}'`); return 0; }
  try { return parseGoDuration(v); } catch (e) { errs.push(`${prefix}error decoding '${key}': ${(e as Error).message}`); return 0; }
}

function decodeProvisioner(raw: unknown, errs: string[], prefix: string): TemplateProvisioner | undefined {
  if (!isObject(raw)) { errs.push(`${prefix}Error decoding provisioner: '' expected a map, got '${goType(raw).replace('[]interface {}', 'slice')}'`); return undefined; }
  const local: string[] = [];
  const type = raw.type;
  if (type !== undefined && typeof type !== 'string' && typeof type !== 'number' && typeof type !== 'boolean') local.push(`Error decoding provisioner: 'type' expected type 'string', got unconvertible type '${goType(type)}'`);
  const only = stringList(raw.only, 'only', local);
  const except = stringList(raw.except, 'except', local);
  const pauseBefore = durationField(raw.pause_before, 'pause_before', local, 'Error decoding provisioner: ');
  const timeout = durationField(raw.timeout, 'timeout', local, 'Error decoding provisioner: ');
  let override: Record<string, Record<string, unknown>> | undefined;
  if (raw.override !== undefined && raw.override !== null) {
    if (!isObject(raw.override)) local.push(`Error decoding provisioner: 'override' expected a map, got '${goType(raw.override)}'`);
    else override = raw.override as Record<string, Record<string, unknown>>;
  }
  const maxRetries = raw.max_retries === undefined || raw.max_retries === null ? '' : String(raw.max_retries);
  if (local.length) { errs.push(...local.map((e) => prefix + e)); return undefined; }
  if (type === undefined || type === '') { errs.push(`${prefix}Provisioner missing 'type'`); return undefined; }
  const config: Record<string, unknown> = { ...raw };
  for (const k of ['except', 'only', 'override', 'pause_before', 'max_retries', 'type', 'timeout']) delete config[k];
  return { type: String(type), config, override, pauseBefore, maxRetries, timeout, only, except };
}

function parsePostProcessor(i: number, raw: unknown, errs: string[]): Record<string, unknown>[] | undefined {
  if (typeof raw === 'string') return [{ type: raw }];
  if (isObject(raw)) return [raw];
  if (Array.isArray(raw)) {
    const out: Record<string, unknown>[] = [];
    const local: string[] = [];
    raw.forEach((inner, j) => {
      if (typeof inner === 'string') out.push({ type: inner });
      else if (isObject(inner)) out.push(inner);
      else if (Array.isArray(inner)) local.push(`post-processor ${i + 1}.${j + 1}: sequence not allowed to be nested in a sequence`);
      else local.push(`post-processor ${i + 1}.${j + 1}: unknown format`);
    });
    if (local.length) { errs.push(...local); return undefined; }
    return out;
  }
  errs.push(`post-processor ${i + 1}: bad format`);
  return undefined;
}

/** Decodes a parsed JSON value into a Template. Throws MultiError with Packer's messages. */
export function templateFromValue(raw: unknown, rawContents: string, path = ''): Template {
  if (!isObject(raw)) throw new MultiError([`'' expected a map, got '${goType(raw)}'`]);
  const errs: string[] = [];
  const unknown = Object.keys(raw).filter((k) => !ROOT_KEYS.has(k)).sort();
  const comments: Record<string, string> = {};
  for (const k of unknown) {
    if (k.startsWith('_')) {
      if (typeof raw[k] !== 'string') throw new PackerError('TEMPLATE_INVALID', `Failed to cast root level comment value in comment "${k}" to string.`);
      comments[k] = raw[k] as string;
    } else errs.push(`Unknown root level key in template: '${k}'`);
  }
  MultiError.throwIf(errs);

  const str = (k: string): string => {
    const v = raw[k];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') { errs.push(`'${k}' expected type 'string', got unconvertible type '${goType(v)}'`); return ''; }
    return v;
  };
  const t: Template = {
    path,
    description: str('description'),
    minVersion: str('min_packer_version'),
    comments,
    variables: new Map(),
    sensitiveVariables: [],
    builders: new Map(),
    provisioners: [],
    cleanupProvisioner: undefined,
    postProcessors: [],
    rawContents,
  };
  const sens = raw['sensitive-variables'];
  const sensitive: string[] = Array.isArray(sens) ? sens.map(String) : [];
  if (sens !== undefined && sens !== null && !Array.isArray(sens)) errs.push(`'sensitive-variables': source data must be an array or slice, got ${typeof sens === 'object' ? 'map' : goType(sens)}`);

  const vars = raw.variables;
  if (vars !== undefined && vars !== null) {
    if (!isObject(vars)) errs.push(`'variables' expected a map, got '${goType(vars)}'`);
    else {
      for (const [k, v] of Object.entries(vars)) {
        if (v !== null && typeof v !== 'string') {
          errs.push(`variable ${k}: '' expected type 'string', got unconvertible type '${goType(v)}'`);
          continue;
        }
        t.variables.set(k, { key: k, default: v ?? '', required: v === null });
        if (sensitive.includes(k)) t.sensitiveVariables.push(k);
      }
    }
  }

  const builders = raw.builders;
  if (builders !== undefined && builders !== null && !Array.isArray(builders)) errs.push(`'builders': source data must be an array or slice, got ${isObject(builders) ? 'map' : goType(builders)}`);
  (Array.isArray(builders) ? builders : []).forEach((b, i) => {
    if (!isObject(b)) { errs.push(`builder ${i + 1}: '' expected a map, got '${goType(b)}'`); return; }
    const type = b.type === undefined || b.type === null ? '' : String(b.type);
    let name = b.name === undefined || b.name === null ? '' : String(b.name);
    const config = { ...b };
    delete config.name;
    delete config.type;
    if (type === '') { errs.push(`builder ${i + 1}: missing 'type'`); return; }
    if (name === '') name = type;
    if (t.builders.has(name)) { errs.push(`builder ${i + 1}: builder with name '${name}' already exists`); return; }
    t.builders.set(name, { name, type, config });
  });

  const pps = raw['post-processors'];
  if (pps !== undefined && pps !== null && !Array.isArray(pps)) errs.push(`'post-processors': source data must be an array or slice, got ${isObject(pps) ? 'map' : goType(pps)}`);
  (Array.isArray(pps) ? pps : []).forEach((v, i) => {
    const configs = parsePostProcessor(i, v, errs);
    if (!configs) return;
    const chain: TemplatePostProcessor[] = [];
    configs.forEach((c, j) => {
      const local: string[] = [];
      const only = stringList(c.only, 'only', local);
      const except = stringList(c.except, 'except', local);
      let keep: boolean | undefined;
      if (c.keep_input_artifact !== undefined && c.keep_input_artifact !== null) {
        if (typeof c.keep_input_artifact !== 'boolean') local.push(`'keep_input_artifact' expected type 'bool', got unconvertible type '${goType(c.keep_input_artifact)}'`);
        else keep = c.keep_input_artifact;
      }
      if (c.type !== undefined && typeof c.type !== 'string') local.push(`'type' expected type 'string', got unconvertible type '${goType(c.type)}'`);
      if (local.length) { errs.push(...local.map((e) => `post-processor ${i + 1}.${j + 1}: ${e}`)); return; }
      if (!c.type) { errs.push(`post-processor ${i + 1}.${j + 1}: type is required`); return; }
      const config = { ...c };
      for (const k of ['except', 'only', 'keep_input_artifact', 'type', 'name']) delete config[k];
      const type = c.type as string;
      chain.push({ type, name: typeof c.name === 'string' && c.name !== '' ? c.name : type, config, keepInputArtifact: keep, only, except });
    });
    t.postProcessors.push(chain);
  });

  const provs = raw.provisioners;
  if (provs !== undefined && provs !== null && !Array.isArray(provs)) errs.push(`'provisioners': source data must be an array or slice, got ${isObject(provs) ? 'map' : goType(provs)}`);
  (Array.isArray(provs) ? provs : []).forEach((v, i) => {
    const p = decodeProvisioner(v, errs, `provisioner ${i + 1}: `);
    if (p) t.provisioners.push(p);
  });
  if (raw['error-cleanup-provisioner'] !== undefined && raw['error-cleanup-provisioner'] !== null) {
    t.cleanupProvisioner = decodeProvisioner(raw['error-cleanup-provisioner'], errs, 'On Error Cleanup Provisioner error: ');
  }
  MultiError.throwIf(errs);
  return t;
}

/** Parses template text; syntax errors carry Packer's line/column excerpt. */
export function parseTemplate(text: string, path = ''): Template {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      const { line, col, highlight } = highlightPosition(text, e.offset);
      throw new PackerError('TEMPLATE_INVALID', `Error parsing JSON: ${e.message}\nAt line ${line}, column ${col} (offset ${e.offset}):\n${highlight}`);
    }
    throw e;
  }
  return templateFromValue(value, text, path);
}

/** Reads and parses a template file ("-" reads stdin). */
export async function parseTemplateFile(path: string): Promise<Template> {
  let text: string;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
    return parseTemplate(text, '');
  }
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new PackerError('TEMPLATE_INVALID', `open ${path}: no such file or directory`);
    if (err.code === 'EISDIR') throw new PackerError('TEMPLATE_INVALID', `read ${path}: is a directory`);
    throw e;
  }
  return parseTemplate(text, resolve(path));
}

function validateOnlyExcept(o: OnlyExcept, t: Template): string[] {
  if (o.only.length > 0 && o.except.length > 0) return ["only one of 'only' or 'except' may be specified"];
  const errs: string[] = [];
  for (const n of o.only) if (!t.builders.has(n)) errs.push(`'only' specified builder '${n}' not found`);
  for (const n of o.except) if (!t.builders.has(n)) errs.push(`'except' specified builder '${n}' not found`);
  return errs;
}

/** Whether a component with these only/except lists skips build `name`. */
export function skips(o: OnlyExcept, name: string): boolean {
  if (o.only.length > 0) return !o.only.includes(name);
  if (o.except.length > 0) return o.except.includes(name);
  return false;
}

/** Packer's Template.Validate. Throws MultiError. */
export function validateTemplateStructure(t: Template): void {
  const errs: string[] = [];
  if (t.builders.size === 0) errs.push('at least one builder must be defined');
  t.provisioners.forEach((p, i) => {
    for (const e of validateOnlyExcept(p, t)) errs.push(`provisioner ${i + 1}: ${e}`);
    for (const name of Object.keys(p.override ?? {})) if (!t.builders.has(name)) errs.push(`provisioner ${i + 1}: override '${name}' doesn't exist`);
  });
  t.postProcessors.forEach((chain, i) => chain.forEach((p, j) => {
    for (const e of validateOnlyExcept(p, t)) errs.push(`post-processor ${i + 1}.${j + 1}: ${e}`);
  }));
  MultiError.throwIf(errs);
}
