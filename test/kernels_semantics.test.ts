// Kernel kinds beyond elementwise (matmul, gemm, softmax, reduce, transpose,
// views): compiled C == TS reference bit for bit on random inputs, so the fixed
// orders of compiler/ops/compute.ts and compiler/kernels/reduce_order.ts hold in
// generated code (short rows, long rows with block lanes, non-adjacent axes).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../compiler/ir/graph.ts';
import { numel } from '../compiler/ir/shape.ts';
import { referenceRun } from '../compiler/reference.ts';
import { GraphBuilder, makeTensor, Tensor, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';

const cacheDir = join(tmpdir(), 'volta-kernels-cache');
const i64 = (xs: number[]) => makeTensor('int64', [xs.length], xs);

function graphs(): Record<string, () => Graph> {
  const one = (name: string, shapes: number[][], f: (b: GraphBuilder, xs: ReturnType<GraphBuilder['input']>[]) => ReturnType<GraphBuilder['op']>) => () => {
    const b = new GraphBuilder(name);
    const xs = shapes.map((s, i) => b.input(`x${i}`, 'float32', s));
    b.output(f(b, xs));
    return b.build();
  };
  return {
    matmul_batched_broadcast: one(
      'mm',
      [
        [2, 1, 3, 4],
        [3, 4, 5],
      ],
      (b, [x, y]) => b.op('MatMul', [x, y]),
    ),
    matmul_vector: one('mv', [[7], [7, 3]], (b, [x, y]) => b.op('MatMul', [x, y])),
    matmul_k_large_row_form: one(
      'mm_big',
      [
        [3, 150],
        [150, 70],
      ],
      (b, [x, y]) => b.op('Relu', [b.op('MatMul', [x, y])]),
    ),
    gemm_all_attrs: one(
      'gemm',
      [
        [4, 3],
        [5, 4],
        [1, 5],
      ],
      (b, [a, w, c]) => b.op('Gemm', [a, w, c], { transA: 1, transB: 1, alpha: 0.25, beta: 0.35 }),
    ),
    softmax_middle_axis: one('sm', [[2, 3, 4]], (b, [x]) => b.op('Softmax', [x], { axis: 1 })),
    logsoftmax_last: one('lsm', [[3, 5]], (b, [x]) => b.op('LogSoftmax', [x])),
    reduce_sum_axes: one('rs', [[3, 4, 5]], (b, [x]) => b.op('ReduceSum', [x, b.constant('axes', i64([0, 2]))], { keepdims: 0 })),
    reduce_mean_all: one('rm', [[3, 4]], (b, [x]) => b.op('ReduceMean', [x])),
    reduce_sum_long_row: one('rlong', [[2, 9000]], (b, [x]) => b.op('ReduceSum', [x, b.constant('axes', i64([1]))])),
    reduce_prod_strided_axis: one('rprod', [[40, 3]], (b, [x]) => b.op('ReduceProd', [x, b.constant('axes', i64([0]))])),
    softmax_long_row: one('smlong', [[2, 8500]], (b, [x]) => b.op('Softmax', [x])),
    reduce_l2_last: one('rl2', [[2, 6]], (b, [x]) => b.op('ReduceL2', [x, b.constant('axes', i64([-1]))])),
    reduce_max_then_sub: one('rmax', [[4, 6]], (b, [x]) => b.op('Sub', [x, b.op('ReduceMax', [x, b.constant('axes', i64([1]))])])),
    transpose_then_tanh: one('tr', [[2, 3, 4]], (b, [x]) => b.op('Tanh', [b.op('Transpose', [x], { perm: [2, 0, 1] })])),
    layernorm_decomposed: one('ln', [[2, 3, 4], [4], [4]], (b, [x, s, bias]) => b.op('LayerNormalization', [x, s, bias], { epsilon: 1e-3 })),
    batchnorm_decomposed: one('bn', [[2, 3, 2, 2], [3], [3], [3], [3]], (b, [x, s, bias, m, v]) =>
      b.op('BatchNormalization', [x, s, bias, m, b.op('Abs', [v])]),
    ),
    lrn_decomposed: one('lrn', [[2, 5, 3, 2]], (b, [x]) => b.op('LRN', [x], { size: 3, alpha: 0.01, beta: 0.6, bias: 2 })),
    views_then_add: one('views', [[2, 6], [3]], (b, [x, y]) =>
      b.op('Add', [b.op('Reshape', [b.op('Flatten', [x], { axis: 0 }), b.constant('shape', i64([4, 3]))]), y]),
    ),
  };
}

const floats = (n: number) => fc.array(fc.oneof(fc.float({ min: -8, max: 8, noNaN: true }), fc.constantFrom(0, -0, 1e-30)), { minLength: n, maxLength: n });

describe('kernel kinds: C == TS reference, bit for bit', () => {
  for (const [name, make] of Object.entries(graphs())) {
    it(name, async () => {
      const compiled = Volta.compileOnly(make());
      const session = await Volta.compile(make(), { cacheDir });
      const g = compiled.graph;
      const shapes = g.inputs.map((id) => g.value(id).shape);
      await fc.assert(
        fc.asyncProperty(fc.tuple(...shapes.map((s) => floats(numel(s)))), async (cols) => {
          const inputs = cols.map((xs, i) => makeTensor('float32', shapes[i], xs));
          const feeds = Object.fromEntries(inputs.map((t, i) => [session.inputNames[i], new Tensor('float32', t.data, t.shape)]));
          const got = Object.values(await session.run(feeds));
          const want = referenceRun(compiled, inputs);
          got.forEach((t, i) => {
            expect(t.dims).toEqual(want[i].shape);
            expect(sameBits(t.data, want[i].data)).toBe(true);
          });
        }),
        { numRuns: 15 },
      );
    });
  }
});
