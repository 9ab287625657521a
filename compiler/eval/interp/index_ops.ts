// Interprets the axis-scan kinds (arg_reduce, topk, cumsum) and scatter_rows in the
// order the C and CUDA kernels use (see their computes in compiler/ops/compute.ts).
import { cumsumStep, scatterCombine } from '../../kernels/index_order.ts';
import type { ArgReducePlan, CumSumPlan, ScatterRowsPlan, TopKPlan } from '../../kernels/plan.ts';
import { constScalar, evalBody, type Scalar } from '../scalar.ts';
import { type Buffers, get } from './walk.ts';

const scalars = (bufs: Buffers, id: string) => get(bufs, id) as unknown as Scalar[];

/** Calls f(row, base) for every [outer, inner] row of the axis, row = o * inner + i. */
function rows(p: { outer: number; axis: number; inner: number }, f: (row: number, base: number) => void): void {
  for (let o = 0; o < p.outer; o++) for (let i = 0; i < p.inner; i++) f(o * p.inner + i, o * p.axis * p.inner + i);
}

export function argReduceInterp(p: ArgReducePlan, bufs: Buffers): void {
  const x = scalars(bufs, p.input.buf);
  const out = get(bufs, p.out.buf) as BigInt64Array;
  const better = (v: Scalar, best: Scalar) => (p.max ? (p.lastIndex ? v >= best : v > best) : p.lastIndex ? v <= best : v < best);
  rows(p, (row, base) => {
    let best = x[base];
    let at = 0;
    for (let j = 1; j < p.axis; j++) {
      const v = x[base + j * p.inner];
      if (better(v, best)) {
        best = v;
        at = j;
      }
    }
    out[row] = BigInt(at);
  });
}

const nan = (v: Scalar) => typeof v === 'number' && Number.isNaN(v);

export function topkInterp(p: TopKPlan, bufs: Buffers): void {
  const x = scalars(bufs, p.input.buf);
  const values = scalars(bufs, p.values.buf);
  const indices = p.indices ? (get(bufs, p.indices.buf) as BigInt64Array) : undefined;
  const before = (a: Scalar, ja: number, b: Scalar, jb: number): boolean => {
    if (nan(a)) return nan(b) ? ja < jb : true;
    if (nan(b)) return false;
    return (p.largest ? a > b : a < b) || (a === b && ja < jb);
  };
  rows(p, (row, base) => {
    const [o, i] = [Math.floor(row / p.inner), row % p.inner];
    let pv: Scalar = 0;
    let pj = -1;
    for (let r = 0; r < p.k; r++) {
      let bv: Scalar = 0;
      let bj = -1;
      for (let j = 0; j < p.axis; j++) {
        const v = x[base + j * p.inner];
        if (pj >= 0 && !before(pv, pj, v, j)) continue;
        if (bj < 0 || before(v, j, bv, bj)) {
          bv = v;
          bj = j;
        }
      }
      const at = (o * p.k + r) * p.inner + i;
      values[at] = bv;
      if (indices) indices[at] = BigInt(bj);
      pv = bv;
      pj = bj;
    }
  });
}

export function cumsumInterp(p: CumSumPlan, bufs: Buffers): void {
  const x = scalars(bufs, p.input.buf);
  const out = scalars(bufs, p.out.buf);
  const step = [cumsumStep(p.input.dtype)];
  const zero = constScalar(0, p.input.dtype);
  rows(p, (_row, base) => {
    let acc = zero;
    let prev = zero;
    for (let s = 0; s < p.axis; s++) {
      const at = base + (p.reverse ? p.axis - 1 - s : s) * p.inner;
      const v = x[at];
      if (p.exclusive) {
        if (s > 0) acc = evalBody(step, [acc, prev]);
        out[at] = acc;
        prev = v;
      } else {
        acc = s === 0 ? v : evalBody(step, [acc, v]);
        out[at] = acc;
      }
    }
  });
}

export function scatterRowsInterp(p: ScatterRowsPlan, bufs: Buffers): void {
  const data = scalars(bufs, p.data.buf);
  const indices = get(bufs, p.indices.buf) as BigInt64Array;
  const upd = scalars(bufs, p.updates.buf);
  const out = scalars(bufs, p.out.buf);
  const combine = [scatterCombine(p.reduction, p.keep, p.data.dtype)];
  for (let r = 0; r < p.rows; r++) {
    for (let i = 0; i < p.inner; i++) out[r * p.inner + i] = data[r * p.inner + i];
    for (let j = 0; j < p.count; j++) {
      if (indices[j] !== BigInt(r)) continue;
      for (let i = 0; i < p.inner; i++) out[r * p.inner + i] = evalBody(combine, [out[r * p.inner + i], upd[j * p.inner + i]]);
    }
  }
}
