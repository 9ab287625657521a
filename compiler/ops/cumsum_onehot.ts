// CumSum (a cumsum kernel: one sequential sum per row of the axis, see CumSumCompute) and
// OneHot (decomposed: the normalised index compared with the axis positions, then Where).
import { normalizeAxis } from '../ir/shape.ts';
import { axisView } from './arg_topk.ts';
import { attr } from './attr.ts';
import type { CumSumCompute } from './compute.ts';
import { constInput, defineOp, fail, input, intAttr, type NodeCtx } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { GradBuilder } from './grad.ts';
import { IndexMath } from './index_math.ts';

function cumsumAxis(ctx: NodeCtx): number {
  const r = input(ctx, 0).shape.length;
  const raw = constInput(ctx, 1, 'axis input')?.[0];
  const a = raw === undefined ? undefined : normalizeAxis(raw, r);
  if (a === undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axis ${raw} for rank ${r}`, `one axis in -${r}..${r - 1}`);
  return a;
}

export const CumSum = defineOp({
  name: 'CumSum',
  onnx: { opType: 'CumSum', domain: '', opsets: [11, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'x', type: 'T' },
    { name: 'axis', type: 'T2', constant: true },
  ],
  outputs: ['y'],
  types: { T: NUMERIC, T2: ['int32', 'int64'] },
  attrs: {
    exclusive: attr.int({ default: 0, allowed: [0, 1] }),
    reverse: attr.int({ default: 0, allowed: [0, 1] }),
  },
  infer: (ctx) => {
    const x = input(ctx, 0);
    axisView(ctx, cumsumAxis(ctx));
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx): CumSumCompute => {
      const x = input(ctx, 0);
      const out = ctx.outputs[0];
      return {
        kind: 'cumsum',
        name: 'cumsum',
        ops: ['CumSum'],
        nodes: [ctx.node.name],
        ...axisView(ctx, cumsumAxis(ctx)),
        exclusive: intAttr(ctx, 'exclusive') === 1,
        reverse: intAttr(ctx, 'reverse') === 1,
        input: { buf: x.id, dtype: x.dtype },
        out: { buf: out.id, dtype: out.dtype },
      };
    },
  },
  // dX is the cumulative sum of dY the other way along the axis (same exclusive).
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined || !ctx.needs[0]) return [undefined, undefined];
    const b = new GradBuilder(e, ctx.opset);
    const attrs = { exclusive: intAttr(ctx, 'exclusive'), reverse: 1 - intAttr(ctx, 'reverse') };
    return [b.op('CumSum', [dy, b.i64([cumsumAxis(ctx)])], attrs), undefined];
  },
  gradNote: 'dX = CumSum(dY) in the opposite direction, same exclusive',
  coverage:
    'axis a compile-time constant (bound or value-specialised); one sequential sum per row of the axis in a fixed order (reverse: last to first): inclusive starts from the first element, exclusive from 0; float32 rounds at every step, integers wrap',
});

function oneHotDims(ctx: NodeCtx) {
  const idx = input(ctx, 0);
  const r = idx.shape.length;
  const raw = intAttr(ctx, 'axis');
  const axis = normalizeAxis(raw, r + 1);
  if (axis === undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axis=${raw} for indices of rank ${r}`, `-${r + 1}..${r}`);
  const d = constInput(ctx, 1, 'depth input');
  const depth = d === undefined || d.length !== 1 ? undefined : Math.trunc(d[0]);
  if (depth === undefined || !(depth >= 1)) fail(ctx, 'VOLTA_E_SHAPE', `depth ${d?.join(',')}`, 'one value >= 1');
  const values = input(ctx, 2);
  if (values.shape.length !== 1 || values.shape[0] !== 2) fail(ctx, 'VOLTA_E_SHAPE', `values of shape [${values.shape.join(', ')}]`, '[off_value, on_value]');
  return { axis, depth, out: [...idx.shape.slice(0, axis), depth, ...idx.shape.slice(axis)] };
}

export const OneHot = defineOp({
  name: 'OneHot',
  onnx: { opType: 'OneHot', domain: '', opsets: [9, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'indices', type: 'T1' },
    { name: 'depth', type: 'T2', constant: true },
    { name: 'values', type: 'T3' },
  ],
  outputs: ['output'],
  types: { T1: NUMERIC, T2: NUMERIC, T3: ANY_DTYPE },
  attrs: { axis: attr.int({ default: -1 }) },
  infer: (ctx) => [{ dtype: input(ctx, 2).dtype, shape: oneHotDims(ctx).out }],
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const [idx, values] = [input(ctx, 0), input(ctx, 2)];
      const { axis, depth, out } = oneHotDims(ctx);
      const m = new IndexMath(e);
      const whole = m.toI64(idx);
      let { k } = m.normalise(whole, depth);
      // A float index with a fraction addresses no position (as onnxruntime): -1 never matches.
      if (idx.dtype === 'float32') k = e.op('Where', [e.op('Equal', [e.op('Cast', [whole], { to: 1 }), idx]), k, m.scalar(-1)]);
      const positions = m.i64(
        out.map((n, i) => (i === axis ? n : 1)),
        [...Array(depth).keys()],
      );
      const hit = e.op('Equal', [
        m.reshape(
          k,
          out.map((n, i) => (i === axis ? 1 : n)),
        ),
        positions,
      ]);
      const [off, on] = [0, 1].map((i) => e.op('Gather', [values, m.scalar(i)], { axis: 0 }));
      return [e.op('Where', [hit, on, off])];
    },
  },
  coverage:
    'depth a compile-time constant (bound or value-specialised; a float depth is truncated); a float index must be whole (one with a fraction gives an all-off row, as onnxruntime); negative indices count from the end (-depth..-1); any other out-of-range index gives an all-off row',
});
