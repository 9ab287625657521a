// Conv, MaxPool, AveragePool (one window compute kind, see WindowCompute) and the
// global pools (decomposed into ReduceMean / ReduceMax over the spatial dims).

import type { DType } from '../ir/dtype.ts';
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import type { WindowCompute } from './compute.ts';
import { defineOp, fail, input, intAttr, intsAttr, type LowerCtx, type NodeCtx, type OpDef, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';
import { arg } from './expr.ts';
import { GradBuilder } from './grad.ts';

/** The resolved geometry attributes of the gradient ops (compiler/ops/grad_kernels.ts). */
const gradAttrs = (g: Geometry) => ({ kernel_shape: g.kernel, strides: g.strides, dilations: g.dilations, pads: [...g.padsBegin, ...g.padsEnd] });

const AUTO_PAD = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

interface Geometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  outSpatial: number[];
}

/** Output size and padding per spatial dim, as the ONNX reference computes them. */
function geometry(ctx: NodeCtx, kernel: number[], ceilMode: boolean): Geometry {
  const x = input(ctx, 0);
  if (x.shape.length < 3) shapeError(ctx, 'input needs rank >= 3 ([N, C, spatial...])', [x.shape]);
  const inSp = x.shape.slice(2);
  const r = inSp.length;
  const list = (name: string, dflt: number) => {
    const v = intsAttr(ctx, name) ?? Array(r).fill(dflt);
    if (v.length !== r || v.some((e) => !(e >= 1))) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `${name}=[${v.join(',')}]`, `${r} positive values`);
    return [...v];
  };
  if (kernel.length !== r || kernel.some((k) => !(k >= 1))) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `kernel_shape=[${kernel.join(',')}]`, `${r} positive values`);
  const strides = list('strides', 1);
  const dilations = list('dilations', 1);
  const pads = intsAttr(ctx, 'pads') ?? Array(2 * r).fill(0);
  if (pads.length !== 2 * r || pads.some((p) => p < 0)) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `pads=[${pads.join(',')}]`, `${2 * r} non-negative values`);
  const autoPad = ctx.attrs.auto_pad as string;
  const padsBegin: number[] = [];
  const padsEnd: number[] = [];
  const outSpatial = inSp.map((n, i) => {
    const eff = (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(n / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + eff - n);
      const small = Math.floor(total / 2);
      padsBegin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      padsEnd.push(autoPad === 'SAME_UPPER' ? total - small : small);
      return out;
    }
    const [b, e] = autoPad === 'VALID' ? [0, 0] : [pads[i], pads[i + r]];
    padsBegin.push(b);
    padsEnd.push(e);
    const span = n + b + e - eff;
    if (span < 0) return 0;
    let out = (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    // A last window that would start inside the end padding is dropped (as the reference does).
    if (ceilMode && (out - 1) * strides[i] >= n + b) out -= 1;
    return out;
  });
  return { kernel, strides, dilations, padsBegin, padsEnd, outSpatial };
}

const windowAttrs = {
  auto_pad: attr.string({ default: 'NOTSET', allowed: AUTO_PAD }),
  pads: attr.ints({ optional: true }),
  strides: attr.ints({ optional: true }),
  dilations: attr.ints({ optional: true }),
};

function poolOp(name: 'MaxPool' | 'AveragePool', since: number): OpDef {
  const geo = (ctx: NodeCtx) => geometry(ctx, [...(intsAttr(ctx, 'kernel_shape') ?? [])], intAttr(ctx, 'ceil_mode') === 1);
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [since, MAX_KNOWN_OPSET] },
    inputs: [{ name: 'X', type: 'T' }],
    outputs: name === 'MaxPool' ? ['Y', 'Indices'] : ['Y'],
    types: { T: ['float32'] },
    ...(name === 'MaxPool' ? { outputTypes: ['T', 'int64'] } : {}),
    attrs: {
      ...windowAttrs,
      kernel_shape: attr.ints(),
      ceil_mode: attr.int({ default: 0, allowed: [0, 1] }),
      ...(name === 'MaxPool'
        ? { storage_order: attr.int({ default: 0, allowed: [0, 1], doc: 'Indices: spatial dims row-major (0) or column-major (1)' }) }
        : { count_include_pad: attr.int({ default: 0, allowed: [0, 1] }) }),
    },
    infer: (ctx) => {
      const x = input(ctx, 0);
      const shape = [x.shape[0], x.shape[1], ...geo(ctx).outSpatial];
      return name === 'MaxPool'
        ? [
            { dtype: x.dtype, shape },
            { dtype: 'int64', shape },
          ]
        : [{ dtype: x.dtype, shape }];
    },
    lowering: { kind: 'kernel', epilogue: true, compute: (ctx) => windowCompute(ctx, name === 'MaxPool' ? 'max' : 'avg', geo(ctx), 1) },
    // Indices are integers: no gradient flows through them.
    grad: (ctx, e) => {
      const dy = ctx.dOutputs[0];
      if (dy === undefined || !ctx.needs[0]) return [undefined];
      const b = new GradBuilder(e, ctx.opset);
      const x = input(ctx, 0);
      if (name === 'MaxPool') return [b.op('MaxPoolGrad', [x, dy], gradAttrs(geo(ctx)))];
      return [b.op('AveragePoolGrad', [dy], { ...gradAttrs(geo(ctx)), input_shape: [...x.shape], count_include_pad: intAttr(ctx, 'count_include_pad') })];
    },
    coverage:
      name === 'MaxPool'
        ? 'float32, any spatial rank, pads/auto_pad/strides/dilations/ceil_mode; Indices (int64, flat over [N, C, spatial], storage_order 0/1): the first NaN, else the first maximum in window order, padding never'
        : 'float32, any spatial rank, pads/auto_pad/strides/dilations/ceil_mode/count_include_pad',
  });
}

function windowCompute(ctx: LowerCtx, mode: WindowCompute['mode'], g: Geometry, group: number): WindowCompute {
  const x = input(ctx, 0);
  const out = ctx.outputs[0];
  const w = mode === 'conv' ? input(ctx, 1) : undefined;
  const b = mode === 'conv' ? ctx.inputs[2] : undefined;
  return {
    kind: 'window',
    name: ctx.node.op.toLowerCase(),
    ops: [ctx.node.op],
    nodes: [ctx.node.name],
    mode,
    n: x.shape[0],
    c: x.shape[1],
    m: out.shape[1],
    group,
    inSpatial: x.shape.slice(2),
    ...g,
    countIncludePad: ctx.attrs.count_include_pad === 1,
    input: { buf: x.id, dtype: x.dtype },
    weight: w && { buf: w.id, dtype: w.dtype },
    bias: b && { buf: b.id, dtype: b.dtype },
    epilogueInputs: [],
    body: [arg(0, 'float32')],
    out: { buf: out.id, dtype: out.dtype },
    ...(mode === 'max' && ctx.outputs[1] !== undefined
      ? { indices: { buf: ctx.outputs[1].id, dtype: ctx.outputs[1].dtype, columnMajor: ctx.attrs.storage_order === 1 } }
      : {}),
  };
}

export const MaxPool = poolOp('MaxPool', 8);
export const AveragePool = poolOp('AveragePool', 7);

function convGeometry(ctx: NodeCtx): Geometry & { group: number } {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const group = intAttr(ctx, 'group');
  if (w.shape.length !== x.shape.length) shapeError(ctx, 'W must have the rank of X', [x.shape, w.shape]);
  if (group < 1 || x.shape[1] % group !== 0 || w.shape[0] % group !== 0 || w.shape[1] * group !== x.shape[1]) {
    shapeError(ctx, `channels do not match group=${group} (C = W.shape[1] * group, M divisible by group)`, [x.shape, w.shape]);
  }
  const b = ctx.inputs[2];
  if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== w.shape[0])) shapeError(ctx, 'B must have shape [M]', [x.shape, w.shape, b.shape]);
  const ks = intsAttr(ctx, 'kernel_shape');
  const kernel = w.shape.slice(2);
  if (ks !== undefined && (ks.length !== kernel.length || ks.some((k, i) => k !== kernel[i]))) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `kernel_shape=[${ks.join(',')}] but W has [${kernel.join(',')}]`, 'kernel_shape matching W');
  }
  return { ...geometry(ctx, kernel, false), group };
}

export const Conv = defineOp({
  name: 'Conv',
  onnx: { opType: 'Conv', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'W', type: 'T' },
    { name: 'B', type: 'T', optional: true },
  ],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: { ...windowAttrs, kernel_shape: attr.ints({ optional: true }), group: attr.int({ default: 1 }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    return [{ dtype: x.dtype, shape: [x.shape[0], input(ctx, 1).shape[0], ...convGeometry(ctx).outSpatial] }];
  },
  lowering: {
    kind: 'kernel',
    // Elementwise followers (bias is already in; activations, BatchNorm's affine, residual Adds) fuse into the epilogue.
    epilogue: true,
    compute: (ctx) => {
      const { group, ...g } = convGeometry(ctx);
      return windowCompute(ctx, 'conv', g, group);
    },
  },
  // dW by its own kernel (ConvWeightGrad), dB = dY summed over N and space.
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined) return [undefined, undefined, undefined];
    const b = new GradBuilder(e, ctx.opset);
    const { group, ...g } = convGeometry(ctx);
    const [x, w] = [input(ctx, 0), input(ctx, 1)];
    // dX is ConvTranspose(dY, W) with the conv's pads (same per-output order: channels of the
    // group, then kernel positions); output_padding restores input rows the conv's last window skipped.
    const outPad = g.kernel.map(
      (k, i) => x.shape[i + 2] + g.padsBegin[i] + g.padsEnd[i] - ((k - 1) * g.dilations[i] + 1) - g.strides[i] * (g.outSpatial[i] - 1),
    );
    const empty = g.outSpatial.some((o) => o === 0);
    const dX = !ctx.needs[0]
      ? undefined
      : empty
        ? b.zeros(x.shape)
        : b.op('ConvTranspose', [dy, w], { strides: g.strides, dilations: g.dilations, pads: [...g.padsBegin, ...g.padsEnd], group, output_padding: outPad });
    const dW = ctx.needs[1] ? b.op('ConvWeightGrad', [x, dy], { ...gradAttrs(g), group }) : undefined;
    const dB = ctx.inputs[2] !== undefined && ctx.needs[2] ? b.reduceSum(dy, [0, ...g.kernel.map((_, i) => i + 2)], false) : undefined;
    return [dX, dW, dB];
  },
  coverage: 'float32, any spatial rank, groups, pads/auto_pad/strides/dilations; per output: sum over (channel, kernel position) in row-major order, then + B',
});

/** The shape rule of every global pool: [N, C, spatial...] to [N, C, 1, ...]. */
export function globalPoolShape(ctx: NodeCtx): { dtype: DType; shape: number[] } {
  const x = input(ctx, 0);
  if (x.shape.length < 3) shapeError(ctx, 'input needs rank >= 3 ([N, C, spatial...])', [x.shape]);
  return { dtype: x.dtype, shape: x.shape.map((d, i) => (i < 2 ? d : 1)) };
}

/** The spatial axes (2, 3, ...) of an [N, C, spatial...] shape. */
export function spatialAxes(shape: readonly number[]): number[] {
  return shape.slice(2).map((_, i) => i + 2);
}

function globalPool(name: 'GlobalAveragePool' | 'GlobalMaxPool', reduce: 'ReduceMean' | 'ReduceMax'): OpDef {
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [1, MAX_KNOWN_OPSET] },
    inputs: [{ name: 'X', type: 'T' }],
    outputs: ['Y'],
    types: { T: ['float32'] },
    attrs: {},
    infer: (ctx) => [globalPoolShape(ctx)],
    lowering: {
      kind: 'decompose',
      build: (ctx, e) => {
        const x = input(ctx, 0);
        const axes = spatialAxes(x.shape);
        const op = ctx.opset >= 18 ? e.op(reduce, [x, e.constant(makeTensor('int64', [axes.length], axes))]) : e.op(reduce, [x], { axes });
        return [op];
      },
    },
    coverage: `${reduce} over the spatial dims, keepdims`,
  });
}

export const GlobalAveragePool = globalPool('GlobalAveragePool', 'ReduceMean');
export const GlobalMaxPool = globalPool('GlobalMaxPool', 'ReduceMax');
