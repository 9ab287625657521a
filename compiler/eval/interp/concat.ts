import type { ConcatPlan } from '../../kernels/plan.ts';
import type { Scalar } from '../scalar.ts';
import { type Buffers, get } from './walk.ts';

export function concatInterp(p: ConcatPlan, bufs: Buffers): void {
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const row = p.sizes.reduce((a, b) => a + b, 0) * p.inner;
  let dst = 0;
  p.inputs.forEach((x, i) => {
    const src = get(bufs, x.buf) as unknown as Scalar[];
    const block = p.sizes[i] * p.inner;
    for (let o = 0; o < p.outer; o++) for (let e = 0; e < block; e++) out[o * row + dst + e] = src[o * block + e];
    dst += block;
  });
}
