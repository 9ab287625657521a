// Test models built with GraphBuilder and deterministic data from a seeded
// PRNG, so every test (and every worker or child process) builds the same bytes.
import type { DType } from '../../compiler/ir/dtype.ts';
import type { Graph } from '../../compiler/ir/graph.ts';
import { numel } from '../../compiler/ir/shape.ts';
import { GraphBuilder, makeTensor, Tensor } from '../../runtime/index.ts';

// The example model's PRNG (mulberry32): the same sequence on every platform.
import { mulberry32 as prng } from '../../scripts/make_example_model.ts';

/** float32 values uniform in [-scale, scale). */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const r = prng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

/** A seeded float32 constant with values in [-scale, scale). */
export function weight(shape: number[], seed: number, scale: number) {
  return makeTensor('float32', shape, randomFloats(numel(shape), seed, scale));
}

/** MLP 784-128-10 like examples/mlp: Gemm, Relu, Gemm, Softmax; input "input" [1,784], output "probs". */
export function mlp(): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.input('input', 'float32', [1, 784]);
  const w1 = b.constant('fc1.weight', weight([128, 784], 1, 1 / Math.sqrt(784)));
  const b1 = b.constant('fc1.bias', weight([128], 2, 1 / Math.sqrt(784)));
  const w2 = b.constant('fc2.weight', weight([10, 128], 3, 1 / Math.sqrt(128)));
  const b2 = b.constant('fc2.bias', weight([10], 4, 1 / Math.sqrt(128)));
  const h = b.op('Relu', [b.op('Gemm', [x, w1, b1], { transB: 1 }, 'fc1')], {}, 'relu1');
  const logits = b.op('Gemm', [h, w2, b2], { transB: 1 }, 'fc2');
  b.output(b.op('Softmax', [logits], { axis: -1 }, 'probs'));
  return b.build();
}

export interface NamedGraph {
  readonly name: string;
  readonly graph: Graph;
}

/** Small graphs that between them emit every kernel kind and the main index-math paths. */
export function kernelGraphs(): NamedGraph[] {
  const out: NamedGraph[] = [];
  {
    // Elementwise with broadcasting on both inputs and a constant; fused into one kernel.
    const b = new GraphBuilder('broadcast');
    const a = b.input('a', 'float32', [2, 3, 4]);
    const c = b.input('c', 'float32', [3, 1]);
    const k = b.constant('k', weight([4], 11, 2));
    const s = b.op('Mul', [b.op('Add', [a, c]), k]);
    b.output(b.op('Sigmoid', [b.op('Sub', [b.op('Exp', [s]), b.op('Tanh', [a])])]));
    out.push({ name: 'broadcast', graph: b.build() });
  }
  {
    const b = new GraphBuilder('transpose');
    const x = b.input('x', 'float32', [2, 3, 4, 5]);
    b.output(b.op('Transpose', [x], { perm: [2, 0, 3, 1] }));
    out.push({ name: 'transpose', graph: b.build() });
  }
  {
    // Batched MatMul with a broadcast batch dim and a fused bias + Relu epilogue.
    const b = new GraphBuilder('matmul_batched');
    const x = b.input('x', 'float32', [2, 3, 4, 5]);
    const w = b.constant('w', weight([3, 5, 6], 12, 1));
    const bias = b.constant('bias', weight([6], 13, 1));
    b.output(b.op('Relu', [b.op('Add', [b.op('MatMul', [x, w]), bias])]));
    out.push({ name: 'matmul_batched', graph: b.build() });
  }
  {
    // Gemm with transA, a non-trivial alpha/beta and C broadcast from a column.
    const b = new GraphBuilder('gemm');
    const a = b.input('a', 'float32', [5, 4]);
    const w = b.constant('w', weight([5, 3], 14, 1));
    const c = b.constant('c', weight([4, 1], 15, 1));
    b.output(b.op('Gemm', [a, w, c], { transA: 1, alpha: 0.7, beta: -1.25 }));
    out.push({ name: 'gemm', graph: b.build() });
  }
  {
    // Softmax and LogSoftmax over a middle axis ([outer, axis, inner] with inner > 1).
    const b = new GraphBuilder('softmax_mid');
    const x = b.input('x', 'float32', [2, 5, 3]);
    b.output(b.op('Softmax', [x], { axis: 1 }));
    b.output(b.op('LogSoftmax', [x], { axis: -2 }));
    out.push({ name: 'softmax_mid', graph: b.build() });
  }
  {
    // Reductions over a middle axis (keepdims 0) and over two axes.
    const b = new GraphBuilder('reduce');
    const x = b.input('x', 'float32', [3, 4, 5]);
    const ax1 = b.constant('axes1', makeTensor('int64', [1], [1]));
    const ax02 = b.constant('axes02', makeTensor('int64', [2], [0, 2]));
    b.output(b.op('ReduceSum', [x, ax1], { keepdims: 0 }));
    b.output(b.op('ReduceMax', [x, ax02]));
    out.push({ name: 'reduce', graph: b.build() });
  }
  {
    // Slice with a negative step, Concat of three inputs on a middle axis, a Cast and a Where.
    const b = new GraphBuilder('slice_concat');
    const x = b.input('x', 'float32', [3, 4, 5]);
    const y = b.input('y', 'float32', [3, 2, 3]);
    const i64 = (xs: number[]) => makeTensor('int64', [xs.length], xs);
    const sl = b.op('Slice', [
      x,
      b.constant('starts', i64([3, 4])),
      b.constant('ends', i64([0, -100])),
      b.constant('axes', i64([1, 2])),
      b.constant('steps', i64([-1, -2])),
    ]);
    const cat = b.op('Concat', [y, sl, y], { axis: 1 });
    const asInt = b.op('Cast', [b.op('Mul', [cat, b.constant('ten', makeTensor('float32', [], [10]))])], { to: 6 });
    b.output(cat);
    b.output(b.op('Where', [b.op('Greater', [cat, b.constant('zero', makeTensor('float32', [], [0]))]), cat, b.op('Neg', [cat])]));
    b.output(asInt);
    out.push({ name: 'slice_concat', graph: b.build() });
  }
  {
    // Grouped, strided, dilated, padded 2-D conv with bias; ceil-mode pools with padding.
    const b = new GraphBuilder('conv_pool');
    const x = b.input('x', 'float32', [2, 4, 7, 6]);
    const w = b.constant('w', weight([6, 2, 3, 2], 16, 1));
    const bias = b.constant('b', weight([6], 17, 1));
    const conv = b.op('Conv', [x, w, bias], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] });
    b.output(conv);
    b.output(b.op('MaxPool', [conv], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, pads: [1, 1, 0, 0] }));
    b.output(b.op('AveragePool', [x], { kernel_shape: [3, 3], auto_pad: 'SAME_LOWER', count_include_pad: 1 }));
    b.output(b.op('GlobalAveragePool', [x]));
    out.push({ name: 'conv_pool', graph: b.build() });
  }
  {
    // MaxPool's Indices (row- and column-major), with a fused follower on Y.
    const b = new GraphBuilder('maxpool_indices');
    const x = b.input('x', 'float32', [2, 3, 7, 6]);
    const [y, i] = b.ops('MaxPool', [x], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], dilations: [1, 2] });
    b.output(b.op('Relu', [y]));
    b.output(i);
    for (const v of b.ops('MaxPool', [x], { kernel_shape: [2, 2], ceil_mode: 1, strides: [2, 2], storage_order: 1 })) b.output(v);
    out.push({ name: 'maxpool_indices', graph: b.build() });
  }
  {
    // Gather with run-time indices (some out of range: they read 0) and every Pad mode, one pad negative.
    const b = new GraphBuilder('gather_pad');
    const x = b.input('x', 'float32', [3, 4, 5]);
    const idx = b.input('idx', 'int64', [2, 3]);
    b.output(b.op('Gather', [x, idx], { axis: 1 }));
    const pads = b.constant('pads', makeTensor('int64', [6], [0, 2, -1, 1, 3, 2]));
    for (const mode of ['constant', 'edge', 'reflect', 'wrap']) {
      b.output(b.op('Pad', [x, pads, b.constant(`v_${mode}`, makeTensor('float32', [], [1.5]))], { mode }));
    }
    out.push({ name: 'gather_pad', graph: b.build() });
  }
  {
    // ConvTranspose (gather form): grouped, strided, dilated, padded 2-D with bias and output_padding; a 1-D SAME_UPPER one.
    const b = new GraphBuilder('conv_transpose');
    const x = b.input('x', 'float32', [2, 4, 5, 3]);
    const w = b.constant('w', weight([4, 3, 3, 2], 18, 1));
    const bias = b.constant('b', weight([6], 19, 1));
    b.output(b.op('ConvTranspose', [x, w, bias], { group: 2, strides: [2, 3], dilations: [1, 2], pads: [1, 0, 0, 1], output_padding: [1, 2] }));
    const x1 = b.input('x1', 'float32', [1, 3, 6]);
    const w1 = b.constant('w1', weight([3, 2, 4], 20, 1));
    b.output(b.op('ConvTranspose', [x1, w1], { strides: [2], auto_pad: 'SAME_UPPER' }));
    out.push({ name: 'conv_transpose', graph: b.build() });
  }
  {
    // Resize from per-axis tables: bilinear with tf_crop_and_resize extrapolation, cubic with exclude_outside,
    // nearest (a pure gather) on int32.
    const b = new GraphBuilder('resize');
    const x = b.input('x', 'float32', [1, 2, 4, 5]);
    const xi = b.input('xi', 'int32', [1, 1, 3, 4]);
    const f32 = (n: string, v: number[]) => b.constant(n, makeTensor('float32', [v.length], v));
    const sizes = (n: string, v: number[]) => b.constant(n, makeTensor('int64', [v.length], v));
    const roi = f32('roi', [0, 0, 0.2, -0.1, 1, 1, 0.9, 1.2]);
    const crop = { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 2.5 };
    b.output(b.op('Resize', [x, roi, undefined, sizes('s1', [1, 2, 5, 6])], crop));
    b.output(b.op('Resize', [x, undefined, f32('s2', [1, 1, 2.5, 1.5])], { mode: 'cubic', exclude_outside: 1 }));
    b.output(b.op('Resize', [xi, undefined, f32('s3', [1, 1, 1.5, 2])], { nearest_mode: 'ceil', coordinate_transformation_mode: 'align_corners' }));
    out.push({ name: 'resize', graph: b.build() });
  }
  {
    // Recurrent kernels: a bidirectional LSTM with peepholes, clip and every output; a reverse batch-first GRU
    // (reset before the linear map); an RNN with Relu and only Y_h.
    const b = new GraphBuilder('recurrent');
    const x = b.input('x', 'float32', [4, 2, 3]);
    const xb = b.input('xb', 'float32', [2, 4, 3]);
    const h = 5;
    const lstm = b.ops(
      'LSTM',
      [
        x,
        b.constant('lw', weight([2, 4 * h, 3], 21, 1)),
        b.constant('lr', weight([2, 4 * h, h], 22, 1)),
        b.constant('lb', weight([2, 8 * h], 23, 1)),
        undefined,
        b.constant('lh', weight([2, 2, h], 24, 1)),
        b.constant('lc', weight([2, 2, h], 25, 1)),
        b.constant('lp', weight([2, 3 * h], 26, 1)),
      ],
      { hidden_size: h, direction: 'bidirectional', clip: 0.8 },
    );
    for (const v of lstm) b.output(v);
    const gru = b.ops(
      'GRU',
      [xb, b.constant('gw', weight([1, 3 * h, 3], 27, 1)), b.constant('gr', weight([1, 3 * h, h], 28, 1)), b.constant('gb', weight([1, 6 * h], 29, 1))],
      {
        hidden_size: h,
        direction: 'reverse',
        layout: 1,
      },
    );
    for (const v of gru) b.output(v);
    const rnn = b.ops('RNN', [x, b.constant('rw', weight([1, h, 3], 30, 1)), b.constant('rr', weight([1, h, h], 31, 1))], {
      hidden_size: h,
      activations: ['Relu'],
    });
    b.output(rnn[1]);
    out.push({ name: 'recurrent', graph: b.build() });
  }
  {
    // Index kinds: ArgMin (last index) and TopK (smallest, int32) over a middle axis, CumSum exclusive
    // reverse, ScatterElements max (run-time indices, some out of range) and ScatterND add with repeated
    // rows, GatherElements / GatherND (flat-index elementwise kernels into Gather).
    const b = new GraphBuilder('index_ops');
    const x = b.input('x', 'float32', [3, 5, 4]);
    const xi = b.input('xi', 'int32', [2, 6]);
    const i = b.input('i', 'int64', [2, 5, 4]);
    const u = b.input('u', 'float32', [2, 5, 4]);
    b.output(b.op('ArgMin', [x], { axis: 1, select_last_index: 1 }));
    for (const v of b.ops('TopK', [x, b.constant('k', makeTensor('int64', [1], [2]))], { axis: -2 })) b.output(v);
    for (const v of b.ops('TopK', [xi, b.constant('k3', makeTensor('int64', [1], [3]))], { largest: 0 })) b.output(v);
    b.output(b.op('CumSum', [x, b.constant('ax', makeTensor('int64', [], [1]))], { exclusive: 1, reverse: 1 }));
    b.output(b.op('CumSum', [xi, b.constant('ax1', makeTensor('int32', [], [-1]))]));
    b.output(b.op('ScatterElements', [x, i, u], { axis: 0, reduction: 'max' }));
    const rows = makeTensor('int64', [4, 1], [2, -1, 0, 2]);
    b.output(b.op('ScatterND', [x, b.constant('rows', rows), b.constant('upd', weight([4, 5, 4], 32, 1))], { reduction: 'add' }));
    b.output(b.op('GatherElements', [x, i], { axis: 0 }));
    // Above SCATTER_SCAN_LIMIT (row, update) pairs: the serial form.
    const big = b.input('big', 'float32', [64, 64]);
    const bigIdx = makeTensor(
      'int64',
      [40, 64],
      Array.from({ length: 40 * 64 }, (_, j) => ((j * 7) % 70) - 35),
    );
    b.output(b.op('ScatterElements', [big, b.constant('bigIdx', bigIdx), b.constant('bigUpd', weight([40, 64], 33, 1))], { axis: 1, reduction: 'mul' }));
    out.push({ name: 'index_ops', graph: b.build() });
  }
  {
    // Exact fmod (volta_fmodf's integer long division on both backends) with a divisor of 0 and tiny
    // remainders, integer Python-style Mod, a NaN classifier and Mish in one fused body.
    const b = new GraphBuilder('mod_classify');
    const x = b.input('x', 'float32', [3, 7]);
    const y = b.input('y', 'float32', [7]);
    const n = b.input('n', 'int32', [3, 7]);
    const big = b.op('Mul', [x, b.constant('big', makeTensor('float32', [7], [1e6, 3e30, 1e-30, 7, -1e4, 0.5, 1]))]);
    const r = b.op('Mod', [big, b.op('Mul', [y, b.constant('zero_at', makeTensor('float32', [7], [1, 1, 1, 0, 1, 1e-38, 1]))])], { fmod: 1 });
    b.output(b.op('Where', [b.op('IsNaN', [r]), b.constant('neg1', makeTensor('float32', [], [-1])), b.op('Mish', [r])]));
    b.output(b.op('Mod', [n, b.constant('m7', makeTensor('int32', [7], [3, -3, 7, -7, 1, 2, -5]))]));
    out.push({ name: 'mod_classify', graph: b.build() });
  }
  return out;
}

/** Deterministic feeds for every input of a graph (float32 in [-3, 3); ints small). */
export function feedsFor(g: Graph, seed: number): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  g.inputs.forEach((id, i) => {
    const v = g.value(id);
    const n = numel(v.shape);
    const f = randomFloats(n, seed * 1000 + i, 3);
    feeds[v.name] = new Tensor(v.dtype, toDtype(v.dtype, f), v.shape);
  });
  return feeds;
}

function toDtype(d: DType, f: Float32Array) {
  if (d === 'float32') return f;
  if (d === 'int32') return Int32Array.from(f, (x) => Math.round(x * 10));
  if (d === 'int64') return BigInt64Array.from(f, (x) => BigInt(Math.round(x * 10)));
  return Uint8Array.from(f, (x) => (x > 0 ? 1 : 0));
}

/**
 * Graphs whose CUDA kernels use shared memory and barriers: products large enough for the block tiles
 * (compiler/kernels/tiles.ts cudaMatmulTile: partial tiles, K not a multiple of the slab, fused
 * epilogues), softmax rows and reductions of a block each (SoftmaxPlan/ReducePlan.cudaRowBlock), and convs
 * with a channel's weights in shared memory (WindowPlan.cudaWeightTile).
 */
export function tiledGraphs(): NamedGraph[] {
  const out: NamedGraph[] = [];
  {
    // Batched MatMul (batch broadcast from B), partial tiles in M, N and K, bias + Relu epilogue.
    const b = new GraphBuilder('tiled_matmul_batched');
    const x = b.input('x', 'float32', [2, 3, 70, 37]);
    const w = b.constant('w', weight([3, 37, 90], 40, 1));
    const bias = b.constant('bias', weight([90], 41, 1));
    b.output(b.op('Relu', [b.op('Add', [b.op('MatMul', [x, w]), bias])]));
    out.push({ name: 'tiled_matmul_batched', graph: b.build() });
  }
  {
    // Gemm with transA, transB, alpha, beta and a broadcast C; both operands fed at run time.
    const b = new GraphBuilder('tiled_gemm');
    const a = b.input('a', 'float32', [45, 130]);
    const w = b.input('w', 'float32', [66, 45]);
    const c = b.constant('c', weight([130, 1], 42, 1));
    b.output(b.op('Gemm', [a, w, c], { transA: 1, transB: 1, alpha: 0.7, beta: -1.25 }));
    out.push({ name: 'tiled_gemm', graph: b.build() });
  }
  {
    // Exact tiles: a 128 x 64 x 64 product with a constant (packed) B and a Tanh epilogue.
    const b = new GraphBuilder('tiled_matmul_exact');
    const x = b.input('x', 'float32', [128, 64]);
    b.output(b.op('Tanh', [b.op('MatMul', [x, b.constant('w', weight([64, 64], 43, 0.2))])]));
    out.push({ name: 'tiled_matmul_exact', graph: b.build() });
  }
  {
    // Softmax rows of a block each: 300 elements with inner 2 (32 lanes), and 9000 (256 lanes, LogSoftmax).
    const b = new GraphBuilder('block_softmax');
    b.output(b.op('Softmax', [b.input('x', 'float32', [3, 300, 2])], { axis: 1 }));
    b.output(b.op('LogSoftmax', [b.input('y', 'float32', [2, 9000])], { axis: -1 }));
    out.push({ name: 'block_softmax', graph: b.build() });
  }
  {
    // Reductions of a block each: ReduceSum over a strided middle axis (40 elements), ReduceMean over
    // two collapsed-apart axes, ReduceMax over 9000 (256 lanes), ReduceL2 and an int32 ReduceSum.
    const b = new GraphBuilder('block_reduce');
    const x = b.input('x', 'float32', [3, 40, 5]);
    b.output(b.op('ReduceSum', [x, b.constant('ax1', makeTensor('int64', [1], [1]))], { keepdims: 0 }));
    b.output(b.op('ReduceMean', [x, b.constant('ax02', makeTensor('int64', [2], [0, 2]))], { keepdims: 1 }));
    b.output(b.op('ReduceL2', [x, b.constant('ax12', makeTensor('int64', [2], [1, 2]))], { keepdims: 0 }));
    b.output(b.op('ReduceMax', [b.input('y', 'float32', [2, 9000]), b.constant('axl', makeTensor('int64', [1], [-1]))], { keepdims: 0 }));
    b.output(b.op('ReduceSum', [b.input('n', 'int32', [4, 50]), b.constant('axn', makeTensor('int64', [1], [1]))], { keepdims: 0 }));
    out.push({ name: 'block_reduce', graph: b.build() });
  }
  {
    // Convs with their weights staged in shared memory (WindowPlan.cudaWeightTile): padded and strided,
    // then grouped and dilated with a bias and a Relu epilogue.
    const b = new GraphBuilder('weight_tile_conv');
    const x = b.input('x', 'float32', [2, 4, 19, 17]);
    const y = b.op('Conv', [x, b.constant('w1', weight([6, 4, 3, 3], 44, 0.4))], { pads: [1, 1, 1, 1], strides: [1, 2] });
    const z = b.op('Conv', [y, b.constant('w2', weight([4, 3, 3, 2], 45, 0.4)), b.constant('b2', weight([4], 46, 0.4))], { group: 2, dilations: [2, 1] });
    b.output(b.op('Relu', [z]));
    out.push({ name: 'weight_tile_conv', graph: b.build() });
  }
  return out;
}
