// OCR-shaped models written op by op as exporters write them (test/real_models/nets.ts),
// compared with onnxruntime in architectures.test.ts.
import { Net } from './nets.ts';

/**
 * A DBNet-style text detector with a U-Net decoder, 64x64 in: a stride-2 encoder (Conv +
 * BatchNormalization + Relu) to 1/16, an FPN neck whose top-down path upsamples with Resize
 * as each exporter writes it (Paddle: nearest asymmetric/floor by scales; PyTorch bilinear
 * half_pixel by scales and align_corners by sizes), every level resized to 1/2 and
 * concatenated, then two heads back to full size: probabilities through ConvTranspose k2 s2
 * and a U-Net skip Concat with full-resolution features, thresholds through ConvTranspose
 * k3 s2 pads 1 output_padding 1. Outputs: probability map, threshold map, and DB's
 * differentiable binarisation 1 / (1 + e^(-50 (P - T))), and the logits under both Sigmoids.
 */
export function dbDetector(): Uint8Array {
  const n = new Net('db_unet_like', 13, 3000);
  const x = n.w.input('image', 'float32', [1, 3, 64, 64]);
  const cbr = (v: string, cin: number, cout: number, k: number, stride = 1) => n.op('Relu', [n.bn(n.conv(v, cin, cout, k, { stride }), cout)]);
  const noRoi = n.w.initializer('empty_roi', { dtype: 'float32', shape: [0], data: new Float32Array(0) });
  let k = 0;
  const scales = (s: number) => n.w.initializer(`scales_${k++}`, { dtype: 'float32', shape: [4], data: Float32Array.of(1, 1, s, s) });
  const nearest = (v: string, s: number) =>
    n.op('Resize', [v, noRoi, scales(s)], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  const bilinear = (v: string, s: number) => n.op('Resize', [v, noRoi, scales(s)], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  const toSize = (v: string, c: number, hw: number) =>
    n.op('Resize', [v, '', '', n.ints([1, c, hw, hw])], { mode: 'linear', coordinate_transformation_mode: 'align_corners' });

  const s0 = cbr(x, 3, 4, 3); // 64
  const e1 = cbr(x, 3, 8, 3, 2); // 32
  const e2 = cbr(e1, 8, 16, 3, 2); // 16
  const e3 = cbr(e2, 16, 24, 3, 2); // 8
  const e4 = cbr(e3, 24, 32, 3, 2); // 4
  const lateral = (v: string, c: number) => n.conv(v, c, 16, 1, { pad: 0 });
  const p4 = lateral(e4, 32);
  const p3 = n.op('Add', [lateral(e3, 24), nearest(p4, 2)]);
  const p2 = n.op('Add', [lateral(e2, 16), bilinear(p3, 2)]);
  const p1 = n.op('Add', [lateral(e1, 8), toSize(p2, 16, 32)]);
  const smooth = (v: string) => n.conv(v, 16, 4, 3);
  const fuse = n.op('Concat', [nearest(smooth(p4), 8), bilinear(smooth(p3), 4), nearest(smooth(p2), 2), smooth(p1)], { axis: 1 });

  const deconv = (v: string, cin: number, cout: number, k: number, extra: Record<string, number[]> = {}) =>
    n.op('ConvTranspose', [v, n.param([cin, cout, k, k], Math.sqrt(3 / (cin * k * k))), n.param([cout], 0.1)], {
      kernel_shape: [k, k],
      strides: [2, 2],
      ...extra,
    });
  const h = cbr(fuse, 16, 8, 3);
  const up = n.op('Relu', [n.bn(deconv(h, 8, 8, 2), 8)]);
  const probLogits = n.w.op('Add', [n.conv(n.op('Concat', [up, s0], { axis: 1 }), 12, 1, 3), n.param([1], 0.1)], {}, 'prob_logits');
  const prob = n.w.op('Sigmoid', [probLogits], {}, 'prob');
  const t = cbr(fuse, 16, 8, 3);
  const threshLogits = n.w.op('Identity', [deconv(t, 8, 1, 3, { pads: [1, 1, 1, 1], output_padding: [1, 1] })], {}, 'thresh_logits');
  const thresh = n.w.op('Sigmoid', [threshLogits], {}, 'thresh');
  const binary = n.w.op('Reciprocal', [n.op('Add', [n.scalar(1), n.op('Exp', [n.op('Mul', [n.scalar(-50), n.op('Sub', [prob, thresh])])])])], {}, 'binary');
  // The logits too: onnxruntime's logistic is coarse near 0 (see architectures.test.ts).
  for (const o of [prob, thresh, binary, probLogits, threshLogits]) n.w.output(o, 'float32', [1, 1, 64, 64]);
  return n.w.bytes();
}

/**
 * A CRNN text-line recogniser as PyTorch exports it, 32x128 grey in: four Conv +
 * BatchNormalization + Relu blocks with MaxPool (2x2 twice, then 2x1 and 4x1 to keep
 * the width as time), Squeeze and Transpose to [T, N, C], two bidirectional LSTM layers
 * (zero initial states as initializers, Y [T, 2, N, H] merged to [T, N, 2H] by Transpose
 * and Reshape), then a per-step Gemm classifier (flattened through a shape subgraph) and
 * Softmax over 37 classes (CTC blank + 36). Output: probs [T=32, N=1, 37].
 */
export function crnn(): Uint8Array {
  const [T, H, classes] = [32, 32, 37];
  const n = new Net('crnn_like', 17, 4000);
  const x = n.w.input('line', 'float32', [1, 1, 32, 128]);
  const block = (v: string, cin: number, cout: number, pool: [number, number]) =>
    n.op('MaxPool', [n.op('Relu', [n.bn(n.conv(v, cin, cout, 3), cout)])], { kernel_shape: pool, strides: pool });
  let h = block(x, 1, 16, [2, 2]); // 16 x 64
  h = block(h, 16, 32, [2, 2]); // 8 x 32
  h = block(h, 32, 48, [2, 1]); // 4 x 32
  h = block(h, 48, 64, [4, 1]); // 1 x 32
  let seq = n.op('Transpose', [n.op('Squeeze', [h, n.ints([2])])], { perm: [2, 0, 1] }); // [T, 1, 64]
  const zeros = n.w.initializer('lstm_state0', { dtype: 'float32', shape: [2, 1, H], data: new Float32Array(2 * H) });
  const bilstm = (v: string, din: number) => {
    const s = 1 / Math.sqrt(H);
    const [y] = n.w.node(
      'LSTM',
      [v, n.param([2, 4 * H, din], s), n.param([2, 4 * H, H], s), n.param([2, 8 * H], s), '', zeros, zeros],
      { hidden_size: H, direction: 'bidirectional' },
      { outputs: 3 },
    );
    return n.op('Reshape', [n.op('Transpose', [y], { perm: [0, 2, 1, 3] }), n.ints([0, 0, -1])]); // [T, 1, 2H]
  };
  seq = bilstm(bilstm(seq, 64), 2 * H);
  // Flatten [T, N, 2H] to [T*N, 2H] for Gemm and back, with the dims read through Shape as exporters do.
  const shape = n.op('Shape', [seq]);
  const tn = n.op('Slice', [shape, n.ints([0]), n.ints([2])]);
  // Classifier weights of a trained head's scale: peaked per-step distributions, not near-uniform ones.
  const flat = n.op('Reshape', [seq, n.ints([-1, 2 * H])]);
  const logits = n.op('Gemm', [flat, n.param([classes, 2 * H], 2), n.param([classes], 0.5)], { transB: 1 });
  const probs = n.op('Reshape', [logits, n.op('Concat', [tn, n.ints([classes])], { axis: 0 })]);
  n.w.output(n.w.op('Softmax', [probs], { axis: -1 }, 'probs'), 'float32', [T, 1, classes]);
  return n.w.bytes();
}
