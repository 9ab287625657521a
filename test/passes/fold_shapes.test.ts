// Shape subgraphs as exporters write them (PyTorch's x.view(x.size(0), -1), TF's
// Shape -> StridedSlice -> Pack, zeros_like, expand_as, head splitting) fold away once
// the input shapes are fixed with inputShapes: import evaluates them as constants
// (compiler/eval/fold.ts, the kernels' own plans), so the IR keeps only the data ops.
// The after-import IR is kept in test/passes/fold-shapes/; each model also runs
// against onnxruntime.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { isVoltaError } from '../../compiler/ir/errors.ts';
import { makeTensor } from '../../compiler/ir/tensor.ts';
import { graphText } from '../../compiler/ir/text.ts';
import { importModel } from '../../compiler/onnx/import.ts';
import { OnnxWriter } from '../../compiler/onnx/writer.ts';
import { Tensor, Volta } from '../../runtime/index.ts';
import { randomFloats } from '../helpers/models.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? '.volta-cache';
const i64 = (xs: number[]) => makeTensor('int64', [xs.length], xs);

interface Pattern {
  readonly name: string;
  readonly model: () => Uint8Array;
  readonly shapes: Record<string, number[]>;
  /** Ops left after import. */
  readonly ops: string[];
}

const PATTERNS: Pattern[] = [
  {
    // torch: x.view(x.size(0), -1)
    name: 'torch_flatten_view',
    shapes: { x: [2, 3, 4, 5] },
    ops: ['Reshape', 'Relu'],
    model: () => {
      const w = new OnnxWriter('torch_flatten_view', 17);
      const x = w.input('x', 'float32', ['batch', 3, 4, 5]);
      const n = w.op('Gather', [w.op('Shape', [x]), w.op('Constant', [], { value: makeTensor('int64', [], [0]) })], { axis: 0 });
      const shape = w.op('Concat', [w.op('Unsqueeze', [n, w.initializer('ax0', i64([0]))]), w.initializer('minus1', i64([-1]))], { axis: 0 });
      w.output(w.op('Relu', [w.op('Reshape', [x, shape])], {}, 'y'), 'float32');
      return w.bytes();
    },
  },
  {
    // tf2onnx: Shape -> Slice [0:1] -> Concat with constants -> Reshape; zeros_like via ConstantOfShape(Shape)
    name: 'tf_slice_concat_zeros_like',
    shapes: { x: [3, 8] },
    ops: ['Reshape', 'Add'],
    model: () => {
      const w = new OnnxWriter('tf_slice_concat_zeros_like', 13);
      const x = w.input('x', 'float32', ['N', 8]);
      const s = w.op('Shape', [x]);
      const head = w.op('Slice', [s, w.initializer('st', i64([0])), w.initializer('en', i64([1])), w.initializer('ax', i64([0]))]);
      const r = w.op('Reshape', [x, w.op('Concat', [head, w.initializer('tail', i64([2, 4]))], { axis: 0 })]);
      const zeros = w.op('ConstantOfShape', [w.op('Shape', [r])], { value: makeTensor('float32', [1], [0.5]) });
      w.output(w.op('Add', [r, zeros], {}, 'y'), 'float32');
      return w.bytes();
    },
  },
  {
    // attention head split: [B, T, C] -> [B, T, H, C / H] with C / H computed through Cast and Div
    name: 'head_split_cast_div',
    shapes: { x: [2, 5, 12] },
    ops: ['Reshape', 'Transpose'],
    model: () => {
      const w = new OnnxWriter('head_split_cast_div', 17);
      const x = w.input('x', 'float32', ['B', 'T', 12]);
      const s = w.op('Shape', [x]);
      const pick = (k: number) => w.op('Gather', [s, w.initializer(`i${k}`, i64([k]))], { axis: 0 });
      const c = w.op('Cast', [w.op('Div', [w.op('Cast', [pick(2)], { to: 1 }), w.initializer('heads_f', makeTensor('float32', [1], [3]))])], { to: 7 });
      const shape = w.op('Concat', [pick(0), pick(1), w.initializer('heads', i64([3])), c], { axis: 0 });
      w.output(w.op('Transpose', [w.op('Reshape', [x, shape])], { perm: [0, 2, 1, 3] }, 'y'), 'float32');
      return w.bytes();
    },
  },
  {
    // expand_as and a merged dim: Expand(b, Shape(x)); Reshape(x, [Shape[0] * Shape[1], -1])
    name: 'expand_as_merge_dims',
    shapes: { x: [2, 3, 4], b: [4] },
    ops: ['Expand', 'Add', 'Reshape'],
    model: () => {
      const w = new OnnxWriter('expand_as_merge_dims', 17);
      const x = w.input('x', 'float32', ['A', 'B', 4]);
      const b = w.input('b', 'float32', [4]);
      const s = w.op('Shape', [x]);
      const e = w.op('Add', [x, w.op('Expand', [b, s])]);
      const ab = w.op('Mul', [
        w.op('Slice', [s, w.initializer('z', i64([0])), w.initializer('o', i64([1]))]),
        w.op('Slice', [s, w.initializer('o2', i64([1])), w.initializer('t', i64([2]))]),
      ]);
      w.output(w.op('Reshape', [e, w.op('Concat', [ab, w.initializer('m1', i64([-1]))], { axis: 0 })], {}, 'y'), 'float32');
      return w.bytes();
    },
  },
];

describe('shape subgraphs fold once input shapes are fixed', () => {
  for (const p of PATTERNS) {
    it(`${p.name}: only data ops remain, and it matches onnxruntime`, async () => {
      const bytes = p.model();
      const g = importModel(bytes, { inputShapes: p.shapes });
      expect(g.nodes.map((n) => n.op)).toEqual(p.ops);
      await expect(graphText(g)).toMatchFileSnapshot(`./fold-shapes/${p.name}.after.ir`);
      const feeds = Object.fromEntries(
        Object.entries(p.shapes).map(([k, d], i) => [
          k,
          randomFloats(
            d.reduce((a, b) => a * b, 1),
            60 + i,
          ),
        ]),
      );
      const s = await Volta.compile(bytes, { inputShapes: p.shapes, cacheDir });
      const ours = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new Tensor('float32', v, p.shapes[k])])));
      const o = await ort.InferenceSession.create(bytes);
      const theirs = await o.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, p.shapes[k])])));
      expect(ours.y.dims).toEqual(theirs.y.dims);
      expect(Array.from(ours.y.data as Float32Array)).toEqual(Array.from(theirs.y.data as Float32Array));
    });
  }

  it('a dim left symbolic without inputShapes is VOLTA_E_DYNAMIC_SHAPE naming the input and the dim', () => {
    let err: unknown;
    try {
      importModel(PATTERNS[2].model(), { inputShapes: {} });
    } catch (e) {
      err = e;
    }
    expect(isVoltaError(err, 'VOLTA_E_DYNAMIC_SHAPE')).toBe(true);
    expect((err as Error).message).toContain('input "x" has dim "B"');
    expect((err as Error).message).toContain('inputShapes: { "x": [...] }');
  });
});
