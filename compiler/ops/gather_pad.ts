// Gather (run-time indices along one axis) and Pad (constant, edge, reflect, wrap).

import { normalizeAxis, numel, shapeStr } from '../ir/shape.ts';
import { toNumbers } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import type { GatherCompute, PadCompute } from './compute.ts';
import { axisAttr, constInput, defineOp, fail, input, intsAttr, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { GradBuilder } from './grad.ts';

/** The input index output position s (unpadded coordinate) reads along a dim of size n; undefined: the fill value. */
export function padSource(mode: PadCompute['mode'], s: number, n: number): number | undefined {
  if (mode === 'constant') return s < 0 || s >= n ? undefined : s;
  if (mode === 'edge') return s < 0 ? 0 : s >= n ? n - 1 : s;
  if (mode === 'wrap') return ((s % n) + n) % n;
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((s % period) + period) % period;
  return m < n ? m : period - m;
}

const gatherAxis = (ctx: NodeCtx) => axisAttr(ctx, input(ctx, 0).shape.length);

export const Gather = defineOp({
  name: 'Gather',
  onnx: { opType: 'Gather', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'indices', type: 'Tind' },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, Tind: ['int32', 'int64'] },
  attrs: { axis: attr.int({ default: 0 }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const idx = input(ctx, 1);
    const a = gatherAxis(ctx);
    if (idx.data !== undefined) {
      const bad = toNumbers(idx.data).find((i) => i < -x.shape[a] || i >= x.shape[a]);
      if (bad !== undefined) fail(ctx, 'VOLTA_E_SHAPE', `index ${bad} is out of range for axis ${a} of ${shapeStr(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)] }];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx): GatherCompute => {
      const x = input(ctx, 0);
      const idx = input(ctx, 1);
      const a = gatherAxis(ctx);
      const out = ctx.outputs[0];
      return {
        kind: 'gather',
        name: 'gather',
        ops: ['Gather'],
        nodes: [ctx.node.name],
        outer: numel(x.shape.slice(0, a)),
        axis: x.shape[a],
        inner: numel(x.shape.slice(a + 1)),
        count: numel(idx.shape),
        data: { buf: x.id, dtype: x.dtype },
        indices: { buf: idx.id, dtype: idx.dtype },
        out: { buf: out.id, dtype: out.dtype },
      };
    },
  },
  // dData: dY rows scatter-added by index, in index order (GatherGrad; no atomics).
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined || !ctx.needs[0]) return [undefined, undefined];
    const a = gatherAxis(ctx);
    return [new GradBuilder(e, ctx.opset).op('GatherGrad', [dy, input(ctx, 1)], { axis: a, axis_size: input(ctx, 0).shape[a] }), undefined];
  },
  coverage:
    'run-time indices; negative indices count from the end; constant indices are range-checked at compile time, and an out-of-range run-time index reads 0',
});

interface PadDims {
  begin: number[];
  out: number[];
  value: number;
  mode: PadCompute['mode'];
}

function padDims(ctx: NodeCtx): PadDims {
  const x = input(ctx, 0);
  const r = x.shape.length;
  const old = ctx.opset < 11;
  const pads = old ? [...(intsAttr(ctx, 'pads') ?? [])] : (constInput(ctx, 1, 'pads input') ?? []);
  const axesRaw = (old ? undefined : constInput(ctx, 3, 'axes input')) ?? [...Array(r).keys()];
  const axes = axesRaw.map((a) => normalizeAxis(a, r));
  if (axes.some((a) => a === undefined) || pads.length !== 2 * axes.length) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `pads [${pads.join(',')}] for axes [${axesRaw.join(',')}]`, 'two pads per axis');
  }
  const begin = Array(r).fill(0);
  const end = Array(r).fill(0);
  (axes as number[]).forEach((a, i) => {
    begin[a] = pads[i];
    end[a] = pads[i + axes.length];
  });
  const out = x.shape.map((d, i) => d + begin[i] + end[i]);
  if (out.some((d) => d < 0)) shapeError(ctx, `pads [${pads.join(',')}] crop below zero`, [x.shape]);
  const mode = ctx.attrs.mode as PadCompute['mode'];
  if (mode !== 'constant' && x.shape.some((d, i) => d === 0 && out[i] > 0)) shapeError(ctx, `${mode} padding of an empty dim`, [x.shape]);
  const value = old ? ((ctx.attrs.value as number | undefined) ?? 0) : (constInput(ctx, 2, 'constant_value input')?.[0] ?? 0);
  return { begin, out, value, mode };
}

export const Pad = defineOp({
  name: 'Pad',
  onnx: { opType: 'Pad', domain: '', opsets: [2, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'pads', type: 'P', optional: true, constant: true },
    { name: 'constant_value', type: 'T', optional: true, constant: true },
    { name: 'axes', type: 'A', optional: true, constant: true },
  ],
  outputs: ['output'],
  types: { T: NUMERIC, P: ['int64'], A: ['int32', 'int64'] },
  attrs: {
    mode: attr.string({ default: 'constant', allowed: ['constant', 'edge', 'reflect', 'wrap'] }),
    pads: attr.ints({ optional: true, doc: 'opsets 2-10' }),
    value: attr.float({ optional: true, doc: 'opsets 2-10' }),
  },
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: padDims(ctx).out }],
  lowering: {
    kind: 'kernel',
    compute: (ctx): PadCompute => {
      const x = input(ctx, 0);
      const d = padDims(ctx);
      const out = ctx.outputs[0];
      return {
        kind: 'pad',
        name: `pad_${d.mode}`,
        ops: ['Pad'],
        nodes: [ctx.node.name],
        mode: d.mode,
        inShape: x.shape,
        outShape: d.out,
        padsBegin: d.begin,
        value: d.value,
        input: { buf: x.id, dtype: x.dtype },
        out: { buf: out.id, dtype: out.dtype },
      };
    },
  },
  // Constant mode: dY cropped back (a Pad by the negated pads). Edge, reflect, wrap: per dim, the
  // adjoint of the index map (each input position sums the output positions that read it).
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined || !ctx.needs[0]) return ctx.inputs.map(() => undefined);
    const b = new GradBuilder(e, ctx.opset);
    const x = input(ctx, 0);
    const d = padDims(ctx);
    let g = dy;
    if (d.mode === 'constant') {
      g = b.pad(
        dy,
        d.begin.map((p) => -p),
        d.out.map((o, i) => -(o - x.shape[i] - d.begin[i])),
      );
    } else {
      x.shape.forEach((n, a) => {
        if (d.out[a] !== n || d.begin[a] !== 0) g = b.scatterAxis(g, a, n, (o) => padSource(d.mode, o - d.begin[a], n));
      });
    }
    return [g, ...ctx.inputs.slice(1).map(() => undefined)];
  },
  coverage: 'pads, constant_value and axes must be compile-time constants; negative pads crop; reflect on a size-1 dim repeats it',
});
