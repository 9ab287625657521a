// The op registry: a typed, sorted table built from the op modules. Nothing
// outside it dispatches on op-name strings.
import { Add, Div, Mul, Sub } from './binary.ts';
import { Constant } from './constant.ts';
import type { OpDef } from './define.ts';
import { Gemm } from './gemm.ts';
import { MatMul } from './matmul.ts';
import { Flatten, Identity, Reshape } from './shape_ops.ts';
import { Softmax } from './softmax.ts';
import { Transpose } from './transpose.ts';
import { Abs, Exp, LeakyRelu, Log, Neg, Relu, Sigmoid, Sqrt, Tanh } from './unary.ts';

const ALL_OPS: readonly OpDef[] = [
  Abs,
  Add,
  Constant,
  Div,
  Exp,
  Flatten,
  Gemm,
  Identity,
  LeakyRelu,
  Log,
  MatMul,
  Mul,
  Neg,
  Relu,
  Reshape,
  Sigmoid,
  Softmax,
  Sqrt,
  Sub,
  Tanh,
  Transpose,
];

/** Sorted by name, so docs, dumps and fingerprints never depend on declaration order. */
export const OPS: ReadonlyMap<string, OpDef> = new Map(
  [...ALL_OPS].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((op) => [op.name, op]),
);

/** Looks up an ONNX (domain, op_type) pair. */
export function onnxOp(domain: string, opType: string): OpDef | undefined {
  if (domain !== '' && domain !== 'ai.onnx') return undefined;
  for (const op of OPS.values()) if (op.onnx.opType === opType) return op;
  return undefined;
}

export function opDef(name: string): OpDef | undefined {
  return OPS.get(name);
}
