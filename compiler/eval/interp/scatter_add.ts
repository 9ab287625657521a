// Interprets a scatter-add plan (Gather's gradient): j in increasing order per output.
import type { ScatterAddPlan } from '../../kernels/plan.ts';
import { type Buffers, get } from './walk.ts';

export function scatterAddInterp(p: ScatterAddPlan, bufs: Buffers): void {
  const upd = get(bufs, p.updates.buf) as Float32Array;
  const indices = get(bufs, p.indices.buf) as ArrayLike<number | bigint>;
  const out = get(bufs, p.out.buf) as Float32Array;
  const idx = Array.from({ length: p.count }, (_, j) => {
    const k = Number(indices[j]);
    return k < 0 ? k + p.axis : k;
  });
  for (let o = 0; o < p.outer; o++) {
    for (let k = 0; k < p.axis; k++) {
      for (let i = 0; i < p.inner; i++) {
        let acc = 0;
        for (let j = 0; j < p.count; j++) if (idx[j] === k) acc = Math.fround(acc + upd[(o * p.count + j) * p.inner + i]);
        out[(o * p.axis + k) * p.inner + i] = acc;
      }
    }
  }
}
