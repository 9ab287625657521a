// The benchmark models, written op by op with OnnxWriter as an exporter would
// (real ONNX ops, opset 17, initializers), with weights and inputs from the
// project's seeded PRNG: every call gives the same bytes, in any process.
// The bench suite runs them in Volta and onnxruntime-node; tests reuse them
// (`import { benchModels, mlp, ... } from '../bench/models.ts'`).
import { makeTensor } from '../compiler/ir/tensor.ts';
import { float, OnnxWriter } from '../compiler/onnx/writer.ts';
import { mulberry32 } from '../scripts/make_example_model.ts';

export interface BenchInput {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface BenchModel {
  /** Unique key, e.g. "mlp@b64", "gemm1024". */
  readonly key: string;
  /** Model family, e.g. "mlp", "lenet", "resnet_block", "transformer_block", "gemm". */
  readonly family: string;
  readonly batch: number;
  /** One line: what the model is. */
  readonly description: string;
  readonly bytes: Uint8Array;
  readonly inputs: readonly BenchInput[];
  readonly outputs: readonly { readonly name: string; readonly dims: readonly number[] }[];
  /** 2 per multiply-accumulate of Conv, Gemm and MatMul; elementwise, normalisation and softmax work is not counted. */
  readonly flops: number;
}

/** float32 values uniform in [-bound, bound) from mulberry32(seed). */
export function seededFloats(n: number, seed: number, bound = 1): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * bound;
  return out;
}

const numel = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** OnnxWriter plus seeded initializers: each initializer draws from its own seed (a counter), in creation order. */
class ModelWriter {
  readonly w: OnnxWriter;
  private seed: number;
  flops = 0;

  constructor(name: string, seed: number) {
    this.w = new OnnxWriter(name, 17);
    this.seed = seed * 1000;
  }

  /** PyTorch-like uniform init, bound = 1/sqrt(fanIn) times gain. */
  weight(name: string, dims: readonly number[], fanIn: number, gain = 1): string {
    return this.w.initializer(name, makeTensor('float32', dims, seededFloats(numel(dims), this.seed++, gain / Math.sqrt(fanIn))));
  }

  /** Values uniform in [lo, hi) (BatchNorm variances, LayerNorm scales). */
  range(name: string, dims: readonly number[], lo: number, hi: number): string {
    const u = seededFloats(numel(dims), this.seed++, 1);
    return this.w.initializer(
      name,
      makeTensor(
        'float32',
        dims,
        u.map((x) => lo + ((x + 1) / 2) * (hi - lo)),
      ),
    );
  }

  ints(name: string, xs: readonly number[]): string {
    return this.w.initializer(name, makeTensor('int64', [xs.length], xs));
  }

  scalar(name: string, x: number): string {
    return this.w.initializer(name, makeTensor('float32', [], [x]));
  }
}

function finish(
  m: ModelWriter,
  o: { key: string; family: string; batch: number; description: string; inputs: { name: string; dims: number[]; seed: number; bound?: number }[] },
  outputs: { name: string; dims: number[] }[],
): BenchModel {
  for (const out of outputs) m.w.output(out.name, 'float32', out.dims);
  return {
    key: o.key,
    family: o.family,
    batch: o.batch,
    description: o.description,
    bytes: m.w.bytes(),
    inputs: o.inputs.map((i) => ({ name: i.name, dims: i.dims, data: seededFloats(numel(i.dims), i.seed, i.bound ?? 1) })),
    outputs,
    flops: m.flops,
  };
}

/** Gemm with transB (a PyTorch Linear) + bias: [rows, inF] -> [rows, outF]. */
function linear(m: ModelWriter, x: string, rows: number, inF: number, outF: number, name: string): string {
  const w = m.weight(`${name}.weight`, [outF, inF], inF);
  const b = m.weight(`${name}.bias`, [outF], inF);
  m.flops += 2 * rows * inF * outF;
  return m.w.op('Gemm', [x, w, b], { transB: 1 }, name);
}

/** MatMul by a [inF, outF] weight + Add bias, as exporters write Linear on rank-3 activations. */
function matmulBias(m: ModelWriter, x: string, rows: number, inF: number, outF: number, name: string): string {
  const w = m.weight(`${name}.weight`, [inF, outF], inF);
  const b = m.weight(`${name}.bias`, [outF], inF);
  m.flops += 2 * rows * inF * outF;
  return m.w.op('Add', [m.w.op('MatMul', [x, w], {}, `${name}.matmul`), b], {}, name);
}

/** MLP 784-256-10: Gemm, Relu, Gemm. Input "input" [batch, 784], output "logits" [batch, 10]. */
export function mlp(batch: number): BenchModel {
  const m = new ModelWriter('mlp_784_256_10', 1);
  const x = m.w.input('input', 'float32', [batch, 784]);
  const h = m.w.op('Relu', [linear(m, x, batch, 784, 256, 'fc1')], {}, 'relu1');
  linear(m, h, batch, 256, 10, 'logits');
  return finish(
    m,
    {
      key: `mlp@b${batch}`,
      family: 'mlp',
      batch,
      description: 'MLP 784-256-10 (Gemm, Relu, Gemm)',
      inputs: [{ name: 'input', dims: [batch, 784], seed: 101 }],
    },
    [{ name: 'logits', dims: [batch, 10] }],
  );
}

/** Conv (+ bias) with square kernel k, stride 1; counts flops for an [n, cout, oh, ow] output. */
function conv(m: ModelWriter, x: string, cin: number, cout: number, k: number, pad: number, outHW: number, batch: number, name: string, bias = true): string {
  const w = m.weight(`${name}.weight`, [cout, cin, k, k], cin * k * k, Math.sqrt(6));
  const ins = [x, w];
  if (bias) ins.push(m.weight(`${name}.bias`, [cout], cin * k * k));
  m.flops += 2 * batch * cout * outHW * outHW * cin * k * k;
  return m.w.op('Conv', ins, { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [1, 1] }, name);
}

/**
 * LeNet-5-style CNN on [batch, 1, 28, 28]: Conv 6@5x5 (pad 2), Relu, MaxPool 2; Conv 16@5x5, Relu, MaxPool 2;
 * Flatten; Gemm 400-120, Relu, Gemm 120-84, Relu, Gemm 84-10. Output "logits" [batch, 10].
 */
export function lenet(batch: number): BenchModel {
  const m = new ModelWriter('lenet', 2);
  const x = m.w.input('image', 'float32', [batch, 1, 28, 28]);
  const pool = (v: string, name: string) => m.w.op('MaxPool', [v], { kernel_shape: [2, 2], strides: [2, 2] }, name);
  const c1 = pool(m.w.op('Relu', [conv(m, x, 1, 6, 5, 2, 28, batch, 'conv1')], {}, 'relu1'), 'pool1');
  const c2 = pool(m.w.op('Relu', [conv(m, c1, 6, 16, 5, 0, 10, batch, 'conv2')], {}, 'relu2'), 'pool2');
  const flat = m.w.op('Flatten', [c2], { axis: 1 }, 'flatten');
  const f1 = m.w.op('Relu', [linear(m, flat, batch, 400, 120, 'fc1')], {}, 'relu3');
  const f2 = m.w.op('Relu', [linear(m, f1, batch, 120, 84, 'fc2')], {}, 'relu4');
  linear(m, f2, batch, 84, 10, 'logits');
  return finish(
    m,
    {
      key: `lenet@b${batch}`,
      family: 'lenet',
      batch,
      description: 'LeNet-5-style CNN, 1x28x28 (2 Conv+Relu+MaxPool, 3 Gemm)',
      inputs: [{ name: 'image', dims: [batch, 1, 28, 28], seed: 102 }],
    },
    [{ name: 'logits', dims: [batch, 10] }],
  );
}

/** BatchNormalization (inference) with seeded scale, bias, mean and variance. */
function batchNorm(m: ModelWriter, x: string, c: number, name: string): string {
  const scale = m.range(`${name}.weight`, [c], 0.5, 1.5);
  const bias = m.range(`${name}.bias`, [c], -0.2, 0.2);
  const mean = m.range(`${name}.running_mean`, [c], -0.2, 0.2);
  const variance = m.range(`${name}.running_var`, [c], 0.5, 2);
  return m.w.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: float(1e-5) }, name);
}

/**
 * ResNet basic block on [batch, 64, 56, 56] (ResNet-18/34 stage 1): Conv 3x3 (no bias), BatchNorm, Relu,
 * Conv 3x3, BatchNorm, Add the block input, Relu. Output "out" with the input's shape.
 */
export function resnetBlock(batch: number): BenchModel {
  const m = new ModelWriter('resnet_basic_block', 3);
  const dims = [batch, 64, 56, 56];
  const x = m.w.input('x', 'float32', dims);
  const a = m.w.op('Relu', [batchNorm(m, conv(m, x, 64, 64, 3, 1, 56, batch, 'conv1', false), 64, 'bn1')], {}, 'relu1');
  const b = batchNorm(m, conv(m, a, 64, 64, 3, 1, 56, batch, 'conv2', false), 64, 'bn2');
  m.w.op('Relu', [m.w.op('Add', [b, x], {}, 'residual')], {}, 'out');
  return finish(
    m,
    {
      key: `resnet_block@b${batch}`,
      family: 'resnet_block',
      batch,
      description: 'ResNet basic block 64x56x56 (Conv-BN-Relu, Conv-BN, residual Add, Relu)',
      inputs: [{ name: 'x', dims, seed: 103 }],
    },
    [{ name: 'out', dims }],
  );
}

/** LayerNormalization over the last axis with seeded scale and bias. */
function layerNorm(m: ModelWriter, x: string, d: number, name: string): string {
  const scale = m.range(`${name}.weight`, [d], 0.8, 1.2);
  const bias = m.range(`${name}.bias`, [d], -0.1, 0.1);
  return m.w.op('LayerNormalization', [x, scale, bias], { axis: -1, epsilon: float(1e-5) }, name);
}

export const TRANSFORMER = { seq: 64, d: 128, heads: 4, ff: 512 } as const;

/**
 * Post-LN transformer encoder block (BERT-style) on [batch, 64, 128], 4 heads of 32, MLP 128-512-128 with GELU
 * written as exporters do at opset 17 (Div, Erf, Add, Mul, Mul): Q, K, V projections (MatMul + Add), per-head
 * Reshape/Transpose, Q·Kᵀ scaled by 1/sqrt(32), Softmax, ·V, output projection, residual Add + LayerNormalization,
 * MLP, residual Add + LayerNormalization. Output "out" [batch, 64, 128].
 */
export function transformerBlock(batch: number): BenchModel {
  const { seq, d, heads, ff } = TRANSFORMER;
  const dh = d / heads;
  const rows = batch * seq;
  const m = new ModelWriter('transformer_encoder_block', 4);
  const x = m.w.input('x', 'float32', [batch, seq, d]);
  const splitShape = m.ints('shape.split_heads', [batch, seq, heads, dh]);
  const mergeShape = m.ints('shape.merge_heads', [batch, seq, d]);
  const headsOf = (v: string, perm: number[], name: string) => m.w.op('Transpose', [m.w.op('Reshape', [v, splitShape], {}, `${name}.reshape`)], { perm }, name);
  const q = headsOf(matmulBias(m, x, rows, d, d, 'attn.q'), [0, 2, 1, 3], 'attn.q_heads');
  const k = headsOf(matmulBias(m, x, rows, d, d, 'attn.k'), [0, 2, 3, 1], 'attn.k_heads_t');
  const v = headsOf(matmulBias(m, x, rows, d, d, 'attn.v'), [0, 2, 1, 3], 'attn.v_heads');
  const scores = m.w.op('Mul', [m.w.op('MatMul', [q, k], {}, 'attn.qk'), m.scalar('attn.scale', 1 / Math.sqrt(dh))], {}, 'attn.scaled');
  m.flops += 2 * batch * heads * seq * seq * dh;
  const probs = m.w.op('Softmax', [scores], { axis: -1 }, 'attn.softmax');
  const ctx = m.w.op('MatMul', [probs, v], {}, 'attn.context');
  m.flops += 2 * batch * heads * seq * seq * dh;
  const merged = m.w.op('Reshape', [m.w.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }, 'attn.merge_t'), mergeShape], {}, 'attn.merge');
  const attn = matmulBias(m, merged, rows, d, d, 'attn.out');
  const h = layerNorm(m, m.w.op('Add', [x, attn], {}, 'residual1'), d, 'ln1');
  const up = matmulBias(m, h, rows, d, ff, 'mlp.up');
  const erf = m.w.op('Erf', [m.w.op('Div', [up, m.scalar('gelu.sqrt2', Math.SQRT2)], {}, 'gelu.div')], {}, 'gelu.erf');
  const gelu = m.w.op(
    'Mul',
    [m.w.op('Mul', [up, m.w.op('Add', [erf, m.scalar('gelu.one', 1)], {}, 'gelu.add')], {}, 'gelu.mul'), m.scalar('gelu.half', 0.5)],
    {},
    'gelu',
  );
  const down = matmulBias(m, gelu, rows, ff, d, 'mlp.down');
  layerNorm(m, m.w.op('Add', [h, down], {}, 'residual2'), d, 'out');
  return finish(
    m,
    {
      key: `transformer_block@b${batch}`,
      family: 'transformer_block',
      batch,
      description: 'transformer encoder block, seq 64, d 128, 4 heads, MLP 512 (GELU), post-LN',
      inputs: [{ name: 'x', dims: [batch, seq, d], seed: 104 }],
    },
    [{ name: 'out', dims: [batch, seq, d] }],
  );
}

/** One MatMul of an [n, n] input by an [n, n] constant weight (the weight is a model initializer, as in inference). */
export function gemm(n: number): BenchModel {
  const m = new ModelWriter(`gemm_${n}`, 5);
  const a = m.w.input('a', 'float32', [n, n]);
  const b = m.weight('b', [n, n], n);
  m.w.op('MatMul', [a, b], {}, 'c');
  m.flops += 2 * n * n * n;
  return finish(
    m,
    { key: `gemm${n}`, family: 'gemm', batch: n, description: `MatMul ${n}x${n} by a constant ${n}x${n}`, inputs: [{ name: 'a', dims: [n, n], seed: 105 }] },
    [{ name: 'c', dims: [n, n] }],
  );
}

/** Builders of the suite in order, keyed as in BenchModel.key; built lazily (gemm2048 holds 16 MiB of weights). */
export const BENCH_MODELS: readonly { readonly key: string; readonly build: () => BenchModel }[] = [
  { key: 'mlp@b1', build: () => mlp(1) },
  { key: 'mlp@b64', build: () => mlp(64) },
  { key: 'lenet@b1', build: () => lenet(1) },
  { key: 'lenet@b32', build: () => lenet(32) },
  { key: 'resnet_block@b1', build: () => resnetBlock(1) },
  { key: 'resnet_block@b8', build: () => resnetBlock(8) },
  { key: 'transformer_block@b1', build: () => transformerBlock(1) },
  { key: 'transformer_block@b8', build: () => transformerBlock(8) },
  { key: 'gemm256', build: () => gemm(256) },
  { key: 'gemm512', build: () => gemm(512) },
  { key: 'gemm1024', build: () => gemm(1024) },
  { key: 'gemm2048', build: () => gemm(2048) },
];

/** Every model of the suite, built now. */
export function benchModels(): BenchModel[] {
  return BENCH_MODELS.map((b) => b.build());
}
