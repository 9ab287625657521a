// MatMul with numpy semantics: 1-D operands are promoted then squeezed, leading
// (batch) dims broadcast. Lowered to a matmul compute with a fixed k order.

import type { Value } from '../ir/graph.ts';
import { broadcastShapes, contiguousStrides, type Shape } from '../ir/shape.ts';
import type { MatOperand } from './compute.ts';
import { defineOp, input, type NodeCtx, shapeError } from './define.ts';
import { FLOAT, MAX_KNOWN_OPSET } from './elementwise.ts';
import { arg } from './expr.ts';
import { GradBuilder } from './grad.ts';

interface MatmulDims {
  batch: number[];
  m: number;
  k: number;
  n: number;
  aShape: number[];
  bShape: number[];
  out: number[];
}

function dims(ctx: NodeCtx): MatmulDims {
  const A = input(ctx, 0).shape;
  const B = input(ctx, 1).shape;
  if (A.length === 0 || B.length === 0) shapeError(ctx, 'MatMul needs operands of rank >= 1', [A, B]);
  const a = A.length === 1 ? [1, A[0]] : [...A];
  const b = B.length === 1 ? [B[0], 1] : [...B];
  const m = a[a.length - 2];
  const k = a[a.length - 1];
  const n = b[b.length - 1];
  if (b[b.length - 2] !== k) shapeError(ctx, `inner dims differ (${k} vs ${b[b.length - 2]})`, [A, B]);
  const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)]);
  if (batch === undefined) shapeError(ctx, 'batch dims do not broadcast', [A, B]);
  const out = [...batch];
  if (A.length > 1) out.push(m);
  if (B.length > 1) out.push(n);
  return { batch, m, k, n, aShape: a, bShape: b, out };
}

/** Strides of a (promoted) [batch..., r, c] operand, broadcast to the full batch. */
export function matOperand(v: Value, shape: Shape, batch: Shape, transposed: boolean): MatOperand {
  const s = contiguousStrides(shape);
  const r = shape.length;
  const batchStrides = batch.map((_d, i) => {
    const j = i - (batch.length - (r - 2));
    return j < 0 || shape[j] === 1 ? 0 : s[j];
  });
  const [rowStride, colStride] = transposed ? [s[r - 1], s[r - 2]] : [s[r - 2], s[r - 1]];
  return { buf: v.id, dtype: v.dtype, batchStrides, rowStride, colStride, offset: 0 };
}

export const MatMul = defineOp({
  name: 'MatMul',
  onnx: { opType: 'MatMul', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'A', type: 'T' },
    { name: 'B', type: 'T' },
  ],
  outputs: ['Y'],
  types: { T: FLOAT },
  attrs: {},
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: dims(ctx).out }],
  lowering: {
    kind: 'kernel',
    epilogue: true,
    compute: (ctx) => {
      const d = dims(ctx);
      const out = ctx.outputs[0];
      return {
        kind: 'matmul',
        name: 'matmul',
        ops: ['MatMul'],
        nodes: [ctx.node.name],
        batch: d.batch,
        m: d.m,
        n: d.n,
        k: d.k,
        a: matOperand(input(ctx, 0), d.aShape, d.batch, false),
        b: matOperand(input(ctx, 1), d.bShape, d.batch, false),
        epilogueInputs: [],
        body: [arg(0, out.dtype)],
        out: { buf: out.id, dtype: out.dtype },
      };
    },
  },
  // dA = dY B^T, dB = A^T dY over the promoted [batch..., r, c] forms, summed back over broadcast batch dims.
  // The transposed operand is materialised (a Transpose kernel) so each product reads B along rows.
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined) return [undefined, undefined];
    const b = new GradBuilder(e, ctx.opset);
    const d = dims(ctx);
    const [A, B] = [input(ctx, 0), input(ctx, 1)];
    const g = b.reshape(dy, [...d.batch, d.m, d.n]);
    const dA = ctx.needs[0] ? b.reshape(b.sumTo(b.op('MatMul', [g, b.transposeLast(b.reshape(B, d.bShape))]), d.aShape), A.shape) : undefined;
    const dB = ctx.needs[1] ? b.reshape(b.sumTo(b.op('MatMul', [b.transposeLast(b.reshape(A, d.aShape)), g]), d.bShape), B.shape) : undefined;
    return [dA, dB];
  },
  coverage: 'float32; batched with numpy broadcasting of leading dims; sum over k in increasing order',
});
