// ConvTranspose, lowered as a gather (one output element sums its contributing
// (input channel, kernel position) pairs in a fixed order), never as a scatter
// with accumulation: see ConvTransposeCompute.

import { attr } from './attr.ts';
import type { ConvTransposeCompute } from './compute.ts';
import { defineOp, fail, input, intAttr, intsAttr, type LowerCtx, type NodeCtx, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';

interface Geometry {
  group: number;
  /** Output channels: W.shape[1] * group. */
  m: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  outSpatial: number[];
}

/** Output size and padding per spatial dim, as the ONNX spec (and onnxruntime 1.31) compute them. */
function geometry(ctx: NodeCtx): Geometry {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  if (x.shape.length < 3) shapeError(ctx, 'X needs rank >= 3 ([N, C, spatial...])', [x.shape]);
  if (w.shape.length !== x.shape.length) shapeError(ctx, 'W must have the rank of X ([C, M/group, kernel...])', [x.shape, w.shape]);
  const group = intAttr(ctx, 'group');
  const c = x.shape[1];
  if (group < 1 || c % group !== 0 || w.shape[0] !== c)
    shapeError(ctx, `channels do not match group=${group} (W.shape[0] = C, C divisible by group)`, [x.shape, w.shape]);
  const m = w.shape[1] * group;
  const b = ctx.inputs[2];
  if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== m)) shapeError(ctx, `B must have shape [M] = [${m}]`, [x.shape, w.shape, b.shape]);
  const inSp = x.shape.slice(2);
  const r = inSp.length;
  const kernel = w.shape.slice(2);
  const ks = intsAttr(ctx, 'kernel_shape');
  if (ks !== undefined && (ks.length !== r || ks.some((k, i) => k !== kernel[i]))) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `kernel_shape=[${ks.join(',')}] but W has [${kernel.join(',')}]`, 'kernel_shape matching W');
  }
  const list = (name: string, dflt: number, min: number) => {
    const v = intsAttr(ctx, name) ?? Array(r).fill(dflt);
    if (v.length !== r || v.some((e) => !(e >= min))) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `${name}=[${v.join(',')}]`, `${r} values >= ${min}`);
    return [...v];
  };
  const strides = list('strides', 1, 1);
  const dilations = list('dilations', 1, 1);
  const outPad = list('output_padding', 0, 0);
  outPad.forEach((p, i) => {
    if (p >= Math.max(strides[i], dilations[i]))
      fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `output_padding=[${outPad.join(',')}]`, 'each value less than max(stride, dilation) of its dim');
  });
  const pads = intsAttr(ctx, 'pads') ?? Array(2 * r).fill(0);
  if (pads.length !== 2 * r || pads.some((p) => p < 0)) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `pads=[${pads.join(',')}]`, `${2 * r} non-negative values`);
  const outShape = intsAttr(ctx, 'output_shape');
  if (outShape !== undefined && (outShape.length !== r || outShape.some((d) => d < 1))) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `output_shape=[${outShape.join(',')}]`, `${r} positive spatial sizes (N and C are not part of it)`);
  }
  const autoPad = ctx.attrs.auto_pad as string;
  const padsBegin: number[] = [];
  const outSpatial = inSp.map((n, i) => {
    const full = strides[i] * (n - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] + 1;
    const target = outShape?.[i] ?? (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? n * strides[i] : undefined);
    if (target !== undefined) {
      // Padding that crops the full output down to the requested size; the odd one goes last for SAME_UPPER.
      // An output_shape up to stride - 1 above the full size is taken as onnxruntime takes it (total padding 0):
      // the output extends past the full size with positions no input reaches, which hold B (or 0). auto_pad
      // SAME needing that is refused: onnxruntime gives the full size there, the ONNX spec input * stride.
      if (full - target < 0 && (outShape === undefined || full - target <= -strides[i])) {
        const why = outShape ? `output_shape=[${outShape.join(',')}]` : `auto_pad=${autoPad} (output size input * stride = ${target})`;
        fail(
          ctx,
          'VOLTA_E_UNSUPPORTED_ATTR',
          `${why} exceeds the full transposed size ${full} by ${target - full} on spatial dim ${i}`,
          outShape
            ? `an output_shape at most stride - 1 = ${strides[i] - 1} above the full size (onnxruntime refuses more too)`
            : 'auto_pad SAME with an output no larger than the full size (negative padding is not supported)',
        );
      }
      const total = Math.max(0, full - target);
      const half = Math.floor(total / 2);
      padsBegin.push(autoPad === 'SAME_UPPER' ? half : total - half);
      return target;
    }
    if (autoPad === 'VALID') {
      padsBegin.push(0);
      return full;
    }
    padsBegin.push(pads[i]);
    return full - pads[i] - pads[i + r];
  });
  if (outSpatial.some((d) => d < 1)) shapeError(ctx, `pads [${pads.join(',')}] leave an empty output [${outSpatial.join(',')}]`, [x.shape, w.shape]);
  return { group, m, kernel, strides, dilations, padsBegin, outSpatial };
}

function compute(ctx: LowerCtx): ConvTransposeCompute {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const b = ctx.inputs[2];
  const out = ctx.outputs[0];
  const g = geometry(ctx);
  return {
    kind: 'conv_transpose',
    name: 'convtranspose',
    ops: ['ConvTranspose'],
    nodes: [ctx.node.name],
    n: x.shape[0],
    c: x.shape[1],
    inSpatial: x.shape.slice(2),
    ...g,
    input: { buf: x.id, dtype: x.dtype },
    weight: { buf: w.id, dtype: w.dtype },
    bias: b && { buf: b.id, dtype: b.dtype },
    out: { buf: out.id, dtype: out.dtype },
  };
}

export const ConvTranspose = defineOp({
  name: 'ConvTranspose',
  onnx: { opType: 'ConvTranspose', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'W', type: 'T' },
    { name: 'B', type: 'T', optional: true },
  ],
  outputs: ['Y'],
  types: { T: ['float32'] },
  attrs: {
    auto_pad: attr.string({ default: 'NOTSET', allowed: ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] }),
    dilations: attr.ints({ optional: true }),
    group: attr.int({ default: 1 }),
    kernel_shape: attr.ints({ optional: true }),
    output_padding: attr.ints({ optional: true }),
    output_shape: attr.ints({ optional: true, doc: 'spatial sizes; pads are then derived' }),
    pads: attr.ints({ optional: true }),
    strides: attr.ints({ optional: true }),
  },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const g = geometry(ctx);
    return [{ dtype: x.dtype, shape: [x.shape[0], g.m, ...g.outSpatial] }];
  },
  lowering: { kind: 'kernel', compute },
  coverage:
    'float32, any spatial rank, groups, strides, pads, dilations, output_padding, output_shape (spatial sizes; pads derived, the odd one last for SAME_UPPER, first otherwise; up to stride - 1 above the full one extends it with B-only positions, as onnxruntime), auto_pad; a gather: each output sums its (input channel, kernel position) pairs in row-major order from +0, then + B',
});
