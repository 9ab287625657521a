// Register and cache tiles of the matmul micro-kernel (shared by matmul and conv plans).
import type { CudaMatmulTile, MatmulTile, PlanTarget } from './plan.ts';

/**
 * The register tile: as many accumulators as the registers hold next to the B
 * vectors (24 of 32, 12 of 16), at most 4 rows (A values are broadcast from
 * memory; 8 with 16-float vectors, whose multiplies take the broadcast A value as
 * a memory operand: no register per row, and each B vector feeds more rows), and
 * the panel width (among the wider half) that pads N least.
 */
export function matmulTile(m: number, n: number, k: number, t: PlanTarget, bConst: boolean): MatmulTile {
  const vec = t.vectorFloats;
  const maxAcc = t.registers === 32 ? 24 : 12;
  const mr = Math.max(1, Math.min(m, vec === 16 ? 8 : 4));
  const nvCap = Math.max(1, Math.min(8, Math.floor(maxAcc / mr), Math.ceil(n / vec)));
  // The least padding of N among the wider half of the choices (ties: the wider panel).
  const padded = (v: number) => Math.ceil(n / (v * vec)) * v * vec;
  let nv = nvCap;
  for (let v = nvCap - 1; v >= Math.max(1, Math.ceil(nvCap / 2)); v--) if (padded(v) < padded(nv)) nv = v;
  const nr = nv * vec;
  const panels = Math.ceil(n / nr);
  // A task's B block (k x nc floats) stays within ~256 KiB of L2; its A rows are reused across its panels.
  const nc = nr * Math.max(1, Math.min(panels, Math.floor((1 << 16) / Math.max(1, k * nr))));
  const mc = mr * Math.max(1, Math.min(Math.ceil(m / mr), Math.ceil(64 / mr)));
  return { vec, mr, nv, nr, mc, nc, bPack: bConst ? 'const' : 'task' };
}

/**
 * The CUDA block tile: 64 x 64 outputs per block of 256 threads, 4 x 4 per thread, K in slabs of 8
 * through shared memory; undefined (one thread per output) when M or N is below 16 or K below 8, where
 * a tile would be mostly padding.
 */
export function cudaMatmulTile(batch: number, m: number, n: number, k: number): CudaMatmulTile | undefined {
  if (m < 16 || n < 16 || k < 8) return undefined;
  const bm = 64;
  const bn = 64;
  const tm = 4;
  const tn = 4;
  return { bm, bn, bk: 8, tm, tn, threads: (bm / tm) * (bn / tn), tiles: batch * Math.ceil(m / bm) * Math.ceil(n / bn) };
}
