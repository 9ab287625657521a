// Kernel plans: backend-neutral descriptions of one generated kernel each.
// Lowering builds them from (fused) graph nodes; the C and CUDA renderers and the
// TS interpreter all read the same plan, so they compute in the same order.

import type { DType } from '../ir/dtype.ts';
import type { Expr } from '../ops/expr.ts';

/** A buffer read element-wise over the kernel's iteration space. */
export interface Operand {
  /** Storage id (the value id owning the memory; see schedule/memory_plan.ts). */
  readonly buf: string;
  readonly dtype: DType;
  /** Element stride per iteration dimension (0 where broadcast). */
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface OutRef {
  readonly buf: string;
  readonly dtype: DType;
}

interface PlanBase {
  /** Readable kernel name, from the ops it fuses (sanitised later by the name supply). */
  readonly name: string;
  /** ONNX ops fused into this kernel, in order; also the node names for comments. */
  readonly ops: readonly string[];
  readonly nodes: readonly string[];
}

/**
 * out[i] = body(inputs[..][i]) over `shape` (row-major, contiguous output).
 * `body` is straight-line SSA: body[j] may use arg(n) (operand n) and let(<j);
 * the last entry is the stored result.
 */
export interface ElementwisePlan extends PlanBase {
  readonly kind: 'elementwise';
  readonly shape: readonly number[];
  readonly inputs: readonly Operand[];
  readonly out: OutRef;
  readonly body: readonly Expr[];
}

/** A matrix operand addressed as X[batch..., row, col] through strides. */
export interface MatOperand {
  readonly buf: string;
  readonly dtype: DType;
  readonly batchStrides: readonly number[];
  readonly rowStride: number;
  readonly colStride: number;
  readonly offset: number;
}

/**
 * out[b..., i, j] = epilogue(acc, epilogueInputs[..][b..., i, j]) where
 * acc = sum over kk = 0..k-1, in increasing kk, of a[b..., i, kk] * b[b..., kk, j],
 * accumulated in one float32 starting from +0. That order is the contract.
 */
export interface MatmulPlan extends PlanBase {
  readonly kind: 'matmul';
  readonly batch: readonly number[];
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: MatOperand;
  readonly b: MatOperand;
  /** Iterated over [...batch, m, n]; arg(0) in the body is acc, arg(n+1) is epilogueInputs[n]. */
  readonly epilogueInputs: readonly Operand[];
  readonly body: readonly Expr[];
  readonly out: OutRef;
}

/**
 * Softmax (or log-softmax) over the middle dim of a contiguous [outer, axis, inner] view.
 * Order: max over axis in increasing index; sum of exp(x - max) in increasing index;
 * out = e / sum (log: (x - max) - log(sum)).
 */
export interface SoftmaxPlan extends PlanBase {
  readonly kind: 'softmax';
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly log: boolean;
  readonly input: OutRef;
  readonly out: OutRef;
}

/**
 * A reduction over some dims of a strided input. For each output element (kept
 * dims, row-major): acc = init; for the reduced dims in row-major order:
 * acc = combine(acc, pre(x)); out = post(acc). Sequential: that order is the contract.
 */
export interface ReducePlan extends PlanBase {
  readonly kind: 'reduce';
  readonly input: Operand & { readonly reducedStrides: readonly number[] };
  /** Kept dims (iteration space of the output) and reduced dims. */
  readonly kept: readonly number[];
  readonly reduced: readonly number[];
  /** The combine op's identity: 0, 1, or the dtype's lowest/highest value (-inf/+inf for floats). */
  readonly init: 'zero' | 'one' | 'lowest' | 'highest';
  /** arg(0) = the input element. */
  readonly pre: readonly Expr[];
  readonly combine: 'add' | 'mul' | 'max' | 'min';
  /** arg(0) = the accumulator. */
  readonly post: readonly Expr[];
  readonly accDtype: DType;
  readonly out: OutRef;
}

/** Concatenation: out viewed as [outer, sum(sizes), inner], input i as [outer, sizes[i], inner]. */
export interface ConcatPlan extends PlanBase {
  readonly kind: 'concat';
  readonly outer: number;
  readonly inner: number;
  readonly sizes: readonly number[];
  readonly inputs: readonly OutRef[];
  readonly out: OutRef;
}

/**
 * Sliding-window kernels over [N, C, spatial...] (Conv, MaxPool, AveragePool). For each output
 * element, window positions run in row-major order (conv: input channel of the group outer,
 * then kernel positions), skipping positions outside the input; conv sums x * w from +0 and
 * adds the bias last; max uses NaN-propagating max from -inf; avg sums, then divides by the
 * count of in-bounds positions (or of positions inside the padded extent, countIncludePad).
 */
export interface WindowPlan extends PlanBase {
  readonly kind: 'window';
  readonly mode: 'conv' | 'max' | 'avg';
  readonly n: number;
  /** Input channels (all groups). */
  readonly c: number;
  /** Output channels. */
  readonly m: number;
  readonly group: number;
  readonly inSpatial: readonly number[];
  readonly outSpatial: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly countIncludePad: boolean;
  readonly input: OutRef;
  readonly weight?: OutRef;
  readonly bias?: OutRef;
  readonly out: OutRef;
}

/**
 * Gather along one axis: out[o, j, i] = data[o, indices[j], i] over data viewed as
 * [outer, axis, inner]; negative indices count from the end; an index still out of
 * range reads 0 (a kernel cannot raise; constant indices are checked at compile time).
 */
export interface GatherPlan extends PlanBase {
  readonly kind: 'gather';
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly count: number;
  readonly data: OutRef;
  readonly indices: OutRef;
  readonly out: OutRef;
}

/** Pad: each output index maps per dim to an input index (or to `value`, constant mode). */
export interface PadPlan extends PlanBase {
  readonly kind: 'pad';
  readonly mode: 'constant' | 'edge' | 'reflect' | 'wrap';
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly padsBegin: readonly number[];
  readonly value: number;
  readonly input: OutRef;
  readonly out: OutRef;
}

export type KernelPlan = ElementwisePlan | MatmulPlan | SoftmaxPlan | ReducePlan | ConcatPlan | WindowPlan | GatherPlan | PadPlan;
