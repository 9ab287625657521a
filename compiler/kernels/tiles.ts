// Register and cache tiles of the matmul micro-kernel (shared by matmul and conv plans).
import type { MatmulTile, PlanTarget } from './plan.ts';

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
