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
