// cty's Type.TestConformance: whether a value's type fits a wanted type
// exactly (dynamic matching anything), with the first problem's words.
import * as T from './types.ts';
import type { Type } from './types.ts';

/** Conformance check (cty Type.TestConformance): the first problem or undefined. */
export function testConformanceMessage(got: Type, want: Type): string | undefined {
  if (want.kind === 'dynamic') return undefined;
  if (got.kind === 'dynamic') return undefined;
  if (got.kind !== want.kind) return `${T.friendlyNameForConstraint(want)} required`;
  switch (want.kind) {
    case 'list':
    case 'set':
    case 'map': {
      const e = testConformanceMessage((got as T.ListType).elem, want.elem);
      return e;
    }
    case 'tuple': {
      const g = got as T.TupleType;
      if (g.elems.length !== want.elems.length) return `tuple required`;
      for (let i = 0; i < g.elems.length; i++) {
        const e = testConformanceMessage(g.elems[i], want.elems[i]);
        if (e) return e;
      }
      return undefined;
    }
    case 'object': {
      const g = got as T.ObjectType;
      for (const k of Object.keys(want.attrs)) {
        if (!(k in g.attrs)) return `attribute ${JSON.stringify(k)} is required`;
        const e = testConformanceMessage(g.attrs[k], want.attrs[k]);
        if (e) return e;
      }
      for (const k of Object.keys(g.attrs)) if (!(k in want.attrs)) return `unsupported attribute ${JSON.stringify(k)}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

