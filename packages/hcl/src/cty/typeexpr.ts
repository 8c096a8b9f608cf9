// Type-constraint expressions as hashicorp/hcl's ext/typeexpr reads them:
// `string`, `list(string)`, `map(number)`, `object({a=string})`,
// `tuple([...])`, `any` and `optional(T[, default])`. The expression is
// given as a small structural tree so that any parser can feed it.
import type { Diagnostic } from '../diag.ts';
import type { Range } from '../range.ts';
import { convert } from './convert.ts';
import * as T from './types.ts';
import type { Type } from './types.ts';
import { CtyError, type Value } from './value.ts';

export type TypeExprNode =
  /** a bare keyword: `string`, `any`, `list` */
  | { kind: 'ident'; name: string; range?: Range }
  /** a function-call form: `list(string)`, `optional(number, 1)` */
  | { kind: 'call'; name: string; args: TypeExprNode[]; range?: Range; nameRange?: Range; argsRange?: Range }
  /** an object constructor `{ a = string }`; key undefined when it is not a bare name */
  | { kind: 'object'; items: Array<{ key: string | undefined; keyRange?: Range; value: TypeExprNode }>; range?: Range }
  /** a tuple constructor `[string, number]` */
  | { kind: 'tuple'; items: TypeExprNode[]; range?: Range }
  /** an already-evaluated value (only meaningful as optional()'s default) */
  | { kind: 'value'; value: Value | undefined; range?: Range; diags?: Diagnostic[] }
  /** anything else */
  | { kind: 'other'; range?: Range };

/** Defaults for optional attributes, as typeexpr.Defaults. */
export interface TypeDefaults {
  type: Type;
  /** attribute -> default value (already converted to the attribute type) */
  defaultValues: Record<string, Value>;
  /** nested defaults: attribute name, or "" for a collection's element type */
  children: Record<string, TypeDefaults>;
}

export interface TypeExprOptions {
  /** type constraint (allows `any` and `optional`), as TypeConstraint; false is an exact Type */
  constraint?: boolean;
  /** allow optional()'s second argument, as TypeConstraintWithDefaults */
  withDefaults?: boolean;
}

export interface TypeExprResult {
  type: Type;
  defaults?: TypeDefaults;
  diags: Diagnostic[];
}

const SUMMARY = 'Invalid type specification';

function diag(detail: string, subject?: Range, context?: Range, summary = SUMMARY): Diagnostic {
  const d: Diagnostic = { severity: 'error', summary, detail };
  if (subject) d.subject = subject;
  if (context) d.context = context;
  return d;
}

/** Reads a type expression; Packer 1.6.6 reads variable types as exact types
 * (`{constraint:false}`), Packer 1.16 as constraints with defaults. */
export function typeFromConstraint(node: TypeExprNode, opts: TypeExprOptions = {}): TypeExprResult {
  const diags: Diagnostic[] = [];
  const r = getType(node, opts.constraint ?? true, opts.withDefaults ?? false, diags);
  return { type: r.type, defaults: r.defaults, diags };
}

interface Got {
  type: Type;
  defaults?: TypeDefaults;
}

function getType(node: TypeExprNode, constraint: boolean, withDefaults: boolean, diags: Diagnostic[]): Got {
  const dyn: Got = { type: T.Dynamic };
  if (node.kind === 'ident') {
    const kw = node.name;
    switch (kw) {
      case 'bool':
        return { type: T.Bool };
      case 'string':
        return { type: T.String };
      case 'number':
        return { type: T.Number };
      case 'any':
        if (!constraint) diags.push(diag(`The keyword "any" cannot be used in this type specification: an exact type is required.`, node.range));
        return dyn;
      case 'list':
      case 'map':
      case 'set':
        diags.push(diag(`The ${kw} type constructor requires one argument specifying the element type.`, node.range));
        return dyn;
      case 'object':
        diags.push(diag('The object type constructor requires one argument specifying the attribute types and values as a map.', node.range));
        return dyn;
      case 'tuple':
        diags.push(diag('The tuple type constructor requires one argument specifying the element types as a list.', node.range));
        return dyn;
      default:
        diags.push(diag(`The keyword ${JSON.stringify(kw)} is not a valid type specification.`, node.range));
        return dyn;
    }
  }
  if (node.kind !== 'call') {
    diags.push(
      diag(
        'A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).',
        node.range,
      ),
    );
    return dyn;
  }
  const call = node;
  switch (call.name) {
    case 'bool':
    case 'string':
    case 'number':
      diags.push(diag(`Primitive type keyword ${JSON.stringify(call.name)} does not expect arguments.`, call.range));
      return dyn;
    case 'any':
      diags.push(diag(`Type constraint keyword ${JSON.stringify(call.name)} does not expect arguments.`, call.range));
      return dyn;
  }
  if (call.args.length !== 1) {
    const ctx = call.args.length > 0 ? call.argsRange : call.range;
    switch (call.name) {
      case 'list':
      case 'set':
      case 'map':
        diags.push(diag(`The ${call.name} type constructor requires one argument specifying the element type.`, call.argsRange ?? call.range, ctx));
        return dyn;
      case 'object':
        diags.push(diag('The object type constructor requires one argument specifying the attribute types and values as a map.', call.argsRange ?? call.range, ctx));
        return dyn;
      case 'tuple':
        diags.push(diag('The tuple type constructor requires one argument specifying the element types as a list.', call.argsRange ?? call.range, ctx));
        return dyn;
    }
  }
  switch (call.name) {
    case 'list':
    case 'set':
    case 'map': {
      const e = getType(call.args[0], constraint, withDefaults, diags);
      const ty = call.name === 'list' ? T.List(e.type) : call.name === 'set' ? T.Set(e.type) : T.Map(e.type);
      return { type: ty, defaults: e.defaults ? { type: ty, defaultValues: {}, children: { '': e.defaults } } : undefined };
    }
    case 'object': {
      const arg = call.args[0];
      if (arg.kind !== 'object') {
        diags.push(diag('Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.', arg.range, call.range));
        return dyn;
      }
      const atys: Record<string, Type> = {};
      const optional: string[] = [];
      const defaultValues: Record<string, Value> = {};
      const children: Record<string, TypeDefaults> = {};
      for (const item of arg.items) {
        const name = item.key;
        if (name === undefined) {
          diags.push(diag('Object constructor map keys must be attribute names.', item.keyRange, call.range));
          continue;
        }
        if (name in atys) {
          diags.push(diag('Object constructor map keys must be unique.', item.keyRange, call.range));
          continue;
        }
        let aty = item.value;
        let defaultNode: TypeExprNode | undefined;
        if (aty.kind === 'call' && aty.name === 'optional') {
          const oc = aty;
          if (oc.args.length < 1) {
            diags.push(diag('Optional attribute modifier requires the attribute type as its argument.', oc.argsRange ?? oc.range, oc.range));
            continue;
          }
          if (constraint) {
            if (withDefaults) {
              if (oc.args.length === 2) {
                defaultNode = oc.args[1];
                if (defaultNode.kind === 'value' && defaultNode.diags?.length) diags.push(...defaultNode.diags);
                if (defaultNode.kind === 'value' && defaultNode.value) {
                  optional.push(name);
                  defaultValues[name] = defaultNode.value;
                } else if (defaultNode.kind !== 'value') {
                  diags.push(diag('The default value must be a constant expression.', defaultNode.range, oc.range));
                }
              } else if (oc.args.length === 1) optional.push(name);
              else diags.push(diag('Optional attribute modifier expects at most two arguments: the attribute type, and a default value.', oc.argsRange ?? oc.range, oc.range));
            } else if (oc.args.length === 1) optional.push(name);
            else diags.push(diag('Optional attribute modifier expects only one argument: the attribute type.', oc.argsRange ?? oc.range, oc.range));
          } else {
            diags.push(diag('Optional attribute modifier is only for type constraints, not for exact types.', oc.nameRange ?? oc.range, oc.range));
          }
          aty = oc.args[0];
        }
        const got = getType(aty, constraint, withDefaults, diags);
        atys[name] = got.type;
        if (name in defaultValues) {
          try {
            defaultValues[name] = convert(defaultValues[name], got.type);
          } catch (e) {
            if (!(e instanceof CtyError)) throw e;
            diags.push(
              diag(`This default value is not compatible with the attribute's type constraint: ${e.message}.`, defaultNode?.range, undefined, 'Invalid default value for optional attribute'),
            );
            delete defaultValues[name];
          }
        }
        if (got.defaults) children[name] = got.defaults;
      }
      const ty = T.Object_(atys, optional);
      const has = Object.keys(defaultValues).length > 0 || Object.keys(children).length > 0;
      return { type: ty, defaults: has ? { type: ty, defaultValues, children } : undefined };
    }
    case 'tuple': {
      const arg = call.args[0];
      if (arg.kind !== 'tuple') {
        diags.push(diag('Tuple type constructor requires a list of element types.', arg.range, call.range));
        return dyn;
      }
      const etys: Type[] = [];
      const children: Record<string, TypeDefaults> = {};
      arg.items.forEach((it, i) => {
        const g = getType(it, constraint, withDefaults, diags);
        etys.push(g.type);
        if (g.defaults) children[String(i)] = g.defaults;
      });
      const ty = T.Tuple(etys);
      return { type: ty, defaults: Object.keys(children).length ? { type: ty, defaultValues: {}, children } : undefined };
    }
    case 'optional':
      diags.push(diag(`Keyword "optional" is valid only as a modifier for object type attributes.`, call.range));
      return dyn;
    default:
      diags.push(diag(`Keyword ${JSON.stringify(call.name)} is not a valid type constructor.`, call.range));
      return dyn;
  }
}

/** typeexpr.Defaults.Apply: fills null optional attributes with their
 * defaults, recursively (call before converting to the constraint type). */
export function applyDefaults(d: TypeDefaults | undefined, v: Value): Value {
  if (!d || !v.isKnown() || v.isNull()) return v;
  const t = v.type;
  if (t.kind === 'object') {
    const m = new Map<string, Value>();
    for (const [k, e] of v.entries()) m.set(k, e);
    if (d.type.kind === 'object') {
      for (const [k, dv] of Object.entries(d.defaultValues)) {
        const cur = m.get(k);
        if (cur === undefined || cur.isNull()) m.set(k, dv);
      }
    }
    for (const [k, child] of Object.entries(d.children)) {
      const cur = m.get(k);
      if (cur !== undefined) m.set(k, applyDefaults(child, cur));
      if (k === '' ) for (const [kk, e] of m) m.set(kk, applyDefaults(child, e));
    }
    return objectVal(m);
  }
  if (t.kind === 'map' || t.kind === 'list' || t.kind === 'set' || t.kind === 'tuple') {
    const child = d.children[''];
    const items = v.elements().map(([k, e], i) => [k, applyDefaults(child ?? d.children[String(i)], e)] as const);
    if (t.kind === 'map') return mapOf(new Map(items.map(([k, e]) => [k.asString(), e])));
    const vals = items.map(([, e]) => e);
    if (vals.length === 0) return v;
    // element types may now differ; keep the structure as a tuple and let conversion unify
    return tupleVal(vals);
  }
  return v;
}
import { objectVal, tupleVal } from './value.ts';
function mapOf(m: Map<string, Value>): Value {
  return objectVal(m);
}
