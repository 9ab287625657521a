// The ONNX writer: its models load in Volta and in onnxruntime and agree.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../compiler/ir/tensor.ts';
import { decodeModel } from '../../compiler/onnx/proto.ts';
import { float, OnnxWriter } from '../../compiler/onnx/writer.ts';
import { Tensor, Volta } from '../../runtime/index.ts';
import { randomFloats } from '../helpers/models.ts';

function model(): Uint8Array {
  const w = new OnnxWriter('writer_mlp', 17);
  const x = w.input('x', 'float32', [2, 6]);
  const w1 = w.initializer('w1', makeTensor('float32', [4, 6], randomFloats(24, 11, 0.5)));
  const b1 = w.initializer('b1', makeTensor('float32', [4], randomFloats(4, 12, 0.5)));
  const h = w.op('Gemm', [x, w1, b1], { transB: 1, alpha: float(1) });
  const y = w.op('LeakyRelu', [h], { alpha: 0.25 }, 'act');
  w.output(w.op('Softmax', [y], { axis: -1 }, 'probs'), 'float32', [2, 4]);
  return w.bytes();
}

describe('OnnxWriter', () => {
  it('writes typed attributes: integral numbers as INT unless float(), others as FLOAT', () => {
    const m = decodeModel(model());
    const gemm = m.graph.node[0];
    expect(gemm.attribute.map((a) => [a.name, a.type])).toEqual([
      ['alpha', 1],
      ['transB', 2],
    ]);
    expect(m.graph.node[1].attribute[0].f).toBeCloseTo(0.25);
  });

  it('a written model runs in Volta and onnxruntime with the same results', async () => {
    const bytes = model();
    const x = randomFloats(12, 13);
    const session = await Volta.compile(bytes);
    const ours = (await session.run({ x: new Tensor('float32', x, [2, 6]) })).probs.data as Float32Array;
    const ref = await ort.InferenceSession.create(bytes);
    const theirs = (await ref.run({ x: new ort.Tensor('float32', x, [2, 6]) })).probs.data as Float32Array;
    expect(ours.length).toBe(8);
    ours.forEach((v, i) => expect(Math.abs(v - theirs[i])).toBeLessThan(1e-6));
  });
});
