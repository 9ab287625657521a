// Smoke test of the benchmark model builders (bench/models.ts): each model at its
// smallest size loads and runs in onnxruntime-node and in Volta with the declared
// output shapes, the two agree, and the bytes are the same on every build.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { BENCH_MODELS, type BenchModel, gemm, lenet, mlp, resnetBlock, transformerBlock } from '../bench/models.ts';
import { Tensor, Volta } from '../runtime/index.ts';

const small: BenchModel[] = [mlp(1), lenet(1), resnetBlock(1), transformerBlock(1), gemm(256)];

describe('bench models', () => {
  it('cover the suite: four model families at two batch sizes each, GEMM 256 to 2048', () => {
    expect(BENCH_MODELS.map((m) => m.key)).toEqual([
      'mlp@b1',
      'mlp@b64',
      'lenet@b1',
      'lenet@b32',
      'resnet_block@b1',
      'resnet_block@b8',
      'transformer_block@b1',
      'transformer_block@b8',
      'gemm256',
      'gemm512',
      'gemm1024',
      'gemm2048',
    ]);
  });

  it('are deterministic: two builds give the same bytes and inputs', () => {
    for (const build of [() => mlp(1), () => transformerBlock(1)]) {
      const [a, b] = [build(), build()];
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      expect(Buffer.from(a.inputs[0].data.buffer).equals(Buffer.from(b.inputs[0].data.buffer))).toBe(true);
    }
  });

  it('count 2 flops per multiply-accumulate of their Conv/Gemm/MatMul', () => {
    expect(mlp(64).flops).toBe(2 * 64 * (784 * 256 + 256 * 10));
    // conv1 6x28x28 outputs of 25 MACs, conv2 16x10x10 of 150, then the three Gemms.
    expect(lenet(1).flops).toBe(2 * (6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 400 * 120 + 120 * 84 + 84 * 10));
    expect(resnetBlock(8).flops).toBe(2 * 2 * 8 * 64 * 56 * 56 * 64 * 9);
    // Four 128x128 projections, the two attention MatMuls over 4 heads, the 128-512-128 MLP, for 64 rows.
    expect(transformerBlock(1).flops).toBe(2 * (64 * 128 * 128 * 4 + 2 * 4 * 64 * 64 * 32 + 2 * 64 * 128 * 512));
    expect(gemm(512).flops).toBe(2 * 512 ** 3);
  });

  it('run in onnxruntime-node and Volta with the declared shapes and agree', async () => {
    for (const m of small) {
      const ref = await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: 1 });
      const theirs = await ref.run(Object.fromEntries(m.inputs.map((i) => [i.name, new ort.Tensor('float32', i.data, i.dims)])));
      const session = await Volta.compile(m.bytes);
      const ours = await session.run(Object.fromEntries(m.inputs.map((i) => [i.name, new Tensor('float32', i.data, i.dims)])));
      for (const o of m.outputs) {
        expect(theirs[o.name].dims, `${m.key} ${o.name}`).toEqual(o.dims);
        expect(ours[o.name].dims, `${m.key} ${o.name}`).toEqual(o.dims);
        const [a, b] = [ours[o.name].data as Float32Array, theirs[o.name].data as Float32Array];
        const scale = b.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
        expect(scale, `${m.key}: outputs are not all zero`).toBeGreaterThan(1e-3);
        const err = a.reduce((s, x, i) => Math.max(s, Math.abs(x - b[i])), 0) / scale;
        expect(err, m.key).toBeLessThan(1e-4);
      }
    }
  });
});
