// MaxPool's Indices output against onnxruntime, exactly: 1-3 spatial dims, strides, pads, dilations,
// ceil_mode, auto_pad, storage_order 0 and 1, ties everywhere (integer-valued floats: the first
// maximum in window order wins), a fused follower on Y, and Indices alone. The C addon equals the
// TS reference bit for bit (expectExact). NaN windows (onnxruntime skips NaN; Volta's Y propagates
// it) are checked against a naive scan written here.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { Tensor, Volta } from '../runtime/index.ts';
import { expectExact, type Feed, tiedFloats } from './helpers/exact_ort.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-maxpool-indices');

type Attrs = Record<string, number | number[] | string>;

function pools(name: string, opset: number, x: Feed, cases: Record<string, Attrs>): Uint8Array {
  const w = new OnnxWriter(name, opset);
  w.input('x', 'float32', x.dims);
  for (const [label, attrs] of Object.entries(cases)) {
    const [y, i] = w.node('MaxPool', ['x'], attrs, { name: label, outputs: [`${label}_y`, `${label}_i`] });
    w.output(y, 'float32');
    w.output(i, 'int64');
  }
  return w.bytes();
}

describe('MaxPool Indices against onnxruntime (exact)', () => {
  it('2-D: strides, pads, dilations, ceil_mode, auto_pad, storage_order', async () => {
    const x = tiedFloats([2, 3, 7, 6], 91);
    const cases: Record<string, Attrs> = {};
    for (const storage_order of [0, 1]) {
      const s = `so${storage_order}`;
      cases[`k2_${s}`] = { kernel_shape: [2, 2], storage_order };
      cases[`k3s2p1_${s}`] = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], storage_order };
      cases[`k3s1p_asym_${s}`] = { kernel_shape: [3, 2], pads: [2, 0, 1, 1], storage_order };
      cases[`k2d2_${s}`] = { kernel_shape: [2, 2], dilations: [2, 3], storage_order };
      cases[`k3s2ceil_${s}`] = { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1, storage_order };
      cases[`k2s3ceilp_${s}`] = { kernel_shape: [2, 3], strides: [3, 2], pads: [1, 0, 0, 1], ceil_mode: 1, storage_order };
      cases[`same_${s}`] = { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER', storage_order };
      cases[`k5_${s}`] = { kernel_shape: [5, 5], pads: [2, 2, 2, 2], storage_order };
    }
    await expectExact('MaxPool2d Indices', pools('maxpool2d', 12, x, cases), { x }, cacheDir);
  });

  it('1-D and 3-D, storage_order 0 and 1', async () => {
    const x1 = tiedFloats([2, 2, 11], 92);
    const c1: Record<string, Attrs> = {};
    for (const storage_order of [0, 1]) {
      c1[`k3s2p1_${storage_order}`] = { kernel_shape: [3], strides: [2], pads: [1, 1], storage_order };
      c1[`k2d3_${storage_order}`] = { kernel_shape: [2], dilations: [3], storage_order };
    }
    await expectExact('MaxPool1d Indices', pools('maxpool1d', 12, x1, c1), { x: x1 }, cacheDir);
    const x3 = tiedFloats([1, 2, 4, 5, 3], 93);
    const c3: Record<string, Attrs> = {};
    for (const storage_order of [0, 1]) {
      c3[`k2_${storage_order}`] = { kernel_shape: [2, 2, 2], storage_order };
      c3[`k3s2p1_${storage_order}`] = { kernel_shape: [3, 3, 2], strides: [2, 2, 1], pads: [1, 1, 0, 1, 1, 1], storage_order };
    }
    await expectExact('MaxPool3d Indices', pools('maxpool3d', 12, x3, c3), { x: x3 }, cacheDir);
  });

  it('opset 8 (MaxPool-8), a fused follower on Y, and Indices alone', async () => {
    const x = tiedFloats([1, 2, 6, 6], 94);
    const w = new OnnxWriter('maxpool_fused', 13);
    w.input('x', 'float32', x.dims);
    const [y, i] = w.node('MaxPool', ['x'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'p', outputs: ['p_y', 'p_i'] });
    w.output(w.op('Relu', [y], {}, 'relu'), 'float32');
    w.output(i, 'int64');
    const [, i2] = w.node('MaxPool', ['x'], { kernel_shape: [2, 2], storage_order: 1 }, { name: 'q', outputs: ['q_y', 'q_i'] });
    w.output(i2, 'int64');
    await expectExact('MaxPool fused/Indices alone', w.bytes(), { x }, cacheDir);
    const x8 = tiedFloats([2, 1, 5, 5], 95);
    await expectExact(
      'MaxPool-8 Indices',
      pools('maxpool8', 8, x8, { a: { kernel_shape: [2, 2], strides: [2, 1] }, b: { kernel_shape: [3, 3], storage_order: 1 } }),
      { x: x8 },
      cacheDir,
    );
  });
});

/** Each 2-D window's first NaN, else first maximum (no padding, stride 1): [flat index, row-major position]. */
function naiveArgmax(data: Float32Array, [n, c, h, wd]: readonly number[], [kh, kw]: readonly number[], colMajor: boolean): [bigint, number][] {
  const out: [bigint, number][] = [];
  for (let b = 0; b < n * c; b++) {
    for (let oh = 0; oh + kh <= h; oh++) {
      for (let ow = 0; ow + kw <= wd; ow++) {
        let at = -1;
        let best = Number.NEGATIVE_INFINITY;
        for (let a = 0; a < kh && !Number.isNaN(best); a++) {
          for (let e = 0; e < kw && !Number.isNaN(best); e++) {
            const p = (b * h + oh + a) * wd + ow + e;
            if (at < 0 || Number.isNaN(data[p]) || data[p] > best) [at, best] = [p, data[p]];
          }
        }
        const [ih, iw] = [Math.floor((at % (h * wd)) / wd), at % wd];
        out.push([BigInt(b * h * wd + (colMajor ? ih + iw * h : ih * wd + iw)), at]);
      }
    }
  }
  return out;
}

describe('MaxPool Indices with NaN', () => {
  it('the first NaN of a window is its index (Y is NaN there), C == TS', async () => {
    const dims = [1, 2, 5, 6];
    const x = tiedFloats(dims, 96, [0, 8, 9, 20, 33, 47, 58]);
    for (const storage_order of [0, 1]) {
      const w = new OnnxWriter('maxpool_nan', 12);
      w.input('x', 'float32', dims);
      const [y, i] = w.node('MaxPool', ['x'], { kernel_shape: [3, 2], storage_order }, { name: 'p', outputs: ['y', 'i'] });
      w.output(y, 'float32');
      w.output(i, 'int64');
      const s = await Volta.compile(w.bytes(), { cacheDir });
      const got = await s.run({ x: new Tensor('float32', x.data, x.dims) });
      const want = naiveArgmax(x.data as Float32Array, dims, [3, 2], storage_order === 1);
      expect([...(got.i.data as BigInt64Array)], `storage_order ${storage_order}`).toEqual(want.map(([j]) => j));
      const yv = got.y.data as Float32Array;
      expect(want.filter(([, p]) => Number.isNaN((x.data as Float32Array)[p])).length, 'some windows hold NaN').toBeGreaterThan(4);
      want.forEach(([, p], k) => expect(Number.isNaN(yv[k]), `Y[${k}] NaN iff its index holds NaN`).toBe(Number.isNaN((x.data as Float32Array)[p])));
    }
  });
});
