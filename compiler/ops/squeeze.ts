import { normalizeAxis, shapeStr } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { constInput, defineOp, fail, input, intsAttr, type NodeCtx } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { reshapeGrad } from './grad.ts';

function axesOf(ctx: NodeCtx): number[] | undefined {
  if (ctx.opset < 13) return intsAttr(ctx, 'axes') ? [...(intsAttr(ctx, 'axes') as number[])] : undefined;
  if (ctx.attrs.axes !== undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', 'attribute axes at opset >= 13', 'axes as the second input');
  return constInput(ctx, 1, 'axes input');
}

function normalized(ctx: NodeCtx, axes: number[], rank: number): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank));
  if (out.some((a) => a === undefined) || new Set(out).size !== out.length) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axes [${axes.join(',')}] for rank ${rank}`, `distinct axes in -${rank}..${rank - 1}`);
  }
  return (out as number[]).sort((x, y) => x - y);
}

export const Squeeze = defineOp({
  name: 'Squeeze',
  onnx: { opType: 'Squeeze', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'axes', type: 'A', optional: true, constant: true },
  ],
  outputs: ['squeezed'],
  types: { T: ANY_DTYPE, A: ['int64'] },
  attrs: { axes: attr.ints({ optional: true, doc: 'opsets 1-12' }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const given = axesOf(ctx);
    const axes = given === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalized(ctx, given, x.shape.length);
    for (const a of axes) if (x.shape[a] !== 1) fail(ctx, 'VOLTA_E_SHAPE', `axis ${a} of ${shapeStr(x.shape)} is not 1`);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  lowering: { kind: 'alias' },
  grad: reshapeGrad,
  coverage: 'axes must be compile-time constants',
});

export const Unsqueeze = defineOp({
  name: 'Unsqueeze',
  onnx: { opType: 'Unsqueeze', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'axes', type: 'A', optional: true, constant: true },
  ],
  outputs: ['expanded'],
  types: { T: ANY_DTYPE, A: ['int64'] },
  attrs: { axes: attr.ints({ optional: true, doc: 'opsets 1-12' }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const given = axesOf(ctx);
    if (given === undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'Unsqueeze without axes');
    const rank = x.shape.length + given.length;
    const axes = normalized(ctx, given, rank);
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x.shape[k++]);
    return [{ dtype: x.dtype, shape: out }];
  },
  lowering: { kind: 'alias' },
  grad: reshapeGrad,
  coverage: 'axes must be compile-time constants',
});
