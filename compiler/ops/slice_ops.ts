// Slice (a strided copy: the input operand gets an offset and step-scaled
// strides), and compile-time constants ConstantOfShape and Size.
import type { DType } from '../ir/dtype.ts';
import { DTYPES } from '../ir/dtype.ts';
import { isTensorAttr } from '../ir/graph.ts';
import { checkShape, contiguousStrides, normalizeAxis, numel } from '../ir/shape.ts';
import { makeTensor, type TensorData } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { axisAttr, constInput, defineOp, fail, input, intsAttr, type NodeCtx, shapeError } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { arg } from './expr.ts';
import { GradBuilder } from './grad.ts';

interface SliceDims {
  shape: number[];
  starts: number[];
  steps: number[];
}

function sliceDims(ctx: NodeCtx): SliceDims {
  const dims = input(ctx, 0).shape;
  const r = dims.length;
  const old = ctx.opset < 10;
  const starts = old ? [...(intsAttr(ctx, 'starts') ?? [])] : (constInput(ctx, 1, 'starts input') ?? []);
  const ends = old ? [...(intsAttr(ctx, 'ends') ?? [])] : (constInput(ctx, 2, 'ends input') ?? []);
  const axes = (old ? intsAttr(ctx, 'axes') : constInput(ctx, 3, 'axes input')) ?? starts.map((_, i) => i);
  const steps = (old ? undefined : constInput(ctx, 4, 'steps input')) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    fail(ctx, 'VOLTA_E_SHAPE', `starts/ends/axes/steps have lengths ${starts.length}/${ends.length}/${axes.length}/${steps.length}`, 'equal lengths');
  }
  const out = { shape: [...dims], starts: dims.map(() => 0), steps: dims.map(() => 1) };
  const seen = new Set<number>();
  axes.forEach((a0, i) => {
    const a = normalizeAxis(a0, r);
    if (a === undefined || seen.has(a)) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axes [${axes.join(',')}] for rank ${r}`, 'distinct axes in range');
    seen.add(a);
    const d = dims[a];
    const step = steps[i];
    if (step === 0 || !Number.isFinite(step)) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `step ${step} on axis ${a}`, 'a non-zero step');
    const norm = (v: number) => (v < 0 ? v + d : v);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const s = step > 0 ? clamp(norm(starts[i]), 0, d) : clamp(norm(starts[i]), 0, d - 1);
    const e = step > 0 ? clamp(norm(ends[i]), 0, d) : clamp(norm(ends[i]), -1, d - 1);
    out.shape[a] = Math.max(0, Math.ceil((e - s) / step));
    out.starts[a] = s;
    out.steps[a] = step;
  });
  return out;
}

export const Slice = defineOp({
  name: 'Slice',
  onnx: { opType: 'Slice', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'starts', type: 'Tind', optional: true, constant: true },
    { name: 'ends', type: 'Tind', optional: true, constant: true },
    { name: 'axes', type: 'Tind', optional: true, constant: true },
    { name: 'steps', type: 'Tind', optional: true, constant: true },
  ],
  outputs: ['output'],
  types: { T: ANY_DTYPE, Tind: ['int32', 'int64'] },
  attrs: {
    starts: attr.ints({ optional: true, doc: 'opsets 1-9' }),
    ends: attr.ints({ optional: true, doc: 'opsets 1-9' }),
    axes: attr.ints({ optional: true, doc: 'opsets 1-9' }),
  },
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: sliceDims(ctx).shape }],
  lowering: {
    kind: 'kernel',
    epilogue: true,
    compute: (ctx) => {
      const x = input(ctx, 0);
      const s = contiguousStrides(x.shape);
      const d = sliceDims(ctx);
      const out = ctx.outputs[0];
      return {
        kind: 'elementwise',
        name: 'slice',
        ops: ['Slice'],
        nodes: [ctx.node.name],
        shape: out.shape,
        inputs: [{ buf: x.id, dtype: x.dtype, strides: s.map((st, i) => st * d.steps[i]), offset: d.starts.reduce((acc, st, i) => acc + st * s[i], 0) }],
        out: { buf: out.id, dtype: out.dtype },
        body: [arg(0, x.dtype)],
      };
    },
  },
  // Unit steps: dY zero-padded back to X's shape. Other steps: dY scattered along the axis first
  // (a MatMul with a constant 0/1 matrix; see GradBuilder.scatterAxis).
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    if (dy === undefined || !ctx.needs[0]) return ctx.inputs.map(() => undefined);
    const b = new GradBuilder(e, ctx.opset);
    const dims = input(ctx, 0).shape;
    const d = sliceDims(ctx);
    let g = dy;
    const begin = dims.map(() => 0);
    const end = dims.map(() => 0);
    dims.forEach((n, a) => {
      if (d.steps[a] !== 1) g = b.scatterAxis(g, a, n, (o) => d.starts[a] + o * d.steps[a]);
      else {
        begin[a] = d.starts[a];
        end[a] = n - d.starts[a] - d.shape[a];
      }
    });
    return [b.pad(g, begin, end), ...ctx.inputs.slice(1).map(() => undefined)];
  },
  coverage: 'starts/ends/axes/steps must be compile-time constants; negative steps supported; a strided copy kernel',
});

function constantOfShape(ctx: NodeCtx): TensorData {
  const shape = checkShape(constInput(ctx, 0, 'shape input') ?? [], {
    node: ctx.node.name,
    op: ctx.node.op,
    what: 'output',
  });
  const v = ctx.attrs.value;
  const fill = v === undefined ? makeTensor('float32', [1], [0]) : isTensorAttr(v) ? v : fail(ctx, 'VOLTA_E_BAD_MODEL', 'value is not a tensor');
  if (numel(fill.shape) !== 1) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `value has ${numel(fill.shape)} elements`, 'a one-element tensor');
  const data = DTYPES[fill.dtype].make(numel(shape));
  (data as unknown as { fill: (x: unknown) => void }).fill(fill.data[0]);
  return { dtype: fill.dtype, shape, data };
}

export const ConstantOfShape = defineOp({
  name: 'ConstantOfShape',
  onnx: { opType: 'ConstantOfShape', domain: '', opsets: [9, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T1', constant: true }],
  outputs: ['output'],
  types: { T1: ['int64'] },
  attrs: { value: attr.tensor({ optional: true, doc: 'default float32 0' }) },
  infer: (ctx) => {
    const t = constantOfShape(ctx);
    return [{ dtype: t.dtype, shape: t.shape }];
  },
  lowering: { kind: 'constant', value: constantOfShape },
  coverage: 'folded at compile time; the shape input must be a constant',
});

export const Size = defineOp({
  name: 'Size',
  onnx: { opType: 'Size', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'data', type: 'T' }],
  outputs: ['size'],
  types: { T: ANY_DTYPE },
  attrs: {},
  infer: () => [{ dtype: 'int64' as DType, shape: [] }],
  lowering: { kind: 'constant', value: (ctx) => makeTensor('int64', [], [numel(input(ctx, 0).shape)]) },
  coverage: 'folded at compile time (shapes are static)',
});

export const Concat = defineOp({
  name: 'Concat',
  onnx: { opType: 'Concat', domain: '', opsets: [4, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'inputs', type: 'T', variadic: true }],
  outputs: ['concat_result'],
  types: { T: ANY_DTYPE },
  attrs: { axis: attr.int() },
  infer: (ctx) => {
    const xs = ctx.inputs.map((_, i) => input(ctx, i));
    const r = xs[0].shape.length;
    const a = axisAttr(ctx, r);
    for (const x of xs) {
      if (x.shape.length !== r || x.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
        shapeError(
          ctx,
          `inputs must agree on every dim but axis ${a}`,
          xs.map((v) => v.shape),
        );
      }
    }
    const shape = [...xs[0].shape];
    shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
    return [{ dtype: xs[0].dtype, shape }];
  },
  lowering: {
    kind: 'kernel',
    compute: (ctx) => {
      const xs = ctx.inputs.map((_, i) => input(ctx, i));
      const shape = xs[0].shape;
      const a = axisAttr(ctx, shape.length);
      const out = ctx.outputs[0];
      return {
        kind: 'concat',
        name: 'concat',
        ops: ['Concat'],
        nodes: [ctx.node.name],
        outer: numel(shape.slice(0, a)),
        inner: numel(shape.slice(a + 1)),
        sizes: xs.map((x) => x.shape[a]),
        inputs: xs.map((x) => ({ buf: x.id, dtype: x.dtype })),
        out: { buf: out.id, dtype: out.dtype },
      };
    },
  },
  // Each input gets its block of dY along the axis.
  grad: (ctx, e) => {
    const dy = ctx.dOutputs[0];
    const b = new GradBuilder(e, ctx.opset);
    const a = axisAttr(ctx, input(ctx, 0).shape.length);
    let at = 0;
    return ctx.inputs.map((x, i) => {
      const size = x!.shape[a];
      at += size;
      return dy !== undefined && ctx.needs[i] ? b.slice(dy, [a], [at - size], [at]) : undefined;
    });
  },
  coverage: 'any number of inputs, any axis; a copy kernel',
});
