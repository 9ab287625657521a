// Comparisons (bool results), Where and PRelu: elementwise ops with broadcasting
// whose output dtype is not simply their first input's.
import type { DType } from '../ir/dtype.ts';
import { broadcastsTo } from '../ir/shape.ts';
import { defineOp, input, type OpDef, shapeError } from './define.ts';
import { inferBroadcast, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { type Expr, eq, ge, gt, le, lit, lt, mul, select } from './expr.ts';
import { broadcastGrad } from './grad.ts';

function compareOp(name: string, since: number, f: (a: Expr, b: Expr) => Expr): OpDef {
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [since, MAX_KNOWN_OPSET] },
    inputs: [
      { name: 'A', type: 'T' },
      { name: 'B', type: 'T' },
    ],
    outputs: ['C'],
    types: { T: name === 'Equal' ? ['bool', ...NUMERIC] : NUMERIC },
    attrs: {},
    infer: (ctx) => [{ dtype: 'bool' as DType, shape: inferBroadcast(ctx)[0].shape }],
    lowering: { kind: 'elementwise', scalar: (args) => f(args[0] as Expr, args[1] as Expr) },
    coverage: 'numpy broadcasting; NaN compares false (Equal included)',
  });
}

export const Less = compareOp('Less', 7, lt);
export const LessOrEqual = compareOp('LessOrEqual', 12, le);
export const Greater = compareOp('Greater', 7, gt);
export const GreaterOrEqual = compareOp('GreaterOrEqual', 12, ge);
export const Equal = compareOp('Equal', 7, eq);

export const Where = defineOp({
  name: 'Where',
  onnx: { opType: 'Where', domain: '', opsets: [9, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'condition', type: 'B' },
    { name: 'X', type: 'T' },
    { name: 'Y', type: 'T' },
  ],
  outputs: ['output'],
  types: { B: ['bool'], T: ['bool', 'float32', 'int32', 'int64'] },
  attrs: {},
  infer: (ctx) => [{ dtype: input(ctx, 1).dtype, shape: inferBroadcast(ctx)[0].shape }],
  lowering: { kind: 'elementwise', scalar: (args) => select(args[0] as Expr, args[1] as Expr, args[2] as Expr) },
  // The condition routes dY to X where true, to Y where false.
  grad: broadcastGrad((b, i, dy, ctx) => {
    if (i === 0) return undefined;
    const zero = b.f32(0);
    return i === 1 ? b.where(ctx.inputs[0]!, dy, zero) : b.where(ctx.inputs[0]!, zero, dy);
  }),
  coverage: 'numpy broadcasting over all three inputs',
});

export const PRelu = defineOp({
  name: 'PRelu',
  onnx: { opType: 'PRelu', domain: '', opsets: [7, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'slope', type: 'T' },
  ],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: {},
  infer: (ctx) => {
    const x = input(ctx, 0);
    const s = input(ctx, 1);
    if (!broadcastsTo(s.shape, x.shape)) shapeError(ctx, 'slope must broadcast to X (unidirectional)', [x.shape, s.shape]);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'elementwise',
    scalar: (args) => {
      const [x, slope] = args as Expr[];
      return select(lt(x, lit(0, x.dtype)), mul(slope, x), x);
    },
  },
  grad: broadcastGrad((b, i, dy, ctx) => {
    const [x, slope] = [ctx.inputs[0]!, ctx.inputs[1]!];
    const neg = b.less(x, b.f32(0));
    return i === 0 ? b.where(neg, b.mul(dy, slope), dy) : b.where(neg, b.mul(dy, x), b.f32(0));
  }),
  coverage: 'slope broadcast to X; x if x >= 0 else slope * x',
});
