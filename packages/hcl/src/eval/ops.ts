// HCL's operators, as the cty functions hclsyntax implements them with
// (go-cty's stdlib Add, Equal, And, ...): the same parameter types and the
// same unknown, null and mark handling, through the function machinery.

import { BigFloat } from '../cty/number.ts';
import * as T from '../cty/types.ts';
import type { Type } from '../cty/types.ts';
import { boolVal, numberVal, type Value } from '../cty/value.ts';
import { FuncError, makeFunction, type CtyFunction } from '../funcs/function.ts';
import type { BinaryOperator, UnaryOperator } from '../syntax/ast.ts';

export interface Operation {
  readonly impl: CtyFunction;
  /** result type (for the unknown result of a failed operation) */
  readonly type: Type;
}

function numOp(fn: (a: BigFloat, b: BigFloat) => BigFloat, nanMessage: string): Operation {
  return {
    type: T.Number,
    impl: makeFunction({
      params: [
        { name: 'a', type: T.Number, allowDynamicType: true },
        { name: 'b', type: T.Number, allowDynamicType: true },
      ],
      type: () => T.Number,
      impl: (args) => {
        try {
          return numberVal(fn(args[0]!.asBigFloat(), args[1]!.asBigFloat()));
        } catch (e) {
          if (e instanceof RangeError) throw new FuncError(nanMessage);
          throw e;
        }
      },
    }),
  };
}

function cmpOp(test: (c: number) => boolean): Operation {
  return {
    type: T.Bool,
    impl: makeFunction({
      params: [
        { name: 'a', type: T.Number, allowDynamicType: true },
        { name: 'b', type: T.Number, allowDynamicType: true },
      ],
      type: () => T.Bool,
      impl: (args) => boolVal(test(args[0]!.asBigFloat().cmp(args[1]!.asBigFloat()))),
    }),
  };
}

function boolOp(fn: (a: boolean, b: boolean) => boolean): Operation {
  return {
    type: T.Bool,
    impl: makeFunction({
      params: [
        { name: 'a', type: T.Bool, allowDynamicType: true },
        { name: 'b', type: T.Bool, allowDynamicType: true },
      ],
      type: () => T.Bool,
      impl: (args) => boolVal(fn(args[0]!.asBool(), args[1]!.asBool())),
    }),
  };
}

function eqOp(negate: boolean): Operation {
  return {
    type: T.Bool,
    impl: makeFunction({
      params: [
        { name: 'a', type: T.Dynamic, allowUnknown: true, allowDynamicType: true, allowNull: true },
        { name: 'b', type: T.Dynamic, allowUnknown: true, allowDynamicType: true, allowNull: true },
      ],
      type: () => T.Bool,
      impl: (args) => {
        const r = args[0]!.equals(args[1]!);
        if (!negate || !r.isKnown()) return r;
        return boolVal(!r.asBool()).withMarks(r.marks);
      },
    }),
  };
}

/** cty's Modulo: truncated division remainder; x % 0 is x. */
function modulo(a: BigFloat, b: BigFloat): BigFloat {
  if (a.isInf() || b.isInf()) return a.mul(b);
  if (b.isZero()) return a;
  const rat = a.quo(b);
  const trunc = BigFloat.fromBigInt(rat.toBigInt(), Math.max(a.prec, b.prec));
  return a.sub(b.mul(trunc));
}

export const binaryOperations: Readonly<Record<BinaryOperator, Operation>> = {
  '||': boolOp((a, b) => a || b),
  '&&': boolOp((a, b) => a && b),
  '==': eqOp(false),
  '!=': eqOp(true),
  '>': cmpOp((c) => c > 0),
  '>=': cmpOp((c) => c >= 0),
  '<': cmpOp((c) => c < 0),
  '<=': cmpOp((c) => c <= 0),
  '+': numOp((a, b) => a.add(b), "can't compute sum of opposing infinities"),
  '-': numOp((a, b) => a.sub(b), "can't subtract infinity from itself"),
  '*': numOp((a, b) => a.mul(b), "can't multiply zero by infinity"),
  '/': numOp((a, b) => a.quo(b), "can't divide zero by zero or infinity by infinity"),
  '%': numOp(modulo, "can't use modulo with zero and infinity"),
};

export const unaryOperations: Readonly<Record<UnaryOperator, Operation>> = {
  '!': {
    type: T.Bool,
    impl: makeFunction({
      params: [{ name: 'val', type: T.Bool, allowDynamicType: true }],
      type: () => T.Bool,
      impl: (args: Value[]) => boolVal(!args[0]!.asBool()),
    }),
  },
  '-': {
    type: T.Number,
    impl: makeFunction({
      params: [{ name: 'num', type: T.Number, allowDynamicType: true }],
      type: () => T.Number,
      impl: (args: Value[]) => numberVal(args[0]!.asBigFloat().neg_()),
    }),
  },
};
