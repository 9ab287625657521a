// Variadic elementwise ops (numpy broadcasting over all inputs), folded left to
// right: ((x0 op x1) op x2) ... — the order is part of the result for floats.
import type { Value } from '../ir/graph.ts';
import { defineOp, type GradRule, type OpDef } from './define.ts';
import { inferBroadcast, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { add, div, type Expr, lit, max, min } from './expr.ts';
import { broadcastGrad, GradBuilder } from './grad.ts';

function variadic(
  name: string,
  since: number,
  fold: (a: Expr, b: Expr) => Expr,
  coverage: string,
  grad: GradRule,
  finish?: (acc: Expr, n: number) => Expr,
): OpDef {
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [since, MAX_KNOWN_OPSET] },
    inputs: [{ name: 'data_0', type: 'T', variadic: true }],
    outputs: [name.toLowerCase()],
    types: { T: name === 'Mean' ? ['float32'] : NUMERIC },
    attrs: {},
    infer: inferBroadcast,
    lowering: {
      kind: 'elementwise',
      scalar: (args) => {
        const xs = args as Expr[];
        const acc = xs.slice(1).reduce(fold, xs[0]);
        return finish ? finish(acc, xs.length) : acc;
      },
    },
    grad,
    coverage,
  });
}

/** Max/Min: the gradient goes to the first input equal to the output (ties: the earliest input). */
const firstEqualGrad: GradRule = (ctx, e) => {
  const dy = ctx.dOutputs[0];
  if (dy === undefined) return ctx.inputs.map(() => undefined);
  const b = new GradBuilder(e, ctx.opset);
  const zero = b.f32(0);
  let rest: Value = dy;
  return ctx.inputs.map((x, i) => {
    const hit = b.equal(x!, ctx.outputs[0]);
    const g = ctx.needs[i] ? b.sumTo(b.where(hit, rest, zero), x!.shape) : undefined;
    if (i < ctx.inputs.length - 1) rest = b.where(hit, zero, rest);
    return g;
  });
};

export const Sum = variadic(
  'Sum',
  8,
  add,
  'summed left to right',
  broadcastGrad((_b, _i, dy) => dy),
);
export const Max = variadic('Max', 8, max, 'NaN-propagating (volta_fmaxf) for float32', firstEqualGrad);
export const Min = variadic('Min', 8, min, 'NaN-propagating (volta_fminf) for float32', firstEqualGrad);
export const Mean = variadic(
  'Mean',
  8,
  add,
  'float32; summed left to right, then divided by the input count',
  broadcastGrad((b, _i, dy, ctx) => b.div(dy, b.f32(ctx.inputs.length))),
  (acc, n) => div(acc, lit(n, acc.dtype)),
);
