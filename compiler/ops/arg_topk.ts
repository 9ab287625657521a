// ArgMax, ArgMin and TopK (axis-scan kernels, see ArgReduceCompute and TopKCompute) and
// Hardmax (decomposed: ArgMax, then Equal with the axis positions, then Cast).
import { numel } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import type { ArgReduceCompute, TopKCompute } from './compute.ts';
import { axisAttr, constInput, defineOp, fail, input, intAttr, type NodeCtx, type OpDef, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';

/** [outer, axis, inner] around axis a of the node's input 0, refusing an empty axis. */
export function axisView(ctx: NodeCtx, a: number) {
  const s = input(ctx, 0).shape;
  if (s[a] === 0) shapeError(ctx, `axis ${a} is empty`, [s]);
  return { outer: numel(s.slice(0, a)), axis: s[a], inner: numel(s.slice(a + 1)) };
}

function argOp(name: 'ArgMax' | 'ArgMin'): OpDef {
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [1, MAX_KNOWN_OPSET] },
    inputs: [{ name: 'data', type: 'T' }],
    outputs: ['reduced'],
    types: { T: NUMERIC },
    outputTypes: ['int64'],
    attrs: {
      axis: attr.int({ default: 0 }),
      keepdims: attr.int({ default: 1, allowed: [0, 1] }),
      select_last_index: attr.int({ default: 0, allowed: [0, 1], doc: 'opset 12+: ties go to the last index' }),
    },
    infer: (ctx) => {
      const s = input(ctx, 0).shape;
      const a = axisAttr(ctx, s.length);
      axisView(ctx, a);
      const kept = intAttr(ctx, 'keepdims') === 1 ? s.map((d, i) => (i === a ? 1 : d)) : s.filter((_, i) => i !== a);
      return [{ dtype: 'int64', shape: kept }];
    },
    lowering: {
      kind: 'kernel',
      compute: (ctx): ArgReduceCompute => {
        const x = input(ctx, 0);
        const out = ctx.outputs[0];
        return {
          kind: 'arg_reduce',
          name: name.toLowerCase(),
          ops: [name],
          nodes: [ctx.node.name],
          ...axisView(ctx, axisAttr(ctx, x.shape.length)),
          max: name === 'ArgMax',
          lastIndex: intAttr(ctx, 'select_last_index') === 1,
          input: { buf: x.id, dtype: x.dtype },
          out: { buf: out.id, dtype: out.dtype },
        };
      },
    },
    coverage: `one sequential scan per output from index 0: a later element replaces the best when ${name === 'ArgMax' ? 'greater' : 'smaller'} (select_last_index=1: or equal), so the first ${name === 'ArgMax' ? 'maximum' : 'minimum'} wins by default; NaN compares false (a NaN at index 0 is returned, later NaNs are skipped, as onnxruntime); an empty axis is refused`,
  });
}

export const ArgMax = argOp('ArgMax');
export const ArgMin = argOp('ArgMin');

function topkDims(ctx: NodeCtx) {
  const x = input(ctx, 0);
  const a = axisAttr(ctx, x.shape.length);
  const k = ctx.opset < 10 ? intAttr(ctx, 'k') : constInput(ctx, 1, 'K input')?.[0];
  if (k === undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'the K input is missing');
  if (!Number.isInteger(k) || k < 1 || k > x.shape[a]) fail(ctx, 'VOLTA_E_SHAPE', `k=${k} for axis ${a} of size ${x.shape[a]}`, `1 <= k <= ${x.shape[a]}`);
  return { a, k, ...axisView(ctx, a) };
}

export const TopK = defineOp({
  name: 'TopK',
  onnx: { opType: 'TopK', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'K', type: 'I', optional: true, constant: true },
  ],
  outputs: ['Values', 'Indices'],
  types: { T: NUMERIC, I: ['int64'] },
  outputTypes: ['T', 'int64'],
  attrs: {
    axis: attr.int({ default: -1 }),
    largest: attr.int({ default: 1, allowed: [0, 1] }),
    sorted: attr.int({ default: 1, allowed: [0, 1], doc: '0: the same (sorted) order, which the spec allows' }),
    k: attr.int({ optional: true, doc: 'opsets 1-9' }),
  },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const d = topkDims(ctx);
    const shape = x.shape.map((n, i) => (i === d.a ? d.k : n));
    return [
      { dtype: x.dtype, shape },
      { dtype: 'int64', shape },
    ];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx): TopKCompute => {
      const x = input(ctx, 0);
      const { a: _a, ...d } = topkDims(ctx);
      const [values, indices] = ctx.outputs;
      const v = { buf: values.id, dtype: values.dtype };
      return {
        kind: 'topk',
        name: 'topk',
        ops: ['TopK'],
        nodes: [ctx.node.name],
        ...d,
        largest: intAttr(ctx, 'largest') === 1,
        input: { buf: x.id, dtype: x.dtype },
        values: v,
        ...(indices ? { indices: { buf: indices.id, dtype: indices.dtype } } : {}),
        out: v,
      };
    },
  },
  coverage:
    'k from a constant, a bound or a value-specialised input (1 <= k <= axis size); ranks by a total order: NaN first (by index), then by value, equal values by lower index; sorted=0 returns the same sorted order; one O(k x axis) scan per row, no sort',
});

export const Hardmax = defineOp({
  name: 'Hardmax',
  onnx: { opType: 'Hardmax', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T' }],
  outputs: ['output'],
  types: { T: ['float32'] },
  attrs: { axis: attr.int({ default: (opset) => (opset < 13 ? 1 : -1) }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    axisAttr(ctx, x.shape.length);
    return [{ dtype: x.dtype, shape: x.shape }];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const x = input(ctx, 0);
      const a = axisAttr(ctx, x.shape.length);
      const i64 = (xs: readonly number[]) => e.constant(makeTensor('int64', [xs.length], xs));
      // Before opset 13 the input is coerced to 2-D [dims before axis, dims from axis on].
      const shape2 = ctx.opset < 13 ? [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))] : x.shape;
      const ax = ctx.opset < 13 ? 1 : a;
      const v = ctx.opset < 13 ? e.op('Reshape', [x, i64(shape2)]) : x;
      const best = e.op('ArgMax', [v], { axis: ax, keepdims: 1 });
      const n = shape2[ax];
      const at = e.constant(
        makeTensor(
          'int64',
          shape2.map((_, i) => (i === ax ? n : 1)),
          [...Array(n).keys()],
        ),
      );
      const y = e.op('Cast', [e.op('Equal', [best, at])], { to: 1 });
      return [ctx.opset < 13 ? e.op('Reshape', [y, i64(x.shape)]) : y];
    },
  },
  coverage:
    "decomposed: 1 at the index ArgMax returns (first maximum wins; NaN as ArgMax: onnxruntime's Hardmax result for NaN rows varies with its vectorised max), Equal with the axis positions, Cast; opset 13 axis semantics, before 13 the input is coerced to 2-D at axis",
});
