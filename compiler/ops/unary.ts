// Unary elementwise ops. Transcendentals use Volta's own math (templates/common/volta_math.h,
// mirrored bit-for-bit in compiler/eval/volta_math.ts), never libm or CUDA's intrinsics.
import { attr } from './attr.ts';
import { floatAttr } from './define.ts';
import { FLOAT, NUMERIC, unaryOp } from './elementwise.ts';
import { abs, exp, lit, log, lt, mul, neg, select, sigmoid, sqrt, tanh } from './expr.ts';
import { unaryGrad } from './grad.ts';

export const Neg = unaryOp(
  { name: 'Neg', since: 6, types: NUMERIC, coverage: "integer negation wraps (two's complement)", grad: unaryGrad((b, _x, _y, dy) => b.neg(dy)) },
  neg,
);
export const Abs = unaryOp(
  {
    name: 'Abs',
    since: 6,
    types: NUMERIC,
    coverage: 'float abs clears the sign bit (abs(-0) = +0)',
    grad: unaryGrad((b, x, _y, dy) => b.mul(dy, b.op('Sign', [x]))),
  },
  abs,
);
export const Exp = unaryOp({ name: 'Exp', since: 6, types: FLOAT, coverage: 'volta_expf, within 1 ulp', grad: unaryGrad((b, _x, y, dy) => b.mul(dy, y)) }, exp);
export const Log = unaryOp(
  { name: 'Log', since: 6, types: FLOAT, coverage: 'volta_logf; log(0) = -inf, log(x<0) = NaN', grad: unaryGrad((b, x, _y, dy) => b.div(dy, x)) },
  log,
);
export const Sqrt = unaryOp(
  {
    name: 'Sqrt',
    since: 6,
    types: FLOAT,
    coverage: 'correctly rounded; sqrt(x<0) = NaN',
    grad: unaryGrad((b, _x, y, dy) => b.div(dy, b.scale(y, 2))),
  },
  sqrt,
);
export const Sigmoid = unaryOp(
  {
    name: 'Sigmoid',
    since: 6,
    types: FLOAT,
    coverage: 'volta_sigmoidf',
    grad: unaryGrad((b, _x, y, dy) => b.mul(dy, b.mul(y, b.sub(b.f32(1), y)))),
  },
  sigmoid,
);
export const Tanh = unaryOp(
  { name: 'Tanh', since: 6, types: FLOAT, coverage: 'volta_tanhf', grad: unaryGrad((b, _x, y, dy) => b.mul(dy, b.sub(b.f32(1), b.mul(y, y)))) },
  tanh,
);

export const Relu = unaryOp(
  {
    name: 'Relu',
    since: 6,
    types: NUMERIC,
    coverage: 'max(x, 0); NaN and -0 pass through unchanged',
    // Gradient 0 at x = 0 (as PyTorch).
    grad: unaryGrad((b, x, _y, dy) => b.where(b.greater(x, b.f32(0)), dy, b.f32(0))),
  },
  (x) => select(lt(x, lit(0, x.dtype)), lit(0, x.dtype), x),
);

export const LeakyRelu = unaryOp(
  {
    name: 'LeakyRelu',
    since: 6,
    types: FLOAT,
    attrs: { alpha: attr.float({ default: 0.01 }) },
    coverage: 'x if x >= 0 else alpha * x',
    grad: unaryGrad((b, x, _y, dy, ctx) => b.where(b.less(x, b.f32(0)), b.scale(dy, floatAttr(ctx, 'alpha')), dy)),
  },
  (x, ctx) => select(lt(x, lit(0, x.dtype)), mul(x, lit(Math.fround(floatAttr(ctx, 'alpha')), x.dtype)), x),
);
