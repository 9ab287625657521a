// Graphs for the CUDA block kernels: convs (implicit GEMM on the matmul block tiles, the depthwise block
// kernel, the weight-tile and per-output fallbacks): groups, strides, pads (symmetric and not),
// dilations, 1x1, rank 1, depthwise with a multiplier, bias + epilogue fusion, and weights fed at run time.
import { GraphBuilder } from '../../runtime/index.ts';
import { type NamedGraph, weight } from './models.ts';

export function convGraphs(): NamedGraph[] {
  const out: NamedGraph[] = [];
  {
    // A ResNet-style 3x3 pair: padded, then strided with asymmetric pads, bias and Relu between.
    const b = new GraphBuilder('conv_resnet');
    const x = b.input('x', 'float32', [2, 8, 18, 18]);
    const y = b.op('Relu', [
      b.op('Conv', [x, b.constant('w1', weight([16, 8, 3, 3], 60, 0.3)), b.constant('b1', weight([16], 61, 0.3))], { pads: [1, 1, 1, 1] }),
    ]);
    const z = b.op('Conv', [y, b.constant('w2', weight([20, 16, 3, 3], 62, 0.2))], { pads: [0, 1, 2, 1], strides: [2, 2] });
    b.output(b.op('Add', [z, b.constant('k', weight([20, 1, 1], 63, 1))]));
    out.push({ name: 'conv_resnet', graph: b.build() });
  }
  {
    // Grouped and dilated with anisotropic strides and pads; then a 1x1 (read in place by C) with a bias.
    const b = new GraphBuilder('conv_grouped');
    const x = b.input('x', 'float32', [1, 12, 21, 19]);
    const y = b.op('Conv', [x, b.constant('w1', weight([34, 6, 3, 2], 64, 0.4))], { group: 2, dilations: [2, 3], strides: [1, 2], pads: [2, 1, 1, 3] });
    b.output(b.op('Conv', [y, b.constant('w2', weight([24, 34, 1, 1], 65, 0.3)), b.constant('b2', weight([24], 66, 0.3))], {}));
    out.push({ name: 'conv_grouped', graph: b.build() });
  }
  {
    // Depthwise (group = channels), with a channel multiplier of 2, strided and padded; then plain depthwise.
    const b = new GraphBuilder('conv_depthwise');
    const x = b.input('x', 'float32', [2, 6, 17, 15]);
    const y = b.op('Conv', [x, b.constant('w1', weight([12, 1, 3, 3], 67, 0.5)), b.constant('b1', weight([12], 68, 0.5))], {
      group: 6,
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    });
    b.output(b.op('Conv', [y, b.constant('w2', weight([12, 1, 5, 5], 69, 0.3))], { group: 12, pads: [2, 2, 2, 2], dilations: [1, 1] }));
    out.push({ name: 'conv_depthwise', graph: b.build() });
  }
  {
    // Rank 1 (a CRNN-style sequence conv), strided and dilated, and a conv whose weights are a run-time
    // input (no implicit GEMM: the weights may be non-finite, the direct loop skips padding).
    const b = new GraphBuilder('conv_1d_runtime_w');
    const x = b.input('x', 'float32', [2, 10, 70]);
    b.output(b.op('Conv', [x, b.constant('w1', weight([18, 10, 5], 70, 0.3))], { strides: [2], dilations: [2], pads: [3, 2] }));
    const y = b.input('y', 'float32', [1, 5, 12, 12]);
    b.output(b.op('Conv', [y, b.input('w', 'float32', [7, 5, 3, 3])], { pads: [1, 1, 1, 1] }));
    out.push({ name: 'conv_1d_runtime_w', graph: b.build() });
  }
  return out;
}

/** Elementwise kernels that CUDA runs on float4 quads: same-layout inputs, a broadcast scalar, sizes with and without a tail. */
export function vectorGraphs(): NamedGraph[] {
  const b = new GraphBuilder('vector_elementwise');
  const x = b.input('x', 'float32', [4, 33, 8]);
  const y = b.input('y', 'float32', [4, 33, 8]);
  const s = b.constant('s', weight([1], 71, 2));
  b.output(b.op('Sigmoid', [b.op('Mul', [b.op('Add', [x, s]), y])]));
  b.output(b.op('Div', [b.op('Sub', [x, y]), b.op('Exp', [y])]));
  // 105 elements: 26 quads and a tail of 1.
  const z = b.input('z', 'float32', [3, 7, 5]);
  b.output(b.op('Tanh', [b.op('Mul', [z, s])]));
  return [{ name: 'vector_elementwise', graph: b.build() }];
}
