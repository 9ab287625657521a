// Interprets a matmul plan: k in increasing order from +0, then the epilogue.
import { numel } from '../../ir/shape.ts';
import type { MatmulPlan } from '../../kernels/plan.ts';
import { evalBody, type Scalar } from '../scalar.ts';
import { type Buffers, forEachIndex, get } from './walk.ts';

export function matmulInterp(p: MatmulPlan, bufs: Buffers): void {
  const a = get(bufs, p.a.buf) as Float32Array;
  const b = get(bufs, p.b.buf) as Float32Array;
  const ep = p.epilogueInputs.map((o) => get(bufs, o.buf));
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const nb = numel(p.batch);
  const shape = [...p.batch, p.m, p.n];
  // Batch offsets of A and B, in row-major batch order.
  const boff = (strides: readonly number[], bi: number) => {
    let off = 0;
    let rem = bi;
    for (let d = p.batch.length - 1; d >= 0; d--) {
      off += (rem % p.batch[d]) * strides[d];
      rem = Math.floor(rem / p.batch[d]);
    }
    return off;
  };
  const accs = new Float32Array(nb * p.m * p.n);
  for (let bi = 0; bi < nb; bi++) {
    const ao = p.a.offset + boff(p.a.batchStrides, bi);
    const bo = p.b.offset + boff(p.b.batchStrides, bi);
    for (let i = 0; i < p.m; i++) {
      for (let j = 0; j < p.n; j++) {
        let acc = 0;
        for (let kk = 0; kk < p.k; kk++) {
          acc = Math.fround(acc + Math.fround(a[ao + i * p.a.rowStride + kk * p.a.colStride] * b[bo + kk * p.b.rowStride + j * p.b.colStride]));
        }
        accs[(bi * p.m + i) * p.n + j] = acc;
      }
    }
  }
  forEachIndex(shape, p.epilogueInputs, (i, offs) => {
    out[i] = evalBody(p.body, [accs[i], ...offs.map((o, j) => ep[j][o])]);
  });
}
