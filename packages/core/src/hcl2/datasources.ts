/**
 * `data "TYPE" "NAME" { ... }` blocks (Packer 1.16's hcl2template/types.datasource.go and the
 * datasource/local DAG of parser.go): each block starts its datasource (a built-in or a plugin's
 * `NAME-COMPONENT`), decodes its body with the datasource's ConfigSpec in the current context,
 * configures it and executes it; the result, typed by its OutputSpec, becomes `data.TYPE.NAME`
 * (the `data` variable is an object of one map per type).
 *
 * Order (Packer 1.16's default): datasources and locals form one graph; a datasource may refer to
 * `var.*`, to other datasources and to locals, a local to datasources and other locals. Missing
 * references ("could not get dependency ..."), cycles ("Cycle: a, b") and self references are
 * reported before anything runs, as "failed to prepare execution graph"; then every node runs
 * after what it refers to, and the first node that fails stops the walk. Independent nodes run in
 * declaration order (datasources, then locals) where Packer's order is a Go map's. With
 * `sequential` (`-use-sequential-evaluation`) datasources run first, each after the datasources
 * it refers to (ten levels at most: "Max datasource recursion depth exceeded."), every error
 * reported once; the caller evaluates locals afterwards.
 *
 * `validate` (skipExecution, Packer's default without -evaluate-datasources) starts and configures
 * every datasource, so that configuration errors show, but does not execute it: its value is
 * unknown, of its output type. Unknown inputs reach Configure as placeholders (unknowns.ts).
 *
 * Public API
 *   decodeDataBlocks(blocks): { datasources: DataBlock[]; diags }   the `data` blocks of the
 *       top-level blocks (names checked, duplicates reported), in order
 *   dataDependencies(block): Traversal[]    the `data.*` and `local.*` references of a data block's body
 *   evaluateDatasources(options): Promise<DatasourcesResult>
 *       options.blocks       top-level blocks of every file (only `data` blocks are read) or
 *       options.datasources  already decoded blocks
 *       options.store        the finder's datasource store (undefined: none known)
 *       options.ctx          the evaluation context (var, local, path, functions); `ctx.variables.data`
 *                            is set to the values so far before each datasource and at the end
 *       options.locals       locals in the graph: { name, expr, evaluate(ctx) -> diags } (evaluate
 *                            records the local's value in ctx.variables.local)
 *       options.skipExecution, options.sequential
 *     result: { values: Map<"TYPE.NAME", cty.Value>, data: cty.Value (the `data` variable), diags }
 *   dataVariable(values): cty.Value          the `data` object from "TYPE.NAME" values
 *   initializeDatasources(cfg, { skipExecution?, sequential? }): Promise<void>
 *       for a read template (config.ts's PackerConfig) with `data` blocks: runs the graph with the
 *       template's locals, so that `data.*` and locals that use it are in the context sources and
 *       builds are decoded with (cfg.evaluated.ctx, cfg.evaluated.locals); the graph's diagnostics
 *       replace those of the locals' first evaluation (which had no `data`) in cfg.evaluated.initDiags.
 *       A template without `data` blocks is left as it is. Call it before cfg.initialize().
 */
import { cty, errorDiag, exprRange, exprValue, exprVariables, hasErrors, NativeBody, rangeString, validIdentifier, type ast, type Block, type Diagnostic, type EvalContext, type Expression, type Traversal } from '@packer-ts/hcl';
import { addSecret, errorMessage, MultiError, type Datasource } from '@packer-ts/sdk';
import { convertTo, ctyJsonDynamic, specType, type CtyValue, type DatasourceClient, type ObjectSpec } from '@packer-ts/sdk/rpc';
import type { ComponentStore } from '../components.ts';
import type { PackerConfig } from './config.ts';
import { parseLocalBlocks, type LocalValue } from './locals.ts';
import { sensitiveStrings } from './values.ts';
import { componentSpec, configArgument, ctyTypeOf, decodeBody, isRemoteComponent } from './spec.ts';
import { writeUnknownPlaceholders } from './unknowns.ts';

type Value = cty.Value;

const BAD_IDENTIFIER = 'A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.';

export interface DataBlock {
  type: string;
  name: string;
  block: Block;
}

export interface PrereqLocal {
  name: string;
  expr: Expression;
  /** Evaluates the local in `ctx` and records its value there (ctx.variables.local). */
  evaluate(ctx: EvalContext): Diagnostic[] | Promise<Diagnostic[]>;
}

export interface DatasourcesOptions {
  blocks?: readonly Block[];
  datasources?: readonly DataBlock[];
  store: ComponentStore<Datasource> | undefined;
  ctx: EvalContext;
  locals?: readonly PrereqLocal[];
  skipExecution?: boolean;
  sequential?: boolean;
}

export interface DatasourcesResult {
  values: Map<string, Value>;
  data: Value;
  diags: Diagnostic[];
}

const key = (type: string, name: string): string => `${type}.${name}`;

export function decodeDataBlocks(blocks: readonly Block[]): { datasources: DataBlock[]; diags: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const seen = new Map<string, DataBlock>();
  const out: DataBlock[] = [];
  for (const block of blocks) {
    if (block.type !== 'data' || block.labels.length < 2) continue;
    const [type, name] = block.labels as [string, string];
    const d: Diagnostic[] = [];
    if (!validIdentifier(type)) d.push(errorDiag('Invalid data source name', BAD_IDENTIFIER, block.labelRanges[0]));
    if (!validIdentifier(name)) d.push(errorDiag('Invalid data resource name', BAD_IDENTIFIER, block.labelRanges[1]));
    diags.push(...d);
    if (d.length > 0) continue;
    const existing = seen.get(key(type, name));
    if (existing) {
      diags.push(errorDiag('Duplicate data block',
        `This data block has the same data type and name as a previous block declared at ${rangeString(existing.block.defRange)}. Each data must have a unique name per builder type.`,
        block.defRange));
      continue;
    }
    const ds = { type, name, block };
    seen.set(key(type, name), ds);
    out.push(ds);
  }
  return { datasources: out, diags };
}

function nativeVariables(body: ast.Body, out: Traversal[]): void {
  for (const a of body.attributes) out.push(...exprVariables(a.expr));
  for (const b of body.blocks) nativeVariables(b.body, out);
}

/** GetVarsByType(block, "data", "local"): references in every attribute, nested blocks included. */
export function dataDependencies(block: Block): Traversal[] {
  const all: Traversal[] = [];
  if (block.body instanceof NativeBody) nativeVariables(block.body.ast, all);
  else for (const a of block.body.justAttributes().attributes.values()) all.push(...exprVariables(a.expr));
  return all.filter((t) => t[0]?.kind === 'root' && (t[0].name === 'data' || t[0].name === 'local'));
}

/** The `data` variable: `data.TYPE` is a map of NAME to the datasource's value. */
export function dataVariable(values: ReadonlyMap<string, Value>): Value {
  const byType = new Map<string, Map<string, Value>>();
  for (const [k, v] of values) {
    const i = k.indexOf('.');
    const type = k.slice(0, i);
    let inner = byType.get(type);
    if (!inner) byType.set(type, (inner = new Map()));
    inner.set(k.slice(i + 1), v);
  }
  const attrs: Record<string, Value> = {};
  for (const [type, inner] of byType) attrs[type] = cty.mapVal(inner);
  return cty.objectVal(attrs);
}

/** A reference as Packer's refString: "data.T.N", "local.N", "var.N", or an error text. */
function refOf(t: Traversal): { ref: string; kind: 'data' | 'local' | 'var' } | { error: string } | undefined {
  if (t.length < 2) return undefined;
  const root = t[0]!;
  const name = (i: number): string | undefined => (t[i]?.kind === 'attr' ? (t[i] as { name: string }).name : undefined);
  if (root.kind !== 'root') return undefined;
  if (root.name === 'local' || root.name === 'var') {
    const n = name(1);
    return n === undefined ? undefined : { ref: `${root.name}.${n}`, kind: root.name };
  }
  const a = name(1);
  const b = name(2);
  if (a === undefined) return undefined;
  if (b === undefined) return { error: `malformed datasource reference "data.${a}", data sources must be composed of 3 parts` };
  return { ref: `data.${a}.${b}`, kind: 'data' };
}

/** Tarjan's strongly connected components, vertices and edges in the order given (hashicorp/packer internal/dag). */
function stronglyConnected(vertices: string[], edges: Map<string, string[]>): string[][] {
  let next = 1;
  const index = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): number => {
    const idx = next++;
    index.set(v, idx);
    stack.push(v);
    onStack.add(v);
    let min = idx;
    for (const w of edges.get(v) ?? []) {
      const wi = index.get(w);
      if (wi === undefined) min = Math.min(min, visit(w));
      else if (onStack.has(w)) min = Math.min(min, wi);
    }
    if (min === idx) {
      const scc: string[] = [];
      for (;;) {
        const x = stack.pop()!;
        onStack.delete(x);
        scc.push(x);
        if (x === v) break;
      }
      out.push(scc);
    }
    return min;
  };
  for (const v of vertices) if (!index.has(v)) visit(v);
  return out;
}

class Evaluator {
  readonly values = new Map<string, Value>();

  constructor(private readonly o: DatasourcesOptions) {}

  private setData(): void {
    this.o.ctx.variables ??= {};
    this.o.ctx.variables.data = dataVariable(this.values);
  }

  /** startDatasource + (unless skipped) Execute: the diagnostics; the value is recorded. */
  async evaluate(ds: DataBlock): Promise<Diagnostic[]> {
    this.setData();
    const { block } = ds;
    const store = this.o.store;
    if (!store) {
      return [errorDiag(`Unknown data type ${ds.type}`, 'packer does not currently know any data source.', block.labelRanges[0])];
    }
    if (!store.has(ds.type)) {
      return [errorDiag(`Unknown data type ${ds.type}`, `known data sources: [${store.list().join(' ')}]`, block.labelRanges[0])];
    }
    let source: Datasource;
    try {
      source = await store.start(ds.type);
    } catch (e) {
      return [errorDiag(errorMessage(e), '', block.defRange)];
    }
    const remote = isRemoteComponent(source);
    let spec: ObjectSpec;
    try {
      spec = await componentSpec(source);
    } catch (e) {
      return [errorDiag(errorMessage(e), '', block.defRange)];
    }
    const decoded = decodeBody(block.body, spec, this.o.ctx);
    if (hasErrors(decoded.diags)) return decoded.diags;
    const diags = [...decoded.diags];
    try {
      await source.configure(configArgument(writeUnknownPlaceholders(decoded.value), remote));
    } catch (e) {
      return [...diags, errorDiag(errorMessage(e), '', block.defRange)];
    }
    try {
      const output = remote ? await (source as unknown as DatasourceClient).outputSpecOf() : source.outputSpec();
      if (this.o.skipExecution) {
        this.values.set(key(ds.type, ds.name), cty.unknownVal(ctyTypeOf(specType(output))));
      } else {
        const result: CtyValue = remote
          ? await (source as unknown as DatasourceClient).executeValue()
          : { type: specType(output), value: convertTo(specType(output), await executeInProcess(source)) };
        this.values.set(key(ds.type, ds.name), hclValue(result));
      }
    } catch (e) {
      return [...diags, errorDiag(errorMessage(e), '', block.defRange)];
    }
    this.setData();
    return diags;
  }
}

/** A built-in's Execute: its failure worded as Packer 1.16 words it (its built-ins run as plugins). */
async function executeInProcess(source: Datasource): Promise<Record<string, unknown>> {
  try {
    return await source.execute();
  } catch (e) {
    throw new Error(`Datasource.Execute failed: ${errorMessage(e)}`, { cause: e });
  }
}

/** An SDK cty value (plugin RPC form) as packages/hcl's value. */
function hclValue(v: CtyValue): Value {
  const j = JSON.parse(ctyJsonDynamic(v).toString('utf8')) as { value: unknown; type: unknown };
  const t = cty.unmarshalType(JSON.stringify(j.type));
  return cty.unmarshalJson(JSON.stringify(j.value), t);
}

export async function evaluateDatasources(o: DatasourcesOptions): Promise<DatasourcesResult> {
  const diags: Diagnostic[] = [];
  let list: readonly DataBlock[];
  if (o.datasources) list = o.datasources;
  else {
    const d = decodeDataBlocks(o.blocks ?? []);
    diags.push(...d.diags);
    list = d.datasources;
  }
  const ev = new Evaluator(o);
  const done = (): DatasourcesResult => {
    o.ctx.variables ??= {};
    o.ctx.variables.data = dataVariable(ev.values);
    return { values: ev.values, data: o.ctx.variables.data, diags };
  };
  if (o.sequential) {
    diags.push(...await sequential(ev, list));
    return done();
  }
  diags.push(...await graph(ev, list, o));
  return done();
}

/** Packer 1.16's evaluateBuildPrereqs. */
async function graph(ev: Evaluator, list: readonly DataBlock[], o: DatasourcesOptions): Promise<Diagnostic[]> {
  const locals = o.locals ?? [];
  const knownLocals = (o.ctx.variables?.local?.type.kind === 'object') ? new Set(Object.keys((o.ctx.variables.local.type as cty.ObjectType).attrs)) : new Set<string>();
  const vertices: string[] = [];
  const names = new Map<string, string>();
  const deps = new Map<string, string[]>();
  const diags: Diagnostic[] = [];
  for (const ds of list) {
    const v = `data.${key(ds.type, ds.name)}`;
    vertices.push(v);
    names.set(v, key(ds.type, ds.name));
    const mine: string[] = [];
    for (const t of dataDependencies(ds.block)) {
      const r = refOf(t);
      if (!r) continue;
      if ('error' in r) {
        diags.push(errorDiag('failed to process datasource dependency', `An error occurred while processing a dependency for data source ${key(ds.type, ds.name)}: ${r.error}`));
        continue;
      }
      if (r.kind === 'var') continue;
      if (r.kind === 'local' && !locals.some((l) => `local.${l.name}` === r.ref) && knownLocals.has(r.ref.slice(6))) continue;
      mine.push(r.ref);
    }
    deps.set(v, mine);
  }
  for (const l of locals) {
    const v = `local.${l.name}`;
    vertices.push(v);
    names.set(v, v);
    const mine: string[] = [];
    for (const t of exprVariables(l.expr)) {
      if (t[0]?.kind !== 'root' || (t[0].name !== 'data' && t[0].name !== 'local')) continue;
      const r = refOf(t);
      if (!r) continue;
      if ('error' in r) {
        diags.push(errorDiag('failed to process local dependency', `An error occurred while processing a dependency for local variable ${l.name}: ${r.error}`));
        continue;
      }
      mine.push(r.ref);
    }
    deps.set(v, mine);
  }
  if (hasErrors(diags)) return diags;

  const errors: string[] = [];
  const edges = new Map<string, string[]>();
  for (const v of vertices) {
    const targets: string[] = [];
    for (const dep of deps.get(v) ?? []) {
      if (!names.has(dep)) errors.push(`could not get dependency ${JSON.stringify(dep)} for ${JSON.stringify(v)}, ${JSON.stringify(dep)} missing in template`);
      else targets.push(dep);
    }
    edges.set(v, targets);
  }
  const validation: string[] = [];
  for (const scc of stronglyConnected(vertices, edges)) {
    if (scc.length > 1) validation.push(`Cycle: ${scc.map((v) => names.get(v)).join(', ')}`);
  }
  for (const v of vertices) for (const w of edges.get(v) ?? []) if (v === w) validation.push(`Self reference: ${names.get(v)}`);
  if (validation.length > 0) errors.push(validation.join('\n'));
  if (errors.length > 0) {
    return [errorDiag('failed to prepare execution graph', `An error occurred while building the graph for datasources/locals: ${MultiError.format(errors.map((e) => new Error(e)))}`)];
  }

  // Dependencies first (depth-first, declaration order), then the node.
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (v: string): void => {
    if (placed.has(v)) return;
    placed.add(v);
    for (const w of edges.get(v) ?? []) place(w);
    order.push(v);
  };
  for (const v of vertices) place(v);
  const byVertex = new Map<string, DataBlock>(list.map((ds) => [`data.${key(ds.type, ds.name)}`, ds]));
  const localByVertex = new Map<string, PrereqLocal>(locals.map((l) => [`local.${l.name}`, l]));
  for (const v of order) {
    const ds = byVertex.get(v);
    const d = ds ? await ev.evaluate(ds) : await localByVertex.get(v)!.evaluate(o.ctx);
    if (hasErrors(d)) return d;
  }
  return [];
}

/** Packer 1.16's evaluateDatasources / recursivelyEvaluateDatasources (-use-sequential-evaluation). */
async function sequential(ev: Evaluator, list: readonly DataBlock[]): Promise<Diagnostic[]> {
  const pending = new Map<string, string[]>();
  const byKey = new Map<string, DataBlock>();
  for (const ds of list) {
    const k = key(ds.type, ds.name);
    byKey.set(k, ds);
    const deps: string[] = [];
    for (const t of dataDependencies(ds.block)) {
      const r = refOf(t);
      if (r && !('error' in r) && r.kind === 'data') deps.push(r.ref.slice(5));
    }
    pending.set(k, deps);
  }
  const diags: Diagnostic[] = [];
  const recurse = async (k: string, depth: number): Promise<Diagnostic[]> => {
    const ds = byKey.get(k);
    if (!ds) return [];
    if (depth > 10) {
      return [errorDiag('Max datasource recursion depth exceeded.',
        'An error occured while recursively evaluating data sources. Either your data source depends on more than ten other data sources, or your data sources have a cyclic dependency. Please simplify your config to continue. ',
        ds.block.defRange)];
    }
    const out: Diagnostic[] = [];
    for (const dep of pending.get(k) ?? []) {
      if (!pending.has(dep)) continue;
      depth += 1;
      const d = await recurse(dep, depth);
      out.push(...d);
      if (hasErrors(d)) return [...out, ...d];
    }
    const d = await ev.evaluate(ds);
    out.push(...d);
    if (!hasErrors(d)) pending.delete(k);
    return out;
  };
  for (const k of [...pending.keys()]) {
    if (!pending.has(k)) continue;
    const d = await recurse(k, 0);
    // one diagnostic per summary, as Packer deduplicates them
    const bySummary = new Map<string, Diagnostic>();
    for (const x of d) bySummary.set(x.summary, x);
    diags.push(...bySummary.values());
  }
  return diags;
}

function within(r: { filename: string; start: { byte: number }; end: { byte: number } } | undefined, outer: { filename: string; start: { byte: number }; end: { byte: number } }): boolean {
  return !!r && r.filename === outer.filename && r.start.byte >= outer.start.byte && r.end.byte <= outer.end.byte;
}

export async function initializeDatasources(cfg: PackerConfig, opts: { skipExecution?: boolean; sequential?: boolean } = {}): Promise<void> {
  const ev = cfg.evaluated;
  if (!ev || !cfg.rootBlocks.some((b) => b.type === 'data')) return;
  const ctx = ev.ctx;
  ctx.variables ??= {};
  const parsed = parseLocalBlocks(cfg.rootBlocks, 'packer-1.16');
  const values = new Map<string, LocalValue>();
  const setLocals = (): void => {
    const m = new Map<string, Value>();
    for (const [k, v] of values) m.set(k, v.value);
    ctx.variables!.local = cty.objectVal(m);
  };
  const locals: PrereqLocal[] = [];
  for (const l of parsed.locals) {
    if (!l.expr) continue;
    const expr = l.expr;
    locals.push({
      name: l.name,
      expr,
      evaluate(c) {
        const r = exprValue(expr, c);
        if (!hasErrors(r.diags)) {
          values.set(l.name, { name: l.name, value: r.value, sensitive: l.sensitive, range: l.range });
          setLocals();
        }
        return r.diags;
      },
    });
  }
  // The locals' first evaluation knew no `data`: its diagnostics give way to the graph's.
  const ranges = parsed.locals.map((l) => (l.expr ? exprRange(l.expr) : l.range));
  const kept = ev.initDiags.filter((d) => !ranges.some((r) => within(d.subject, r)));
  values.clear();
  setLocals();
  const r = await evaluateDatasources({
    blocks: cfg.rootBlocks, store: cfg.components.datasources, ctx,
    locals: opts.sequential ? [] : locals, skipExecution: opts.skipExecution, sequential: opts.sequential,
  });
  const diags = [...r.diags];
  if (opts.sequential) {
    for (const l of locals) diags.push(...await l.evaluate(ctx));
  }
  for (const l of parsed.locals) if (!l.expr) values.set(l.name, { name: l.name, value: cty.nullVal(cty.DynamicType), sensitive: l.sensitive, range: l.range });
  setLocals();
  const secrets: string[] = [];
  for (const l of values.values()) if (l.sensitive) secrets.push(...sensitiveStrings(l.value));
  addSecret(...secrets);
  ev.locals = values;
  ev.initDiags = [...kept, ...diags];
}
