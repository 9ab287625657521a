// The op registry: a typed, sorted table built from the op modules. Nothing
// outside it dispatches on op-name strings.
import { Ceil, Celu, Elu, Erf, Floor, Gelu, HardSigmoid, HardSwish, Mish, Reciprocal, Selu, Shrink, Sign, Softplus, ThresholdedRelu } from './activations.ts';
import { ArgMax, ArgMin, Hardmax, TopK } from './arg_topk.ts';
import { Add, Div, Mul, Pow, Sub } from './binary.ts';
import { Constant } from './constant.ts';
import { ConvTranspose } from './conv_transpose.ts';
import { Cast, CastLike, Clip, Dropout, Expand, Shape } from './convert_ops.ts';
import { CumSum, OneHot } from './cumsum_onehot.ts';
import type { OpDef } from './define.ts';
import { Einsum } from './einsum.ts';
import { GatherElements, GatherND } from './gather_index.ts';
import { Gather, Pad } from './gather_pad.ts';
import { Gemm } from './gemm.ts';
import { GRAD_KERNEL_OPS } from './grad_kernels.ts';
import { And, IsInf, IsNaN, Not, Or, Xor } from './logic.ts';
import { SoftmaxCrossEntropyLoss } from './loss.ts';
import { MatMul } from './matmul.ts';
import { Mod } from './mod.ts';
import { BatchNormalization, InstanceNormalization, LayerNormalization, LRN } from './norm.ts';
import { GlobalLpPool, GroupNormalization, LpNormalization, MeanVarianceNormalization } from './norm_more.ts';
import { Range } from './range.ts';
import { GRU, LSTM, RNN } from './recurrent.ts';
import { ReduceL2, ReduceLogSumExp, ReduceMax, ReduceMean, ReduceMin, ReduceProd, ReduceSum } from './reduce.ts';
import { Resize, Upsample } from './resize.ts';
import { ScatterElements, ScatterND, ScatterRows } from './scatter.ts';
import { Equal, Greater, GreaterOrEqual, Less, LessOrEqual, PRelu, Where } from './select_ops.ts';
import { Flatten, Identity, Reshape } from './shape_ops.ts';
import { Concat, ConstantOfShape, Size, Slice } from './slice_ops.ts';
import { LogSoftmax, Softmax } from './softmax.ts';
import { DepthToSpace, SpaceToDepth, Trilu } from './space_depth.ts';
import { Split, Tile } from './split_tile.ts';
import { Squeeze, Unsqueeze } from './squeeze.ts';
import { Transpose } from './transpose.ts';
import { Abs, Exp, LeakyRelu, Log, Neg, Relu, Sigmoid, Sqrt, Tanh } from './unary.ts';
import { Max, Mean, Min, Sum } from './variadic.ts';
import { AveragePool, Conv, GlobalAveragePool, GlobalMaxPool, MaxPool } from './window.ts';

const ALL_OPS: readonly OpDef[] = [
  GlobalLpPool,
  GroupNormalization,
  LpNormalization,
  MeanVarianceNormalization,
  DepthToSpace,
  Einsum,
  Range,
  SpaceToDepth,
  Split,
  Tile,
  Trilu,
  And,
  Celu,
  IsInf,
  IsNaN,
  Mish,
  Mod,
  Not,
  Or,
  Shrink,
  ThresholdedRelu,
  Xor,
  Abs,
  Add,
  ArgMax,
  ArgMin,
  AveragePool,
  BatchNormalization,
  Cast,
  CastLike,
  Ceil,
  Clip,
  Concat,
  Conv,
  ConvTranspose,
  Constant,
  ConstantOfShape,
  CumSum,
  Div,
  Dropout,
  Elu,
  Equal,
  Erf,
  Exp,
  Expand,
  Flatten,
  Floor,
  Gather,
  GatherElements,
  GatherND,
  Gelu,
  Gemm,
  GRU,
  GlobalAveragePool,
  GlobalMaxPool,
  Greater,
  GreaterOrEqual,
  Hardmax,
  HardSigmoid,
  HardSwish,
  Identity,
  InstanceNormalization,
  LayerNormalization,
  LRN,
  LSTM,
  LeakyRelu,
  Less,
  LessOrEqual,
  Log,
  LogSoftmax,
  MatMul,
  Max,
  MaxPool,
  Mean,
  Min,
  Mul,
  Neg,
  OneHot,
  Pad,
  PRelu,
  Pow,
  Reciprocal,
  ReduceL2,
  ReduceLogSumExp,
  ReduceMax,
  ReduceMean,
  ReduceMin,
  ReduceProd,
  ReduceSum,
  Relu,
  Reshape,
  Resize,
  RNN,
  ScatterElements,
  ScatterND,
  ScatterRows,
  Selu,
  Shape,
  Sigmoid,
  Sign,
  Size,
  Slice,
  Softmax,
  SoftmaxCrossEntropyLoss,
  Softplus,
  Sqrt,
  Squeeze,
  Sub,
  Sum,
  Tanh,
  TopK,
  Transpose,
  Unsqueeze,
  Upsample,
  Where,
  ...GRAD_KERNEL_OPS,
];

/** Sorted by name, so docs, dumps and fingerprints never depend on declaration order. */
export const OPS: ReadonlyMap<string, OpDef> = new Map(
  [...ALL_OPS].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((op) => [op.name, op]),
);

/** Looks up an ONNX (domain, op_type) pair. */
export function onnxOp(domain: string, opType: string): OpDef | undefined {
  if (domain !== '' && domain !== 'ai.onnx') return undefined;
  for (const op of OPS.values()) if (op.onnx.domain === '' && op.onnx.opType === opType) return op;
  return undefined;
}

export function opDef(name: string): OpDef | undefined {
  return OPS.get(name);
}
