// Decides how each computation runs: its work partition into CPU tasks and its
// per-kind loop choices (matmul tiles and packing). Backend-free: both renderers
// and the interpreter read the result; none of it changes an output bit.
import { numel } from '../ir/shape.ts';
import type { TensorData } from '../ir/tensor.ts';
import type { Compute, MatmulCompute, WindowCompute } from '../ops/compute.ts';
import { BASELINE_TARGET, type CudaMatmulTile, type KernelPlan, type Partition, type PlanTarget } from './plan.ts';
import { convGemm } from './plan_conv.ts';
import { reduceLanes, WARP_LANES } from './reduce_order.ts';
import { cudaMatmulTile, matmulTile } from './tiles.ts';

/** Work per task the partition aims for: below it, handing a task to another thread costs more than it saves. */
export const TASK_WORK = 1 << 15;
/** At most this many tasks per kernel (enough to balance any realistic thread count). */
export const MAX_TASKS = 4096;

/** Most (channel, kernel position) rows of a direct conv with C vector lanes (its weight table: 64 KiB of 16-float vectors). */
export const CONV_LANE_ROWS = 1024;

/** Above this many (row, update) index comparisons a scatter runs as one serial item (same bits). */
export const SCATTER_SCAN_LIMIT = 1 << 21;

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

/** The compile-time data a storage holds, if any (a constant B is packed ahead, conv weights checked). */
export type ConstantOf = (buf: string) => TensorData | undefined;

export function planKernel(c: Compute, target: PlanTarget = BASELINE_TARGET, constantOf: ConstantOf = () => undefined): KernelPlan {
  switch (c.kind) {
    case 'elementwise':
      return { ...c, scratch: 0, partition: partition(numel(c.shape), 'element', c.body.length + c.inputs.length) };
    case 'matmul':
      return planMatmul(c, target, constantOf);
    case 'softmax': {
      // Rows of a warp's lanes or more are worth a CUDA block each (see SoftmaxPlan).
      const lanes = reduceLanes(c.axis);
      return { ...c, scratch: 0, lanes, partition: partition(c.outer * c.inner, 'row', 8 * c.axis), ...(lanes >= WARP_LANES ? { cudaRowBlock: true } : {}) };
    }
    case 'reduce': {
      const lanes = reduceLanes(numel(c.reduced));
      const p = partition(numel(c.kept), 'output', numel(c.reduced) + c.pre.length);
      return { ...c, scratch: 0, lanes, partition: p, ...(lanes >= WARP_LANES ? { cudaRowBlock: true } : {}) };
    }
    case 'concat': {
      // Tasks are whole outer rows (perTask counts rows); items stay elements (one CUDA thread each).
      const row = c.sizes.reduce((a, b) => a + b, 0) * c.inner;
      return { ...c, scratch: 0, partition: { ...partition(c.outer, 'element', row), items: c.outer * row } };
    }
    case 'window': {
      const cuda = cudaConvTile(c);
      const g = c.weight ? convGemm(c, target, constantOf(c.weight.buf)) : undefined;
      if (g !== undefined) {
        // CUDA: the implicit GEMM where a block tile fits, else the weight tile; never both.
        const cg = cudaConvGemm(c);
        return { ...c, ...g, ...(cg.cudaGemm ? cg : cuda) };
      }
      // (A pool with Indices takes the per-output form, which tracks the argmax.)
      if (c.mode !== 'conv' && c.indices === undefined && c.inSpatial.length <= 2 && (c.outSpatial.at(-1) ?? 0) <= 4096) {
        // Pools row by row: items are output rows of about (kernel size x row length) work each.
        const outRows = c.n * c.m * (c.outSpatial.length === 2 ? c.outSpatial[0] : 1);
        const pr = partition(outRows, 'row', numel(c.kernel) * (c.outSpatial.at(-1) ?? 1));
        return { ...c, scratch: 0, rows: { rows: pr.perTask }, partition: { ...pr, items: c.n * c.m * numel(c.outSpatial), item: 'output' } };
      }
      const taps = numel(c.kernel) * (c.mode === 'conv' ? c.c / c.group : 1);
      if (c.mode === 'conv' && c.n > 1 && c.inSpatial.length <= 2 && taps <= CONV_LANE_ROWS) {
        // Whole images per task (ConvLanes): items stay outputs (one CUDA thread each).
        const image = c.m * numel(c.outSpatial);
        const pi = partition(c.n, 'output', image * taps);
        return { ...c, scratch: 0, lanes: { images: pi.perTask }, partition: { ...pi, items: c.n * image, perTask: pi.perTask * image }, ...cuda };
      }
      return { ...c, scratch: 0, partition: partition(c.n * c.m * numel(c.outSpatial), 'output', taps), ...cuda };
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
    case 'recurrent':
      return { ...c, scratch: 0, partition: serial(c.reverse.length * c.batch, 'row') };
    // One item per output row (o, i) of the axis, or per scattered row: each scans its axis (or the indices) alone.
    case 'arg_reduce':
    case 'cumsum':
      return { ...c, scratch: 0, partition: partition(c.outer * c.inner, 'row', 2 * c.axis) };
    case 'topk':
      return { ...c, scratch: 0, partition: partition(c.outer * c.inner, 'row', 2 * c.axis * c.k) };
    case 'scatter_rows':
      if (c.rows * c.count > SCATTER_SCAN_LIMIT) return { ...c, scratch: 0, serial: true, partition: serial(1, 'output') };
      return { ...c, scratch: 0, serial: false, partition: partition(c.rows, 'row', c.inner + c.count) };
  }
}

/**
 * A conv's CUDA weight tile (WindowPlan.cudaWeightTile): when one channel's weights fit 32 KiB and it has 32
 * positions or more; depthwise convs (one input channel per group) also stage the input plane when it fits 32 KiB.
 */
function cudaConvTile(c: WindowCompute): { cudaWeightTile?: number; cudaPlane?: number } {
  const floats = (c.c / c.group) * numel(c.kernel);
  if (!(c.mode === 'conv' && c.weight !== undefined && floats <= 8192 && numel(c.outSpatial) >= 32)) return {};
  const plane = numel(c.inSpatial);
  return { cudaWeightTile: floats, ...(c.c === c.group && plane <= 8192 ? { cudaPlane: plane } : {}) };
}

/** The implicit GEMM block tile of a conv with constant finite weights (WindowPlan.cudaGemm); never depthwise. */
function cudaConvGemm(c: WindowCompute): { cudaGemm?: CudaMatmulTile } {
  const cg = c.c / c.group;
  if (cg === 1) return {};
  const tile = cudaMatmulTile(c.n * c.group, c.m / c.group, numel(c.outSpatial), cg * numel(c.kernel));
  return tile ? { cudaGemm: tile } : {};
}

function planMatmul(c: MatmulCompute, target: PlanTarget, constantOf: ConstantOf): KernelPlan {
  const bConst = constantOf(c.b.buf) !== undefined && c.b.batchStrides.every((s) => s === 0) && c.b.dtype === 'float32';
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
  const cuda = cudaMatmulTile(numel(c.batch), c.m, c.n, c.k);
  return { ...c, tile, partition, scratch, ...(packedB ? { packedB } : {}), ...(cuda ? { cuda } : {}) };
}
