// Kernel plans: one generated kernel each. A plan is the fused computation
// (what, from the op entries: compiler/ops/compute.ts) plus how to run it: the
// work partition over outputs and the per-kind loop decisions (matmul tile,
// reduction lanes). The C and CUDA renderers and the TS interpreter read the
// same plan, and the fingerprint hashes it, so every decision that can change
// output bits is made here once, for both backends.

import type {
  ArgReduceCompute,
  Compute,
  ConcatCompute,
  ConvTransposeCompute,
  ConvWeightGradCompute,
  CumSumCompute,
  ElementwiseCompute,
  GatherCompute,
  MatmulCompute,
  PadCompute,
  RecurrentCompute,
  ReduceCompute,
  ResizeCompute,
  ScatterAddCompute,
  ScatterRowsCompute,
  SoftmaxCompute,
  TopKCompute,
  WindowCompute,
  WindowGradCompute,
} from '../ops/compute.ts';

/**
 * How a kernel's work splits into independent items. Items partition the
 * outputs (each item writes its own outputs and reads no other item's), never a
 * reduction axis, so any assignment of items to threads or blocks gives the
 * same bits.
 */
export interface Partition {
  readonly items: number;
  /** What one item is, for comments and reports. */
  readonly item: 'element' | 'row' | 'output';
  /**
   * CPU tasks the items are split into (each a whole number of items; for matmul, a
   * tile of outputs). Fixed here from the shapes, never from the thread count, and
   * never splitting a reduction: any thread count gives the same bits.
   */
  readonly tasks: number;
  /** Items per task (the last task may have fewer); a matmul task is a tile (see MatmulTile), a concat task whole outer rows. */
  readonly perTask: number;
  /** Estimated work (about one unit per multiply-add or element operation): small kernels run on the calling thread. */
  readonly work: number;
}

/** What a target offers the kernel plans: floats per SIMD vector and vector registers. */
export interface PlanTarget {
  readonly vectorFloats: 4 | 8 | 16;
  readonly registers: 16 | 32;
}

/** Baseline x86-64 (SSE2): what plans assume when no target is given (constant folding). */
export const BASELINE_TARGET: PlanTarget = { vectorFloats: 4, registers: 16 };

/**
 * Matmul tiling. A register tile of mr rows by nr = nv * vec columns is computed
 * by the micro-kernel: for each k in increasing order, every output of the tile adds
 * a[i][k] * b[k][j] to its own float accumulator (from +0), so the per-output order of
 * the contract is unchanged by the tile shape. A task computes an mc x nc block of
 * outputs (mc a multiple of mr, nc of nr) over all of K. B reaches the micro-kernel in
 * nr-column panels (k-major, zero-padded past N): 'const' panels are packed at
 * compile time (B is a constant), 'task' panels are packed by each task into its
 * thread's scratch.
 */
export interface MatmulTile {
  readonly vec: number;
  readonly mr: number;
  readonly nv: number;
  readonly nr: number;
  readonly mc: number;
  readonly nc: number;
  readonly bPack: 'const' | 'task';
}

interface Planned {
  readonly partition: Partition;
  /** Bytes of per-thread scratch a task needs (0 if none). */
  readonly scratch: number;
}

export type ElementwisePlan = ElementwiseCompute & Planned;
/** `packedB`: storage id of B packed into panels at compile time (tile.bPack 'const'); the kernel reads it instead of b. */
/**
 * The CUDA matmul's block tiling: a block of threads computes a bm x bn tile of outputs, each thread a
 * tm x tn register tile (threads = (bm / tm) * (bn / tn)); K advances bk at a time through shared memory
 * (A and B slabs loaded by the whole block between two __syncthreads). Every output still adds
 * a[i][k] * b[k][j] for k = 0..K-1 in increasing order to its own accumulator from +0 (padding past K is
 * never added), so the result has the C reference's bits.
 */
export interface CudaMatmulTile {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
  readonly threads: number;
  /** Blocks of the launch: one per output tile (batch x M tiles x N tiles). */
  readonly tiles: number;
}

/** `cuda`: the CUDA block tiling; absent for products too small to fill a tile (one thread per output). */
export type MatmulPlan = MatmulCompute & Planned & { readonly tile: MatmulTile; readonly packedB?: string; readonly cuda?: CudaMatmulTile };
/**
 * `lanes`: the reduction order (see reduce_order.ts). `cudaRowBlock`: CUDA runs a row per block of
 * `lanes` threads, thread l being lane l (stride accumulation, then the halving tree in shared memory
 * between barriers): the same order, so the same bits; else one thread per row.
 */
export type SoftmaxPlan = SoftmaxCompute & Planned & { readonly lanes: number; readonly cudaRowBlock?: boolean };
/** `cudaRowBlock`: as SoftmaxPlan's, one CUDA block of `lanes` threads per output. */
export type ReducePlan = ReduceCompute & Planned & { readonly lanes: number; readonly cudaRowBlock?: boolean };
export type ConcatPlan = ConcatCompute & Planned;
/**
 * A conv run as an implicit GEMM (see kernels/plan_conv.ts): the register tile runs over mr output
 * channels by nr positions; a task is (image, group, block of mc channels, block of positions).
 * Copy mode: a block is `rows` output rows; its input rows are copied into scratch (blockFloats),
 * zero-padded and split into sh x sw stride-phase planes of hph x wph, and X[k][v] = block[koff[k] + v],
 * v = row * wph + column. In-place mode (1x1, stride 1, no pads): X[k][v] = x[koff[k] + v] over the flat
 * positions, panelsPerTask panels a task.
 */
export interface ConvGemm {
  readonly tile: MatmulTile;
  readonly inPlace: boolean;
  readonly koff: readonly number[];
  readonly rows: number;
  readonly wph: number;
  readonly hph: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly ph: number;
  readonly pw: number;
  readonly mBlocks: number;
  readonly vBlocks: number;
  readonly panelsPerTask: number;
  readonly blockFloats: number;
}

/**
 * A direct conv (weights not compile-time constants) with C vector lanes over output channels:
 * tasks are whole images (`images` per task); each output still sums its window in the scalar
 * order, so nothing but the task split differs from the plain form.
 */
export interface ConvLanes {
  readonly images: number;
}

/**
 * A pool run row by row (rank 1 or 2): a task is `perTask` output rows (n, channel, output row); for each
 * kernel row in the input and each kernel column, every output of the row whose position is in the
 * input combines it (so each output still combines its window in row-major order, skipping positions
 * outside the input); counts are per-dim products. The inner loop runs over output columns (vectorised).
 */
export interface PoolRows {
  readonly rows: number;
}

/**
 * `gemm`: present when the conv runs as an implicit GEMM (constant, finite weights); `rows`: a pool run
 * row by row; `lanes`: a direct conv with vector lanes over output channels (ConvLanes); none: the
 * direct window loop.
 * `cudaWeightTile`: CUDA runs a conv as a block per (image, output channel), the channel's weights
 * (this many floats, c / group x kernel) staged in shared memory, a thread per output position summing
 * in the same order as without it; absent: a thread per output, weights read from global memory.
 * `cudaGemm`: CUDA runs the conv as an implicit GEMM on the matmul block tiles (per image and group,
 * M = the group's output channels, N = output positions, K = (channel, kernel row, kernel column)
 * row-major): each output sums its K products in increasing order from +0, the window order; padding
 * loads +0, which adds nothing because it is set only with `gemm`'s constant, finite weights.
 * `cudaPlane`: depthwise (one input channel per group): the block of an (image, output channel) also
 * stages its input plane (this many floats) in shared memory.
 */
export type WindowPlan = WindowCompute &
  Planned & {
    readonly gemm?: ConvGemm;
    readonly rows?: PoolRows;
    readonly lanes?: ConvLanes;
    readonly cudaWeightTile?: number;
    readonly cudaGemm?: CudaMatmulTile;
    readonly cudaPlane?: number;
  };
export type GatherPlan = GatherCompute & Planned;
export type PadPlan = PadCompute & Planned;
export type WindowGradPlan = WindowGradCompute & Planned;
export type ConvWeightGradPlan = ConvWeightGradCompute & Planned;
export type ScatterAddPlan = ScatterAddCompute & Planned;
export type ConvTransposePlan = ConvTransposeCompute & Planned;
export type ResizePlan = ResizeCompute & Planned;
export type RecurrentPlan = RecurrentCompute & Planned;
export type ArgReducePlan = ArgReduceCompute & Planned;
export type TopKPlan = TopKCompute & Planned;
export type CumSumPlan = CumSumCompute & Planned;
/**
 * `serial`: one item copies data and then applies every update in index order (used when
 * rows x updates is large: the per-row form scans every index for every row). Either form
 * applies each output's updates in the same order, so the bits are the same.
 */
export type ScatterRowsPlan = ScatterRowsCompute & Planned & { readonly serial: boolean };

export type KernelPlan =
  | ElementwisePlan
  | MatmulPlan
  | SoftmaxPlan
  | ReducePlan
  | ConcatPlan
  | WindowPlan
  | GatherPlan
  | PadPlan
  | WindowGradPlan
  | ConvWeightGradPlan
  | ScatterAddPlan
  | ConvTransposePlan
  | ResizePlan
  | RecurrentPlan
  | ArgReducePlan
  | TopKPlan
  | CumSumPlan
  | ScatterRowsPlan;

/** Storages a kernel reads, in parameter order (value ids, before alias resolution): packed copies replace their sources. */
export function kernelReads(p: KernelPlan): string[] {
  if (p.kind === 'matmul' && p.packedB !== undefined) return [p.a.buf, p.packedB, ...p.epilogueInputs.map((o) => o.buf)];
  return computeReads(p);
}

/** Values a computation reads (what the interpreter reads), in parameter order. */
export function computeReads(p: Compute): string[] {
  switch (p.kind) {
    case 'elementwise':
      return p.inputs.map((o) => o.buf);
    case 'matmul':
      return [p.a.buf, p.b.buf, ...p.epilogueInputs.map((o) => o.buf)];
    case 'softmax':
    case 'reduce':
      return [p.input.buf];
    case 'concat':
      return p.inputs.map((i) => i.buf);
    case 'window':
      return [p.input.buf, ...(p.weight ? [p.weight.buf] : []), ...(p.bias ? [p.bias.buf] : []), ...p.epilogueInputs.map((o) => o.buf)];
    case 'gather':
      return [p.data.buf, p.indices.buf];
    case 'pad':
      return [p.input.buf];
    case 'window_grad':
      return [p.dy.buf, ...(p.input ? [p.input.buf] : [])];
    case 'conv_weight_grad':
      return [p.input.buf, p.dy.buf];
    case 'scatter_add':
      return [p.updates.buf, p.indices.buf];
    case 'conv_transpose':
      return [p.input.buf, p.weight.buf, ...(p.bias ? [p.bias.buf] : [])];
    case 'resize':
      return [p.input.buf];
    case 'arg_reduce':
    case 'topk':
    case 'cumsum':
      return [p.input.buf];
    case 'scatter_rows':
      return [p.data.buf, p.indices.buf, p.updates.buf];
    case 'recurrent':
      return [p.x, p.w, p.r, p.b, p.initialH, p.initialC, p.peephole].flatMap((o) => (o ? [o.buf] : []));
  }
}

/** Storages a kernel writes, in parameter order: its output, or each output of a multi-output kind. */
export function kernelWrites(p: Compute): string[] {
  if (p.kind === 'recurrent') return [p.y, p.yH, p.yC].flatMap((o) => (o ? [o.buf] : []));
  if (p.kind === 'topk' || p.kind === 'window') return [p.kind === 'topk' ? p.values.buf : p.out.buf, ...(p.indices ? [p.indices.buf] : [])];
  return [p.out.buf];
}

/** Buffers a kernel takes, in parameter order: what it reads, then what it writes. */
export function kernelArgs(p: KernelPlan): string[] {
  return [...kernelReads(p), ...kernelWrites(p)];
}
