import { contiguousStrides } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { defineOp, fail, input, intsAttr, type NodeCtx } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { arg } from './expr.ts';
import { GradBuilder } from './grad.ts';

function perm(ctx: NodeCtx): number[] {
  const r = input(ctx, 0).shape.length;
  const p = intsAttr(ctx, 'perm') ?? [...Array(r).keys()].reverse();
  const seen = new Set(p);
  if (p.length !== r || seen.size !== r || p.some((d) => !(d >= 0 && d < r))) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `perm=[${p.join(',')}] for rank ${r}`, `a permutation of 0..${r - 1}`);
  }
  return [...p];
}

export const Transpose = defineOp({
  name: 'Transpose',
  onnx: { opType: 'Transpose', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'data', type: 'T' }],
  outputs: ['transposed'],
  types: { T: ANY_DTYPE },
  attrs: { perm: attr.ints({ optional: true, doc: 'default: reversed dims' }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    return [{ dtype: x.dtype, shape: perm(ctx).map((d) => x.shape[d]) }];
  },
  lowering: {
    kind: 'kernel',
    epilogue: true,
    compute: (ctx) => {
      const x = input(ctx, 0);
      const out = ctx.outputs[0];
      const s = contiguousStrides(x.shape);
      const p = perm(ctx);
      return {
        kind: 'elementwise',
        name: 'transpose',
        ops: ['Transpose'],
        nodes: [ctx.node.name],
        shape: out.shape,
        inputs: [{ buf: x.id, dtype: x.dtype, strides: p.map((d) => s[d]), offset: 0 }],
        out: { buf: out.id, dtype: out.dtype },
        body: [arg(0, x.dtype)],
      };
    },
  },
  // The inverse permutation.
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined || !ctx.needs[0]) return [undefined];
    const p = perm(ctx);
    const inv = p.map((_, i) => p.indexOf(i));
    return [new GradBuilder(e, ctx.opset).transpose(dy, inv)];
  },
  coverage: 'any permutation; a strided copy kernel',
});
