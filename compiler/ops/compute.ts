// What a kernel computes, as op entries declare it: backend-free and free of
// loop-nest decisions. The kernel layer (compiler/kernels/) fuses these and
// adds how to run them (tiles, work partition, reduction lanes) to make plans.

import type { DType } from '../ir/dtype.ts';
import type { Expr } from './expr.ts';

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

interface ComputeBase {
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
export interface ElementwiseCompute extends ComputeBase {
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
export interface MatmulCompute extends ComputeBase {
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
 * Softmax (or log-softmax) over the middle dim of a contiguous [outer, axis, inner] view:
 * m = max over the axis; s = sum of exp(x - m) in the lane order of the kernel plan
 * (see compiler/kernels/reduce_order.ts); out = e / s (log: (x - m) - log(s)).
 */
export interface SoftmaxCompute extends ComputeBase {
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
 * dims, row-major): the reduced elements, numbered in row-major order of the
 * reduced dims, are combined as combine(acc, pre(x)) from `init` in the lane order
 * of the kernel plan (compiler/kernels/reduce_order.ts); out = post(acc).
 */
export interface ReduceCompute extends ComputeBase {
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
export interface ConcatCompute extends ComputeBase {
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
export interface WindowCompute extends ComputeBase {
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
  /**
   * Fused elementwise followers (Conv + bias + Relu/Clip/HardSwish/x*Sigmoid(x), BatchNorm's scale
   * and shift, a residual Add): iterated over [n, m, outSpatial...]; arg(0) is the window result
   * (conv: acc + bias), arg(k+1) is epilogueInputs[k]; the last entry is stored.
   */
  readonly epilogueInputs: readonly Operand[];
  readonly body: readonly Expr[];
  readonly out: OutRef;
  /**
   * MaxPool's Indices output (int64, [n, m, outSpatial...]): the flat input index of the window's
   * first NaN, else of its first maximum (window order; padding never), -1 when no position is
   * inside the input. The index counts over [N, C, spatial...]; columnMajor: spatial dims
   * column-major (storage_order=1), as onnxruntime.
   */
  readonly indices?: OutRef & { readonly columnMajor: boolean };
}

/**
 * Gather along one axis: out[o, j, i] = data[o, indices[j], i] over data viewed as
 * [outer, axis, inner]; negative indices count from the end; an index still out of
 * range reads 0 (a kernel cannot raise; constant indices are checked at compile time).
 */
export interface GatherCompute extends ComputeBase {
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
export interface PadCompute extends ComputeBase {
  readonly kind: 'pad';
  readonly mode: 'constant' | 'edge' | 'reflect' | 'wrap';
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly padsBegin: readonly number[];
  readonly value: number;
  readonly input: OutRef;
  readonly out: OutRef;
}

/** The geometry of a window kernel (see WindowCompute), shared by its gradient kernels. */
export type WindowGeometry = Pick<
  WindowCompute,
  'n' | 'c' | 'm' | 'group' | 'inSpatial' | 'outSpatial' | 'kernel' | 'strides' | 'dilations' | 'padsBegin' | 'padsEnd' | 'countIncludePad'
>;

/**
 * Gradient of a pool with respect to its input X, one dX element [n, c, i...] per item.
 * Kernel positions k run in row-major order; a position contributes when
 * o = (i + padBegin - k * dilation) / stride is whole and inside outSpatial in every dim:
 *   avg:  dY[n, c, o] / the forward's divisor of window o;
 *   max:  dY[n, c, o] when i is the argmax of window o (window order; the first NaN, else the
 *         first maximum; a window with no position inside X has none).
 * Contributions are summed in that order into one float32 from +0.
 */
export interface WindowGradCompute extends ComputeBase, WindowGeometry {
  readonly kind: 'window_grad';
  readonly mode: 'max' | 'avg';
  readonly dy: OutRef;
  /** max: the forward input X (to find each window's argmax). */
  readonly input?: OutRef;
  readonly out: OutRef;
}

/**
 * Conv weight gradient, one dW element [m, c, k...] per item: the sum over n, then output
 * positions o in row-major order, of dY[n, m, o] * X[n, group start + c, o * stride + k * dilation
 * - padBegin], skipping positions outside X, into one float32 from +0.
 */
export interface ConvWeightGradCompute extends ComputeBase, WindowGeometry {
  readonly kind: 'conv_weight_grad';
  readonly input: OutRef;
  readonly dy: OutRef;
  readonly out: OutRef;
}

/**
 * Gather's gradient (scatter-add without atomics): out[o, k, i] = the sum over j in increasing
 * order, where indices[j] (negative counts from the end) equals k, of updates[o, j, i], from +0.
 * One output row (o, k) per item; out-of-range indices contribute nothing.
 */
export interface ScatterAddCompute extends ComputeBase {
  readonly kind: 'scatter_add';
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly count: number;
  readonly updates: OutRef;
  readonly indices: OutRef;
  readonly out: OutRef;
}

/**
 * ConvTranspose as a gather over [N, C, spatial...] -> [N, M, spatial...]. For each output
 * element: input channels c of the output channel's group (increasing), then kernel positions k
 * (row-major); a pair contributes x[n, c, i...] * w[c, m % (M/group), k...] when every
 * i_d = (o_d + padsBegin_d - k_d * dilations_d) / strides_d divides exactly and lies in the
 * input. Summed from +0, bias added last.
 */
export interface ConvTransposeCompute extends ComputeBase {
  readonly kind: 'conv_transpose';
  readonly n: number;
  readonly c: number;
  readonly m: number;
  readonly group: number;
  readonly inSpatial: readonly number[];
  readonly outSpatial: readonly number[];
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly input: OutRef;
  readonly weight: OutRef;
  readonly bias?: OutRef;
  readonly out: OutRef;
}

/** One axis of a resize: where each output index reads from, with which weights. */
export interface ResizeAxis {
  /** Source positions per output index: 1 (nearest, copied axes), 2 (linear) or 4 (cubic). */
  readonly taps: number;
  /** Source index per (output index, tap), row-major; -1 on every tap: outside the input. Empty: identity. */
  readonly index: readonly number[];
  /** float32 weight per (output index, tap); empty when taps == 1 (the value is copied). */
  readonly weight: readonly number[];
  /** Some output index lies outside the input (tf_crop_and_resize): it takes the extrapolation value. */
  readonly outside: boolean;
}

/**
 * Resize as a weighted gather from per-axis tables (computed at compile time). For each output
 * element: if an axis marks it outside, out = extrapolation; with no weighted axis, out = the one
 * source element (a copy, any dtype); else acc = +0, then for every tap tuple of the weighted axes
 * in row-major order, acc += (w_a * w_b * ...) * x[...], the weights multiplied in axis order.
 */
export interface ResizeCompute extends ComputeBase {
  readonly kind: 'resize';
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly axes: readonly ResizeAxis[];
  readonly extrapolation: number;
  readonly input: OutRef;
  readonly out: OutRef;
}

/**
 * RNN, GRU and LSTM over a static sequence: one item per (direction, batch row), run through
 * the time steps in order (backwards for a reverse direction), the state kept per item.
 * Each step computes every hidden unit j from the previous state; a gate's pre-activation is one
 * float32 sum from +0 of x_t[k] * W[gate, j, k] (k increasing) then h[k] * R[gate, j, k], then
 * + Wb, then + Rb (then LSTM peepholes p * c, then clip to [-clip, clip]). Cells:
 * rnn h = f(a); gru z = f, r = f, n = g(x W + (r * h) R + Wb + Rb), or with linearBeforeReset
 * n = g((x W + Wb) + r * (h R + Rb)), h = (1 - z) * n + z * h; lstm (gates i, o, f, c):
 * c = f * c + i * g(c~), h = o * h'(c). Outputs Y (every step), Y_h, Y_c (last state) as present.
 */
export interface RecurrentCompute extends ComputeBase {
  readonly kind: 'recurrent';
  readonly cell: 'rnn' | 'gru' | 'lstm';
  readonly seq: number;
  readonly batch: number;
  readonly inputSize: number;
  readonly hidden: number;
  /** Per direction: whether it runs from the last time step to the first. */
  readonly reverse: readonly boolean[];
  /** layout=1: X [batch, seq, input], Y [batch, seq, dirs, hidden], states [batch, dirs, hidden]. */
  readonly batchFirst: boolean;
  /** Per direction: the cell's activation functions in ONNX order (f; f, g; f, g, h), each over arg(0). */
  readonly activations: readonly (readonly Expr[])[];
  readonly clip?: number;
  readonly linearBeforeReset: boolean;
  readonly inputForget: boolean;
  readonly x: OutRef;
  readonly w: OutRef;
  readonly r: OutRef;
  readonly b?: OutRef;
  readonly initialH?: OutRef;
  readonly initialC?: OutRef;
  readonly peephole?: OutRef;
  readonly y?: OutRef;
  readonly yH?: OutRef;
  readonly yC?: OutRef;
  /** The first present of y, yH, yC (every kernel names one output). */
  readonly out: OutRef;
}

/**
 * ArgMax / ArgMin over the middle dim of a contiguous [outer, axis, inner] view, one output per
 * (o, i): best = x[o, 0, i], then for j = 1.. in increasing order best is replaced when
 * x[j] > best (min: <), or >= (<=) with lastIndex; the int64 output is the index of the last
 * replacement. A NaN compares false, so a NaN at j = 0 wins and any later NaN is skipped.
 */
export interface ArgReduceCompute extends ComputeBase {
  readonly kind: 'arg_reduce';
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly max: boolean;
  readonly lastIndex: boolean;
  readonly input: OutRef;
  readonly out: OutRef;
}

/**
 * TopK over the middle dim of [outer, axis, inner], one item per (o, i). The elements are
 * ranked by a total order: NaN first (lower index first), then by value (descending for
 * largest, ascending otherwise), equal values by lower index. Rank r (r = 0..k-1) is the
 * first element after rank r - 1 in that order, found by one scan in increasing index;
 * values and int64 indices are written in rank order (sorted=0 gives the same order).
 */
export interface TopKCompute extends ComputeBase {
  readonly kind: 'topk';
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly k: number;
  readonly largest: boolean;
  readonly input: OutRef;
  readonly values: OutRef;
  /** Absent when the node's Indices output is omitted. */
  readonly indices?: OutRef;
  /** = values (every kernel names one output). */
  readonly out: OutRef;
}

/**
 * CumSum over the middle dim of [outer, axis, inner], one item per (o, i), in one fixed
 * sequential order (increasing j; decreasing with reverse): inclusive out[first] = x[first],
 * out[j] = out[previous] + x[j]; exclusive out[first] = 0, out[j] = out[previous] + x[previous].
 * float32 rounds at every step, int32 and int64 wrap.
 */
export interface CumSumCompute extends ComputeBase {
  readonly kind: 'cumsum';
  readonly outer: number;
  readonly axis: number;
  readonly inner: number;
  readonly exclusive: boolean;
  readonly reverse: boolean;
  readonly input: OutRef;
  readonly out: OutRef;
}

/**
 * Scatter of update rows into a copy of data viewed as [rows, inner], one output row per item:
 * out[r] = data[r], then for j = 0..count-1 in increasing order with indices[j] == r (int64, a
 * flat row index; anything outside 0..rows-1 is skipped), out[r, i] = combine(out[r, i],
 * updates[j, i]): none replaces (the last j wins), add, mul, max and min. max/min with
 * keep 'current': out < u ? u : out (min: u < out ? u : out), so a NaN update is skipped and
 * NaN data stays; keep 'update': out > u ? out : u (min: out < u ? out : u), so NaN data is
 * replaced and a NaN update is taken. No atomics: the order is the index order.
 */
export interface ScatterRowsCompute extends ComputeBase {
  readonly kind: 'scatter_rows';
  readonly rows: number;
  readonly inner: number;
  readonly count: number;
  readonly reduction: 'none' | 'add' | 'mul' | 'max' | 'min';
  /** Which value max/min keep when the comparison is false (equal values, NaN). */
  readonly keep: 'current' | 'update';
  readonly data: OutRef;
  readonly indices: OutRef;
  readonly updates: OutRef;
  readonly out: OutRef;
}

export type Compute =
  | ElementwiseCompute
  | MatmulCompute
  | SoftmaxCompute
  | ReduceCompute
  | ConcatCompute
  | WindowCompute
  | GatherCompute
  | PadCompute
  | WindowGradCompute
  | ConvWeightGradCompute
  | ScatterAddCompute
  | ConvTransposeCompute
  | ResizeCompute
  | RecurrentCompute
  | ArgReduceCompute
  | TopKCompute
  | CumSumCompute
  | ScatterRowsCompute;
