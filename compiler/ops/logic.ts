// Boolean logic (And, Or, Xor, Not) and the float classifiers IsNaN and IsInf:
// elementwise ops with bool results, each one scalar expression.
import type { DType } from '../ir/dtype.ts';
import { attr } from './attr.ts';
import { defineOp, input, intAttr, type OpDef } from './define.ts';
import { inferBroadcast, MAX_KNOWN_OPSET } from './elementwise.ts';
import { type Expr, eq, lit, select } from './expr.ts';

const T = lit(1, 'bool');
const F = lit(0, 'bool');

function logicOp(name: string, f: (a: Expr, b: Expr) => Expr, note: string): OpDef {
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [7, MAX_KNOWN_OPSET] },
    inputs: [
      { name: 'A', type: 'T' },
      { name: 'B', type: 'T' },
    ],
    outputs: ['C'],
    types: { T: ['bool'] },
    attrs: {},
    infer: inferBroadcast,
    lowering: { kind: 'elementwise', scalar: (args) => f(args[0] as Expr, args[1] as Expr) },
    coverage: `numpy broadcasting (opset 7+); ${note}`,
  });
}

export const And = logicOp('And', (a, b) => select(a, b, F), 'a ? b : false');
export const Or = logicOp('Or', (a, b) => select(a, T, b), 'a ? true : b');
export const Xor = logicOp('Xor', (a, b) => select(eq(a, b), F, T), 'a != b');

export const Not = defineOp({
  name: 'Not',
  onnx: { opType: 'Not', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'X', type: 'T' }],
  outputs: ['Y'],
  types: { T: ['bool'] },
  attrs: {},
  infer: (ctx) => [{ dtype: 'bool' as DType, shape: input(ctx, 0).shape }],
  lowering: { kind: 'elementwise', scalar: (args) => select(args[0] as Expr, F, T) },
  coverage: 'x ? false : true',
});

export const IsNaN = defineOp({
  name: 'IsNaN',
  onnx: { opType: 'IsNaN', domain: '', opsets: [9, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'X', type: 'T1' }],
  outputs: ['Y'],
  types: { T1: ['float32'] },
  attrs: {},
  infer: (ctx) => [{ dtype: 'bool' as DType, shape: input(ctx, 0).shape }],
  // x == x is false exactly for NaN (any payload or sign).
  lowering: { kind: 'elementwise', scalar: (args) => select(eq(args[0] as Expr, args[0] as Expr), F, T) },
  coverage: 'true for every NaN payload and sign (x != x)',
});

export const IsInf = defineOp({
  name: 'IsInf',
  onnx: { opType: 'IsInf', domain: '', opsets: [10, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'X', type: 'T1' }],
  outputs: ['Y'],
  types: { T1: ['float32'] },
  attrs: {
    detect_negative: attr.int({ default: 1, allowed: [0, 1] }),
    detect_positive: attr.int({ default: 1, allowed: [0, 1] }),
  },
  infer: (ctx) => [{ dtype: 'bool' as DType, shape: input(ctx, 0).shape }],
  lowering: {
    kind: 'elementwise',
    scalar: (args, ctx) => {
      const x = args[0] as Expr;
      const pos = intAttr(ctx, 'detect_positive') === 1 ? eq(x, lit(Infinity, 'float32')) : F;
      return intAttr(ctx, 'detect_negative') === 1 ? select(eq(x, lit(-Infinity, 'float32')), T, pos) : pos;
    },
  },
  coverage: 'detect_positive / detect_negative select +inf / -inf; NaN is false',
});
