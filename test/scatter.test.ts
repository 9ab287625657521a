// ScatterElements and ScatterND against onnxruntime, exactly: every reduction (none, add, mul,
// max, min) with repeated indices (applied in index order; none: the last wins), negative
// indices, ragged index shapes, negative axes, int64 data, NaN in data and updates for max/min,
// partial and full index tuples. Out-of-range run-time indices are skipped (onnxruntime raises;
// checked against the documented result); constant ones are a typed compile-time error.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differentiate } from '../compiler/autograd/differentiate.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { GraphBuilder, isVoltaError, Tensor, Volta } from '../runtime/index.ts';
import { expectExact, type Feed, floats, ints64 } from './helpers/exact_ort.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-index-ops');
const REDUCTIONS = ['none', 'add', 'mul', 'max', 'min'];

function withNaN(f: Feed, at: number[]): Feed {
  const data = Float32Array.from(f.data as Float32Array);
  for (const i of at) data[i] = Number.NaN;
  return { ...f, data };
}

describe('ScatterElements against onnxruntime (exact)', () => {
  it('every reduction, repeated and negative indices, axes, int64 data, NaN', async () => {
    const feeds: Record<string, Feed> = {
      x: withNaN(floats([3, 4], 101), [5]),
      // Repeated targets along each axis: (0,0) three times, (1,2) twice, with negative spellings.
      i0: ints64([2, 3], [0, 1, -1, -3, 1, 2]),
      u0: withNaN(floats([2, 3], 102), [4]),
      i1: ints64([3, 3], [0, -4, 0, 2, 2, -1, 1, 1, 1]),
      u1: floats([3, 3], 103),
      xl: { dtype: 'int64', data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i * 3 - 4)), dims: [2, 3] },
      il: ints64([2, 2], [1, 1, -1, 0]),
      ul: { dtype: 'int64', data: BigInt64Array.from([5n, -2n, 7n, 9n]), dims: [2, 2] },
    };
    const w = new OnnxWriter('scatter_elements', 18);
    for (const [n, f] of Object.entries(feeds)) w.input(n, f.dtype, f.dims);
    for (const reduction of REDUCTIONS) {
      w.output(w.op('ScatterElements', ['x', 'i0', 'u0'], { axis: 0, reduction }, `se_a0_${reduction}`), 'float32');
      w.output(w.op('ScatterElements', ['x', 'i1', 'u1'], { axis: -1, reduction }, `se_am1_${reduction}`), 'float32');
      w.output(w.op('ScatterElements', ['xl', 'il', 'ul'], { axis: 1, reduction }, `se_int64_${reduction}`), 'int64');
    }
    await expectExact('ScatterElements', w.bytes(), feeds, cacheDir);
  });
});

describe('ScatterND against onnxruntime (exact)', () => {
  it('every reduction, repeated tuples, partial and full tuples, NaN', async () => {
    const feeds: Record<string, Feed> = {
      x: withNaN(floats([4, 3, 2], 104), [7]),
      // Rows 1 and 3 (written -1) twice each, row 0 once.
      part: ints64([2, 2, 1], [1, -1, 0, 3]),
      up: withNaN(floats([2, 2, 3, 2], 105), [3]),
      full: ints64([4, 3], [0, 1, 1, 3, -2, 0, 0, 1, 1, -1, 2, -1]),
      uf: floats([4], 106),
    };
    const w = new OnnxWriter('scatter_nd', 18);
    for (const [n, f] of Object.entries(feeds)) w.input(n, f.dtype, f.dims);
    for (const reduction of REDUCTIONS) {
      w.output(w.op('ScatterND', ['x', 'part', 'up'], { reduction }, `snd_part_${reduction}`), 'float32');
      w.output(w.op('ScatterND', ['x', 'full', 'uf'], { reduction }, `snd_full_${reduction}`), 'float32');
    }
    await expectExact('ScatterND', w.bytes(), feeds, cacheDir);
  });
});

describe('a large scatter runs as one serial item with the same bits', () => {
  it('ScatterElements add and max over 4096 x 2048 (row, update) pairs', async () => {
    const n = 64 * 32;
    const feeds: Record<string, Feed> = {
      x: floats([64, 64], 107),
      i: ints64(
        [32, 64],
        Array.from({ length: n }, (_, j) => ((j * 13) % 90) - 45),
      ),
      u: floats([32, 64], 108),
    };
    const w = new OnnxWriter('scatter_serial', 18);
    for (const [name, f] of Object.entries(feeds)) w.input(name, f.dtype, f.dims);
    for (const reduction of ['add', 'max', 'none']) w.output(w.op('ScatterElements', ['x', 'i', 'u'], { axis: 1, reduction }, `ser_${reduction}`), 'float32');
    const plans = Volta.compileOnly(w.bytes())
      .schedule.kernels.map((k) => k.plan)
      .filter((p) => p.kind === 'scatter_rows');
    expect(plans.map((p) => p.kind === 'scatter_rows' && p.serial)).toEqual([true, true, true]);
    await expectExact('ScatterElements serial', w.bytes(), feeds, cacheDir);
  });
});

describe('scatter index policy', () => {
  it('run-time indices out of range are skipped; constant ones are VOLTA_E_SHAPE; reduction needs its opset', async () => {
    const b = new GraphBuilder('scatter_oob');
    const x = b.input('x', 'float32', [2, 3]);
    const i = b.input('i', 'int64', [2, 2]);
    const u = b.input('u', 'float32', [2, 2]);
    b.output(b.op('ScatterElements', [x, i, u], { axis: 1, reduction: 'add' }));
    const s = await Volta.compile(b.build(), { cacheDir });
    const got = s.runSync({
      x: new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
      i: new Tensor('int64', BigInt64Array.from([3n, -1n, -4n, 0n]), [2, 2]),
      u: new Tensor('float32', Float32Array.from([10, 20, 30, 40]), [2, 2]),
    });
    expect(Array.from(got[s.outputNames[0]].data as Float32Array)).toEqual([1, 2, 23, 44, 5, 6]);
    const errorOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isVoltaError(e) ? e.code : e;
      }
      return undefined;
    };
    const c = new GraphBuilder('scatter_const_oob');
    const cx = c.input('x', 'float32', [2, 3]);
    const cu = c.input('u', 'float32', [1, 1]);
    expect(errorOf(() => c.op('ScatterND', [cx, c.constant('i', makeTensor('int64', [1, 2], [0, 3])), cu]))).toBe('VOLTA_E_SHAPE');
    const w = new OnnxWriter('scatter_old_reduction', 16);
    w.input('x', 'float32', [2, 3]);
    w.input('i', 'int64', [1, 1]);
    w.input('u', 'float32', [1, 1]);
    w.output(w.op('ScatterElements', ['x', 'i', 'u'], { reduction: 'max' }), 'float32');
    expect(errorOf(() => Volta.compileOnly(w.bytes()))).toBe('VOLTA_E_UNSUPPORTED_ATTR');
  });

  it('differentiating through a scatter is VOLTA_E_NO_GRADIENT (no rule)', () => {
    const b = new GraphBuilder('scatter_grad');
    const x = b.input('x', 'float32', [2, 3]);
    const s = b.op('ScatterElements', [x, b.constant('i', makeTensor('int64', [1, 1], [1])), b.constant('u', makeTensor('float32', [1, 1], [2]))]);
    b.output(b.op('ReduceSum', [s], { keepdims: 0 }));
    const g = b.build();
    let code: unknown;
    try {
      differentiate(g, g.outputs[0], g.inputs);
    } catch (e) {
      code = isVoltaError(e) ? e.code : e;
    }
    expect(code).toBe('VOLTA_E_NO_GRADIENT');
  });
});
