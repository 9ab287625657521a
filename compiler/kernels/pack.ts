// Compile-time packing of constant matmul operands: B into the nr-column panels
// the micro-kernel streams (see MatmulTile). The packed copy is a new constant
// storage; the interpreter keeps reading the original B, so a packing mistake
// shows up as a C-vs-interpreter difference.
import type { Graph } from '../ir/graph.ts';
import type { TensorData } from '../ir/tensor.ts';
import type { KernelPlan, MatmulPlan } from './plan.ts';

/** B packed as panels p = 0..ceil(N/nr)-1, each k-major: element (kk, j) at p*K*nr + kk*nr + (j - p*nr); zero past N. */
export function packB(p: MatmulPlan, b: Float32Array): Float32Array {
  const { nr } = p.tile;
  const panels = Math.ceil(p.n / nr);
  const out = new Float32Array(panels * p.k * nr);
  for (let q = 0; q < panels; q++) {
    const width = Math.min(nr, p.n - q * nr);
    for (let kk = 0; kk < p.k; kk++) {
      const row = (q * p.k + kk) * nr;
      const src = p.b.offset + kk * p.b.rowStride + q * nr * p.b.colStride;
      if (p.b.colStride === 1) {
        // Contiguous rows (the common case): one copy per panel row.
        out.set(b.subarray(src, src + width), row);
        continue;
      }
      for (let jj = 0; jj < nr; jj++) {
        const j = q * nr + jj;
        if (j < p.n) out[row + jj] = b[p.b.offset + kk * p.b.rowStride + j * p.b.colStride];
      }
    }
  }
  return out;
}

/** The packed constants a plan reads (storage id -> data), computed from the graph's constants. */
export function packedConstants(p: KernelPlan, g: Graph): [string, TensorData][] {
  if (p.kind !== 'matmul' || p.packedB === undefined) return [];
  const src = g.value(p.b.buf).data!;
  const data = packB(p, src.data as Float32Array);
  return [[p.packedB, { dtype: 'float32', shape: [data.length], data }]];
}
