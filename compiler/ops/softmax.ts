// Softmax: numerically stable (subtract the max), fixed reduction order (see SoftmaxCompute).
// Opset 13 normalises over one axis; opsets 1-12 over the flattened dims from `axis` on.
import { normalizeAxis, numel } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { defineOp, fail, input, intAttr, type NodeCtx } from './define.ts';
import { FLOAT, MAX_KNOWN_OPSET } from './elementwise.ts';
import { GradBuilder } from './grad.ts';

function view(ctx: NodeCtx): { outer: number; axis: number; inner: number } {
  const shape = input(ctx, 0).shape;
  const a = normalizeAxis(intAttr(ctx, 'axis'), Math.max(shape.length, 1));
  if (a === undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axis=${intAttr(ctx, 'axis')} for rank ${shape.length}`, `-${shape.length}..${shape.length - 1}`);
  const outer = numel(shape.slice(0, a));
  if (ctx.opset >= 13) return { outer, axis: shape[a] ?? 1, inner: numel(shape.slice(a + 1)) };
  return { outer, axis: numel(shape.slice(a)), inner: 1 };
}

/** The axes a softmax normalises over: one (opset 13+) or all from `axis` on (opsets 1-12). */
function normalizedAxes(ctx: NodeCtx): number[] {
  const r = input(ctx, 0).shape.length;
  const a = normalizeAxis(intAttr(ctx, 'axis'), Math.max(r, 1)) ?? 0;
  if (r === 0) return [];
  return ctx.opset >= 13 ? [a] : [...Array(r - a).keys()].map((i) => a + i);
}

function softmaxOp(name: 'Softmax' | 'LogSoftmax', log: boolean) {
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [1, MAX_KNOWN_OPSET] },
    inputs: [{ name: 'input', type: 'T' }],
    outputs: ['output'],
    types: { T: FLOAT },
    attrs: { axis: attr.int({ default: (opset) => (opset >= 13 ? -1 : 1) }) },
    // Softmax: dX = y (dY - sum(dY y)); LogSoftmax: dX = dY - exp(y) sum(dY); sums over the normalised axes.
    grad: (ctx, e) => {
      const dy = ctx.dOutputs[0];
      if (dy === undefined || !ctx.needs[0]) return [undefined];
      const b = new GradBuilder(e, ctx.opset);
      const y = ctx.outputs[0];
      const axes = normalizedAxes(ctx);
      if (log) return [b.sub(dy, b.mul(b.exp(y), b.reduceSum(dy, axes, true)))];
      return [b.mul(y, b.sub(dy, b.reduceSum(b.mul(dy, y), axes, true)))];
    },
    infer: (ctx) => {
      view(ctx);
      return [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }];
    },
    lowering: {
      kind: 'kernel',
      compute: (ctx) => {
        const v = view(ctx);
        const x = input(ctx, 0);
        const out = ctx.outputs[0];
        return {
          kind: 'softmax',
          name: name.toLowerCase(),
          ops: [name],
          nodes: [ctx.node.name],
          ...v,
          log,
          input: { buf: x.id, dtype: x.dtype },
          out: { buf: out.id, dtype: out.dtype },
        };
      },
    },
    coverage: `float32; any axis; opsets 1-12 use the flatten-to-2-D semantics of those versions${log ? '; (x - max) - log(sum)' : ''}`,
  });
}

export const Softmax = softmaxOp('Softmax', false);
export const LogSoftmax = softmaxOp('LogSoftmax', true);
