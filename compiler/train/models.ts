// Built-in models for `volta train`, written as ONNX (OnnxWriter) so they take the same
// path as a user's model file and export as it does. Initial weights are drawn with the
// counter-based generator (compiler/train/philox.ts) as PyTorch initialises Linear and
// Conv2d by default: weights and biases uniform in +-1/sqrt(fan_in); BatchNormalization
// starts at scale 1, bias 0, mean 0, variance 1. Gemm weights are stored [in, out]
// (transB = 0), so the forward product reads them along rows.
import { VoltaError } from '../ir/errors.ts';
import { makeTensor, type TensorData } from '../ir/tensor.ts';
import { float, OnnxWriter } from '../onnx/writer.ts';
import { STREAM, uniform } from './philox.ts';

export type ModelSpec =
  | { readonly type: 'mlp'; readonly hidden: readonly number[] }
  | { readonly type: 'cnn'; readonly channels: readonly number[]; readonly kernel: number; readonly hidden: readonly number[]; readonly batchNorm: boolean };

/** The data every built-in model takes: one 28x28 grey image per sample, 10 classes. */
export const SAMPLE: readonly number[] = [1, 28, 28];
export const CLASSES = 10;

class Params {
  private count = 0;
  constructor(
    private readonly w: OnnxWriter,
    private readonly seed: number,
  ) {}

  uniform(name: string, shape: readonly number[], fanIn: number): string {
    const index = this.count++;
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, d) => a * d, 1);
    const data = Float32Array.from({ length: n }, (_, i) => (uniform(this.seed, STREAM.init, index, i) * 2 - 1) * bound);
    return this.w.initializer(name, makeTensor('float32', shape, data));
  }

  fill(name: string, shape: readonly number[], v: number): string {
    this.count++;
    const t: TensorData = makeTensor('float32', shape, new Float32Array(shape.reduce((a, d) => a * d, 1)).fill(v));
    return this.w.initializer(name, t);
  }
}

function dense(w: OnnxWriter, p: Params, x: string, fanIn: number, out: number, name: string): string {
  const W = p.uniform(`${name}.weight`, [fanIn, out], fanIn);
  const b = p.uniform(`${name}.bias`, [out], fanIn);
  return w.op('Gemm', [x, W, b], {}, name);
}

/** ONNX bytes of a built-in model with weights drawn from `seed`. */
export function builtinModel(spec: ModelSpec, seed: number): Uint8Array {
  const w = new OnnxWriter(spec.type, 17);
  const p = new Params(w, seed);
  let x = w.input('input', 'float32', ['N', ...SAMPLE]);
  let width: number = SAMPLE.reduce((a, d) => a * d, 1);
  if (spec.type === 'cnn') {
    let [c, size] = [SAMPLE[0], SAMPLE[1]];
    spec.channels.forEach((m, i) => {
      const k = spec.kernel;
      const name = `conv${i + 1}`;
      const W = p.uniform(`${name}.weight`, [m, c, k, k], c * k * k);
      const b = p.uniform(`${name}.bias`, [m], c * k * k);
      const pad = Math.floor(k / 2);
      x = w.op('Conv', [x, W, b], { kernel_shape: [k, k], pads: [pad, pad, pad, pad] }, name);
      if (spec.batchNorm) {
        const ps = ['scale', 'bias', 'running_mean', 'running_var'].map((s, j) => p.fill(`bn${i + 1}.${s}`, [m], j === 0 || j === 3 ? 1 : 0));
        x = w.op('BatchNormalization', [x, ...ps], { epsilon: float(1e-5), momentum: float(0.9) }, `bn${i + 1}`);
      }
      x = w.op('Relu', [x], {}, `relu${i + 1}`);
      x = w.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, `pool${i + 1}`);
      c = m;
      size = Math.floor(size / 2);
    });
    width = c * size * size;
  }
  x = w.op('Flatten', [x], { axis: 1 }, 'flatten');
  spec.hidden.forEach((h, i) => {
    x = w.op('Relu', [dense(w, p, x, width, h, `fc${i + 1}`)], {}, `fc${i + 1}.relu`);
    width = h;
  });
  const logits = dense(w, p, x, width, CLASSES, 'classifier');
  w.node('Identity', [logits], {}, { name: 'logits', outputs: ['logits'] });
  w.output('logits', 'float32', ['N', CLASSES]);
  return w.bytes();
}

const positiveInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x > 0);

/** Validates a built-in model description (from a config). */
export function modelSpec(raw: Readonly<Record<string, unknown>>): ModelSpec {
  const fail = (found: string, expected: string): never => {
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found, expected });
  };
  const keys =
    raw.type === 'mlp'
      ? ['type', 'hidden']
      : raw.type === 'cnn'
        ? ['type', 'channels', 'kernel', 'hidden', 'batch_norm']
        : fail(`model type ${JSON.stringify(raw.type)}`, "'mlp', 'cnn' or an .onnx file path");
  for (const k of Object.keys(raw).sort()) if (!keys.includes(k)) fail(`model key ${JSON.stringify(k)}`, keys.join(', '));
  const hidden: unknown = raw.hidden ?? (raw.type === 'mlp' ? [256] : [128]);
  if (!positiveInts(hidden)) return fail(`model hidden=${JSON.stringify(hidden)}`, 'a list of positive layer widths');
  if (raw.type === 'mlp') return { type: 'mlp', hidden };
  const channels: unknown = raw.channels ?? [16, 32];
  if (!positiveInts(channels) || channels.length === 0 || channels.length > 4)
    return fail(`model channels=${JSON.stringify(channels)}`, '1 to 4 positive channel counts (each block halves 28x28)');
  const kernel = raw.kernel ?? 3;
  if (kernel !== 3 && kernel !== 5) fail(`model kernel=${JSON.stringify(kernel)}`, '3 or 5');
  const batchNorm: unknown = raw.batch_norm ?? false;
  if (typeof batchNorm !== 'boolean') return fail(`model batch_norm=${JSON.stringify(batchNorm)}`, 'true or false');
  return { type: 'cnn', channels, kernel: kernel as number, hidden, batchNorm };
}
