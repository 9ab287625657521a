// Internal ops (domain 'volta') for gradients that need kernels of their own: the
// weight gradient of Conv, the input gradients of MaxPool and AveragePool, and Gather's
// scatter-add (Conv's input gradient is a ConvTranspose). Gradient rules emit them; ONNX import never sees them.
// Geometry arrives fully resolved (explicit pads, the forward input's shape).
import { numel } from '../ir/shape.ts';
import { attr } from './attr.ts';
import type { WindowGeometry } from './compute.ts';
import { defineOp, input, intAttr, intsAttr, type LowerCtx, type NodeCtx, type OpDef, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';

const internal = (opType: string) => ({ opType, domain: 'volta' as const, opsets: [1, MAX_KNOWN_OPSET] as const });
const ints = (ctx: NodeCtx, name: string) => [...(intsAttr(ctx, name) ?? [])];

const geometryAttrs = {
  kernel_shape: attr.ints(),
  strides: attr.ints(),
  dilations: attr.ints(),
  pads: attr.ints({ doc: 'begin values, then end values' }),
};

/** Window geometry from X's shape [N, C, in...] and dY's [N, M, out...]. */
function geometry(ctx: NodeCtx, xShape: readonly number[], dyShape: readonly number[], kernel: number[], group: number): WindowGeometry {
  const r = xShape.length - 2;
  const pads = ints(ctx, 'pads');
  const strides = ints(ctx, 'strides');
  const dilations = ints(ctx, 'dilations');
  if (r < 1 || dyShape.length !== r + 2 || kernel.length !== r || strides.length !== r || dilations.length !== r || pads.length !== 2 * r) {
    shapeError(ctx, 'geometry does not match the ranks', [xShape, dyShape]);
  }
  return {
    n: xShape[0],
    c: xShape[1],
    m: dyShape[1],
    group,
    inSpatial: xShape.slice(2),
    outSpatial: dyShape.slice(2),
    kernel,
    strides,
    dilations,
    padsBegin: pads.slice(0, r),
    padsEnd: pads.slice(r),
    countIncludePad: ctx.attrs.count_include_pad === 1,
  };
}

const ref = (v: { id: string; dtype: 'float32' | 'int64' | 'int32' | 'bool' }) => ({ buf: v.id, dtype: v.dtype });
const base = (ctx: LowerCtx, name: string) => ({ name, ops: [ctx.node.op], nodes: [ctx.node.name] });

/** dW of Conv from (X, dY). */
export const ConvWeightGrad = defineOp({
  name: 'ConvWeightGrad',
  onnx: internal('ConvWeightGrad'),
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'dY', type: 'T' },
  ],
  outputs: ['dW'],
  types: { T: ['float32'] },
  attrs: { ...geometryAttrs, group: attr.int({ default: 1 }) },
  infer: (ctx) => {
    const [x, dy] = [input(ctx, 0), input(ctx, 1)];
    return [{ dtype: 'float32', shape: [dy.shape[1], x.shape[1] / intAttr(ctx, 'group'), ...ints(ctx, 'kernel_shape')] }];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx) => {
      const [x, dy] = [input(ctx, 0), input(ctx, 1)];
      const g = geometry(ctx, x.shape, dy.shape, ints(ctx, 'kernel_shape'), intAttr(ctx, 'group'));
      return { kind: 'conv_weight_grad', ...base(ctx, 'conv_weight_grad'), ...g, input: ref(x), dy: ref(dy), out: ref(ctx.outputs[0]) };
    },
  },
  coverage: 'internal: the weight gradient of Conv',
});

/** dX of MaxPool from (X, dY): each window's gradient goes to its first maximum. */
export const MaxPoolGrad = defineOp({
  name: 'MaxPoolGrad',
  onnx: internal('MaxPoolGrad'),
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'dY', type: 'T' },
  ],
  outputs: ['dX'],
  types: { T: ['float32'] },
  attrs: geometryAttrs,
  infer: (ctx) => [{ dtype: 'float32', shape: input(ctx, 0).shape }],
  lowering: {
    kind: 'kernel',
    compute: (ctx) => {
      const [x, dy] = [input(ctx, 0), input(ctx, 1)];
      const g = geometry(ctx, x.shape, dy.shape, ints(ctx, 'kernel_shape'), 1);
      return { kind: 'window_grad', ...base(ctx, 'maxpool_grad'), ...g, mode: 'max', dy: ref(dy), input: ref(x), out: ref(ctx.outputs[0]) };
    },
  },
  coverage: 'internal: the input gradient of MaxPool',
});

/** dX of AveragePool from dY: X's shape is the input_shape attribute. */
export const AveragePoolGrad = defineOp({
  name: 'AveragePoolGrad',
  onnx: internal('AveragePoolGrad'),
  inputs: [{ name: 'dY', type: 'T' }],
  outputs: ['dX'],
  types: { T: ['float32'] },
  attrs: { ...geometryAttrs, input_shape: attr.ints(), count_include_pad: attr.int({ default: 0, allowed: [0, 1] }) },
  infer: (ctx) => [{ dtype: 'float32', shape: ints(ctx, 'input_shape') }],
  lowering: {
    kind: 'kernel',
    compute: (ctx) => {
      const dy = input(ctx, 0);
      const g = geometry(ctx, ints(ctx, 'input_shape'), dy.shape, ints(ctx, 'kernel_shape'), 1);
      return { kind: 'window_grad', ...base(ctx, 'averagepool_grad'), ...g, mode: 'avg', dy: ref(dy), out: ref(ctx.outputs[0]) };
    },
  },
  coverage: 'internal: the input gradient of AveragePool',
});

/** Gather's data gradient: dY rows added into an [outer, axis_size, inner] zero tensor in index order. */
export const GatherGrad = defineOp({
  name: 'GatherGrad',
  onnx: internal('GatherGrad'),
  inputs: [
    { name: 'dY', type: 'T' },
    { name: 'indices', type: 'Tind' },
  ],
  outputs: ['dData'],
  types: { T: ['float32'], Tind: ['int32', 'int64'] },
  attrs: { axis: attr.int(), axis_size: attr.int() },
  infer: (ctx) => {
    const [dy, idx] = [input(ctx, 0), input(ctx, 1)];
    const a = intAttr(ctx, 'axis');
    if (a < 0 || a + idx.shape.length > dy.shape.length) shapeError(ctx, `axis ${a} does not fit`, [dy.shape, idx.shape]);
    return [{ dtype: 'float32', shape: [...dy.shape.slice(0, a), intAttr(ctx, 'axis_size'), ...dy.shape.slice(a + idx.shape.length)] }];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx) => {
      const [dy, idx] = [input(ctx, 0), input(ctx, 1)];
      const a = intAttr(ctx, 'axis');
      return {
        kind: 'scatter_add',
        ...base(ctx, 'gather_grad'),
        outer: numel(dy.shape.slice(0, a)),
        axis: intAttr(ctx, 'axis_size'),
        inner: numel(dy.shape.slice(a + idx.shape.length)),
        count: numel(idx.shape),
        updates: ref(dy),
        indices: ref(idx),
        out: ref(ctx.outputs[0]),
      };
    },
  },
  coverage: 'internal: the data gradient of Gather (a scatter-add in index order, no atomics)',
});

export const GRAD_KERNEL_OPS: readonly OpDef[] = [AveragePoolGrad, ConvWeightGrad, GatherGrad, MaxPoolGrad];
