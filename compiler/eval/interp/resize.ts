// Interprets a resize plan: the weighted gather of ResizeCompute, mirrored by
// compiler/codegen/views/resize.ts.
import { contiguousStrides, numel } from '../../ir/shape.ts';
import type { ResizePlan } from '../../kernels/plan.ts';
import type { Scalar } from '../scalar.ts';
import { type Buffers, get } from './walk.ts';

export function resizeInterp(p: ResizePlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as unknown as Scalar[];
  const y = get(bufs, p.out.buf) as unknown as Scalar[];
  const f = Math.fround;
  const r = p.outShape.length;
  const inStrides = contiguousStrides(p.inShape);
  const weighted = p.axes.map((a, d) => (a.weight.length > 0 ? d : -1)).filter((d) => d >= 0);
  const o = new Array<number>(r).fill(0);
  const t = new Array<number>(r).fill(0);
  const src = (d: number) => {
    const a = p.axes[d];
    return a.index.length === 0 ? o[d] : a.index[o[d] * a.taps + t[d]];
  };
  const tuples = weighted.reduce((n, d) => n * p.axes[d].taps, 1);
  for (let idx = 0, n = numel(p.outShape); idx < n; idx++) {
    for (let d = r - 1, rem = idx; d >= 0; d--) {
      o[d] = rem % p.outShape[d];
      rem = Math.floor(rem / p.outShape[d]);
    }
    t.fill(0);
    if (p.axes.some((a, d) => a.outside && a.index[o[d] * a.taps] < 0)) {
      y[idx] = p.extrapolation;
      continue;
    }
    if (weighted.length === 0) {
      let off = 0;
      for (let d = 0; d < r; d++) off += src(d) * inStrides[d];
      y[idx] = x[off];
      continue;
    }
    let acc = 0;
    for (let k = 0; k < tuples; k++) {
      for (let j = weighted.length - 1, rem = k; j >= 0; j--) {
        const taps = p.axes[weighted[j]].taps;
        t[weighted[j]] = rem % taps;
        rem = Math.floor(rem / taps);
      }
      let w = 1;
      weighted.forEach((d, j) => {
        const a = p.axes[d];
        const wd = a.weight[o[d] * a.taps + t[d]];
        w = j === 0 ? wd : f(w * wd);
      });
      let off = 0;
      for (let d = 0; d < r; d++) off += src(d) * inStrides[d];
      acc = f(acc + f(w * (x[off] as number)));
    }
    y[idx] = acc;
  }
}
