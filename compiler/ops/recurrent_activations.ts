// The activation functions the recurrent ops (RNN, GRU, LSTM) accept in their
// `activations` attribute, as scalar expressions over arg(0), and how
// activation_alpha / activation_beta are consumed: in list order, each function
// taking the values it uses, its defaults once a list runs out (as onnxruntime does).
import { abs, add, div, type Expr, exp, gt, lit, log, lt, max, min, mul, neg, select, sigmoid, sub, tanh } from './expr.ts';

const f = (v: number) => lit(Math.fround(v), 'float32');
const X = { k: 'arg', i: 0, dtype: 'float32' } as const satisfies Expr;

interface Activation {
  /** Default alpha and beta; absent where the function takes none. */
  readonly alpha?: number;
  readonly beta?: number;
  readonly expr: (alpha: number, beta: number) => Expr;
}

const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  Relu: { expr: () => select(lt(X, f(0)), f(0), X) },
  Tanh: { expr: () => tanh(X) },
  Sigmoid: { expr: () => sigmoid(X) },
  Affine: { alpha: 1, beta: 0, expr: (a, b) => add(mul(f(a), X), f(b)) },
  LeakyRelu: { alpha: 0.01, expr: (a) => select(lt(X, f(0)), mul(X, f(a)), X) },
  ThresholdedRelu: { alpha: 1, expr: (a) => select(gt(X, f(a)), X, f(0)) },
  ScaledTanh: { alpha: 1, beta: 1, expr: (a, b) => mul(f(a), tanh(mul(f(b), X))) },
  HardSigmoid: { alpha: 0.2, beta: 0.5, expr: (a, b) => max(f(0), min(f(1), add(mul(f(a), X), f(b)))) },
  Elu: { alpha: 1, expr: (a) => select(gt(X, f(0)), X, mul(f(a), sub(exp(X), f(1)))) },
  Softsign: { expr: () => div(X, add(f(1), abs(X))) },
  // max(x, 0) + log(1 + exp(-|x|)): log(1 + exp(x)) without overflow, as the Softplus op.
  Softplus: { expr: () => add(max(X, f(0)), log(add(f(1), exp(select(lt(X, f(0)), X, neg(X)))))) },
};

export const ACTIVATION_NAMES: readonly string[] = Object.keys(ACTIVATIONS);

/** The canonical name of an activation (matched case-insensitively, as onnxruntime does), or undefined. */
export function activationName(name: string): string | undefined {
  return ACTIVATION_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
}

/** Expressions for a list of (canonical) activation names, consuming alphas and betas in order. */
export function activationExprs(names: readonly string[], alphas: readonly number[], betas: readonly number[]): Expr[] {
  let ai = 0;
  let bi = 0;
  return names.map((n) => {
    const a = ACTIVATIONS[n];
    const alpha = a.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++] : a.alpha;
    const beta = a.beta === undefined ? 0 : bi < betas.length ? betas[bi++] : a.beta;
    return a.expr(alpha, beta);
  });
}
