// The per-element steps of the index kernels (cumsum, scatter_rows) as scalar
// expressions, so the C/CUDA renderers and the TS interpreter combine values
// with exactly the same operation and rounding.
import type { DType } from '../ir/dtype.ts';
import type { ScatterRowsCompute } from '../ops/compute.ts';
import { add, arg, type Expr, gt, lt, mul, select } from '../ops/expr.ts';

/** acc + x: arg(0) is acc, arg(1) is x (float32 rounds, integers wrap). */
export function cumsumStep(dtype: DType): Expr {
  return add(arg(0, dtype), arg(1, dtype));
}

/** The new out value from arg(0) = out and arg(1) = update (see ScatterRowsCompute). */
export function scatterCombine(reduction: ScatterRowsCompute['reduction'], keep: ScatterRowsCompute['keep'], dtype: DType): Expr {
  const [o, u] = [arg(0, dtype), arg(1, dtype)];
  switch (reduction) {
    case 'none':
      return u;
    case 'add':
      return add(o, u);
    case 'mul':
      return mul(o, u);
    case 'max':
      return keep === 'current' ? select(lt(o, u), u, o) : select(gt(o, u), o, u);
    case 'min':
      return keep === 'current' ? select(lt(u, o), u, o) : select(lt(o, u), o, u);
  }
}
