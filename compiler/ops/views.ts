// Helpers for data-movement decompositions (Split, Tile, DepthToSpace...): reshape
// and transpose through the emitter, with empty tensors kept as empty constants
// (Reshape would read a 0 dim as "copy this dim").
import type { Value } from '../ir/graph.ts';
import { numel, type Shape, sameShape } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import type { Emitter } from './define.ts';

export const i64 = (xs: readonly number[]) => makeTensor('int64', [xs.length], [...xs]);

/** x with another shape of the same element count. */
export function view(e: Emitter, x: Value, shape: Shape): Value {
  if (sameShape(x.shape, shape)) return x;
  if (numel(shape) === 0) return e.constant(makeTensor(x.dtype, shape));
  return e.op('Reshape', [x, e.constant(i64(shape))]);
}

export function permute(e: Emitter, x: Value, perm: readonly number[]): Value {
  if (perm.every((p, i) => p === i)) return x;
  if (numel(x.shape) === 0)
    return e.constant(
      makeTensor(
        x.dtype,
        perm.map((p) => x.shape[p]),
      ),
    );
  return e.op('Transpose', [x], { perm: [...perm] });
}
