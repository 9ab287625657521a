// GatherElements and GatherND, decomposed: the flat element (or row) each index addresses is
// computed on int64 (compiler/ops/index_math.ts) and read by one Gather over the flattened
// data, so an out-of-range run-time index reads 0 exactly as Gather's, and the data gradient
// is Gather's scatter-add in index order.
import { numel } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { axisAttr, defineOp, fail, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { checkConstIndices, IndexMath } from './index_math.ts';

export const GatherElements = defineOp({
  name: 'GatherElements',
  onnx: { opType: 'GatherElements', domain: '', opsets: [11, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'indices', type: 'Tind' },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, Tind: ['int32', 'int64'] },
  attrs: { axis: attr.int({ default: 0 }) },
  infer: (ctx) => {
    const [x, idx] = [input(ctx, 0), input(ctx, 1)];
    const a = axisAttr(ctx, x.shape.length);
    if (idx.shape.length !== x.shape.length || idx.shape.some((n, d) => d !== a && n > x.shape[d]))
      shapeError(ctx, 'indices must have the rank of data and no larger dims outside the axis', [x.shape, idx.shape]);
    checkConstIndices(ctx, idx, () => x.shape[a], x.shape);
    return [{ dtype: x.dtype, shape: idx.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const [x, idx] = [input(ctx, 0), input(ctx, 1)];
      const m = new IndexMath(e);
      const total = numel(x.shape);
      const flat = m.elementsFlat(idx, x.shape, axisAttr(ctx, x.shape.length), total);
      return [e.op('Gather', [m.reshape(x, [total]), flat], { axis: 0 })];
    },
  },
  coverage:
    "decomposed into int64 index arithmetic and one Gather over the flattened data: negative indices count from the end; constant indices are range-checked at compile time, an out-of-range run-time index reads 0 (as Gather); gradient: Gather's scatter-add in index order",
});

function ndDims(ctx: NodeCtx) {
  const [x, idx] = [input(ctx, 0), input(ctx, 1)];
  const b = intAttr(ctx, 'batch_dims');
  const q = idx.shape.length;
  const m = idx.shape[q - 1];
  if (q < 1 || m === undefined || m < 1 || b < 0 || b >= q || b + m > x.shape.length || idx.shape.slice(0, b).some((n, d) => n !== x.shape[d]))
    shapeError(ctx, `indices' last dim (${m}) plus batch_dims (${b}) must fit data's rank, batch dims equal`, [x.shape, idx.shape]);
  return { b, q, m };
}

export const GatherND = defineOp({
  name: 'GatherND',
  onnx: { opType: 'GatherND', domain: '', opsets: [11, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'indices', type: 'I' },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, I: ['int64'] },
  attrs: { batch_dims: attr.int({ default: 0, doc: 'opset 12+' }) },
  infer: (ctx) => {
    const [x, idx] = [input(ctx, 0), input(ctx, 1)];
    const { b, q, m } = ndDims(ctx);
    if (ctx.opset < 12 && b !== 0) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `batch_dims=${b} in opset ${ctx.opset}`, 'batch_dims from opset 12');
    checkConstIndices(ctx, idx, (p) => x.shape[b + (p % m)], x.shape);
    return [{ dtype: x.dtype, shape: [...idx.shape.slice(0, q - 1), ...x.shape.slice(b + m)] }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const [x, idx] = [input(ctx, 0), input(ctx, 1)];
      const { b, q, m } = ndDims(ctx);
      const im = new IndexMath(e);
      const rows = numel(x.shape.slice(0, b + m));
      const rest = x.shape.slice(b + m);
      const flat = im.tupleRows(idx, x.shape, b, rows);
      const got = e.op('Gather', [im.reshape(x, [rows, numel(rest)]), flat], { axis: 0 });
      return [im.reshape(got, [...idx.shape.slice(0, q - 1), ...rest])];
    },
  },
  coverage:
    "batch_dims; decomposed into int64 index-tuple arithmetic and one Gather over data viewed as rows: negative components count from the end; constant indices are range-checked at compile time, a tuple with an out-of-range run-time component reads 0 (as Gather); gradient: Gather's scatter-add in index order",
});
