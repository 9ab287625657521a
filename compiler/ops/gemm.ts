// Gemm: Y = alpha * A' B' + beta * C, C unidirectionally broadcast to [M, N].
import { broadcastShapes, broadcastStrides } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { defineOp, fail, floatAttr, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { FLOAT, MAX_KNOWN_OPSET } from './elementwise.ts';
import { add, arg, type Expr, lit, mul } from './expr.ts';
import { matOperand } from './matmul.ts';

function dims(ctx: NodeCtx): { m: number; k: number; n: number } {
  const A = input(ctx, 0).shape;
  const B = input(ctx, 1).shape;
  if (A.length !== 2 || B.length !== 2) shapeError(ctx, 'Gemm needs 2-D A and B', [A, B]);
  const [m, k] = intAttr(ctx, 'transA') ? [A[1], A[0]] : [A[0], A[1]];
  const [kb, n] = intAttr(ctx, 'transB') ? [B[1], B[0]] : [B[0], B[1]];
  if (k !== kb) shapeError(ctx, `inner dims differ (${k} vs ${kb}) after transA/transB`, [A, B]);
  const C = ctx.inputs[2];
  if (C !== undefined) {
    const bc = broadcastShapes([C.shape, [m, n]]);
    if (C.shape.length > 2 || bc === undefined || bc[0] !== m || bc[1] !== n) {
      shapeError(ctx, `C must broadcast to [${m},${n}]`, [A, B, C.shape]);
    }
  }
  return { m, k, n };
}

const bool01 = ['0 (no transpose)', '1 (transpose)'];

export const Gemm = defineOp({
  name: 'Gemm',
  onnx: { opType: 'Gemm', domain: '', opsets: [7, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'A', type: 'T' },
    { name: 'B', type: 'T' },
    { name: 'C', type: 'T', optional: true },
  ],
  outputs: ['Y'],
  types: { T: FLOAT },
  attrs: {
    alpha: attr.float({ default: 1 }),
    beta: attr.float({ default: 1 }),
    transA: attr.int({ default: 0, allowed: [0, 1], doc: bool01.join(' or ') }),
    transB: attr.int({ default: 0, allowed: [0, 1], doc: bool01.join(' or ') }),
  },
  infer: (ctx) => {
    const { m, n } = dims(ctx);
    if (ctx.opset < 11 && ctx.inputs[2] === undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'input C is required before opset 11');
    return [{ dtype: input(ctx, 0).dtype, shape: [m, n] }];
  },
  lowering: {
    kind: 'kernel',
    epilogue: true,
    compute: (ctx) => {
      const { m, k, n } = dims(ctx);
      const out = ctx.outputs[0];
      const alpha = Math.fround(floatAttr(ctx, 'alpha'));
      const beta = Math.fround(floatAttr(ctx, 'beta'));
      const C = ctx.inputs[2];
      // alpha == 1 and beta == 1 multiply exactly, so skipping them changes no bits.
      let body: Expr = alpha === 1 ? arg(0, out.dtype) : mul(lit(alpha, out.dtype), arg(0, out.dtype));
      const epilogueInputs = [];
      if (C !== undefined) {
        epilogueInputs.push({ buf: C.id, dtype: C.dtype, strides: broadcastStrides(C.shape, [m, n]), offset: 0 });
        const c = beta === 1 ? arg(1, C.dtype) : mul(lit(beta, C.dtype), arg(1, C.dtype));
        body = add(body, c);
      }
      return {
        kind: 'matmul',
        name: 'gemm',
        ops: ['Gemm'],
        nodes: [ctx.node.name],
        batch: [],
        m,
        n,
        k,
        a: matOperand(input(ctx, 0), input(ctx, 0).shape, [], intAttr(ctx, 'transA') === 1),
        b: matOperand(input(ctx, 1), input(ctx, 1).shape, [], intAttr(ctx, 'transB') === 1),
        epilogueInputs,
        body: [body],
        out: { buf: out.id, dtype: out.dtype },
      };
    },
  },
  coverage: 'float32; C optional (required before opset 11) and broadcast to [M, N]; beta * C is computed even when beta = 0, as ONNX specifies',
});
