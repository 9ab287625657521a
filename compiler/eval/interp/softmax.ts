import type { SoftmaxPlan } from '../../kernels/plan.ts';
import { laneReduce } from '../../kernels/reduce_order.ts';
import * as vm from '../volta_math.ts';
import { type Buffers, get } from './walk.ts';

export function softmaxInterp(p: SoftmaxPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as Float32Array;
  const y = get(bufs, p.out.buf) as Float32Array;
  const f = Math.fround;
  for (let o = 0; o < p.outer; o++) {
    for (let q = 0; q < p.inner; q++) {
      const base = o * p.axis * p.inner + q;
      let m = x[base];
      for (let i = 1; i < p.axis; i++) m = vm.fmaxf(m, x[base + i * p.inner]);
      const sum = laneReduce(
        p.axis,
        p.lanes,
        0,
        (i) => {
          const e = vm.expf(f(x[base + i * p.inner] - m));
          if (!p.log) y[base + i * p.inner] = e;
          return e;
        },
        (a, b) => f(a + b),
      );
      const ls = p.log ? vm.logf(sum) : 0;
      for (let i = 0; i < p.axis; i++) {
        const at = base + i * p.inner;
        y[at] = p.log ? f(f(x[at] - m) - ls) : f(y[at] / sum);
      }
    }
  }
}
