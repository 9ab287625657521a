// Split (into Slices along one axis) and Tile (a broadcast over interleaved
// repeat axes): decompositions into registry data-movement ops.
import type { Value } from '../ir/graph.ts';
import { numel } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { axisAttr, constInput, defineOp, fail, input, intsAttr, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { i64, view } from './views.ts';

/** The size of each output along the axis: from `split` (attribute or input), num_outputs, or equal parts. */
function splitSizes(ctx: NodeCtx): number[] {
  const sizes = splitSizesOf(ctx);
  if (ctx.outputCount !== undefined && ctx.outputCount !== sizes.length)
    fail(ctx, 'VOLTA_E_SHAPE', `${ctx.outputCount} outputs for ${sizes.length} split sizes`, 'one output per size');
  return sizes;
}

function splitSizesOf(ctx: NodeCtx): number[] {
  const x = input(ctx, 0);
  if (ctx.opset >= 13 && ctx.attrs.split !== undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'the split attribute in opset 13+', 'the split input');
  if (ctx.opset < 18 && ctx.attrs.num_outputs !== undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', `num_outputs before opset 18 (opset ${ctx.opset})`, 'split');
  const d = x.shape[axisAttr(ctx, x.shape.length)];
  const given = ctx.opset >= 13 ? constInput(ctx, 1, 'split input') : (intsAttr(ctx, 'split') as number[] | undefined);
  const n = ctx.attrs.num_outputs as number | undefined;
  if (given !== undefined && n !== undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'both split and num_outputs are given', 'one of them');
  if (given !== undefined) {
    if (given.some((s) => s < 0) || given.reduce((a, b) => a + b, 0) !== d)
      fail(ctx, 'VOLTA_E_SHAPE', `split [${given.join(',')}] for a dim of ${d}`, `non-negative sizes summing to ${d}`);
    return given;
  }
  if (n !== undefined) {
    // Opset 18: ceil(d / n) each, the last one smaller.
    const chunk = Math.ceil(d / n);
    const last = d - chunk * (n - 1);
    if (n < 1 || last < 0 || (last === 0 && d > 0)) fail(ctx, 'VOLTA_E_SHAPE', `num_outputs=${n} for a dim of ${d}`, 'at most as many outputs as elements');
    return [...Array(n - 1).fill(chunk), last];
  }
  const count = ctx.outputCount;
  if (count === undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'no split sizes and an unknown number of outputs', 'split or num_outputs');
  if (d % count !== 0) fail(ctx, 'VOLTA_E_SHAPE', `a dim of ${d} into ${count} equal outputs`, `a dim divisible by ${count}`);
  return Array(count).fill(d / count);
}

export const Split = defineOp({
  name: 'Split',
  onnx: { opType: 'Split', domain: '', opsets: [2, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T' },
    { name: 'split', type: 'S', optional: true, constant: true },
  ],
  outputs: ['outputs'],
  variadicOutput: true,
  types: { T: ANY_DTYPE, S: ['int64'] },
  attrs: {
    axis: attr.int({ default: 0 }),
    split: attr.ints({ optional: true, doc: 'opsets 2-12 (an input from 13)' }),
    num_outputs: attr.int({ optional: true, doc: 'opset 18+' }),
  },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const a = axisAttr(ctx, x.shape.length);
    return splitSizes(ctx).map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === a ? s : d)) }));
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const a = axisAttr(ctx, x.shape.length);
      let start = 0;
      return splitSizes(ctx).map((s) => {
        const shape = x.shape.map((d, i) => (i === a ? s : d));
        const begin = start;
        start += s;
        if (numel(shape) === 0) return e.constant(makeTensor(x.dtype, shape));
        if (s === x.shape[a]) return e.op('Identity', [x]);
        if (ctx.opset >= 10) return e.op('Slice', [x, e.constant(i64([begin])), e.constant(i64([begin + s])), e.constant(i64([a]))]);
        return e.op('Slice', [x], { axes: [a], starts: [begin], ends: [begin + s] });
      });
    },
  },
  coverage:
    'one Slice per output; sizes from the split attribute (opsets 2-12), the split input (13+, a compile-time constant, or specialised by value), num_outputs (18+; the last part smaller), or equal parts by the number of outputs',
});

function tileRepeats(ctx: NodeCtx): number[] {
  const x = input(ctx, 0);
  const r = constInput(ctx, 1, 'repeats input') ?? [];
  if (input(ctx, 1).shape.length !== 1 || r.length !== x.shape.length || r.some((v) => v < 0 || !Number.isSafeInteger(v)))
    shapeError(ctx, `repeats [${r.join(',')}] must hold one non-negative count per dim`, [x.shape, input(ctx, 1).shape]);
  return r;
}

export const Tile = defineOp({
  name: 'Tile',
  onnx: { opType: 'Tile', domain: '', opsets: [6, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'input', type: 'T' },
    { name: 'repeats', type: 'T1', constant: true },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, T1: ['int64'] },
  attrs: {},
  infer: (ctx) => {
    const x = input(ctx, 0);
    const r = tileRepeats(ctx);
    return [{ dtype: x.dtype, shape: x.shape.map((d, i) => d * r[i]) }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const r = tileRepeats(ctx);
      const out = x.shape.map((d, i) => d * r[i]);
      if (numel(out) === 0) return [e.constant(makeTensor(x.dtype, out))];
      if (r.every((v) => v === 1)) return [e.op('Identity', [x])];
      // x viewed with a size-1 axis before each repeated dim, broadcast to the repeat count, then merged.
      const spread: number[] = [];
      const big: number[] = [];
      x.shape.forEach((d, i) => {
        if (r[i] !== 1) {
          spread.push(1);
          big.push(r[i]);
        }
        spread.push(d);
        big.push(d);
      });
      const expanded: Value = e.op('Expand', [view(e, x, spread), e.constant(i64(big))]);
      return [view(e, expanded, out)];
    },
  },
  coverage: 'repeats must be a compile-time constant (or specialised by value); an Expand over interleaved repeat axes, then a Reshape',
});
