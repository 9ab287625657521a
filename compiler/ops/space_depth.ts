// DepthToSpace, SpaceToDepth (Reshape, Transpose, Reshape, as the ONNX function
// bodies) and Trilu (a Where against a compile-time 0/1 band mask).
import type { DType } from '../ir/dtype.ts';
import { numel } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { constInput, defineOp, fail, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { permute, view } from './views.ts';

function blocks(ctx: NodeCtx): { n: number; c: number; h: number; w: number; b: number } {
  const x = input(ctx, 0);
  if (x.shape.length !== 4) shapeError(ctx, 'input must be 4-D [N, C, H, W]', [x.shape]);
  const b = intAttr(ctx, 'blocksize');
  if (b < 1) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `blocksize=${b}`, 'blocksize >= 1');
  const [n, c, h, w] = x.shape;
  return { n, c, h, w, b };
}

export const DepthToSpace = defineOp({
  name: 'DepthToSpace',
  onnx: { opType: 'DepthToSpace', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T' }],
  outputs: ['output'],
  types: { T: ANY_DTYPE },
  attrs: { blocksize: attr.int(), mode: attr.string({ default: 'DCR', allowed: ['DCR', 'CRD'], doc: 'opset 11+' }) },
  infer: (ctx) => {
    const { n, c, h, w, b } = blocks(ctx);
    if (c % (b * b) !== 0) shapeError(ctx, `C must be divisible by blocksize^2 = ${b * b}`, [input(ctx, 0).shape]);
    return [{ dtype: input(ctx, 0).dtype, shape: [n, c / (b * b), h * b, w * b] }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const { n, c, h, w, b } = blocks(ctx);
      const x = input(ctx, 0);
      const cc = c / (b * b);
      const out = [n, cc, h * b, w * b];
      if (ctx.attrs.mode === 'CRD') return [view(e, permute(e, view(e, x, [n, cc, b, b, h, w]), [0, 1, 4, 2, 5, 3]), out)];
      return [view(e, permute(e, view(e, x, [n, b, b, cc, h, w]), [0, 3, 4, 1, 5, 2]), out)];
    },
  },
  coverage: 'DCR and CRD: Reshape to 6-D, Transpose, Reshape (the ONNX function body)',
});

export const SpaceToDepth = defineOp({
  name: 'SpaceToDepth',
  onnx: { opType: 'SpaceToDepth', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T' }],
  outputs: ['output'],
  types: { T: ANY_DTYPE },
  attrs: { blocksize: attr.int() },
  infer: (ctx) => {
    const { n, c, h, w, b } = blocks(ctx);
    if (h % b !== 0 || w % b !== 0) shapeError(ctx, `H and W must be divisible by blocksize ${b}`, [input(ctx, 0).shape]);
    return [{ dtype: input(ctx, 0).dtype, shape: [n, c * b * b, h / b, w / b] }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const { n, c, h, w, b } = blocks(ctx);
      const six = view(e, input(ctx, 0), [n, c, h / b, b, w / b, b]);
      return [view(e, permute(e, six, [0, 3, 5, 1, 2, 4]), [n, c * b * b, h / b, w / b])];
    },
  },
  coverage: 'Reshape to [N, C, H/b, b, W/b, b], Transpose [0, 3, 5, 1, 2, 4], Reshape',
});

function triluK(ctx: NodeCtx): number {
  const k = ctx.inputs[1];
  if (k !== undefined && numel(k.shape) !== 1) shapeError(ctx, 'k must be a scalar', [input(ctx, 0).shape, k.shape]);
  return constInput(ctx, 1, 'k input')?.[0] ?? 0;
}

export const Trilu = defineOp({
  name: 'Trilu',
  onnx: { opType: 'Trilu', domain: '', opsets: [14, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T' },
    { name: 'k', type: 'K', optional: true, constant: true },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, K: ['int64'] },
  attrs: { upper: attr.int({ default: 1, allowed: [0, 1] }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    if (x.shape.length < 2) shapeError(ctx, 'input needs rank >= 2', [x.shape]);
    triluK(ctx);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const [rows, cols] = x.shape.slice(-2);
      const k = triluK(ctx);
      const upper = intAttr(ctx, 'upper') === 1;
      const mask = new Uint8Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
      if (numel(x.shape) === 0) return [e.constant(makeTensor(x.dtype, x.shape))];
      const zero = e.constant(makeTensor(x.dtype as DType, [], [0]));
      return [e.op('Where', [e.constant(makeTensor('bool', [rows, cols], mask)), x, zero])];
    },
  },
  coverage: 'k a compile-time constant (or specialised by value); Where(band mask, x, 0): elements outside the band become +0 (NaN included)',
});
