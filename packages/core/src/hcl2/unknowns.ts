/**
 * Unknown values made known for a component's Prepare/Configure (Packer's
 * hcl2shim.WriteUnknownPlaceholderValues): `validate` leaves what is computed later (datasource
 * results without -evaluate-datasources, build.*, source.*) unknown, but an unknown value cannot
 * cross the plugin boundary, so each becomes a placeholder of its type: "<unknown>", 0, false, an
 * empty collection or object. Known parts are kept; marks (sensitive) go with the values.
 *
 * Public API
 *   writeUnknownPlaceholders(v): cty.Value
 */
import { cty } from '@packer-ts/hcl';

type Value = cty.Value;

export function writeUnknownPlaceholders(v: Value): Value {
  if (v.isNull()) return v;
  const t = v.type;
  const known = v.isKnown();
  switch (t.kind) {
    case 'string': return known ? v : cty.stringVal('<unknown>');
    case 'number': return known ? v : cty.numberIntVal(0);
    case 'bool': return known ? v : cty.False;
    case 'dynamic': return known ? v : cty.nullVal(cty.DynamicType);
    case 'list': case 'set': {
      const items = known ? (v.raw as readonly Value[]).map(writeUnknownPlaceholders) : [];
      if (items.length === 0) return t.kind === 'list' ? cty.listValEmpty(t.elem) : cty.setValEmpty(t.elem);
      return t.kind === 'list' ? cty.listVal(items) : cty.setVal(items);
    }
    case 'tuple': {
      const items = known ? (v.raw as readonly Value[]).map(writeUnknownPlaceholders) : [];
      return items.length === 0 ? cty.EmptyTupleVal : cty.tupleVal(items);
    }
    case 'map': case 'object': {
      const out = new Map<string, Value>();
      if (known) for (const [k, x] of v.raw as ReadonlyMap<string, Value>) out.set(k, writeUnknownPlaceholders(x));
      if (out.size === 0) return t.kind === 'map' ? cty.mapValEmpty(t.elem) : cty.EmptyObjectVal;
      return t.kind === 'map' ? cty.mapVal(out) : cty.objectVal(out);
    }
  }
}
