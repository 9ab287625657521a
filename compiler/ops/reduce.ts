// Reduce* ops: one reduce compute each (see ReduceCompute), differing in the
// pre-map, the combining op, its identity and the post-map.

import type { DType } from '../ir/dtype.ts';
import type { Value } from '../ir/graph.ts';
import { contiguousStrides, normalizeAxis, numel } from '../ir/shape.ts';
import { attr } from './attr.ts';
import type { ReduceCompute } from './compute.ts';
import { constInput, defineOp, fail, input, intAttr, intsAttr, type NodeCtx, type OpDef } from './define.ts';
import { MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { arg, div, type Expr, exp, lit, log, mul, sqrt } from './expr.ts';
import { GradBuilder } from './grad.ts';

/** Axes to reduce, sorted; [] means none (noop_with_empty_axes). */
function axesOf(ctx: NodeCtx, axesInputSince: number): number[] {
  const rank = input(ctx, 0).shape.length;
  let given: number[] | undefined;
  if (ctx.opset >= axesInputSince) {
    given = constInput(ctx, 1, 'axes input');
  } else given = intsAttr(ctx, 'axes') as number[] | undefined;
  if (given === undefined || given.length === 0) {
    return given !== undefined && intAttr(ctx, 'noop_with_empty_axes') === 1 ? [] : [...Array(rank).keys()];
  }
  const out = given.map((x) => normalizeAxis(x, rank));
  if (out.some((x) => x === undefined) || new Set(out).size !== out.length) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axes [${given.join(',')}] for rank ${rank}`, `distinct axes in -${rank}..${rank - 1}`);
  }
  return (out as number[]).sort((x, y) => x - y);
}

interface ReduceSpec {
  name: string;
  /** Opset from which axes is an input instead of an attribute. */
  axesInputSince: number;
  types: readonly DType[];
  combine: ReduceCompute['combine'];
  init: ReduceCompute['init'];
  pre?: (x: Expr) => Expr;
  post?: (acc: Expr, count: number) => Expr;
  /** How dX follows from dY (broadcast back over the reduced axes); absent: no gradient rule. */
  grad?: 'sum' | 'mean' | 'extreme' | 'l2' | 'logsumexp';
  coverage: string;
}

/** dX for dY and Y reshaped to keep the reduced axes as size 1 (so they broadcast over X). */
function reduceGrad(kind: NonNullable<ReduceSpec['grad']>, b: GradBuilder, x: Value, dyK: Value, yK: Value, axes: number[]): Value {
  const zero = b.f32(0);
  switch (kind) {
    case 'sum':
      return b.expand(dyK, x.shape);
    case 'mean':
      return b.expand(b.div(dyK, b.f32(numel(axes.map((a) => x.shape[a])))), x.shape);
    case 'extreme': {
      // Ties share the gradient equally.
      const hit = b.equal(x, yK);
      const count = b.reduceSum(b.where(hit, b.f32(1), zero), axes, true);
      return b.where(hit, b.div(dyK, count), zero);
    }
    case 'l2':
      return b.where(b.equal(yK, zero), zero, b.div(b.mul(dyK, x), yK));
    case 'logsumexp':
      return b.mul(dyK, b.exp(b.sub(x, yK)));
  }
}

function reduceOp(spec: ReduceSpec): OpDef {
  const infer = (ctx: NodeCtx) => {
    const x = input(ctx, 0);
    const axes = axesOf(ctx, spec.axesInputSince);
    const keep = intAttr(ctx, 'keepdims') === 1;
    const shape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keep ? [1] : []) : [d]));
    return [{ dtype: x.dtype, shape }];
  };
  return defineOp({
    name: spec.name,
    onnx: { opType: spec.name, domain: '', opsets: [1, MAX_KNOWN_OPSET] },
    inputs: [
      { name: 'data', type: 'T' },
      { name: 'axes', type: 'A', optional: true, constant: true },
    ],
    outputs: ['reduced'],
    types: { T: spec.types, A: ['int64'] },
    attrs: {
      keepdims: attr.int({ default: 1, allowed: [0, 1] }),
      noop_with_empty_axes: attr.int({ default: 0, allowed: [0, 1], doc: `opset ${spec.axesInputSince}+` }),
      axes: attr.ints({ optional: true, doc: `before opset ${spec.axesInputSince}` }),
    },
    infer,
    grad:
      spec.grad &&
      ((ctx, e) => {
        const dy = ctx.dOutputs[0];
        const x = input(ctx, 0);
        if (dy === undefined || !ctx.needs[0]) return ctx.inputs.map(() => undefined);
        const b = new GradBuilder(e, ctx.opset);
        const axes = axesOf(ctx, spec.axesInputSince);
        const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const dx = reduceGrad(spec.grad!, b, x, b.reshape(dy, kept), b.reshape(ctx.outputs[0], kept), axes);
        return [dx, ...ctx.inputs.slice(1).map(() => undefined)];
      }),
    lowering: {
      kind: 'kernel',
      compute: (ctx): ReduceCompute => {
        const x = input(ctx, 0);
        const axes = axesOf(ctx, spec.axesInputSince);
        const s = contiguousStrides(x.shape);
        const keptDims = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
        const reduced = axes.map((a) => x.shape[a]);
        const count = numel(reduced);
        const out = ctx.outputs[0];
        const d = x.dtype;
        return {
          kind: 'reduce',
          name: spec.name.toLowerCase(),
          ops: [spec.name],
          nodes: [ctx.node.name],
          input: { buf: x.id, dtype: d, strides: keptDims.map((i) => s[i]), offset: 0, reducedStrides: axes.map((a) => s[a]) },
          kept: keptDims.map((i) => x.shape[i]),
          reduced,
          init: spec.init,
          pre: [spec.pre ? spec.pre(arg(0, d)) : arg(0, d)],
          combine: spec.combine,
          post: [spec.post ? spec.post(arg(0, d), count) : arg(0, d)],
          accDtype: d,
          out: { buf: out.id, dtype: out.dtype },
        };
      },
    },
    coverage: spec.coverage,
  });
}

const FLOAT: readonly DType[] = ['float32'];

export const ReduceSum = reduceOp({
  name: 'ReduceSum',
  grad: 'sum',
  axesInputSince: 13,
  types: NUMERIC,
  combine: 'add',
  init: 'zero',
  coverage: 'axes constant; sequential sum in row-major order of the reduced dims; empty set gives 0',
});
export const ReduceMean = reduceOp({
  name: 'ReduceMean',
  grad: 'mean',
  axesInputSince: 18,
  types: FLOAT,
  combine: 'add',
  init: 'zero',
  post: (acc, n) => div(acc, lit(n, acc.dtype)),
  coverage: 'float32; sequential sum, then divided by the count',
});
export const ReduceProd = reduceOp({
  name: 'ReduceProd',
  axesInputSince: 18,
  types: NUMERIC,
  combine: 'mul',
  init: 'one',
  coverage: 'sequential product; empty set gives 1; no gradient rule (x / y is wrong where an element is 0)',
});
export const ReduceMax = reduceOp({
  name: 'ReduceMax',
  grad: 'extreme',
  axesInputSince: 18,
  combine: 'max',
  init: 'lowest',
  types: ['bool', ...NUMERIC],
  coverage: "NaN-propagating for float32; empty set gives -inf; integers start from the type's minimum; bool is any()",
});
export const ReduceMin = reduceOp({
  name: 'ReduceMin',
  grad: 'extreme',
  axesInputSince: 18,
  combine: 'min',
  init: 'highest',
  types: ['bool', ...NUMERIC],
  coverage: "NaN-propagating for float32; empty set gives +inf; integers start from the type's maximum; bool is all()",
});
export const ReduceL2 = reduceOp({
  name: 'ReduceL2',
  grad: 'l2',
  axesInputSince: 18,
  types: FLOAT,
  combine: 'add',
  init: 'zero',
  pre: (x) => mul(x, x),
  post: (acc) => sqrt(acc),
  coverage: 'float32; sqrt of the sequential sum of squares (no scaling against overflow)',
});
export const ReduceLogSumExp = reduceOp({
  name: 'ReduceLogSumExp',
  grad: 'logsumexp',
  axesInputSince: 18,
  types: FLOAT,
  combine: 'add',
  init: 'zero',
  pre: (x) => exp(x),
  post: (acc) => log(acc),
  coverage: 'float32; log of the sequential sum of exp(x), as the ONNX reference (not max-shifted); empty set gives -inf',
});
