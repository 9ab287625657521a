// Gemm: Y = alpha * A' B' + beta * C, C unidirectionally broadcast to [M, N].

import type { Value } from '../ir/graph.ts';
import { broadcastShapes, broadcastStrides } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { defineOp, fail, floatAttr, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { FLOAT, MAX_KNOWN_OPSET } from './elementwise.ts';
import { add, arg, type Expr, lit, mul } from './expr.ts';
import { GradBuilder } from './grad.ts';
import { matOperand } from './matmul.ts';

/** alpha * op(a) op(b) as Gemm (opset 11+, where C may be omitted) or MatMul with explicit transposes. */
function product(b: GradBuilder, x: Value, y: Value, transA: number, transB: number, alpha: number): Value {
  if (b.opset >= 11) return b.op('Gemm', [x, y], { transA, transB, alpha });
  const p = b.op('MatMul', [transA ? b.transposeLast(x) : x, transB ? b.transposeLast(y) : y]);
  return b.scale(p, alpha);
}

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
  // With A' = op(A), B' = op(B): dA' = alpha dY B'^T, dB' = alpha A'^T dY, dC = beta dY summed to C's shape.
  // Each product is arranged so its B operand is read along rows where the layout allows.
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined) return [undefined, undefined, undefined];
    const b = new GradBuilder(e, ctx.opset);
    const [A, B, C] = [input(ctx, 0), input(ctx, 1), ctx.inputs[2]];
    const [ta, tb] = [intAttr(ctx, 'transA'), intAttr(ctx, 'transB')];
    const alpha = floatAttr(ctx, 'alpha');
    let dA: Value | undefined;
    let dB: Value | undefined;
    if (ctx.needs[0])
      dA = ta === 0 ? (tb === 1 ? product(b, dy, B, 0, 0, alpha) : product(b, dy, b.transposeLast(B), 0, 0, alpha)) : product(b, B, dy, tb, 1, alpha);
    if (ctx.needs[1]) dB = tb === 0 ? product(b, A, dy, 1 - ta, 0, alpha) : product(b, dy, A, 1, ta, alpha);
    const dC = C !== undefined && ctx.needs[2] ? b.scale(b.sumTo(dy, C.shape), floatAttr(ctx, 'beta')) : undefined;
    return [dA, dB, dC];
  },
  coverage: 'float32; C optional (required before opset 11) and broadcast to [M, N]; beta * C is computed even when beta = 0, as ONNX specifies',
});
