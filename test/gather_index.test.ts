// GatherElements and GatherND against onnxruntime, exactly: every axis (negative too), ragged
// index shapes smaller than data, negative indices, int32 indices, int64 data, batch_dims,
// full-tuple and partial-tuple GatherND. Run-time indices out of range read 0 (Gather's
// policy; onnxruntime raises, so that case is checked against the documented value), constant
// ones are a typed compile-time error. The data gradient is Gather's scatter-add.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { GraphBuilder, isVoltaError, Tensor, Volta } from '../runtime/index.ts';
import { expectExact, type Feed, floats, ints64 } from './helpers/exact_ort.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-index-ops');

/** Seeded indices in -n..n-1 (negative ones included). */
function idx(dims: number[], n: number, seed: number, dtype: 'int64' | 'int32' = 'int64'): Feed {
  const len = dims.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: len }, (_, i) => ((i * 7 + seed * 3) % (2 * n)) - n);
  return dtype === 'int64' ? ints64(dims, vals) : { dtype: 'int32', data: Int32Array.from(vals), dims };
}

describe('GatherElements against onnxruntime (exact)', () => {
  it('axes, ragged and negative indices, int32 indices, int64 data', async () => {
    const x = floats([3, 4, 5], 91);
    const xl: Feed = { dtype: 'int64', data: BigInt64Array.from({ length: 12 }, (_, i) => BigInt(i * 3 - 7)), dims: [3, 4] };
    const feeds: Record<string, Feed> = {
      x,
      xl,
      i0: idx([2, 4, 5], 3, 1),
      i1: idx([3, 6, 2], 4, 2),
      i2: idx([1, 3, 7], 5, 3, 'int32'),
      il: idx([3, 2], 4, 4),
    };
    const w = new OnnxWriter('gather_elements', 13);
    for (const [n, f] of Object.entries(feeds)) w.input(n, f.dtype, f.dims);
    w.output(w.op('GatherElements', ['x', 'i0'], { axis: 0 }, 'ge_a0'), 'float32');
    w.output(w.op('GatherElements', ['x', 'i1'], { axis: 1 }, 'ge_a1'), 'float32');
    w.output(w.op('GatherElements', ['x', 'i2'], { axis: -1 }, 'ge_am1'), 'float32');
    w.output(w.op('GatherElements', ['xl', 'il'], { axis: -1 }, 'ge_int64'), 'int64');
    await expectExact('GatherElements', w.bytes(), feeds, cacheDir);
  });

  it('a run-time index out of range reads 0; a constant one is VOLTA_E_SHAPE', async () => {
    const b = new GraphBuilder('ge_oob');
    const x = b.input('x', 'float32', [2, 3]);
    const i = b.input('i', 'int64', [2, 2]);
    b.output(b.op('GatherElements', [x, i], { axis: 1 }));
    const s = await Volta.compile(b.build(), { cacheDir });
    const got = s.runSync({
      x: new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
      i: new Tensor('int64', BigInt64Array.from([3n, -1n, -4n, 0n]), [2, 2]),
    });
    expect(Array.from(got[s.outputNames[0]].data as Float32Array)).toEqual([0, 3, 0, 4]);
    const c = new GraphBuilder('ge_const_oob');
    const cx = c.input('x', 'float32', [2, 3]);
    let err: unknown;
    try {
      c.op('GatherElements', [cx, c.constant('i', makeTensor('int64', [2, 1], [0, 3]))], { axis: 1 });
    } catch (e) {
      err = e;
    }
    expect(isVoltaError(err) && err.code).toBe('VOLTA_E_SHAPE');
  });
});

describe('GatherND against onnxruntime (exact)', () => {
  it('full and partial tuples, negative components, batch_dims 1 and 2', async () => {
    const feeds: Record<string, Feed> = {
      x: floats([3, 4, 5], 92),
      y: floats([2, 3, 4, 2], 93),
      full: ints64([2, 2, 3], [0, 1, 2, 2, -1, -5, -3, 3, 4, 1, -4, 0]),
      part: ints64([4, 1], [2, -1, 0, 1]),
      two: ints64([3, 2], [1, 3, -1, -4, 0, 0]),
      b1: ints64([2, 2, 2], [0, 1, 2, -1, 1, 3, -2, 0]),
      b2: ints64([2, 3, 1], [0, 3, -1, 2, -4, 1]),
    };
    const w = new OnnxWriter('gather_nd', 13);
    for (const [n, f] of Object.entries(feeds)) w.input(n, f.dtype, f.dims);
    w.output(w.op('GatherND', ['x', 'full'], {}, 'nd_full'), 'float32');
    w.output(w.op('GatherND', ['x', 'part'], {}, 'nd_part'), 'float32');
    w.output(w.op('GatherND', ['x', 'two'], {}, 'nd_two'), 'float32');
    w.output(w.op('GatherND', ['y', 'b1'], { batch_dims: 1 }, 'nd_b1'), 'float32');
    w.output(w.op('GatherND', ['y', 'b2'], { batch_dims: 2 }, 'nd_b2'), 'float32');
    await expectExact('GatherND', w.bytes(), feeds, cacheDir);
  });
});
