/**
 * `locals { NAME = EXPR }` blocks, and `local "NAME" { expression,
 * sensitive }` blocks (which came with later Packer versions, accepted
 * whichever version's behaviour is followed).
 *
 * parseLocalBlocks(blocks) collects them; evaluateLocals(locals, ctxFor)
 * evaluates them as the Packer version does:
 * - 1.6.6 (evaluateLocalVariables): a queue; a local that fails goes to the
 *   back and is retried until no progress is made (100 rounds), then its
 *   diagnostics are the result: a cycle reports the reference that cannot
 *   be resolved;
 * - 1.16: each local's `local.*` references are evaluated first,
 *   recursively (at most 10 deep: "Max local recursion depth exceeded.").
 */
import { cty, errorDiag, exprRange, exprVariables, hasErrors, exprValue, validIdentifier, rangeString, type Block, type Diagnostic, type EvalContext, type Expression, type Range } from '@packer-ts/hcl';
import type { PackerVersion } from './context.ts';
import { BAD_IDENTIFIER_DETAIL } from './variables.ts';
import { decodeExpression } from './gohcl.ts';

export interface LocalBlock {
  name: string;
  expr: Expression | undefined;
  sensitive: boolean;
  /** The attribute (locals {}) or the block header (local "x"). */
  range: Range;
  /** Declared by a `local "x"` block (Packer 1.16). */
  block: boolean;
}

export interface LocalValue {
  name: string;
  value: cty.Value;
  sensitive: boolean;
  range: Range;
}

const LOCAL_BLOCK_SCHEMA = { attributes: [{ name: 'expression' }, { name: 'sensitive' }] };

/** The locals declared by the `locals` and `local` blocks among `blocks`, in source order. */
export function parseLocalBlocks(blocks: readonly Block[], version: PackerVersion = 'packer-1.6.6'): { locals: LocalBlock[]; diags: Diagnostic[] } {
  const locals: LocalBlock[] = [];
  const diags: Diagnostic[] = [];
  const modern = version === 'packer-1.16';
  // indexed: this loop sees every top-level block of the template, once
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.type === 'locals') {
      const { attributes, diags: d } = b.body.justAttributes();
      diags.push(...d);
      for (const a of attributes.values()) locals.push({ name: a.name, expr: a.expr, sensitive: false, range: a.range, block: false });
    } else if (b.type === 'local') {
      const name = b.labels[0]!;
      const { content, diags: d } = b.body.content(LOCAL_BLOCK_SCHEMA);
      if (!validIdentifier(name)) d.push(errorDiag('Invalid local name', BAD_IDENTIFIER_DETAIL, b.labelRanges[0]));
      const l: LocalBlock = { name, expr: content.attributes.get('expression')?.expr, sensitive: false, range: b.defRange, block: true };
      const sens = content.attributes.get('sensitive');
      if (sens) {
        const r = decodeExpression(sens.expr, 'bool', undefined);
        d.push(...r.diags);
        if (r.value !== undefined) l.sensitive = r.value;
      }
      diags.push(...d);
      if (hasErrors(d)) return { locals, diags };
      locals.push(l);
    }
  }
  {
    // checkForDuplicateLocalDefinition (1.16); 1.6.6 let a later `locals` entry win
    const seen = new Map<string, LocalBlock>();
    for (let i = 0; i < locals.length; i++) {
      const l = locals[i]!;
      const prev = seen.get(l.name);
      if (prev && (modern || prev.block || l.block)) {
        const where = prev.expr ? exprRange(prev.expr) : prev.range;
        diags.push(errorDiag('Duplicate local definition', `Local variable ${JSON.stringify(l.name)} is defined twice in your templates. Other definition found at ${JSON.stringify(rangeString(where))}`, l.expr ? exprRange(l.expr) : l.range));
        continue;
      }
      seen.set(l.name, l);
    }
  }
  return { locals, diags };
}

/**
 * Evaluates `locals`; `ctxFor(values)` is the evaluation context with
 * `local` set to `values` (asked once: its `local` then follows the values known so far).
 */
export function evaluateLocals(
  locals: readonly LocalBlock[],
  ctxFor: (values: ReadonlyMap<string, cty.Value>) => EvalContext,
  version: PackerVersion = 'packer-1.6.6',
): { locals: Map<string, LocalValue>; diags: Diagnostic[] } {
  return version === 'packer-1.16' ? evaluateRecursively(locals, ctxFor) : evaluateQueue(locals, ctxFor);
}

/**
 * The context the locals are evaluated in: one context, whose `local` is the object of the
 * locals known so far, built when an expression looks it up after a local was added (not once
 * for each local: most locals never read another).
 */
class LocalContexts {
  private version = 0;
  private builtAt = -1;
  private local: cty.Value | undefined;
  private ctx: EvalContext | undefined;
  constructor(
    private readonly values: Map<string, LocalValue>,
    private readonly ctxFor: (values: ReadonlyMap<string, cty.Value>) => EvalContext,
  ) {}

  set(name: string, v: LocalValue): void {
    this.values.set(name, v);
    this.version++;
  }

  context(): EvalContext {
    if (this.ctx) return this.ctx;
    const ctx = this.ctxFor(new Map());
    Object.defineProperty(ctx.variables!, 'local', { enumerable: true, configurable: true, get: () => this.knownLocals() });
    return (this.ctx = ctx);
  }

  private knownLocals(): cty.Value {
    if (this.builtAt !== this.version) {
      const known = new Map<string, cty.Value>();
      for (const [k, v] of this.values) known.set(k, v.value);
      this.local = cty.objectVal(known);
      this.builtAt = this.version;
    }
    return this.local!;
  }
}

function evaluateOne(l: LocalBlock, contexts: LocalContexts): Diagnostic[] {
  if (!l.expr) {
    // a `local` block without an expression evaluates to null
    contexts.set(l.name, { name: l.name, value: cty.nullVal(cty.DynamicType), sensitive: l.sensitive, range: l.range });
    return [];
  }
  const r = exprValue(l.expr, contexts.context());
  if (!hasErrors(r.diags)) contexts.set(l.name, { name: l.name, value: r.value, sensitive: l.sensitive, range: l.range });
  return r.diags;
}

function evaluateQueue(locals: readonly LocalBlock[], ctxFor: (values: ReadonlyMap<string, cty.Value>) => EvalContext): { locals: Map<string, LocalValue>; diags: Diagnostic[] } {
  const q = new LocalsQueue(locals, ctxFor);
  q.run();
  return { locals: q.values, diags: q.diags };
}

/**
 * Packer 1.6.6's queue (evaluateLocalVariables), run as far as asked. `run(names)` evaluates
 * locals until each of `names` has its final value (it is set, and no later definition of it
 * waits in the queue) or the queue has ended; `run()` runs it to its end. The queue is the same
 * however far it is run at a time, and a local keeps the value it is set to, so the values are
 * those of a whole run: `console` runs it only as far as the locals its line names (a local
 * after them is never evaluated; neither are its errors, which console ignores).
 */
export class LocalsQueue {
  readonly values = new Map<string, LocalValue>();
  readonly diags: Diagnostic[] = [];
  private readonly contexts: LocalContexts;
  private readonly queue: LocalBlock[];
  // how many definitions of each name wait in the queue
  private readonly pending = new Map<string, number>();
  private retry = 0;
  private previousL = 0;
  private ended = false;

  /** `onSet`: told each local as it gets its value. */
  constructor(locals: readonly LocalBlock[], ctxFor: (values: ReadonlyMap<string, cty.Value>) => EvalContext, private readonly onSet?: (l: LocalValue) => void) {
    this.contexts = new LocalContexts(this.values, ctxFor);
    this.queue = [...locals];
    for (const l of locals) this.pending.set(l.name, (this.pending.get(l.name) ?? 0) + 1);
  }

  /** The context the locals are evaluated in: its `local` is the object of those set so far. */
  context(): EvalContext {
    return this.contexts.context();
  }

  run(names?: Iterable<string>): void {
    const wanted = names === undefined ? undefined : [...names];
    const queue = this.queue;
    while (!this.ended && queue.length > 0) {
      if (wanted !== undefined && wanted.every((n) => !this.pending.get(n))) return;
      const l = queue[0]!;
      const more = evaluateOne(l, this.contexts);
      if (hasErrors(more)) {
        if (queue.length === 1 || (this.previousL === queue.length && this.retry === 100)) {
          // the last one left, or no progress in 100 rounds (a cycle): its errors end the queue
          this.diags.push(...more);
          this.ended = true;
          return;
        }
        if (this.previousL === queue.length) this.retry++;
        this.previousL = queue.length;
        queue.push(l);
      } else {
        this.retry = 0;
        if (more.length !== 0) this.diags.push(...more);
        this.pending.set(l.name, this.pending.get(l.name)! - 1);
        this.onSet?.(this.values.get(l.name)!);
      }
      queue.shift();
    }
  }
}

function evaluateRecursively(locals: readonly LocalBlock[], ctxFor: (values: ReadonlyMap<string, cty.Value>) => EvalContext): { locals: Map<string, LocalValue>; diags: Diagnostic[] } {
  const values = new Map<string, LocalValue>();
  const contexts = new LocalContexts(values, ctxFor);
  const diags: Diagnostic[] = [];
  const byName = new Map<string, LocalBlock>();
  for (const l of locals) if (!byName.has(l.name)) byName.set(l.name, l);
  const deps = new Map<LocalBlock, string[]>();
  for (const l of locals) {
    const names: string[] = [];
    for (const t of l.expr ? exprVariables(l.expr) : []) {
      if (t.length < 2 || t[0]!.kind !== 'root' || t[0]!.name !== 'local') continue;
      const step = t[1]!;
      if (step.kind === 'attr') names.push(step.name);
    }
    deps.set(l, names);
  }
  const evaluated = new Set<LocalBlock>();
  const visit = (l: LocalBlock, depth: number): Diagnostic[] => {
    if (evaluated.has(l)) return [];
    if (depth >= 10) {
      return [errorDiag('Max local recursion depth exceeded.', 'An error occured while recursively evaluating locals.Your local variables likely have a cyclic dependency. Please simplify your config to continue. ')];
    }
    const out: Diagnostic[] = [];
    for (const dep of deps.get(l) ?? []) {
      const target = byName.get(dep);
      if (!target) {
        out.push(errorDiag('failed to get local variable', `While evaluating ${JSON.stringify(`local.${l.name}`)}, its dependency ${JSON.stringify(`local.${dep}`)} was not found, is it defined?`));
        return out;
      }
      out.push(...visit(target, depth + 1));
    }
    evaluated.add(l);
    out.push(...evaluateOne(l, contexts));
    return out;
  };
  for (const l of locals) diags.push(...visit(l, 0));
  return { locals: values, diags };
}
