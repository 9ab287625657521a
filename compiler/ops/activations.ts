// More activation functions, each one scalar expression over Volta's own math.
import type { Value } from '../ir/graph.ts';
import { attr } from './attr.ts';
import { floatAttr } from './define.ts';
import { FLOAT, NUMERIC, unaryOp } from './elementwise.ts';
import { add, ceil, div, type Expr, erf, exp, floor, gt, lit, log, lt, max, min, mul, neg, select, sub, tanh } from './expr.ts';
import { type GradBuilder, unaryGrad } from './grad.ts';

const f = (v: number) => lit(Math.fround(v), 'float32');
const alphaOf = (ctx: Parameters<Parameters<typeof unaryOp>[1]>[1]) => f(floatAttr(ctx, 'alpha'));
/** The exact zero gradient of a piecewise-constant op. */
const zeroGrad = unaryGrad((b, x) => b.zeros(x.shape));
/** 1 where lo < v < hi, else 0, as float32 (v a graph value). */
const inside = (b: GradBuilder, v: Value, lo: number, hi: number) =>
  b.where(b.greater(v, b.f32(lo)), b.where(b.less(v, b.f32(hi)), b.f32(1), b.f32(0)), b.f32(0));

export const Floor = unaryOp({ name: 'Floor', since: 6, types: FLOAT, coverage: 'exact', grad: zeroGrad }, floor);
export const Ceil = unaryOp({ name: 'Ceil', since: 6, types: FLOAT, coverage: 'exact', grad: zeroGrad }, ceil);
export const Reciprocal = unaryOp(
  { name: 'Reciprocal', since: 6, types: FLOAT, coverage: '1 / x, correctly rounded', grad: unaryGrad((b, _x, y, dy) => b.neg(b.mul(dy, b.mul(y, y)))) },
  (x) => div(f(1), x),
);
export const Erf = unaryOp(
  {
    name: 'Erf',
    since: 9,
    types: FLOAT,
    coverage: 'volta_erff',
    grad: unaryGrad((b, x, _y, dy) => b.mul(dy, b.scale(b.exp(b.neg(b.mul(x, x))), 2 / Math.sqrt(Math.PI)))),
  },
  erf,
);

export const Sign = unaryOp({ name: 'Sign', since: 9, types: NUMERIC, coverage: '-1, 0 or 1; NaN stays NaN', grad: zeroGrad }, (x) =>
  select(gt(x, lit(0, x.dtype)), lit(1, x.dtype), select(lt(x, lit(0, x.dtype)), lit(-1, x.dtype), x)),
);

export const Elu = unaryOp(
  {
    name: 'Elu',
    since: 6,
    types: FLOAT,
    attrs: { alpha: attr.float({ default: 1 }) },
    coverage: 'x if x > 0 else alpha * (exp(x) - 1)',
    grad: unaryGrad((b, x, _y, dy, ctx) => b.where(b.greater(x, b.f32(0)), dy, b.mul(dy, b.scale(b.exp(x), floatAttr(ctx, 'alpha'))))),
  },
  (x, ctx) => select(gt(x, f(0)), x, mul(alphaOf(ctx), sub(exp(x), f(1)))),
);

export const Selu = unaryOp(
  {
    name: 'Selu',
    since: 6,
    types: FLOAT,
    attrs: { alpha: attr.float({ default: Math.fround(1.6732632423543772) }), gamma: attr.float({ default: Math.fround(1.0507009873554805) }) },
    coverage: 'gamma * x if x > 0 else gamma * (alpha * exp(x) - alpha)',
    grad: unaryGrad((b, x, _y, dy, ctx) => {
      const gamma = floatAttr(ctx, 'gamma');
      const neg = b.scale(b.exp(x), Math.fround(gamma * floatAttr(ctx, 'alpha')));
      return b.mul(dy, b.where(b.greater(x, b.f32(0)), b.f32(gamma), neg));
    }),
  },
  (x, ctx) => {
    const gamma = f(floatAttr(ctx, 'gamma'));
    const alpha = alphaOf(ctx);
    return mul(gamma, select(gt(x, f(0)), x, sub(mul(alpha, exp(x)), alpha)));
  },
);

const clamp01 = (v: Expr) => max(f(0), min(f(1), v));

export const HardSigmoid = unaryOp(
  {
    name: 'HardSigmoid',
    since: 6,
    types: FLOAT,
    attrs: { alpha: attr.float({ default: 0.2 }), beta: attr.float({ default: 0.5 }) },
    coverage: 'max(0, min(1, alpha * x + beta))',
    grad: unaryGrad((b, x, _y, dy, ctx) => {
      const t = b.add(b.scale(x, floatAttr(ctx, 'alpha')), b.f32(floatAttr(ctx, 'beta')));
      return b.mul(b.scale(dy, floatAttr(ctx, 'alpha')), inside(b, t, 0, 1));
    }),
  },
  (x, ctx) => clamp01(add(mul(alphaOf(ctx), x), f(floatAttr(ctx, 'beta')))),
);

export const HardSwish = unaryOp(
  {
    name: 'HardSwish',
    since: 14,
    types: FLOAT,
    coverage: 'x * max(0, min(1, x / 6 + 0.5)), with 1/6 as a float32 constant',
    // d/dx = 0 below -3, 1 above 3, x / 3 + 0.5 between.
    grad: unaryGrad((b, x, _y, dy) => {
      const mid = b.add(b.scale(x, 1 / 3), b.f32(0.5));
      return b.mul(dy, b.where(b.less(x, b.f32(-3)), b.f32(0), b.where(b.greater(x, b.f32(3)), b.f32(1), mid)));
    }),
  },
  (x) => mul(x, clamp01(add(mul(f(1 / 6), x), f(0.5)))),
);

export const Softplus = unaryOp(
  {
    name: 'Softplus',
    since: 1,
    types: FLOAT,
    coverage: 'log(1 + exp(x)), evaluated as max(x, 0) + log(1 + exp(-|x|)) so large |x| neither overflows nor loses x',
    grad: unaryGrad((b, x, _y, dy) => b.mul(dy, b.op('Sigmoid', [x]))),
  },
  (x) => {
    const negAbs = select(lt(x, f(0)), x, neg(x));
    return add(max(x, f(0)), log(add(f(1), exp(negAbs))));
  },
);

export const Gelu = unaryOp(
  {
    name: 'Gelu',
    since: 20,
    types: FLOAT,
    attrs: { approximate: attr.string({ default: 'none', allowed: ['none', 'tanh'] }) },
    coverage: "approximate='none': 0.5 x (1 + erf(x / sqrt 2)); 'tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))",
    grad: unaryGrad((b, x, _y, dy, ctx) => {
      const half = (v: Value) => b.scale(b.add(b.f32(1), v), 0.5);
      if (ctx.attrs.approximate === 'tanh') {
        const c = Math.sqrt(2 / Math.PI);
        const x2 = b.mul(x, x);
        const t = b.op('Tanh', [b.scale(b.add(x, b.scale(b.mul(x2, x), 0.044715)), c)]);
        const du = b.scale(b.add(b.f32(1), b.scale(x2, 3 * 0.044715)), c);
        return b.mul(dy, b.add(half(t), b.mul(b.scale(x, 0.5), b.mul(b.sub(b.f32(1), b.mul(t, t)), du))));
      }
      const pdf = b.scale(b.exp(b.scale(b.mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return b.mul(dy, b.add(half(b.op('Erf', [b.scale(x, Math.SQRT1_2)])), b.mul(x, pdf)));
    }),
  },
  (x, ctx) => {
    const inner =
      ctx.attrs.approximate === 'tanh' ? tanh(mul(f(Math.sqrt(2 / Math.PI)), add(x, mul(f(0.044715), mul(mul(x, x), x))))) : erf(div(x, f(Math.SQRT2)));
    return mul(mul(f(0.5), x), add(f(1), inner));
  },
);

export const Shrink = unaryOp(
  {
    name: 'Shrink',
    since: 9,
    types: FLOAT,
    attrs: { bias: attr.float({ default: 0 }), lambd: attr.float({ default: 0.5 }) },
    coverage: 'x + bias if x < -lambd, x - bias if x > lambd, else 0 (NaN gives 0: both comparisons are false)',
    grad: unaryGrad((b, x, _y, dy, ctx) => {
      const l = floatAttr(ctx, 'lambd');
      return b.where(b.less(x, b.f32(-l)), dy, b.where(b.greater(x, b.f32(l)), dy, b.f32(0)));
    }),
  },
  (x, ctx) => {
    const l = f(floatAttr(ctx, 'lambd'));
    const bias = f(floatAttr(ctx, 'bias'));
    return select(lt(x, neg(l)), add(x, bias), select(gt(x, l), sub(x, bias), f(0)));
  },
);

export const Celu = unaryOp(
  {
    name: 'Celu',
    since: 12,
    types: FLOAT,
    attrs: { alpha: attr.float({ default: 1 }) },
    coverage: 'max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), as the ONNX function body',
    grad: unaryGrad((b, x, _y, dy, ctx) => {
      const a = floatAttr(ctx, 'alpha');
      return b.where(b.greater(x, b.f32(0)), dy, b.mul(dy, b.exp(b.div(x, b.f32(a)))));
    }),
  },
  (x, ctx) => add(max(f(0), x), min(f(0), mul(alphaOf(ctx), sub(exp(div(x, alphaOf(ctx))), f(1))))),
);

/** log(1 + exp(x)) without overflow: max(x, 0) + log(1 + exp(-|x|)) (as Softplus). */
const softplus = (x: Expr) => add(max(x, f(0)), log(add(f(1), exp(select(lt(x, f(0)), x, neg(x))))));

export const Mish = unaryOp(
  {
    name: 'Mish',
    since: 18,
    types: FLOAT,
    coverage: 'x * tanh(softplus(x)), softplus evaluated as in Softplus',
    // d/dx = t + x * (1 - t^2) * sigmoid(x), t = tanh(softplus(x)).
    grad: unaryGrad((b, x, _y, dy) => {
      const t = b.op('Tanh', [b.op('Softplus', [x])]);
      return b.mul(dy, b.add(t, b.mul(b.mul(x, b.sub(b.f32(1), b.mul(t, t))), b.op('Sigmoid', [x]))));
    }),
  },
  (x) => mul(x, tanh(softplus(x))),
);

export const ThresholdedRelu = unaryOp(
  {
    name: 'ThresholdedRelu',
    since: 10,
    types: FLOAT,
    attrs: { alpha: attr.float({ default: 1 }) },
    coverage: 'x if x > alpha else 0',
    grad: unaryGrad((b, x, _y, dy, ctx) => b.where(b.greater(x, b.f32(floatAttr(ctx, 'alpha'))), dy, b.f32(0))),
  },
  (x, ctx) => select(gt(x, alphaOf(ctx)), x, f(0)),
);
