// Building blocks for models with the structure of real networks, written op by op
// with OnnxWriter as an exporter would (PyTorch-style BatchNormalization, shape
// subgraphs, Gelu as erf), with seeded weights of trained-looking scale.
import { makeTensor } from '../../compiler/ir/tensor.ts';
import { float, OnnxWriter, type WriterAttr } from '../../compiler/onnx/writer.ts';
import { randomFloats } from '../helpers/models.ts';

export class Net {
  readonly w: OnnxWriter;
  private seed: number;

  constructor(name: string, opset: number, seed: number) {
    this.w = new OnnxWriter(name, opset);
    this.seed = seed;
  }

  /** A float32 initializer uniform in [offset - scale, offset + scale). */
  param(shape: number[], scale: number, offset = 0): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const s = this.seed++;
    return this.w.initializer(
      `p${s}`,
      makeTensor(
        'float32',
        shape,
        Array.from(randomFloats(n, s, scale), (v) => v + offset),
      ),
    );
  }

  ints(xs: number[]): string {
    return this.w.initializer(`i${this.seed++}`, makeTensor('int64', [xs.length], xs));
  }

  scalar(v: number): string {
    return this.w.initializer(`c${this.seed++}`, makeTensor('float32', [], [v]));
  }

  op(op: string, inputs: string[], attrs: Record<string, WriterAttr> = {}): string {
    return this.w.op(op, inputs, attrs);
  }

  /** Conv with He-scaled weights (no bias when a BatchNormalization follows, as exporters emit it). */
  conv(x: string, cin: number, cout: number, k: number, opts: { stride?: number; group?: number; bias?: boolean; pad?: number } = {}): string {
    const group = opts.group ?? 1;
    const pad = opts.pad ?? Math.floor(k / 2);
    const weight = this.param([cout, cin / group, k, k], Math.sqrt(6 / ((cin / group) * k * k)));
    const inputs = opts.bias ? [x, weight, this.param([cout], 0.1)] : [x, weight];
    return this.op('Conv', inputs, { kernel_shape: [k, k], strides: [opts.stride ?? 1, opts.stride ?? 1], pads: [pad, pad, pad, pad], group });
  }

  /** Inference BatchNormalization with running statistics away from 0 and 1. */
  bn(x: string, c: number): string {
    return this.op('BatchNormalization', [x, this.param([c], 0.3, 1), this.param([c], 0.2), this.param([c], 0.3), this.param([c], 0.4, 1)], {
      epsilon: float(1e-5),
    });
  }

  linear(x: string, din: number, dout: number): string {
    return this.op('Gemm', [x, this.param([dout, din], Math.sqrt(3 / din)), this.param([dout], 0.1)], { transB: 1 });
  }

  /** x @ W + b for x of any rank (as PyTorch exports nn.Linear on 3-D input). */
  matmulBias(x: string, din: number, dout: number): string {
    return this.op('Add', [this.op('MatMul', [x, this.param([din, dout], Math.sqrt(3 / din))]), this.param([dout], 0.1)]);
  }
}
