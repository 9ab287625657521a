// ScatterElements and ScatterND, decomposed: the flat row each update addresses is computed on
// int64 (compiler/ops/index_math.ts; out of range: -1, skipped), then one ScatterRows kernel
// (see ScatterRowsCompute) copies data and applies the updates in index order, no atomics.
// With reduction=none and repeated indices the last update in index order wins.
import { numel, shapeStr } from '../ir/shape.ts';
import { attr } from './attr.ts';
import type { ScatterRowsCompute } from './compute.ts';
import { axisAttr, defineOp, fail, input, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { checkConstIndices, IndexMath } from './index_math.ts';

const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'];
const reductionAttr = attr.string({ default: 'none', allowed: REDUCTIONS, doc: 'opset 16+ (max, min: 18+); applied in index order' });

/** Internal: data [rows, inner], int64 row indices [count], updates [count, inner] -> [rows, inner]. */
export const ScatterRows = defineOp({
  name: 'ScatterRows',
  onnx: { opType: 'ScatterRows', domain: 'volta', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'indices', type: 'I' },
    { name: 'updates', type: 'T' },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, I: ['int64'] },
  attrs: { reduction: reductionAttr, keep: attr.string({ default: 'current', allowed: ['current', 'update'] }) },
  infer: (ctx) => {
    const [x, idx, u] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
    if (x.shape.length !== 2 || idx.shape.length !== 1 || u.shape.length !== 2 || u.shape[0] !== idx.shape[0] || u.shape[1] !== x.shape[1])
      shapeError(ctx, 'expects data [rows, inner], indices [count], updates [count, inner]', [x.shape, idx.shape, u.shape]);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx): ScatterRowsCompute => {
      const [x, idx, u] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
      const out = ctx.outputs[0];
      const ref = (v: typeof x) => ({ buf: v.id, dtype: v.dtype });
      return {
        kind: 'scatter_rows',
        name: `scatter_${ctx.attrs.reduction as string}`,
        ops: [ctx.node.op],
        nodes: [ctx.node.name],
        rows: x.shape[0],
        inner: x.shape[1],
        count: idx.shape[0],
        reduction: ctx.attrs.reduction as ScatterRowsCompute['reduction'],
        keep: ctx.attrs.keep as ScatterRowsCompute['keep'],
        data: ref(x),
        indices: ref(idx),
        updates: ref(u),
        out: ref(out),
      };
    },
  },
  coverage: 'internal: the kernel of ScatterElements and ScatterND (updates applied to a copy of data in index order)',
});

function reduction(ctx: NodeCtx): string {
  const r = ctx.attrs.reduction as string;
  const since = r === 'max' || r === 'min' ? 18 : r === 'none' ? 11 : 16;
  if (ctx.opset < since) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `reduction=${r} in opset ${ctx.opset}`, `reduction=${r} from opset ${since}`);
  const x = input(ctx, 0);
  if (r !== 'none' && !NUMERIC.includes(x.dtype)) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `reduction=${r} on ${x.dtype}`, 'a numeric dtype');
  return r;
}

const scatterInputs = [
  { name: 'data', type: 'T' },
  { name: 'indices', type: 'Tind' },
  { name: 'updates', type: 'T' },
] as const;

export const ScatterElements = defineOp({
  name: 'ScatterElements',
  onnx: { opType: 'ScatterElements', domain: '', opsets: [11, MAX_KNOWN_OPSET] },
  inputs: scatterInputs,
  outputs: ['output'],
  types: { T: ANY_DTYPE, Tind: ['int32', 'int64'] },
  attrs: { axis: attr.int({ default: 0 }), reduction: reductionAttr },
  infer: (ctx) => {
    const [x, idx, u] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
    const a = axisAttr(ctx, x.shape.length);
    reduction(ctx);
    if (idx.shape.length !== x.shape.length || shapeStr(idx.shape) !== shapeStr(u.shape) || idx.shape.some((n, d) => d !== a && n > x.shape[d]))
      shapeError(ctx, "indices and updates must share a shape of data's rank, no larger than data outside the axis", [x.shape, idx.shape, u.shape]);
    checkConstIndices(ctx, idx, () => x.shape[a], x.shape);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const [x, idx, u] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
      const m = new IndexMath(e);
      const [total, count] = [numel(x.shape), numel(idx.shape)];
      const flat = m.reshape(m.elementsFlat(idx, x.shape, axisAttr(ctx, x.shape.length), -1), [count]);
      const out = e.op('ScatterRows', [m.reshape(x, [total, 1]), flat, m.reshape(u, [count, 1])], { reduction: reduction(ctx), keep: 'current' });
      return [m.reshape(out, x.shape)];
    },
  },
  coverage:
    'reduction none/add/mul/max/min, applied to a copy of data in index order (row-major over indices), no atomics; with none, the last of repeated indices wins; max/min keep the current value unless the update compares greater/less (equal: current; a NaN update is skipped, NaN data stays; as onnxruntime); negative indices count from the end; constant indices are range-checked at compile time, an out-of-range run-time index is skipped',
});

export const ScatterND = defineOp({
  name: 'ScatterND',
  onnx: { opType: 'ScatterND', domain: '', opsets: [11, MAX_KNOWN_OPSET] },
  inputs: scatterInputs,
  outputs: ['output'],
  types: { T: ANY_DTYPE, Tind: ['int64'] },
  attrs: { reduction: reductionAttr },
  infer: (ctx) => {
    const [x, idx, u] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
    reduction(ctx);
    const q = idx.shape.length;
    const m = idx.shape[q - 1];
    if (q < 1 || m < 1 || m > x.shape.length || shapeStr(u.shape) !== shapeStr([...idx.shape.slice(0, q - 1), ...x.shape.slice(m)]))
      shapeError(ctx, "updates must be indices' shape without its last dim, then data's dims after the indexed ones", [x.shape, idx.shape, u.shape]);
    checkConstIndices(ctx, idx, (p) => x.shape[p % m], x.shape);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const [x, idx, u] = [input(ctx, 0), input(ctx, 1), input(ctx, 2)];
      const im = new IndexMath(e);
      const q = idx.shape.length;
      const m = idx.shape[q - 1];
      const [rows, inner, count] = [numel(x.shape.slice(0, m)), numel(x.shape.slice(m)), numel(idx.shape.slice(0, q - 1))];
      const flat = im.reshape(im.tupleRows(idx, x.shape, 0, -1), [count]);
      const out = e.op('ScatterRows', [im.reshape(x, [rows, inner]), flat, im.reshape(u, [count, inner])], { reduction: reduction(ctx), keep: 'update' });
      return [im.reshape(out, x.shape)];
    },
  },
  coverage:
    'reduction none/add/mul/max/min, applied to a copy of data in index order (row-major over index tuples), no atomics; with none, the last of repeated tuples wins; max/min take the update unless the current value compares greater/less (equal: update; NaN data is replaced, a NaN update is taken; as onnxruntime); negative components count from the end; constant indices are range-checked at compile time, a tuple with an out-of-range run-time component is skipped',
});
