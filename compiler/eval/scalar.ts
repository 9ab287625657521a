// Scalar semantics of Expr in TS, bit-identical to the C/CUDA rendering:
// float32 rounds after every operation (no contraction), int32 wraps, int64 is
// a 64-bit wrapping bigint, integer division by zero gives 0.
import type { DType } from '../ir/dtype.ts';
import type { BinaryOp, Expr, UnaryOp } from '../ops/expr.ts';
import * as vm from './volta_math.ts';

export type Scalar = number | bigint;
const f = Math.fround;
const I32_MIN = -(2 ** 31);

function unary(op: UnaryOp, dtype: DType, a: Scalar): Scalar {
  if (dtype === 'int64') {
    const x = a as bigint;
    if (op === 'neg') return BigInt.asIntN(64, -x);
    if (op === 'abs') return BigInt.asIntN(64, x < 0n ? -x : x);
    return x;
  }
  const x = a as number;
  if (dtype === 'int32' || dtype === 'bool') {
    if (op === 'neg') return -x | 0;
    if (op === 'abs') return (x < 0 ? -x : x) | 0;
    return x;
  }
  switch (op) {
    case 'neg':
      return -x;
    case 'abs':
      return Math.abs(x);
    case 'exp':
      return vm.expf(x);
    case 'log':
      return vm.logf(x);
    case 'sqrt':
      return vm.sqrtf(x);
    case 'tanh':
      return vm.tanhf(x);
    case 'sigmoid':
      return vm.sigmoidf(x);
    case 'erf':
      return vm.erff(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
  }
}

export function binary(op: BinaryOp, dtype: DType, a: Scalar, b: Scalar): Scalar {
  if (dtype === 'int64') {
    const x = a as bigint;
    const y = b as bigint;
    switch (op) {
      case 'add':
        return BigInt.asIntN(64, x + y);
      case 'sub':
        return BigInt.asIntN(64, x - y);
      case 'mul':
        return BigInt.asIntN(64, x * y);
      case 'div':
        return y === 0n ? 0n : BigInt.asIntN(64, x / y);
      case 'max':
        return x > y ? x : y;
      case 'min':
        return x < y ? x : y;
      case 'pow':
        return powInt64(x, y);
    }
  }
  const x = a as number;
  const y = b as number;
  if (dtype === 'int32' || dtype === 'bool') {
    switch (op) {
      case 'add':
        return (x + y) | 0;
      case 'sub':
        return (x - y) | 0;
      case 'mul':
        return Math.imul(x, y);
      case 'div':
        return y === 0 ? 0 : x === I32_MIN && y === -1 ? I32_MIN : Math.trunc(x / y) | 0;
      case 'max':
        return x > y ? x : y;
      case 'min':
        return x < y ? x : y;
      case 'pow':
        return powInt32(x, y);
    }
  }
  switch (op) {
    case 'add':
      return f(x + y);
    case 'sub':
      return f(x - y);
    case 'mul':
      return f(x * y);
    case 'div':
      return f(x / y);
    case 'max':
      return vm.fmaxf(x, y);
    case 'min':
      return vm.fminf(x, y);
    case 'pow':
      return powf(x, y);
    case 'fmod':
      // The remainder of two float32 values is a float32 (exact), as JS computes it in double.
      return x % y;
  }
}

/** int64 -> float32 with one correct rounding (Number(bigint) would round twice). */
function i64ToF32(x: bigint): number {
  const neg = x < 0n;
  let m = neg ? -x : x;
  if (m <= 2n ** 53n) return f(Number(x));
  const shift = BigInt(m.toString(2).length - 24);
  const rest = m & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  m >>= shift;
  if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
  const r = Number(m) * 2 ** Number(shift);
  return f(neg ? -r : r);
}

/** Float -> integer: truncation, NaN -> 0, saturating at the type's range (C would be UB). */
function f32ToInt(x: number, dtype: 'int32' | 'int64'): Scalar {
  if (Number.isNaN(x)) return dtype === 'int64' ? 0n : 0;
  const t = Math.trunc(x);
  if (dtype === 'int32') return t >= 2 ** 31 ? 2 ** 31 - 1 : t < -(2 ** 31) ? -(2 ** 31) : t;
  return t >= 2 ** 63 ? 2n ** 63n - 1n : t < -(2 ** 63) ? -(2n ** 63n) : BigInt(t);
}

export function castScalar(v: Scalar, from: DType, to: DType): Scalar {
  if (from === to) return v;
  if (to === 'bool') return from === 'float32' ? (v !== 0 ? 1 : 0) : v !== 0 && v !== 0n ? 1 : 0;
  if (to === 'float32') return from === 'int64' ? i64ToF32(v as bigint) : f(Number(v));
  if (from === 'float32') return f32ToInt(v as number, to);
  if (to === 'int64') return BigInt(v as number);
  return Number(BigInt.asIntN(32, typeof v === 'bigint' ? v : BigInt(v)));
}

/** Identity element of a reduction, in the dtype's representation. */
export function reduceInit(init: 'zero' | 'one' | 'lowest' | 'highest', dtype: DType): Scalar {
  if (init === 'zero' || init === 'one') return constScalar(init === 'zero' ? 0 : 1, dtype);
  const low = init === 'lowest';
  if (dtype === 'float32') return low ? -Infinity : Infinity;
  if (dtype === 'int64') return low ? -(2n ** 63n) : 2n ** 63n - 1n;
  if (dtype === 'int32') return low ? -(2 ** 31) : 2 ** 31 - 1;
  return low ? 0 : 1;
}

/** Mirrors volta_powf in templates/common/volta_ops.h operation for operation. */
export function powf(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  if (ay === Infinity) {
    if (ax === 1) return 1;
    return ax > 1 === y > 0 ? Infinity : 0;
  }
  const isInt = Math.floor(y) === y;
  const negative = x < 0 || Object.is(x, -0);
  if (negative && ax !== 0 && !isInt) return Number.NaN;
  const odd = isInt && ay < 16777216 && ay % 2 === 1;
  let r: number;
  if (isInt && ay <= 64) {
    let n = ay;
    let b = ax;
    r = 1;
    while (n !== 0) {
      if (n % 2 === 1) r = f(r * b);
      b = f(b * b);
      n = Math.floor(n / 2);
    }
    if (y < 0) r = f(1 / r);
  } else r = vm.expf(f(y * vm.logf(ax)));
  return negative && odd ? -r : r;
}

function powInt32(x: number, y: number): number {
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 !== 0 ? -1 : 1) : 0;
  let r = 1;
  let b = x | 0;
  let n = y;
  while (n !== 0) {
    if (n & 1) r = Math.imul(r, b);
    b = Math.imul(b, b);
    n >>>= 1;
  }
  return r;
}

function powInt64(x: bigint, y: bigint): bigint {
  if (y < 0n) return x === 1n ? 1n : x === -1n ? (y % 2n !== 0n ? -1n : 1n) : 0n;
  let r = 1n;
  let b = BigInt.asUintN(64, x);
  let n = y;
  while (n !== 0n) {
    if (n & 1n) r = BigInt.asUintN(64, r * b);
    b = BigInt.asUintN(64, b * b);
    n >>= 1n;
  }
  return BigInt.asIntN(64, r);
}

export function constScalar(v: number, dtype: DType): Scalar {
  if (dtype === 'int64') return BigInt(v);
  if (dtype === 'float32') return f(v);
  return v | 0;
}

/** Evaluates a straight-line body; args[i] are the operand values. Returns the last let. */
export function evalBody(body: readonly Expr[], args: readonly Scalar[]): Scalar {
  const lets: Scalar[] = [];
  const ev = (e: Expr): Scalar => {
    switch (e.k) {
      case 'arg':
        return args[e.i];
      case 'let':
        return lets[e.i];
      case 'const':
        return constScalar(e.v, e.dtype);
      case 'unary':
        return unary(e.op, e.dtype, ev(e.a));
      case 'binary':
        return binary(e.op, e.dtype, ev(e.a), ev(e.b));
      case 'compare': {
        const x = ev(e.a);
        const y = ev(e.b);
        const r = e.op === 'lt' ? x < y : e.op === 'le' ? x <= y : e.op === 'gt' ? x > y : e.op === 'ge' ? x >= y : x === y;
        return r ? 1 : 0;
      }
      case 'select':
        return ev(e.c) !== 0 ? ev(e.a) : ev(e.b);
      case 'cast':
        return castScalar(ev(e.a), e.a.dtype, e.dtype);
    }
  };
  for (const e of body) lets.push(ev(e));
  return lets[lets.length - 1];
}
