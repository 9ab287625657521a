// Gradient checks: the float32 gradients Volta compiles (differentiate -> passes -> kernel
// plans, run by the bit-exact TS interpreter) against central finite differences of the
// forward graph evaluated in float64 (test/helpers/f64_eval.ts).
//
// The checked scalar is L = sum(out * R) for a fixed random R, so every output element
// matters with its own weight. Tolerance (documented in README): for each checked element
//   |analytic - fd| <= ATOL + RTOL * |fd|,  h = 1e-3,
// with inputs kept >= 0.015 away from every multiple of 0.1 (where Relu, Abs, Clip, Floor
// and the hard activations have kinks) or, for max-like ops, pairwise >= 0.6 * 4 / n apart
// (n values over all such inputs of a case; >= 0.006 for the sizes used).

import { differentiate } from '../../compiler/autograd/differentiate.ts';
import { compileGraph } from '../../compiler/compile.ts';
import type { DType } from '../../compiler/ir/dtype.ts';
import type { Graph, Value } from '../../compiler/ir/graph.ts';
import { numel } from '../../compiler/ir/shape.ts';
import { referenceRun } from '../../compiler/reference.ts';
import { GraphBuilder, makeTensor } from '../../runtime/index.ts';
import { mulberry32 } from '../../scripts/make_example_model.ts';
import { evalF64 } from './f64_eval.ts';

export const H = 1e-3;
export const ATOL = 1e-3;
export const RTOL = 1e-3;
/** Elements checked per input (a seeded sample when an input has more). */
const MAX_CHECKED = 48;

/** How input values are drawn. */
export type Gen = 'any' | 'positive' | 'distinct';

export interface GradInput {
  readonly shape: readonly number[];
  readonly gen?: Gen;
}

export interface GradCase {
  readonly inputs: readonly GradInput[];
  /** Builds the output to check from the differentiable inputs. */
  build(b: GraphBuilder, xs: Value[]): Value;
  readonly opset?: number;
}

export function drawValues(n: number, gen: Gen, r: () => number): Float32Array {
  const out = new Float32Array(n);
  if (gen === 'distinct') {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const step = 4 / Math.max(n, 1);
    order.forEach((k, i) => {
      out[i] = -2 + step * (k + 0.5 + (r() - 0.5) * 0.4);
    });
    return out;
  }
  for (let i = 0; i < n; i++) {
    // (m + 0.5 + u) / 10 with |u| <= 0.35: at least 0.015 from any multiple of 0.1.
    const v = (Math.floor(r() * 40) - 20 + 0.5 + (r() - 0.5) * 0.7) / 10;
    out[i] = gen === 'positive' ? 0.2 + Math.abs(v) * 0.9 : v;
  }
  return out;
}

export interface GradReport {
  readonly checked: number;
  readonly worst: { input: number; element: number; analytic: number; fd: number; excess: number } | undefined;
}

/** Builds the case, differentiates, compiles and compares; `worst` is set when a tolerance is exceeded. */
export function gradcheck(c: GradCase, seed: number): GradReport {
  const r = mulberry32(seed);
  const b = new GraphBuilder('gradcheck', { opset: c.opset });
  const xs = c.inputs.map((inp, i) => b.input(`x${i}`, 'float32', inp.shape));
  const out = c.build(b, xs);
  const weights = drawValues(numel(out.shape), 'any', r);
  const weighted = b.op('Mul', [out, b.constant('R', makeTensor('float32', out.shape, weights))]);
  const loss = b.op('ReduceSum', [weighted], { keepdims: 0 });
  b.output(loss);
  const forward = b.build();
  // 'distinct' inputs share one pool, so values of different inputs (Max, Min) never tie either.
  const pool = drawValues(
    c.inputs.filter((inp) => inp.gen === 'distinct').reduce((s, inp) => s + numel(inp.shape), 0),
    'distinct',
    r,
  );
  let taken = 0;
  const values = c.inputs.map((inp) => {
    const n = numel(inp.shape);
    if (inp.gen !== 'distinct') return drawValues(n, inp.gen ?? 'any', r);
    taken += n;
    return pool.slice(taken - n, taken);
  });
  const analytic = compiledGrads(forward, values);
  let checked = 0;
  let worst: GradReport['worst'];
  values.forEach((x, i) => {
    const n = x.length;
    const picks = n <= MAX_CHECKED ? [...Array(n).keys()] : Array.from({ length: MAX_CHECKED }, () => Math.floor(r() * n));
    for (const e of picks) {
      const f = (h: number) => {
        const feeds = new Map(forward.inputs.map((id, k) => [id, Float64Array.from(values[k])]));
        feeds.get(forward.inputs[i])![e] += h;
        return evalF64(forward, feeds)[0][0];
      };
      const fd = (f(H) - f(-H)) / (2 * H);
      const a = analytic[i][e];
      // Where the float64 function itself is NaN around x (a mean over no kept labels is 0/0), the only
      // right derivative is NaN too: both NaN agree, a NaN on one side only is an error.
      const bothNaN = Number.isNaN(a) && Number.isNaN(fd);
      const excess = bothNaN ? 0 : Math.abs(a - fd) - (ATOL + RTOL * Math.abs(fd));
      checked++;
      if (!(excess <= 0) && (worst === undefined || excess > worst.excess || Number.isNaN(excess))) worst = { input: i, element: e, analytic: a, fd, excess };
    }
  });
  return { checked, worst };
}

/** d(loss)/d(input i) in float32 through the whole compiler, run by the reference interpreter. */
export function compiledGrads(forward: Graph, values: readonly Float32Array[]): Float32Array[] {
  const d = differentiate(forward, forward.outputs[0], forward.inputs);
  d.graph.outputs = [...d.grads];
  const c = compileGraph(d.graph);
  const feeds = forward.inputs.map((id, i) => makeTensor(forward.value(id).dtype as DType, forward.value(id).shape, values[i]));
  return referenceRun(c, feeds).map((t) => t.data as Float32Array);
}
