// GroupNormalization, MeanVarianceNormalization, LpNormalization and GlobalLpPool, as
// decompositions into registry ops following each op's ONNX function body.
import type { Value } from '../ir/graph.ts';
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { axisAttr, defineOp, type Emitter, fail, input, intAttr, intsAttr, type NodeCtx, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';
import { GradBuilder } from './grad.ts';
import { moments, perChannel, reduceMean, stdDev } from './norm.ts';
import { view } from './views.ts';
import { globalPoolShape, spatialAxes } from './window.ts';

const f32 = (e: Emitter, v: number) => e.constant(makeTensor('float32', [], [v]));

function groups(ctx: NodeCtx): number {
  const x = input(ctx, 0);
  if (x.shape.length < 2) shapeError(ctx, 'X needs rank >= 2 ([N, C, ...])', [x.shape]);
  const g = intAttr(ctx, 'num_groups');
  if (g < 1 || x.shape[1] % g !== 0) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `num_groups=${g} for ${x.shape[1]} channels`, 'a divisor of C');
  // Opset 18 scales per group, opset 21 per channel.
  const want = ctx.opset >= 21 ? x.shape[1] : g;
  for (const i of [1, 2]) {
    const p = input(ctx, i);
    if (p.shape.length !== 1 || p.shape[0] !== want) shapeError(ctx, `input ${i} must have shape [${want}] (opset ${ctx.opset})`, [x.shape, p.shape]);
  }
  return g;
}

export const GroupNormalization = defineOp({
  name: 'GroupNormalization',
  onnx: { opType: 'GroupNormalization', domain: '', opsets: [18, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'scale', type: 'T' },
    { name: 'bias', type: 'T' },
  ],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: {
    epsilon: attr.float({ default: 1e-5 }),
    num_groups: attr.int(),
    stash_type: attr.int({ default: 1, allowed: [1], doc: 'opset 21: float32 statistics' }),
  },
  infer: (ctx) => {
    groups(ctx);
    return [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const g = groups(ctx);
      const n = x.shape[0];
      const per = x.shape.slice(1).reduce((a, b) => a * b, 1) / g;
      const { d, variance } = moments(ctx, e, view(e, x, [n, g, per]), [2]);
      const normed = e.op('Div', [d, stdDev(ctx, e, variance)]);
      if (ctx.opset >= 21) {
        const y = view(e, normed, x.shape);
        const r = x.shape.length;
        return [e.op('Add', [e.op('Mul', [y, perChannel(e, input(ctx, 1), r)]), perChannel(e, input(ctx, 2), r)])];
      }
      const [scale, bias] = [1, 2].map((i) => view(e, input(ctx, i), [g, 1]));
      return [view(e, e.op('Add', [e.op('Mul', [normed, scale]), bias]), x.shape)];
    },
  },
  coverage:
    'mean and biased variance over each group of C / num_groups channels and the spatial dims, (x - mean) / sqrt(var + epsilon); opset 18: scale and bias per group, opset 21: per channel',
});

export const MeanVarianceNormalization = defineOp({
  name: 'MeanVarianceNormalization',
  onnx: { opType: 'MeanVarianceNormalization', domain: '', opsets: [9, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'X', type: 'T' }],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: { axes: attr.ints({ default: [0, 2, 3] }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    axesOf(ctx);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const axes = axesOf(ctx);
      const mean = reduceMean(ctx, e, x, axes);
      const variance = e.op('Sub', [reduceMean(ctx, e, e.op('Mul', [x, x]), axes), e.op('Mul', [mean, mean])]);
      return [e.op('Div', [e.op('Sub', [x, mean]), e.op('Add', [e.op('Sqrt', [variance]), f32(e, 1e-9)])])];
    },
  },
  coverage: '(x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over axes, as the ONNX function body',
});

function axesOf(ctx: NodeCtx): number[] {
  const r = input(ctx, 0).shape.length;
  const axes = (intsAttr(ctx, 'axes') ?? []).map((a) => (a < 0 ? a + r : a));
  if (axes.some((a) => a < 0 || a >= r) || new Set(axes).size !== axes.length)
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axes [${intsAttr(ctx, 'axes')}] for rank ${r}`, `distinct axes in -${r}..${r - 1}`);
  return axes.sort((a, b) => a - b);
}

/** The L1 or L2 norm over `axes`, kept as size-1 dims. */
function norm(ctx: NodeCtx, e: Emitter, x: Value, axes: number[], p: number): Value {
  const b = new GradBuilder(e, ctx.opset);
  if (p === 1) return b.reduceSum(e.op('Abs', [x]), axes, true);
  if (p === 2) return e.op('Sqrt', [b.reduceSum(e.op('Mul', [x, x]), axes, true)]);
  const sum = b.reduceSum(e.op('Pow', [e.op('Abs', [x]), f32(e, p)]), axes, true);
  return e.op('Pow', [sum, f32(e, 1 / p)]);
}

export const LpNormalization = defineOp({
  name: 'LpNormalization',
  onnx: { opType: 'LpNormalization', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T' }],
  outputs: ['output'],
  types: { T: ['float32'] },
  attrs: { axis: attr.int({ default: -1 }), p: attr.int({ default: 2, allowed: [1, 2] }) },
  infer: (ctx) => {
    axisAttr(ctx, input(ctx, 0).shape.length);
    return [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const n = norm(ctx, e, x, [axisAttr(ctx, x.shape.length)], intAttr(ctx, 'p'));
      // A zero norm gives 0, as onnxruntime (not 0 / 0).
      const isZero = e.op('Equal', [n, f32(e, 0)]);
      return [e.op('Where', [isZero, f32(e, 0), e.op('Div', [x, n])])];
    },
  },
  coverage: 'x / ||x||_p along axis (p = 1: sum |x|; p = 2: sqrt of the sum of x^2); a zero norm gives 0, as onnxruntime',
});

export const GlobalLpPool = defineOp({
  name: 'GlobalLpPool',
  onnx: { opType: 'GlobalLpPool', domain: '', opsets: [2, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'X', type: 'T' }],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: { p: attr.int({ default: 2 }) },
  infer: (ctx) => {
    const y = globalPoolShape(ctx);
    if (intAttr(ctx, 'p') < 1) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `p=${intAttr(ctx, 'p')}`, 'p >= 1');
    return [y];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      return [norm(ctx, e, x, spatialAxes(x.shape), intAttr(ctx, 'p'))];
    },
  },
  coverage:
    '(sum over the spatial dims of |x|^p)^(1/p), kept as size-1 dims: p = 1 a sum of |x|, p = 2 sqrt of the sum of x^2, other p through Pow (exp/log, within 1e-3)',
});
