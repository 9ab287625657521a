// ArgMax, ArgMin, TopK and Hardmax against onnxruntime, exactly: negative axes, keepdims,
// select_last_index, ties everywhere (integer-valued floats), NaN at the start and in the
// middle of rows, int32/int64 inputs, k from a constant and from a value-specialised input.
// The C addon equals the TS reference bit for bit (compareWithOrt).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { isVoltaError, Tensor, Volta } from '../runtime/index.ts';
import { expectExact, type Feed, tiedFloats } from './helpers/exact_ort.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-index-ops');

const X: Feed = tiedFloats([3, 5, 4], 81, [0, 7, 22, 41, 44]);
const XI: Feed = { dtype: 'int32', data: Int32Array.from({ length: 24 }, (_, i) => ((i * 7) % 5) - 2), dims: [4, 6] };
const XL: Feed = { dtype: 'int64', data: BigInt64Array.from({ length: 12 }, (_, i) => BigInt(((i * 5) % 4) - 1)), dims: [2, 6] };

describe('ArgMax / ArgMin against onnxruntime (exact)', () => {
  it('axes, keepdims, select_last_index, ties and NaN, int inputs', async () => {
    const w = new OnnxWriter('argmax', 13);
    for (const [n, f] of Object.entries({ x: X, xi: XI, xl: XL })) w.input(n, f.dtype, f.dims);
    for (const op of ['ArgMax', 'ArgMin']) {
      for (const axis of [0, 1, -1, 2]) {
        for (const keepdims of [0, 1]) {
          for (const last of [0, 1]) {
            w.output(w.op(op, ['x'], { axis, keepdims, select_last_index: last }, `${op}_x_${axis}_${keepdims}_${last}`.replace('-', 'm')), 'int64');
          }
        }
      }
      w.output(w.op(op, ['xi'], { axis: -1, select_last_index: 1 }, `${op}_xi`), 'int64');
      w.output(w.op(op, ['xl'], { axis: 0, keepdims: 0 }, `${op}_xl`), 'int64');
    }
    await expectExact('ArgMax/ArgMin', w.bytes(), { x: X, xi: XI, xl: XL }, cacheDir);
  });
});

describe('TopK against onnxruntime (exact)', () => {
  it('k, axis, largest, ties by lower index, int inputs', async () => {
    const x: Feed = tiedFloats([3, 5, 4], 82);
    const w = new OnnxWriter('topk', 11);
    for (const [n, f] of Object.entries({ x, xi: XI })) w.input(n, f.dtype, f.dims);
    for (const v of [1, 2, 3, 4, 5]) w.initializer(`k${v}`, makeTensor('int64', [1], [v]));
    const k = (v: number) => `k${v}`;
    const topk = (name: string, src: string, kv: number, attrs: Record<string, number>, dtype: 'float32' | 'int32' = 'float32') => {
      const [v, i] = w.node('TopK', [src, k(kv)], attrs, { name, outputs: [`${name}_v`, `${name}_i`] });
      w.output(v, dtype);
      w.output(i, 'int64');
    };
    for (const largest of [0, 1]) {
      topk(`x_a1_k3_${largest}`, 'x', 3, { axis: 1, largest });
      topk(`x_am1_k4_${largest}`, 'x', 4, { axis: -1, largest });
      topk(`x_a0_k1_${largest}`, 'x', 1, { axis: 0, largest });
      topk(`x_a1_k5_${largest}`, 'x', 5, { axis: -2, largest });
      topk(`xi_k2_${largest}`, 'xi', 2, { largest }, 'int32');
    }
    await expectExact('TopK', w.bytes(), { x, xi: XI }, cacheDir);
  });

  // onnxruntime's NaN placement follows its sort (an invalid comparator with NaN), so NaN rows are
  // checked against a full sort with the documented order: NaN first by index, then by value, ties by index.
  it('NaN rows: NaN first (by index), against a full sort', async () => {
    const xn: Feed = tiedFloats([2, 7], 83, [3, 9, 12]);
    const data = xn.data as Float32Array;
    for (const largest of [0, 1]) {
      const w = new OnnxWriter(`topk_nan${largest}`, 11);
      w.input('xn', 'float32', [2, 7]);
      const [v, i] = w.node('TopK', ['xn', w.initializer('k', makeTensor('int64', [1], [5]))], { largest }, { outputs: ['v', 'i'] });
      w.output(v, 'float32');
      w.output(i, 'int64');
      const got = (await Volta.compile(w.bytes(), { cacheDir })).runSync({ xn: new Tensor('float32', data, [2, 7]) });
      for (let row = 0; row < 2; row++) {
        const order = [...Array(7).keys()].sort((a, b) => {
          const [x, y] = [data[row * 7 + a], data[row * 7 + b]];
          if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y) ? a - b : Number.isNaN(x) ? -1 : 1;
          return x === y ? a - b : largest ? y - x : x - y;
        });
        expect(Array.from((got.i.data as BigInt64Array).slice(row * 5, row * 5 + 5), Number)).toEqual(order.slice(0, 5));
        expect(Array.from((got.v.data as Float32Array).slice(row * 5, row * 5 + 5))).toEqual(order.slice(0, 5).map((j) => data[row * 7 + j]));
      }
    }
  });

  // sorted=0 leaves the order to the implementation: Volta returns the sorted order; onnxruntime's
  // (value, index) pairs, sorted by the documented order, must equal it.
  it('sorted=0: the same elements as onnxruntime, in the sorted order', async () => {
    const x: Feed = tiedFloats([4, 6], 84);
    const w = new OnnxWriter('topk_sorted0', 11);
    w.input('x', 'float32', [4, 6]);
    const [v, i] = w.node('TopK', ['x', w.initializer('k', makeTensor('int64', [1], [3]))], { sorted: 0 }, { outputs: ['v', 'i'] });
    w.output(v, 'float32');
    w.output(i, 'int64');
    const ours = (await Volta.compile(w.bytes(), { cacheDir })).runSync({ x: new Tensor('float32', x.data, x.dims) });
    const theirs = await (await ort.InferenceSession.create(w.bytes())).run({ x: new ort.Tensor('float32', x.data, [4, 6]) });
    const [tv, ti] = [theirs.v.data as Float32Array, theirs.i.data as BigInt64Array];
    for (let row = 0; row < 4; row++) {
      const pairs = [0, 1, 2].map((r) => ({ v: tv[row * 3 + r], i: Number(ti[row * 3 + r]) })).sort((a, b) => (a.v === b.v ? a.i - b.i : b.v - a.v));
      expect(Array.from((ours.i.data as BigInt64Array).slice(row * 3, row * 3 + 3), Number)).toEqual(pairs.map((p) => p.i));
      expect(Array.from((ours.v.data as Float32Array).slice(row * 3, row * 3 + 3))).toEqual(pairs.map((p) => p.v));
    }
  });

  // A k fed at run time (specialised by value) is a case of test/dynamic_shape_cases.test.ts.
  it('k out of range is a typed error', async () => {
    const w = new OnnxWriter('topk_k_input', 11);
    w.input('x', 'float32', [3, 6]);
    w.input('k', 'int64', [1]);
    const [v, i] = w.node('TopK', ['x', 'k'], {}, { outputs: ['v', 'i'] });
    w.output(v, 'float32');
    w.output(i, 'int64');
    let err: unknown;
    try {
      Volta.compileOnly(w.bytes(), { bindInputs: { k: new Tensor('int64', BigInt64Array.from([7n]), [1]) } });
    } catch (e) {
      err = e;
    }
    expect(isVoltaError(err) && err.code).toBe('VOLTA_E_SHAPE');
  });
});

describe('Hardmax against onnxruntime (exact)', () => {
  it('opset 13 axes (first maximum wins), opset 11 coerced 2-D', async () => {
    const w = new OnnxWriter('hardmax13', 13);
    w.input('x', 'float32', [3, 5, 4]);
    for (const axis of [0, 1, -1]) w.output(w.op('Hardmax', ['x'], { axis }, `hm_${axis}`.replace('-', 'm')), 'float32');
    await expectExact('Hardmax-13', w.bytes(), { x: tiedFloats([3, 5, 4], 87) }, cacheDir);
    const w11 = new OnnxWriter('hardmax11', 11);
    w11.input('x', 'float32', [3, 5, 4]);
    for (const axis of [0, 1, 2]) w11.output(w11.op('Hardmax', ['x'], { axis }, `hm_${axis}`), 'float32');
    await expectExact('Hardmax-11', w11.bytes(), { x: tiedFloats([3, 5, 4], 86) }, cacheDir);
  });

  // onnxruntime's Hardmax on NaN rows depends on its vectorised max; Volta's is one-hot of ArgMax,
  // checked against onnxruntime's ArgMax on the same NaN data.
  it('NaN rows: one-hot of onnxruntime ArgMax', async () => {
    const w = new OnnxWriter('hardmax_nan', 13);
    w.input('x', 'float32', [3, 5, 4]);
    w.output(w.op('Hardmax', ['x'], { axis: 1 }, 'hm'), 'float32');
    const got = (await Volta.compile(w.bytes(), { cacheDir })).runSync({ x: new Tensor('float32', X.data, X.dims) });
    const a = new OnnxWriter('argmax_nan', 13);
    a.input('x', 'float32', [3, 5, 4]);
    a.output(a.op('ArgMax', ['x'], { axis: 1 }, 'am'), 'int64');
    const am = (await (await ort.InferenceSession.create(a.bytes())).run({ x: new ort.Tensor('float32', X.data, [3, 5, 4]) })).am.data as BigInt64Array;
    const want = Array.from({ length: 60 }, (_, e) => (Number(am[Math.floor(e / 20) * 4 + (e % 4)]) === Math.floor(e / 4) % 5 ? 1 : 0));
    expect(Array.from(got.hm.data as Float32Array)).toEqual(want);
  });
});
