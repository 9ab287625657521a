// Shared pieces of elementwise ops: numpy broadcasting inference and the entry
// builders used by unary.ts / binary.ts. Each op is still declared once, there.
import type { DType } from '../ir/dtype.ts';
import { broadcastShapes } from '../ir/shape.ts';
import type { AttrSpec } from './attr.ts';
import { defineOp, type GradRule, input, type LowerCtx, type NodeCtx, type OpDef, type OutType, shapeError } from './define.ts';
import type { Expr } from './expr.ts';

export const MAX_KNOWN_OPSET = 25;
export const FLOAT: readonly DType[] = ['float32'];
export const NUMERIC: readonly DType[] = ['float32', 'int32', 'int64'];
/** Every dtype Volta has, for ops that only move data. */
export const ANY_DTYPE: readonly DType[] = ['bool', 'float32', 'int32', 'int64'];

/** Multidirectional (numpy) broadcast of all present inputs; dtype of input 0. */
export function inferBroadcast(ctx: NodeCtx): OutType[] {
  const present = ctx.inputs.filter((v) => v !== undefined);
  const shape = broadcastShapes(present.map((v) => v.shape));
  if (shape === undefined)
    shapeError(
      ctx,
      'inputs do not broadcast (numpy rules)',
      present.map((v) => v.shape),
    );
  return [{ dtype: input(ctx, 0).dtype, shape }];
}

interface ElementwiseSpec {
  name: string;
  since: number;
  types: readonly DType[];
  attrs?: Record<string, AttrSpec>;
  coverage: string;
  /** Reverse-mode rule (see compiler/ops/grad.ts for the helpers). */
  grad?: GradRule;
}

export function unaryOp(spec: ElementwiseSpec, scalar: (x: Expr, ctx: LowerCtx) => Expr): OpDef {
  return defineOp({
    name: spec.name,
    onnx: { opType: spec.name, domain: '', opsets: [spec.since, MAX_KNOWN_OPSET] },
    inputs: [{ name: 'X', type: 'T' }],
    outputs: ['Y'],
    types: { T: spec.types },
    attrs: spec.attrs ?? {},
    infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }],
    lowering: { kind: 'elementwise', scalar: (args, ctx) => scalar(args[0] as Expr, ctx) },
    grad: spec.grad,
    coverage: spec.coverage,
  });
}

export function binaryOp(spec: ElementwiseSpec, scalar: (a: Expr, b: Expr, ctx: LowerCtx) => Expr): OpDef {
  return defineOp({
    name: spec.name,
    onnx: { opType: spec.name, domain: '', opsets: [spec.since, MAX_KNOWN_OPSET] },
    inputs: [
      { name: 'A', type: 'T' },
      { name: 'B', type: 'T' },
    ],
    outputs: ['C'],
    types: { T: spec.types },
    attrs: spec.attrs ?? {},
    infer: inferBroadcast,
    lowering: { kind: 'elementwise', scalar: (args, ctx) => scalar(args[0] as Expr, args[1] as Expr, ctx) },
    grad: spec.grad,
    coverage: spec.coverage,
  });
}
