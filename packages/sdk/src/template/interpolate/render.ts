import { PackerError } from '../../errors.ts';
import { BUILTINS, execute, TemplateExecError } from './exec.ts';
import type { TemplateFunc } from './exec.ts';
import { packerFuncs } from './funcs.ts';
import { parseTemplate, TemplateParseError } from './parse.ts';
import type { ParsedTemplate } from './parse.ts';
import type { InterpolateContext } from './index.ts';

/** A template that does not parse or fails to execute. */
export class InterpolationError extends PackerError {
  /** 'parse' when the template text is invalid, 'exec' when evaluating it failed. */
  readonly phase: 'parse' | 'exec';
  constructor(message: string, phase: 'parse' | 'exec' = 'exec') {
    super('INTERPOLATION', message);
    this.name = 'InterpolationError';
    this.phase = phase;
  }
}

const PACKER_FUNC_NAMES = new Set(Object.keys(packerFuncs({})));

function knownFunction(extra: Record<string, unknown> | undefined) {
  return (name: string) => name in BUILTINS || PACKER_FUNC_NAMES.has(name) || (extra !== undefined && Object.prototype.hasOwnProperty.call(extra, name));
}

// Parsed templates, keyed by text and the names of the extra functions.
const cache = new Map<string, ParsedTemplate>();
const CACHE_MAX = 2000;

function parseCached(template: string, extra: Record<string, unknown> | undefined): ParsedTemplate {
  const key = (extra ? Object.keys(extra).sort().join(',') : '') + '\0' + template;
  let t = cache.get(key);
  if (t) return t;
  try {
    t = parseTemplate(template, knownFunction(extra));
  } catch (e) {
    if (e instanceof TemplateParseError) throw new InterpolationError(e.message, 'parse');
    throw e;
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, t);
  return t;
}

/** The functions a render in `ctx` sees: Go builtins, Packer's functions, then ctx.funcs. */
export function templateFuncs(ctx: InterpolateContext): Record<string, TemplateFunc> {
  return { ...BUILTINS, ...packerFuncs(ctx), ...(ctx.funcs ?? {}) };
}

/** Renders `template` in `ctx`. Throws InterpolationError. */
export function render(template: string, ctx: InterpolateContext = {}): string {
  if (!template.includes('{{')) return template;
  const tmpl = parseCached(template, ctx.funcs);
  try {
    return execute(tmpl, templateFuncs(ctx), ctx.data);
  } catch (e) {
    if (e instanceof TemplateExecError) throw new InterpolationError(e.message, 'exec');
    throw e;
  }
}

/**
 * Packer's interpolate.Render (the core's build names, `max_retries`, console lines): rendered
 * again while the result changes, since a value may hold template actions of its own (a user
 * variable keeping `{{ .Name }}`). Bounded where Go's loop is not: a value that grows forever.
 */
export function renderRepeated(template: string, ctx: InterpolateContext = {}): string {
  let v = template;
  for (let i = 0; i < 1000; i++) {
    const r = render(v, ctx);
    if (r === v) return r;
    v = r;
  }
  throw new InterpolationError('template: root: rendering did not settle after 1000 passes', 'exec');
}

/**
 * Parses `template` without executing it (Packer's interpolate.Validate):
 * syntax errors and unknown functions. Functions of `ctx.funcs` count as known.
 * Throws InterpolationError.
 */
export function validateTemplate(template: string, ctx?: InterpolateContext): void {
  if (!template.includes('{{')) return;
  parseCached(template, ctx?.funcs);
}
