// Normalisations, declared as decompositions into registry ops (no kernels of
// their own): the steps and their order follow each op's ONNX function body.

import type { Value } from '../ir/graph.ts';
import { broadcastsTo } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { axisAttr, defineOp, type Emitter, fail, floatAttr, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';

const i64 = (xs: number[]) => makeTensor('int64', [xs.length], xs);

/** ReduceMean with keepdims over `axes`, as an attribute or input depending on the graph's opset. */
export function reduceMean(ctx: NodeCtx, e: Emitter, x: Value, axes: number[]): Value {
  return ctx.opset >= 18 ? e.op('ReduceMean', [x, e.constant(i64(axes))], { keepdims: 1 }) : e.op('ReduceMean', [x], { axes, keepdims: 1 });
}

/** A per-channel [C] parameter reshaped to [C, 1, ..., 1] so it broadcasts over [N, C, ...]. */
export function perChannel(e: Emitter, p: Value, rank: number): Value {
  return e.op('Reshape', [p, e.constant(i64([p.shape[0], ...Array(rank - 2).fill(1)]))]);
}

/** sqrt(variance + epsilon), epsilon from the node's attribute. */
export function stdDev(ctx: NodeCtx, e: Emitter, variance: Value): Value {
  return e.op('Sqrt', [e.op('Add', [variance, e.constant(makeTensor('float32', [], [floatAttr(ctx, 'epsilon')]))])]);
}

/** Mean and centred input over `axes` (kept as size-1 dims), and the variance of the input. */
export function moments(ctx: NodeCtx, e: Emitter, x: Value, axes: number[]): { mean: Value; d: Value; variance: Value } {
  const mean = reduceMean(ctx, e, x, axes);
  const d = e.op('Sub', [x, mean]);
  return { mean, d, variance: reduceMean(ctx, e, e.op('Mul', [d, d]), axes) };
}

/** Output 0 has X's dtype and shape after checking the per-channel parameters. */
function inferPerChannel(ctx: NodeCtx) {
  checkPerChannel(ctx, 1);
  return [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }];
}

const layerAxis = (ctx: NodeCtx) => axisAttr(ctx, input(ctx, 0).shape.length);

export const LayerNormalization = defineOp({
  name: 'LayerNormalization',
  onnx: { opType: 'LayerNormalization', domain: '', opsets: [17, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'Scale', type: 'T' },
    { name: 'B', type: 'T', optional: true },
  ],
  outputs: ['Y', 'Mean', 'InvStdDev'],
  types: { T: ['float32'] },
  attrs: {
    axis: attr.int({ default: -1 }),
    epsilon: attr.float({ default: 1e-5 }),
    stash_type: attr.int({ default: 1, allowed: [1], doc: 'float32 statistics' }),
  },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const a = layerAxis(ctx);
    const stats = x.shape.map((d, i) => (i < a ? d : 1));
    // Y has X's shape: Scale and B broadcast to X one way (a [3, 4] scale must not widen a [3, 1] X).
    for (let i = 1; i < ctx.inputs.length; i++) {
      const p = ctx.inputs[i];
      if (p !== undefined && !broadcastsTo(p.shape, x.shape))
        shapeError(ctx, `input ${i} must broadcast to X's shape [${x.shape}] (unidirectional)`, [x.shape, p.shape]);
    }
    return [
      { dtype: x.dtype, shape: x.shape },
      { dtype: x.dtype, shape: stats },
      { dtype: x.dtype, shape: stats },
    ];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const a = layerAxis(ctx);
      const axes = [...Array(x.shape.length - a).keys()].map((i) => a + i);
      const { mean, d, variance } = moments(ctx, e, x, axes);
      const inv = e.op('Reciprocal', [stdDev(ctx, e, variance)]);
      const scaled = e.op('Mul', [e.op('Mul', [d, inv]), input(ctx, 1)]);
      return [ctx.inputs[2] === undefined ? scaled : e.op('Add', [scaled, input(ctx, 2)]), mean, inv];
    },
  },
  coverage: 'outputs Y, Mean and InvStdDev; ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Reciprocal, Mul, Mul, Add as the ONNX function body',
});

function checkPerChannel(ctx: NodeCtx, from: number): void {
  const x = input(ctx, 0);
  if (x.shape.length < 2) shapeError(ctx, 'X needs rank >= 2 ([N, C, ...])', [x.shape]);
  for (let i = from; i < ctx.inputs.length; i++) {
    const p = ctx.inputs[i];
    if (p !== undefined && (p.shape.length !== 1 || p.shape[0] !== x.shape[1]))
      shapeError(ctx, `input ${i} must have shape [C] = [${x.shape[1]}]`, [x.shape, p.shape]);
  }
}

export const BatchNormalization = defineOp({
  name: 'BatchNormalization',
  onnx: { opType: 'BatchNormalization', domain: '', opsets: [9, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'scale', type: 'T' },
    { name: 'B', type: 'T' },
    { name: 'input_mean', type: 'T' },
    { name: 'input_var', type: 'T' },
  ],
  outputs: ['Y', 'running_mean', 'running_var'],
  types: { T: ['float32'] },
  attrs: {
    epsilon: attr.float({ default: 1e-5 }),
    momentum: attr.float({ default: 0.9, doc: 'training mode: running = input * momentum + batch * (1 - momentum)' }),
    training_mode: attr.int({ default: 0, allowed: [0, 1], doc: '1: normalise with the batch statistics' }),
  },
  // Inference mode has output Y only; training mode adds the updated running statistics.
  infer: (ctx) => {
    const [y] = inferPerChannel(ctx);
    const stats = { dtype: y.dtype, shape: [y.shape[1]] };
    return intAttr(ctx, 'training_mode') === 1 ? [y, stats, stats] : [y];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const r = x.shape.length;
      const [runMean, runVar] = [input(ctx, 3), input(ctx, 4)];
      if (intAttr(ctx, 'training_mode') === 0) {
        const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(e, input(ctx, i), r));
        return [e.op('Add', [e.op('Mul', [e.op('Div', [e.op('Sub', [x, mean]), stdDev(ctx, e, variance)]), scale]), bias])];
      }
      const [scale, bias] = [1, 2].map((i) => perChannel(e, input(ctx, i), r));
      const normalise = (d: Value, variance: Value) => e.op('Add', [e.op('Mul', [e.op('Div', [d, stdDev(ctx, e, variance)]), scale]), bias]);
      // Batch statistics over N and the spatial dims (biased variance, as the ONNX reference).
      const { mean, d, variance } = moments(
        ctx,
        e,
        x,
        [...Array(r).keys()].filter((i) => i !== 1),
      );
      const f32 = (v: number) => e.constant(makeTensor('float32', [], [v]));
      const momentum = floatAttr(ctx, 'momentum');
      const update = (running: Value, batch: Value) =>
        e.op('Add', [e.op('Mul', [running, f32(momentum)]), e.op('Mul', [e.op('Reshape', [batch, e.constant(i64([x.shape[1]]))]), f32(1 - momentum)])]);
      return [normalise(d, variance), update(runMean, mean), update(runVar, variance)];
    },
  },
  coverage:
    'inference: (x - mean) / sqrt(var + eps) * scale + B; training_mode=1: batch mean and biased variance over N and space, running_mean/var = input * momentum + batch * (1 - momentum)',
});

export const InstanceNormalization = defineOp({
  name: 'InstanceNormalization',
  onnx: { opType: 'InstanceNormalization', domain: '', opsets: [6, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T' },
    { name: 'scale', type: 'T' },
    { name: 'B', type: 'T' },
  ],
  outputs: ['output'],
  types: { T: ['float32'] },
  attrs: { epsilon: attr.float({ default: 1e-5 }) },
  infer: inferPerChannel,
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const r = x.shape.length;
      const axes = [...Array(r - 2).keys()].map((i) => i + 2);
      const { d, variance } = moments(ctx, e, x, axes);
      const std = stdDev(ctx, e, variance);
      return [e.op('Add', [e.op('Mul', [e.op('Div', [d, std]), perChannel(e, input(ctx, 1), r)]), perChannel(e, input(ctx, 2), r)])];
    },
  },
  coverage: '(x - mean) / sqrt(var + eps) * scale + B over the spatial dims of each instance and channel',
});

/**
 * LRN: y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta. The
 * window sum is an AveragePool (count_include_pad, so it divides by size) over x^2
 * viewed as [N, 1, C, rest], which gives alpha * average directly.
 */
export const LRN = defineOp({
  name: 'LRN',
  onnx: { opType: 'LRN', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'X', type: 'T' }],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: {
    size: attr.int(),
    alpha: attr.float({ default: 0.0001 }),
    beta: attr.float({ default: 0.75 }),
    bias: attr.float({ default: 1 }),
  },
  infer: (ctx) => {
    const x = input(ctx, 0);
    if (x.shape.length < 3) shapeError(ctx, 'X needs rank >= 3 ([N, C, spatial...])', [x.shape]);
    if (intAttr(ctx, 'size') < 1) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `size=${intAttr(ctx, 'size')}`, 'size >= 1');
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const [n, c] = x.shape;
      const rest = x.shape.slice(2).reduce((a, b) => a * b, 1);
      const size = intAttr(ctx, 'size');
      const f32 = (v: number) => e.constant(makeTensor('float32', [], [v]));
      const sq = e.op('Reshape', [e.op('Mul', [x, x]), e.constant(i64([n, 1, c, rest]))]);
      const avg = e.op('AveragePool', [sq], {
        kernel_shape: [size, 1],
        pads: [Math.floor((size - 1) / 2), 0, Math.ceil((size - 1) / 2), 0],
        count_include_pad: 1,
      });
      const windowSum = e.op('Reshape', [avg, e.constant(i64([...x.shape]))]);
      const scale = e.op('Add', [f32(floatAttr(ctx, 'bias')), e.op('Mul', [f32(floatAttr(ctx, 'alpha')), windowSum])]);
      return [e.op('Div', [x, e.op('Pow', [scale, f32(floatAttr(ctx, 'beta'))])])];
    },
  },
  coverage: 'decomposed: the channel-window sum of squares is an AveragePool over x^2 viewed as [N, 1, C, rest]',
});
