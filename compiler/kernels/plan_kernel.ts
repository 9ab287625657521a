// Decides how each computation runs: its work partition into CPU tasks and its
// per-kind loop choices (matmul tiles and packing). Backend-free: both renderers
// and the interpreter read the result; none of it changes an output bit.
import { numel } from '../ir/shape.ts';
import type { Compute, MatmulCompute } from '../ops/compute.ts';
import { BASELINE_TARGET, type KernelPlan, type MatmulTile, type Partition, type PlanTarget } from './plan.ts';
import { reduceLanes } from './reduce_order.ts';

/** Work per task the partition aims for: below it, handing a task to another thread costs more than it saves. */
export const TASK_WORK = 1 << 15;
/** At most this many tasks per kernel (enough to balance any realistic thread count). */
export const MAX_TASKS = 4096;

/** Splits `items` (each about `perItem` work) into whole-item tasks of about TASK_WORK. */
export function partition(items: number, item: Partition['item'], perItem: number): Partition {
  const w = Math.max(1, perItem);
  let perTask = Math.max(1, Math.ceil(TASK_WORK / w));
  if (Math.ceil(items / perTask) > MAX_TASKS) perTask = Math.ceil(items / MAX_TASKS);
  return { items, item, tasks: Math.max(1, Math.ceil(items / perTask)), perTask, work: items * w };
}

/** One task of all items (a kernel without the C task form). */
export function serial(items: number, item: Partition['item']): Partition {
  return { items, item, tasks: 1, perTask: items, work: items };
}

/** Whether a storage holds compile-time data (a constant B can be packed ahead). */
export type IsConstant = (buf: string) => boolean;

export function planKernel(c: Compute, target: PlanTarget = BASELINE_TARGET, isConstant: IsConstant = () => false): KernelPlan {
  switch (c.kind) {
    case 'elementwise':
      return { ...c, scratch: 0, partition: partition(numel(c.shape), 'element', c.body.length + c.inputs.length) };
    case 'matmul':
      return planMatmul(c, target, isConstant);
    case 'softmax':
      return { ...c, scratch: 0, lanes: reduceLanes(c.axis), partition: partition(c.outer * c.inner, 'row', 8 * c.axis) };
    case 'reduce':
      return { ...c, scratch: 0, lanes: reduceLanes(numel(c.reduced)), partition: partition(numel(c.kept), 'output', numel(c.reduced) + c.pre.length) };
    case 'concat': {
      // Tasks are whole outer rows (perTask counts rows); items stay elements (one CUDA thread each).
      const row = c.sizes.reduce((a, b) => a + b, 0) * c.inner;
      return { ...c, scratch: 0, partition: { ...partition(c.outer, 'element', row), items: c.outer * row } };
    }
    case 'window': {
      const taps = numel(c.kernel) * (c.mode === 'conv' ? c.c / c.group : 1);
      return { ...c, scratch: 0, partition: partition(c.n * c.m * numel(c.outSpatial), 'output', taps) };
    }
    case 'gather':
      return { ...c, scratch: 0, partition: partition(c.outer * c.count * c.inner, 'element', 2) };
    case 'pad':
      return { ...c, scratch: 0, partition: partition(numel(c.outShape), 'element', 2 + c.outShape.length) };
    // Kinds whose C templates have no task form yet run as one task on the calling thread.
    case 'window_grad':
      return { ...c, scratch: 0, partition: serial(c.n * c.c * numel(c.inSpatial), 'element') };
    case 'conv_weight_grad':
      return { ...c, scratch: 0, partition: serial(c.m * (c.c / c.group) * numel(c.kernel), 'output') };
    case 'scatter_add':
      return { ...c, scratch: 0, partition: serial(c.outer * c.axis, 'row') };
    case 'conv_transpose':
      return { ...c, scratch: 0, partition: serial(c.n * c.m * numel(c.outSpatial), 'output') };
    case 'resize':
      return { ...c, scratch: 0, partition: serial(numel(c.outShape), 'element') };
  }
}

/**
 * The register tile: as many accumulators as the registers hold next to the B
 * vectors (24 of 32, 12 of 16), at most 4 rows (A values are broadcast from
 * memory), and the widest panel that wastes little of N.
 */
export function matmulTile(m: number, n: number, k: number, t: PlanTarget, bConst: boolean): MatmulTile {
  const vec = t.vectorFloats;
  const maxAcc = t.registers === 32 ? 24 : 12;
  const mr = Math.max(1, Math.min(m, 4));
  const nvCap = Math.max(1, Math.min(8, Math.floor(maxAcc / mr), Math.ceil(n / vec)));
  let nv = nvCap;
  // Prefer a panel width that pads N by at most an eighth; else the least padding.
  const padded = (v: number) => Math.ceil(n / (v * vec)) * v * vec;
  for (let v = nvCap; v >= 1; v--) {
    if (padded(v) <= n * 1.125) {
      nv = v;
      break;
    }
    if (padded(v) < padded(nv)) nv = v;
  }
  const nr = nv * vec;
  const panels = Math.ceil(n / nr);
  // A task's B block (k x nc floats) stays within ~256 KiB of L2; its A rows are reused across its panels.
  const nc = nr * Math.max(1, Math.min(panels, Math.floor((1 << 16) / Math.max(1, k * nr))));
  const mc = mr * Math.max(1, Math.min(Math.ceil(m / mr), Math.ceil(64 / mr)));
  return { vec, mr, nv, nr, mc, nc, bPack: bConst ? 'const' : 'task' };
}

function planMatmul(c: MatmulCompute, target: PlanTarget, isConstant: IsConstant): KernelPlan {
  const bConst = isConstant(c.b.buf) && c.b.batchStrides.every((s) => s === 0) && c.b.dtype === 'float32';
  const tile = matmulTile(c.m, c.n, c.k, target, bConst);
  const mBlocks = Math.ceil(c.m / tile.mc);
  const nBlocks = Math.ceil(c.n / tile.nc);
  const items = numel(c.batch) * c.m * c.n;
  const partition: Partition = {
    items,
    item: 'output',
    tasks: Math.max(1, numel(c.batch) * mBlocks * nBlocks),
    perTask: tile.mc * tile.nc,
    work: items * Math.max(1, c.k),
  };
  const packedB = bConst ? `${c.b.buf}@panels${tile.nr}:${c.b.rowStride}:${c.b.colStride}:${c.b.offset}:${c.k}x${c.n}` : undefined;
  const scratch = bConst ? 0 : c.k * tile.nc * 4;
  return { ...c, tile, partition, scratch, ...(packedB ? { packedB } : {}) };
}
