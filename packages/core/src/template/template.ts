/**
 * A Packer JSON template, decoded and validated with Packer 1.6.6's rules
 * and messages (packer-plugin-sdk/template/{parse,template}.go).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { decodeStruct, decodingErrorText, fileError, goJsonType, goJsonValue, MultiError, PackerError, type StructFields } from '@packer-ts/sdk';
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

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** rawTemplate's fields (strict decoding), by the names mapstructure reports. */
const ROOT_FIELDS: StructFields = {
  min_packer_version: 'string',
  Description: 'string',
  builders: 'slice',
  Comments: 'any',
  Push: 'map',
  'post-processors': 'slice',
  Provisioners: 'slice',
  'error-cleanup-provisioner': 'any',
  Variables: 'map',
  'sensitive-variables': '[]string',
};

/** template.Builder (weak decoding). */
const BUILDER_FIELDS: StructFields = { Name: 'string', Type: 'string' };

/** template.PostProcessor (strict decoding). */
const POST_PROCESSOR_FIELDS: StructFields = { Name: 'string', Type: 'string', keep_input_artifact: 'bool', Only: '[]string', Except: '[]string' };

/** template.Provisioner (weak decoding with the string-to-duration hook). */
const PROVISIONER_FIELDS: StructFields = {
  Type: 'string', Only: '[]string', Except: '[]string', Override: 'map', pause_before: 'duration', max_retries: 'string', timeout: 'duration',
};

/** Nanoseconds (BigInt) to milliseconds. */
const nsToMs = (ns: unknown): number => (typeof ns === 'bigint' ? Number(ns) / 1e6 : 0);

function decodeProvisioner(raw: unknown, errs: string[], prefix: string): TemplateProvisioner | undefined {
  const d = decodeStruct(raw, PROVISIONER_FIELDS, true);
  if (d.errors.length > 0) {
    errs.push(`${prefix}Error decoding provisioner: ${isObject(raw) ? decodingErrorText(d.errors) : d.errors[0]}`);
    return undefined;
  }
  const v = d.values;
  const type = (v.Type as string | undefined) ?? '';
  if (type === '') { errs.push(`${prefix}Provisioner missing 'type'`); return undefined; }
  const config: Obj = { ...(raw as Obj) };
  for (const k of ['except', 'only', 'override', 'pause_before', 'max_retries', 'type', 'timeout']) delete config[k];
  return {
    type,
    config,
    override: v.Override as Record<string, Record<string, unknown>> | undefined,
    pauseBefore: nsToMs(v.pause_before),
    maxRetries: (v.max_retries as string | undefined) ?? '',
    timeout: nsToMs(v.timeout),
    only: (v.Only as string[] | undefined) ?? [],
    except: (v.Except as string[] | undefined) ?? [],
  };
}

function parsePostProcessor(i: number, raw: unknown, errs: string[]): Obj[] | undefined {
  if (typeof raw === 'string') return [{ type: raw }];
  if (isObject(raw)) return [raw];
  if (Array.isArray(raw)) {
    const out: Obj[] = [];
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

/**
 * Decodes a parsed JSON value into a Template with Packer's rules (strict
 * mapstructure decoding of the root and post-processors, weak decoding of
 * builders and provisioners). Throws Packer's messages.
 */
export function templateFromValue(raw: unknown, rawContents: string, path = ''): Template {
  if (raw === null) raw = {}; // `null` decodes into nothing: an empty template
  const root = decodeStruct(raw, ROOT_FIELDS, false);
  if (root.errors.length > 0) {
    throw new PackerError('TEMPLATE_INVALID', isObject(raw) ? decodingErrorText(root.errors) : root.errors[0]!);
  }
  const r = root.values;
  const errs: string[] = [];
  const comments: Record<string, string> = {};
  for (const k of root.unused.sort()) {
    if (k.startsWith('_')) {
      const c = (raw as Obj)[k];
      if (typeof c !== 'string') throw new PackerError('TEMPLATE_INVALID', `Failed to cast root level comment value in comment "${k}" to string.`);
      comments[k] = c;
    } else errs.push(`Unknown root level key in template: '${k}'`);
  }
  MultiError.throwIf(errs);

  const t: Template = {
    path,
    description: (r.Description as string | undefined) ?? '',
    minVersion: (r.min_packer_version as string | undefined) ?? '',
    comments,
    variables: new Map(),
    sensitiveVariables: [],
    builders: new Map(),
    provisioners: [],
    cleanupProvisioner: undefined,
    postProcessors: [],
    rawContents,
  };
  const sensitive = (r['sensitive-variables'] as string[] | undefined) ?? [];

  for (const [k, v] of Object.entries((r.Variables as Obj | undefined) ?? {})) {
    if (v !== null && typeof v !== 'string') {
      errs.push(`variable ${k}: '' expected type 'string', got unconvertible type '${goJsonType(v)}', value: '${goJsonValue(v)}'`);
      continue;
    }
    t.variables.set(k, { key: k, default: v ?? '', required: v === null });
    if (sensitive.includes(k)) t.sensitiveVariables.push(k);
  }

  ((r.builders as unknown[] | undefined) ?? []).forEach((b, i) => {
    const d = decodeStruct(b, BUILDER_FIELDS, true);
    if (d.errors.length > 0) { errs.push(`builder ${i + 1}: ${isObject(b) ? decodingErrorText(d.errors) : d.errors[0]}`); return; }
    const type = (d.values.Type as string | undefined) ?? '';
    let name = (d.values.Name as string | undefined) ?? '';
    const config: Obj = { ...(b as Obj) };
    delete config.name;
    delete config.type;
    if (type === '') { errs.push(`builder ${i + 1}: missing 'type'`); return; }
    if (name === '') name = type;
    if (t.builders.has(name)) { errs.push(`builder ${i + 1}: builder with name '${name}' already exists`); return; }
    t.builders.set(name, { name, type, config });
  });

  ((r['post-processors'] as unknown[] | undefined) ?? []).forEach((v, i) => {
    const configs = parsePostProcessor(i, v, errs);
    if (!configs) return;
    const chain: TemplatePostProcessor[] = [];
    configs.forEach((c, j) => {
      const d = decodeStruct(c, POST_PROCESSOR_FIELDS, false);
      if (d.errors.length > 0) { errs.push(`post-processor ${i + 1}.${j + 1}: ${decodingErrorText(d.errors)}`); return; }
      const type = (d.values.Type as string | undefined) ?? '';
      if (type === '') { errs.push(`post-processor ${i + 1}.${j + 1}: type is required`); return; }
      const config = { ...c };
      for (const k of ['except', 'only', 'keep_input_artifact', 'type', 'name']) delete config[k];
      const name = (d.values.Name as string | undefined) || type;
      chain.push({
        type, name, config,
        keepInputArtifact: d.values.keep_input_artifact as boolean | undefined,
        only: (d.values.Only as string[] | undefined) ?? [],
        except: (d.values.Except as string[] | undefined) ?? [],
      });
    });
    t.postProcessors.push(chain);
  });

  ((r.Provisioners as unknown[] | undefined) ?? []).forEach((v, i) => {
    const p = decodeProvisioner(v, errs, `provisioner ${i + 1}: `);
    if (p) t.provisioners.push(p);
  });
  if (r['error-cleanup-provisioner'] !== undefined) {
    t.cleanupProvisioner = decodeProvisioner(r['error-cleanup-provisioner'], errs, 'On Error Cleanup Provisioner error: ');
  }
  MultiError.throwIf(errs);
  return t;
}

/** Parses a template (the file's bytes, or text); syntax errors carry Packer's line/column excerpt. */
export function parseTemplate(text: string | Buffer, path = ''): Template {
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
  return templateFromValue(value, text.toString(), path);
}

/** Reads and parses a template file ("-" reads stdin). */
export async function parseTemplateFile(path: string): Promise<Template> {
  let text: Buffer;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return parseTemplate(Buffer.concat(chunks), '');
  }
  if (/\.pkr\.(hcl|json)$/.test(path)) throw new PackerError('TEMPLATE_INVALID', hcl2NotYet(path));
  try {
    text = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new PackerError('TEMPLATE_INVALID', hcl2NotYet(path), { cause: e });
    throw new PackerError('TEMPLATE_INVALID', fileError(e, path).message, { cause: e });
  }
  return parseTemplate(text, resolve(path));
}

/** HCL2 templates (a `*.pkr.hcl` / `*.pkr.json` file, or a directory of them) are not read yet. */
function hcl2NotYet(path: string): string {
  return `${path}: HCL2 templates (*.pkr.hcl, *.pkr.json, or a directory of them) are not supported by packer-ts yet; use a JSON template`;
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
