// Scalar expressions: how an elementwise op computes one output element.
// Op entries build them; the C and CUDA renderers print them through a dialect,
// and the TS interpreter evaluates them with the same rounding, so all three agree.
import type { DType } from '../ir/dtype.ts';

export type UnaryOp = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sigmoid' | 'erf' | 'floor' | 'ceil';
/** fmod: float32 only, the exact IEEE remainder truncated toward zero (C fmodf). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow' | 'fmod';
export type CompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq';

export type Expr =
  /** The i-th operand of the kernel (an element load) or a leaf the kernel supplies (e.g. matmul's accumulator). */
  | { readonly k: 'arg'; readonly i: number; readonly dtype: DType }
  | { readonly k: 'const'; readonly v: number; readonly dtype: DType }
  | { readonly k: 'unary'; readonly op: UnaryOp; readonly a: Expr; readonly dtype: DType }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr; readonly dtype: DType }
  | { readonly k: 'compare'; readonly op: CompareOp; readonly a: Expr; readonly b: Expr; readonly dtype: 'bool' }
  | { readonly k: 'select'; readonly c: Expr; readonly a: Expr; readonly b: Expr; readonly dtype: DType }
  /** Conversion to another dtype (semantics in compiler/eval/scalar.ts castScalar). */
  | { readonly k: 'cast'; readonly a: Expr; readonly dtype: DType }
  /** Reference to an earlier let-binding of the same kernel body. */
  | { readonly k: 'let'; readonly i: number; readonly dtype: DType };

export const arg = (i: number, dtype: DType): Expr => ({ k: 'arg', i, dtype });
export const lit = (v: number, dtype: DType): Expr => ({ k: 'const', v, dtype });
const un =
  (op: UnaryOp) =>
  (a: Expr): Expr => ({ k: 'unary', op, a, dtype: a.dtype });
const bin =
  (op: BinaryOp) =>
  (a: Expr, b: Expr): Expr => ({ k: 'binary', op, a, b, dtype: a.dtype });
const cmp =
  (op: CompareOp) =>
  (a: Expr, b: Expr): Expr => ({ k: 'compare', op, a, b, dtype: 'bool' });

export const neg = un('neg');
export const abs = un('abs');
export const exp = un('exp');
export const log = un('log');
export const sqrt = un('sqrt');
export const tanh = un('tanh');
export const sigmoid = un('sigmoid');
export const erf = un('erf');
export const floor = un('floor');
export const ceil = un('ceil');
export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const div = bin('div');
export const max = bin('max');
export const min = bin('min');
export const pow = bin('pow');
export const fmod = bin('fmod');
export const lt = cmp('lt');
export const le = cmp('le');
export const gt = cmp('gt');
export const ge = cmp('ge');
export const eq = cmp('eq');
export const select = (c: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', c, a, b, dtype: a.dtype });
export const cast = (a: Expr, dtype: DType): Expr => (a.dtype === dtype ? a : { k: 'cast', a, dtype });
