// Cast, CastLike, Clip, Expand, Shape and inference-mode Dropout.
import type { DType } from '../ir/dtype.ts';
import { dtypeFromOnnx, onnxDtypeName } from '../ir/dtype.ts';
import { broadcastShapes } from '../ir/shape.ts';
import { makeTensor, type TensorData, toNumbers } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { constInput, defineOp, fail, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { cast, type Expr, lit, max, min } from './expr.ts';
import { broadcastGrad, GradBuilder } from './grad.ts';

const CAST_NOTE =
  'float to integer truncates, NaN becomes 0 and out-of-range values saturate (ONNX leaves them undefined); to bool is x != 0; int64 to float32 rounds once, to nearest';

function castTarget(ctx: NodeCtx): DType {
  const code = intAttr(ctx, 'to');
  const d = dtypeFromOnnx(code);
  if (d === undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_DTYPE', `to=${onnxDtypeName(code)}`, ANY_DTYPE.join(', '));
  return d;
}

export const Cast = defineOp({
  name: 'Cast',
  onnx: { opType: 'Cast', domain: '', opsets: [6, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T1' }],
  outputs: ['output'],
  types: { T1: ANY_DTYPE },
  attrs: { to: attr.int(), saturate: attr.int({ default: 1, allowed: [1], doc: 'only matters for float8 targets' }) },
  infer: (ctx) => [{ dtype: castTarget(ctx), shape: input(ctx, 0).shape }],
  lowering: { kind: 'elementwise', scalar: (args, ctx) => cast(args[0] as Expr, castTarget(ctx)) },
  // Only float32 -> float32 (the identity) carries a gradient; integer and bool values have none.
  grad: (ctx) => [ctx.outputs[0].dtype === 'float32' ? ctx.dOutputs[0] : undefined],
  coverage: CAST_NOTE,
});

export const CastLike = defineOp({
  name: 'CastLike',
  onnx: { opType: 'CastLike', domain: '', opsets: [15, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T1' },
    { name: 'target_type', type: 'T2', typeOnly: true },
  ],
  outputs: ['output'],
  types: { T1: ANY_DTYPE, T2: ANY_DTYPE },
  attrs: { saturate: attr.int({ default: 1, allowed: [1], doc: 'only matters for float8 targets' }) },
  infer: (ctx) => [{ dtype: input(ctx, 1).dtype, shape: input(ctx, 0).shape }],
  lowering: { kind: 'elementwise', scalar: (args, ctx) => cast(args[0] as Expr, input(ctx, 1).dtype) },
  grad: (ctx) => [ctx.outputs[0].dtype === 'float32' ? ctx.dOutputs[0] : undefined, undefined],
  coverage: `target_type is only read for its dtype; ${CAST_NOTE}`,
});

export const Clip = defineOp({
  name: 'Clip',
  onnx: { opType: 'Clip', domain: '', opsets: [6, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T' },
    { name: 'min', type: 'T', optional: true },
    { name: 'max', type: 'T', optional: true },
  ],
  outputs: ['output'],
  types: { T: NUMERIC },
  attrs: { min: attr.float({ optional: true, doc: 'opsets 6-10' }), max: attr.float({ optional: true, doc: 'opsets 6-10' }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    for (const i of [1, 2]) {
      const b = ctx.inputs[i];
      if (b !== undefined && b.shape.length !== 0 && !(b.shape.length === 1 && b.shape[0] === 1))
        shapeError(ctx, `${i === 1 ? 'min' : 'max'} must be a scalar`, [x.shape, b.shape]);
    }
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'elementwise',
    // min(max(x, lo), hi), as numpy.clip: lo > hi gives hi; NaN stays NaN.
    scalar: (args, ctx) => {
      const x = args[0] as Expr;
      const lo = args[1] ?? (ctx.attrs.min !== undefined ? lit(ctx.attrs.min as number, x.dtype) : undefined);
      const hi = args[2] ?? (ctx.attrs.max !== undefined ? lit(ctx.attrs.max as number, x.dtype) : undefined);
      const clipped = lo === undefined ? x : max(x, lo);
      return hi === undefined ? clipped : min(clipped, hi);
    },
  },
  // dY passes where min <= x <= max (as PyTorch's clamp); min and max get no gradient.
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    const x = ctx.inputs[0];
    if (dy === undefined || x === undefined || !ctx.needs[0]) return ctx.inputs.map(() => undefined);
    const b = new GradBuilder(e, ctx.opset);
    const zero = b.f32(0);
    const lo = ctx.inputs[1] ?? (ctx.attrs.min !== undefined ? b.f32(ctx.attrs.min as number) : undefined);
    const hi = ctx.inputs[2] ?? (ctx.attrs.max !== undefined ? b.f32(ctx.attrs.max as number) : undefined);
    let g = dy;
    if (lo !== undefined) g = b.where(b.less(x, lo), zero, g);
    if (hi !== undefined) g = b.where(b.greater(x, hi), zero, g);
    return [g, undefined, undefined];
  },
  coverage: 'min and max may be run-time scalars; min(max(x, min), max) as numpy.clip',
});

export const Expand = defineOp({
  name: 'Expand',
  onnx: { opType: 'Expand', domain: '', opsets: [8, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T' },
    { name: 'shape', type: 'S', constant: true },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, S: ['int64'] },
  attrs: {},
  infer: (ctx) => {
    const x = input(ctx, 0);
    const target = constInput(ctx, 1, 'shape input') ?? [];
    const shape = broadcastShapes([x.shape, target]);
    if (shape === undefined) shapeError(ctx, 'input does not broadcast to the shape', [x.shape, target]);
    return [{ dtype: x.dtype, shape }];
  },
  lowering: { kind: 'elementwise', scalar: (args) => args[0] as Expr },
  grad: broadcastGrad((_b, i, dy) => (i === 0 ? dy : undefined)),
  coverage: 'shape must be a compile-time constant; bidirectional broadcast as in the spec',
});

export const Shape = defineOp({
  name: 'Shape',
  onnx: { opType: 'Shape', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'data', type: 'T' }],
  outputs: ['shape'],
  types: { T: ANY_DTYPE },
  attrs: { start: attr.int({ default: 0 }), end: attr.int({ optional: true }) },
  infer: (ctx) => [{ dtype: 'int64' as DType, shape: shapeValue(ctx).shape }],
  lowering: { kind: 'constant', value: (ctx) => shapeValue(ctx) },
  coverage: 'folded at compile time (shapes are static); start/end clamp as in opset 15',
});

function shapeValue(ctx: NodeCtx): TensorData {
  const dims = input(ctx, 0).shape;
  const r = dims.length;
  const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = clampIdx(intAttr(ctx, 'start'));
  const end = ctx.attrs.end === undefined ? r : clampIdx(intAttr(ctx, 'end'));
  const out = dims.slice(start, Math.max(start, end));
  return makeTensor('int64', [out.length], out);
}

export const Dropout = defineOp({
  name: 'Dropout',
  onnx: { opType: 'Dropout', domain: '', opsets: [7, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'ratio', type: 'R', optional: true, constant: true },
    { name: 'training_mode', type: 'B', optional: true, constant: true },
  ],
  outputs: ['output', 'mask'],
  unreadOutputsOmitted: true,
  types: { T: ['float32'], R: ['float32'], B: ['bool'] },
  attrs: { seed: attr.int({ optional: true, doc: 'unused in inference' }), ratio: attr.float({ optional: true, doc: 'opsets 7-11; unused in inference' }) },
  infer: (ctx) => {
    // Training mode draws a random mask, except with ratio 0: nothing is dropped and the scale 1 / (1 - 0)
    // is 1, so output = data and mask = all true, exactly as in inference.
    const t = ctx.inputs[2];
    const r = ctx.inputs[1];
    const zeroRatio = r?.data !== undefined && toNumbers(r.data)[0] === 0;
    if (t !== undefined && (t.data === undefined || toNumbers(t.data)[0] !== 0) && !zeroRatio) {
      fail(
        ctx,
        'VOLTA_E_UNSUPPORTED_ATTR',
        'training_mode is true (or not a constant) with a ratio other than the constant 0',
        'inference mode, or training mode with ratio 0',
        'export the model in eval mode',
      );
    }
    const x = input(ctx, 0);
    // Before opset 12 the inference mask is ambiguous (onnxruntime fills it with false, the ONNX
    // reference with true; opsets 7-9 type it like the data): refused when the graph reads it. Zoo
    // models name it without reading it; unread, it is omitted (unreadOutputsOmitted) and they compile.
    if (ctx.opset < 12 && (ctx.outputCount ?? 1) > 1) {
      fail(
        ctx,
        'VOLTA_E_UNSUPPORTED_OP',
        `the mask output is read at opset ${ctx.opset}: its inference value is ambiguous before opset 12 (onnxruntime gives false, the ONNX reference true)`,
        'a graph that does not read the mask, or opset 12 or newer',
      );
    }
    const out = { dtype: x.dtype, shape: x.shape };
    return ctx.opset >= 12 ? [out, { dtype: 'bool' as DType, shape: x.shape }] : [out];
  },
  // Inference: output = data (Identity, a view), mask = all true (a scalar broadcast; dead code when unused).
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      if (ctx.opset < 12) return [e.op('Identity', [x])];
      const one = e.constant(makeTensor('bool', [], [1]));
      const mask = x.shape.length === 0 ? e.op('Identity', [one]) : e.op('Expand', [one, e.constant(makeTensor('int64', [x.shape.length], [...x.shape]))]);
      return [e.op('Identity', [x]), mask];
    },
  },
  coverage:
    'inference mode only: output = data; the optional mask output (opset 12+) is all true; before opset 12 it is refused when the graph reads it (onnxruntime gives false there, the ONNX reference true) and omitted when nothing reads it (as in model-zoo exports); training_mode true is refused (VOLTA_E_UNSUPPORTED_ATTR) unless ratio is the constant 0 (then it is the identity too)',
});
