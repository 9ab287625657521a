import type { GatherPlan } from '../../kernels/plan.ts';
import type { Scalar } from '../scalar.ts';
import { type Buffers, get } from './walk.ts';

export function gatherInterp(p: GatherPlan, bufs: Buffers): void {
  const data = get(bufs, p.data.buf) as unknown as Scalar[];
  const indices = get(bufs, p.indices.buf) as unknown as Scalar[];
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const zero = p.out.dtype === 'int64' ? 0n : 0;
  let at = 0;
  for (let o = 0; o < p.outer; o++) {
    for (let j = 0; j < p.count; j++) {
      let k = Number(indices[j]);
      if (k < 0) k += p.axis;
      for (let i = 0; i < p.inner; i++) out[at++] = k >= 0 && k < p.axis ? data[(o * p.axis + k) * p.inner + i] : zero;
    }
  }
}
