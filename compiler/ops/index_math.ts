// Flat-index arithmetic that GatherElements, GatherND, ScatterElements and ScatterND
// decompose into: registry ops on int64 (elementwise, fused), computing for each index
// (or index tuple) the flat element (or row) it addresses, or a sentinel when any
// component is out of range after negative indices count from the end.
import type { Value } from '../ir/graph.ts';
import { contiguousStrides, numel, type Shape, shapeStr } from '../ir/shape.ts';
import { makeTensor, toNumbers } from '../ir/tensor.ts';
import { type Emitter, fail, type NodeCtx } from './define.ts';
import { view } from './views.ts';

export class IndexMath {
  constructor(private readonly e: Emitter) {}

  i64(shape: Shape, xs: readonly number[]): Value {
    return this.e.constant(makeTensor('int64', shape, xs));
  }
  scalar = (v: number) => this.i64([], [v]);
  op = (op: string, ins: readonly Value[], attrs = {}) => this.e.op(op, ins, attrs);

  toI64(v: Value): Value {
    return v.dtype === 'int64' ? v : this.op('Cast', [v], { to: 7 });
  }

  /** Index i along a dim of size n: negative counts from the end; `valid` is false outside 0..n-1 after that. */
  normalise(i: Value, n: number): { k: Value; valid: Value } {
    const zero = this.scalar(0);
    const k = this.op('Where', [this.op('Less', [i, zero]), this.op('Add', [i, this.scalar(n)]), i]);
    const valid = this.op('Where', [this.op('Less', [k, zero]), this.e.constant(makeTensor('bool', [], [0])), this.op('Less', [k, this.scalar(n)])]);
    return { k, valid };
  }

  /** valid ? v : sentinel. */
  orSentinel(valid: Value, v: Value, sentinel: number): Value {
    return this.op('Where', [valid, v, this.scalar(sentinel)]);
  }

  /**
   * The constant sum over dims d of position_d * strides[d] for positions in `shape`, as broadcast
   * per-dim constants added together (dims with stride 0 or size 1 skipped); undefined when all are skipped.
   */
  positionSum(shape: Shape, strides: readonly number[], to: Value | undefined): Value | undefined {
    let acc = to;
    shape.forEach((n, d) => {
      if (strides[d] === 0 || n === 1) return;
      const c = this.i64(
        shape.map((_, i) => (i === d ? n : 1)),
        Array.from({ length: n }, (_, p) => p * strides[d]),
      );
      acc = acc === undefined ? c : this.op('Add', [acc, c]);
    });
    return acc;
  }

  /** views.ts view: no op for the same shape, an empty constant for an empty one (Reshape reads 0 as "copy"). */
  reshape(x: Value, shape: Shape): Value {
    return view(this.e, x, shape);
  }

  /**
   * ScatterElements/GatherElements: for each position p of indices (same rank as data), the flat
   * data element p with p[axis] replaced by the index; `sentinel` where the index is out of range.
   */
  elementsFlat(idx: Value, data: Shape, axis: number, sentinel: number): Value {
    const strides = contiguousStrides(data);
    const { k, valid } = this.normalise(this.toI64(idx), data[axis]);
    const along = strides[axis] === 1 ? k : this.op('Mul', [k, this.scalar(strides[axis])]);
    const flat =
      this.positionSum(
        idx.shape,
        strides.map((s, d) => (d === axis ? 0 : s)),
        along,
      ) ?? along;
    return this.orSentinel(valid, flat, sentinel);
  }

  /**
   * GatherND/ScatterND: for each index tuple (the last dim of indices, m components addressing data
   * dims b..b+m-1, after b batch dims), the flat row of data viewed as [numel(data[:b+m]), rest];
   * `sentinel` where any component is out of range. Result shape: indices' shape without its last dim.
   */
  tupleRows(idx: Value, data: Shape, b: number, sentinel: number): Value {
    const q = idx.shape.length;
    const m = idx.shape[q - 1];
    const inner = data.slice(b, b + m);
    const rs = contiguousStrides(inner);
    let sum: Value | undefined;
    let valid: Value | undefined;
    for (let t = 0; t < m; t++) {
      const comp = this.op('Gather', [idx, this.scalar(t)], { axis: q - 1 });
      const n = this.normalise(comp, inner[t]);
      const term = rs[t] === 1 ? n.k : this.op('Mul', [n.k, this.scalar(rs[t])]);
      sum = sum === undefined ? term : this.op('Add', [sum, term]);
      valid = valid === undefined ? n.valid : this.op('Where', [valid, n.valid, valid]);
    }
    const rowsPerBatch = numel(inner);
    const batch = contiguousStrides(data.slice(0, b)).map((s) => s * rowsPerBatch);
    const withBatch = this.positionSum(idx.shape.slice(0, q - 1), [...batch, ...Array(q - 1 - b).fill(0)], sum) as Value;
    return this.orSentinel(valid as Value, withBatch, sentinel);
  }
}

/** Constant indices must lie in -n..n-1 for their axis (run-time ones are handled by the kernels' policy). */
export function checkConstIndices(ctx: NodeCtx, idx: Value, sizes: (position: number) => number, data: Shape): void {
  if (idx.data === undefined) return;
  const xs = toNumbers(idx.data);
  xs.forEach((i, p) => {
    const n = sizes(p);
    if (i < -n || i >= n)
      fail(ctx, 'VOLTA_E_SHAPE', `index ${i} (at flat position ${p} of the indices) is out of range -${n}..${n - 1} for data ${shapeStr(data)}`);
  });
}
