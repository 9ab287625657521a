// The ONNX backend cases whose shape-deciding operand is a graph input (reshape,
// expand, squeeze, unsqueeze, reduce, pad, slice, constant_of_shape, ... with
// `shape`/`axes`/`pads`/`starts` fed at run time). We do not have the upstream
// files for them, so each op and position is rebuilt here with OnnxWriter and
// checked against onnxruntime (the oracle) through a specialising session: the
// values arrive at run(), in strict mode. A case with two value sets checks that
// each set gets its own variant. Ops from other workers join the table as they land.
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { DType } from '../compiler/ir/dtype.ts';
import { OnnxWriter, type WriterAttr } from '../compiler/onnx/writer.ts';
import { Tensor, Volta } from '../runtime/index.ts';
import { compareOutput } from './conformance/cases.ts';
import { randomFloats } from './helpers/models.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? '.volta-cache';

interface Feed {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly values: readonly number[];
}

interface Case {
  readonly name: string;
  readonly opset: number;
  readonly op: string;
  /** Input names in node order ('' = omitted), with their declared dims. */
  readonly inputs: readonly { name: string; dtype: DType; dims: readonly (number | string)[] }[];
  readonly attrs?: Record<string, WriterAttr>;
  /** The node's outputs (y, y1, ...) by dtype; default one float32 output. */
  readonly outputs?: readonly DType[];
  /** One or more value sets for the inputs (by name). */
  readonly feeds: readonly Record<string, Feed>[];
}

const f32 = (dims: number[], seed: number): Feed => ({
  dtype: 'float32',
  dims,
  values: Array.from(
    randomFloats(
      dims.reduce((a, b) => a * b, 1),
      seed,
    ),
  ),
});
const i64 = (values: number[]): Feed => ({ dtype: 'int64', dims: [values.length], values });
const f32v = (values: number[]): Feed => ({ dtype: 'float32', dims: [values.length], values });
const input = (name: string, dtype: DType, dims: (number | string)[]) => ({ name, dtype, dims });

const CASES: Case[] = [
  {
    name: 'reshape_shape_input',
    opset: 19,
    op: 'Reshape',
    inputs: [input('data', 'float32', [2, 3, 4]), input('shape', 'int64', [3])],
    feeds: [
      { data: f32([2, 3, 4], 1), shape: i64([4, 2, 3]) },
      { data: f32([2, 3, 4], 2), shape: i64([0, -1, 2]) },
    ],
  },
  {
    name: 'reshape_allowzero_shape_input',
    opset: 19,
    op: 'Reshape',
    attrs: { allowzero: 1 },
    inputs: [input('data', 'float32', [0, 3, 4]), input('shape', 'int64', [3])],
    feeds: [{ data: f32([0, 3, 4], 1), shape: i64([3, 4, 0]) }],
  },
  {
    name: 'expand_shape_input',
    opset: 13,
    op: 'Expand',
    inputs: [input('input', 'float32', [3, 1]), input('shape', 'int64', ['rank'])],
    feeds: [
      { input: f32([3, 1], 3), shape: i64([2, 1, 6]) },
      { input: f32([3, 1], 4), shape: i64([3, 4]) },
    ],
  },
  {
    name: 'squeeze_axes_input',
    opset: 13,
    op: 'Squeeze',
    inputs: [input('x', 'float32', [1, 3, 1, 5]), input('axes', 'int64', [1])],
    feeds: [
      { x: f32([1, 3, 1, 5], 5), axes: i64([0]) },
      { x: f32([1, 3, 1, 5], 6), axes: i64([-2]) },
    ],
  },
  {
    name: 'unsqueeze_axes_input',
    opset: 13,
    op: 'Unsqueeze',
    inputs: [input('x', 'float32', [3, 4]), input('axes', 'int64', [2])],
    feeds: [
      { x: f32([3, 4], 7), axes: i64([0, 3]) },
      { x: f32([3, 4], 8), axes: i64([-1, 1]) },
    ],
  },
  ...(['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL2', 'ReduceLogSumExp'] as const).map(
    (op, k): Case => ({
      name: `${op.toLowerCase()}_axes_input`,
      opset: op === 'ReduceSum' ? 13 : 18,
      op,
      attrs: { keepdims: k % 2 },
      inputs: [input('data', 'float32', [3, 2, 4]), input('axes', 'int64', [k === 0 ? 2 : 1])],
      feeds: k === 0 ? [{ data: f32([3, 2, 4], 9), axes: i64([0, -1]) }] : [{ data: f32([3, 2, 4], 10 + k), axes: i64([1]) }],
    }),
  ),
  {
    name: 'reduce_sum_empty_axes_input_noop',
    opset: 13,
    op: 'ReduceSum',
    attrs: { keepdims: 1, noop_with_empty_axes: 1 },
    inputs: [input('data', 'float32', [3, 2]), input('axes', 'int64', [0])],
    feeds: [{ data: f32([3, 2], 20), axes: i64([]) }],
  },
  {
    name: 'pad_pads_input',
    opset: 19,
    op: 'Pad',
    attrs: {},
    inputs: [input('x', 'float32', [2, 3]), input('pads', 'int64', [4]), input('value', 'float32', [])],
    feeds: [
      { x: f32([2, 3], 21), pads: i64([0, 1, 2, 0]), value: { dtype: 'float32', dims: [], values: [1.5] } },
      { x: f32([2, 3], 22), pads: i64([1, 0, 0, -1]), value: { dtype: 'float32', dims: [], values: [-2] } },
    ],
  },
  {
    name: 'pad_axes_input',
    opset: 19,
    op: 'Pad',
    inputs: [input('x', 'float32', [2, 3, 2]), input('pads', 'int64', [2]), input('', 'float32', []), input('axes', 'int64', [1])],
    feeds: [{ x: f32([2, 3, 2], 23), pads: i64([1, 2]), axes: i64([-2]) }],
  },
  {
    name: 'slice_inputs',
    opset: 13,
    op: 'Slice',
    inputs: [
      input('x', 'float32', [5, 6, 3]),
      input('starts', 'int64', [2]),
      input('ends', 'int64', [2]),
      input('axes', 'int64', [2]),
      input('steps', 'int64', [2]),
    ],
    feeds: [
      { x: f32([5, 6, 3], 24), starts: i64([1, -1]), ends: i64([4, -7]), axes: i64([0, 1]), steps: i64([2, -2]) },
      { x: f32([5, 6, 3], 25), starts: i64([0, 1]), ends: i64([9, 3]), axes: i64([-1, 1]), steps: i64([1, 1]) },
    ],
  },
  {
    name: 'slice_default_axes_steps',
    opset: 13,
    op: 'Slice',
    inputs: [input('x', 'float32', [4, 4]), input('starts', 'int64', [2]), input('ends', 'int64', [2])],
    feeds: [{ x: f32([4, 4], 26), starts: i64([1, 0]), ends: i64([3, 2]) }],
  },
  {
    name: 'constantofshape_input',
    opset: 20,
    op: 'ConstantOfShape',
    inputs: [input('shape', 'int64', [3])],
    feeds: [{ shape: i64([2, 3, 1]) }, { shape: i64([4, 0, 2]) }],
  },
  {
    name: 'resize_scales_input',
    opset: 13,
    op: 'Resize',
    attrs: { mode: 'linear' },
    inputs: [input('X', 'float32', [1, 2, 4, 4]), input('', 'float32', []), input('scales', 'float32', [4])],
    feeds: [
      { X: f32([1, 2, 4, 4], 27), scales: f32v([1, 1, 2, 2]) },
      { X: f32([1, 2, 4, 4], 28), scales: f32v([1, 1, 0.5, 1.75]) },
    ],
  },
  {
    name: 'resize_sizes_input_axes',
    opset: 19,
    op: 'Resize',
    attrs: { mode: 'cubic', axes: [3, 2], keep_aspect_ratio_policy: 'not_larger' },
    inputs: [input('X', 'float32', [1, 1, 5, 6]), input('', 'float32', []), input('', 'float32', []), input('sizes', 'int64', [2])],
    feeds: [
      { X: f32([1, 1, 5, 6], 29), sizes: i64([9, 7]) },
      { X: f32([1, 1, 5, 6], 30), sizes: i64([3, 4]) },
    ],
  },
  {
    name: 'resize_roi_input_tf_crop_and_resize',
    opset: 13,
    op: 'Resize',
    attrs: { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: { float: 10 } },
    inputs: [input('X', 'float32', [1, 1, 4, 4]), input('roi', 'float32', [8]), input('scales', 'float32', [4])],
    feeds: [
      { X: f32([1, 1, 4, 4], 31), roi: f32v([0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8]), scales: f32v([1, 1, 0.75, 0.75]) },
      { X: f32([1, 1, 4, 4], 32), roi: f32v([0, 0, -0.2, 0.1, 1, 1, 1.2, 0.9]), scales: f32v([1, 1, 1.5, 1.25]) },
    ],
  },
  {
    name: 'upsample_scales_input',
    opset: 9,
    op: 'Upsample',
    attrs: { mode: 'nearest' },
    inputs: [input('X', 'float32', [1, 1, 2, 3]), input('scales', 'float32', [4])],
    feeds: [
      { X: f32([1, 1, 2, 3], 33), scales: f32v([1, 1, 2, 3]) },
      { X: f32([1, 1, 2, 3], 34), scales: f32v([1, 2, 1.5, 1]) },
    ],
  },
  {
    name: 'topk_k_input',
    opset: 11,
    op: 'TopK',
    attrs: { axis: 1, largest: 0 },
    inputs: [input('X', 'float32', [3, 6]), input('K', 'int64', [1])],
    outputs: ['float32', 'int64'],
    feeds: [
      { X: f32([3, 6], 35), K: i64([2]) },
      { X: f32([3, 6], 36), K: i64([5]) },
    ],
  },
  {
    name: 'cumsum_axis_input',
    opset: 14,
    op: 'CumSum',
    attrs: { exclusive: 1 },
    inputs: [input('x', 'float32', [3, 4]), input('axis', 'int64', [])],
    feeds: [
      { x: f32([3, 4], 37), axis: { dtype: 'int64', dims: [], values: [1] } },
      { x: f32([3, 4], 38), axis: { dtype: 'int64', dims: [], values: [-2] } },
    ],
  },
];

function modelOf(c: Case): Uint8Array {
  const w = new OnnxWriter(c.name, c.opset);
  const names = c.inputs.map((i) => (i.name === '' ? '' : w.input(i.name, i.dtype, i.dims)));
  const types = c.outputs ?? ['float32'];
  const outs = w.node(c.op, names, c.attrs ?? {}, { name: 'node', outputs: types.map((_, i) => (i === 0 ? 'y' : `y${i}`)) });
  outs.forEach((o, i) => w.output(o, types[i]));
  return w.bytes();
}

function tensorOf(f: Feed): { data: Float32Array | BigInt64Array; dims: readonly number[] } {
  return { data: f.dtype === 'int64' ? BigInt64Array.from(f.values.map(BigInt)) : Float32Array.from(f.values), dims: f.dims };
}

let variants = 0;
describe('shape-deciding operands fed at run time (specialised), against onnxruntime', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const bytes = modelOf(c);
      const session = await Volta.compile(bytes, { mode: 'strict', cacheDir });
      const oracle = await ort.InferenceSession.create(bytes);
      for (const feeds of c.feeds) {
        const ours = await session.run(
          Object.fromEntries(
            Object.entries(feeds).map(([k, f]) => {
              const t = tensorOf(f);
              return [k, new Tensor(f.dtype, t.data, t.dims)];
            }),
          ),
        );
        const theirs = await oracle.run(
          Object.fromEntries(
            Object.entries(feeds).map(([k, f]) => {
              const t = tensorOf(f);
              return [k, new ort.Tensor(f.dtype, t.data, t.dims)];
            }),
          ),
        );
        for (const name of session.outputNames) {
          const [y, e] = [ours[name], theirs[name]];
          const diff = compareOutput({ dtype: y.type, shape: y.dims, data: y.data }, { dtype: e.type as DType, shape: e.dims, data: e.data as Float32Array });
          expect(diff, `${name}: ${JSON.stringify(feeds)}`).toBeUndefined();
        }
      }
      const spec = session.report().specialization;
      expect(spec?.variants.length).toBe(c.feeds.length);
      variants += spec?.variants.length ?? 0;
    });
  }
  afterAll(() => console.log(`dynamic-shape cases: ${CASES.length} models, ${variants} specialisations, all equal to onnxruntime`));
});
