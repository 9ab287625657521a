// Shared by the plan interpreters: named buffers and the row-major walk with
// per-operand offsets that every elementwise-like kernel uses.
import type { AnyTypedArray } from '../../ir/dtype.ts';
import { invariant } from '../../ir/errors.ts';
import { numel } from '../../ir/shape.ts';
import type { Operand } from '../../ops/compute.ts';

export type Buffers = ReadonlyMap<string, AnyTypedArray>;

export function get(bufs: Buffers, id: string): AnyTypedArray {
  const b = bufs.get(id);
  invariant(b !== undefined, `interpreter: no buffer ${id}`);
  return b;
}

/** Calls f(linear, operandOffsets) for every point of `shape` in row-major order. */
export function forEachIndex(shape: readonly number[], operands: readonly Operand[], f: (i: number, offs: number[]) => void): void {
  const n = numel(shape);
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  const offs = operands.map((o) => o.offset);
  for (let i = 0; i < n; i++) {
    f(i, offs);
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      for (let o = 0; o < operands.length; o++) offs[o] += operands[o].strides[d];
      if (idx[d] < shape[d]) break;
      for (let o = 0; o < operands.length; o++) offs[o] -= operands[o].strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}
