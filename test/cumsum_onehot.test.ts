// CumSum and OneHot against onnxruntime, exactly. CumSum: every axis (negative too), exclusive x
// reverse, int32/int64 inputs, the axis from a value-specialised input (dynamic_shape_cases), a
// gradcheck case (test/gradcheck.test.ts). OneHot: axes (negative, first, last), negative and
// out-of-range indices, float and int32 indices, float depth, int64 values.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { expectExact, type Feed, floats, ints64 } from './helpers/exact_ort.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-index-ops');

describe('CumSum against onnxruntime (exact)', () => {
  it('axes, exclusive x reverse, int inputs', async () => {
    const feeds: Record<string, Feed> = {
      x: floats([3, 5, 4], 111),
      xi: { dtype: 'int32', data: Int32Array.from({ length: 12 }, (_, i) => ((i * 7919) % 23) - 11), dims: [4, 3] },
      xl: { dtype: 'int64', data: BigInt64Array.from({ length: 10 }, (_, i) => BigInt((i * 31) % 17) - 8n), dims: [10] },
    };
    const w = new OnnxWriter('cumsum', 14);
    for (const [n, f] of Object.entries(feeds)) w.input(n, f.dtype, f.dims);
    for (const a of [0, 1, 2, -1, -2]) w.initializer(`a${a}`.replace('-', 'm'), makeTensor('int64', [], [a]));
    w.initializer('a32', makeTensor('int32', [], [1]));
    for (const exclusive of [0, 1]) {
      for (const reverse of [0, 1]) {
        const t = `${exclusive}${reverse}`;
        for (const a of [0, 1, 2, -1])
          w.output(w.op('CumSum', ['x', `a${a}`.replace('-', 'm')], { exclusive, reverse }, `cs_x${a}_${t}`.replace('-', 'm')), 'float32');
        w.output(w.op('CumSum', ['xi', 'am2'], { exclusive, reverse }, `cs_xi_${t}`), 'int32');
        w.output(w.op('CumSum', ['xi', 'a32'], { exclusive, reverse }, `cs_xi32_${t}`), 'int32');
        w.output(w.op('CumSum', ['xl', 'a0'], { exclusive, reverse }, `cs_xl_${t}`), 'int64');
      }
    }
    await expectExact('CumSum', w.bytes(), feeds, cacheDir);
  });
});

describe('OneHot against onnxruntime (exact)', () => {
  it('axes, negative and out-of-range indices, float/int32 indices, float/int32 depth, int64 values', async () => {
    const feeds: Record<string, Feed> = {
      i: ints64([2, 3], [0, -1, 4, 5, -5, -6]),
      fi: { dtype: 'float32', data: Float32Array.from([1.7, -0.5, 2, -2, 3, -1, 0]), dims: [7] },
      ii: { dtype: 'int32', data: Int32Array.from([3, 0, -3, 7]), dims: [2, 2] },
      v: { dtype: 'float32', data: Float32Array.from([-0.5, 2.25]), dims: [2] },
    };
    const w = new OnnxWriter('onehot', 11);
    for (const [n, f] of Object.entries(feeds)) w.input(n, f.dtype, f.dims);
    w.initializer('d5', makeTensor('int64', [], [5]));
    w.initializer('d3f', makeTensor('float32', [1], [3.6]));
    w.initializer('vl', makeTensor('int64', [2], [7, -9]));
    w.initializer('d4i', makeTensor('int32', [1], [4]));
    for (const axis of [-1, 0, 1, 2, -3]) w.output(w.op('OneHot', ['i', 'd5', 'v'], { axis }, `oh_${axis}`.replace('-', 'm')), 'float32');
    w.output(w.op('OneHot', ['fi', 'd3f', 'v'], {}, 'oh_float_idx'), 'float32');
    w.output(w.op('OneHot', ['i', 'd5', 'vl'], { axis: 1 }, 'oh_int64_values'), 'int64');
    w.output(w.op('OneHot', ['ii', 'd4i', 'v'], { axis: 1 }, 'oh_int32_idx'), 'float32');
    await expectExact('OneHot', w.bytes(), feeds, cacheDir);
  });
});
