// Interprets a conv_transpose plan: the gather order of ConvTransposeCompute,
// mirrored by compiler/codegen/views/conv_transpose.ts.
import { numel } from '../../ir/shape.ts';
import type { ConvTransposePlan } from '../../kernels/plan.ts';
import { type Buffers, get } from './walk.ts';

export function convTransposeInterp(p: ConvTransposePlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as Float32Array;
  const w = get(bufs, p.weight.buf) as Float32Array;
  const b = p.bias ? (get(bufs, p.bias.buf) as Float32Array) : undefined;
  const y = get(bufs, p.out.buf) as Float32Array;
  const f = Math.fround;
  const r = p.inSpatial.length;
  const inSize = numel(p.inSpatial);
  const outSize = numel(p.outSpatial);
  const kSize = numel(p.kernel);
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const oi = new Array<number>(r);
  const ki = new Array<number>(r);
  for (let n = 0; n < p.n; n++) {
    for (let m = 0; m < p.m; m++) {
      for (let o = 0; o < outSize; o++) {
        for (let d = r - 1, rem = o; d >= 0; d--) {
          oi[d] = rem % p.outSpatial[d];
          rem = Math.floor(rem / p.outSpatial[d]);
        }
        let acc = 0;
        for (let c = 0; c < cg; c++) {
          const ch = Math.floor(m / mg) * cg + c;
          for (let k = 0; k < kSize; k++) {
            for (let d = r - 1, rem = k; d >= 0; d--) {
              ki[d] = rem % p.kernel[d];
              rem = Math.floor(rem / p.kernel[d]);
            }
            let off = 0;
            let hit = true;
            for (let d = 0; d < r && hit; d++) {
              const q = oi[d] + p.padsBegin[d] - ki[d] * p.dilations[d];
              const i = q / p.strides[d];
              if (q < 0 || !Number.isInteger(i) || i >= p.inSpatial[d]) hit = false;
              off = off * p.inSpatial[d] + i;
            }
            if (!hit) continue;
            acc = f(acc + f(x[(n * p.c + ch) * inSize + off] * w[(ch * mg + (m % mg)) * kSize + k]));
          }
        }
        y[(n * p.m + m) * outSize + o] = b ? f(acc + b[m]) : acc;
      }
    }
  }
}
