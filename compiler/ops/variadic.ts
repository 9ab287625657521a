// Variadic elementwise ops (numpy broadcasting over all inputs), folded left to
// right: ((x0 op x1) op x2) ... — the order is part of the result for floats.
import { defineOp, type OpDef } from './define.ts';
import { inferBroadcast, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { add, div, type Expr, lit, max, min } from './expr.ts';

function variadic(name: string, since: number, fold: (a: Expr, b: Expr) => Expr, coverage: string, finish?: (acc: Expr, n: number) => Expr): OpDef {
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
    coverage,
  });
}

export const Sum = variadic('Sum', 8, add, 'summed left to right');
export const Max = variadic('Max', 8, max, 'NaN-propagating (volta_fmaxf) for float32');
export const Min = variadic('Min', 8, min, 'NaN-propagating (volta_fminf) for float32');
export const Mean = variadic('Mean', 8, add, 'float32; summed left to right, then divided by the input count', (acc, n) => div(acc, lit(n, acc.dtype)));
