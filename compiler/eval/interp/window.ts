// Interprets a window plan (conv, max and average pools) in the emitted order.
import { numel } from '../../ir/shape.ts';
import type { WindowPlan } from '../../kernels/plan.ts';
import { evalBody, type Scalar } from '../scalar.ts';
import * as vm from '../volta_math.ts';
import { type Buffers, forEachIndex, get } from './walk.ts';

export function windowInterp(p: WindowPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as Float32Array;
  const w = p.weight ? (get(bufs, p.weight.buf) as Float32Array) : undefined;
  const b = p.bias ? (get(bufs, p.bias.buf) as Float32Array) : undefined;
  // Window results first, then the fused epilogue (a bare result is stored as is).
  const bare = p.body.length === 1 && p.body[0].k === 'arg' && p.out.dtype === 'float32';
  const y = bare ? (get(bufs, p.out.buf) as Float32Array) : new Float32Array(p.n * p.m * numel(p.outSpatial));
  const f = Math.fround;
  const r = p.inSpatial.length;
  const inSize = numel(p.inSpatial);
  const kSize = numel(p.kernel);
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const unflat = (i: number, dims: readonly number[]) => {
    const out = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      out[d] = i % dims[d];
      i = Math.floor(i / dims[d]);
    }
    return out;
  };
  const outSize = numel(p.outSpatial);
  const channels = p.mode === 'conv' ? cg : 1;
  // MaxPool's Indices (WindowCompute.indices): the first NaN, else the first maximum, tested before acc takes v.
  const ix = p.indices ? (get(bufs, p.indices.buf) as BigInt64Array) : undefined;
  const colMajor = p.indices?.columnMajor === true;
  for (let n = 0; n < p.n; n++) {
    for (let m = 0; m < p.m; m++) {
      for (let o = 0; o < outSize; o++) {
        const oi = unflat(o, p.outSpatial);
        let acc = p.mode === 'max' ? -Infinity : 0;
        let count = 0;
        let countPad = 0;
        let arg = -1;
        for (let c = 0; c < channels; c++) {
          const ch = p.mode === 'conv' ? Math.floor(m / mg) * cg + c : m;
          for (let k = 0; k < kSize; k++) {
            const ki = unflat(k, p.kernel);
            let inPadded = true;
            let inBounds = true;
            let off = 0;
            let colOff = 0;
            let colStride = 1;
            for (let d = 0; d < r; d++) {
              const i = oi[d] * p.strides[d] + ki[d] * p.dilations[d] - p.padsBegin[d];
              if (i < -p.padsBegin[d] || i >= p.inSpatial[d] + p.padsEnd[d]) inPadded = false;
              if (i < 0 || i >= p.inSpatial[d]) inBounds = false;
              off = off * p.inSpatial[d] + i;
              colOff += i * colStride;
              colStride *= p.inSpatial[d];
            }
            if (!inPadded) continue;
            countPad++;
            if (!inBounds) continue;
            count++;
            const v = x[(n * p.c + ch) * inSize + off];
            if (ix && (arg < 0 || (Number.isNaN(v) ? !Number.isNaN(acc) : v > acc))) arg = (n * p.c + ch) * inSize + (colMajor ? colOff : off);
            if (p.mode === 'conv') acc = f(acc + f(v * w![(m * cg + c) * kSize + k]));
            else if (p.mode === 'max') acc = vm.fmaxf(acc, v);
            else acc = f(acc + v);
          }
        }
        const at = (n * p.m + m) * outSize + o;
        if (p.mode === 'conv') y[at] = b ? f(acc + b[m]) : acc;
        else if (p.mode === 'max') y[at] = acc;
        else y[at] = f(acc / (p.countIncludePad ? countPad : count));
        if (ix) ix[at] = BigInt(arg);
      }
    }
  }
  if (bare) return;
  const ep = p.epilogueInputs.map((o) => get(bufs, o.buf));
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  forEachIndex([p.n, p.m, ...p.outSpatial], p.epilogueInputs, (i, offs) => {
    out[i] = evalBody(p.body, [y[i], ...offs.map((o, j) => ep[j][o])]);
  });
}
