// Interprets the window gradient kinds (compiler/ops/compute.ts WindowGradCompute,
// ConvWeightGradCompute) in exactly the order the C and CUDA kernels use.
import { numel } from '../../ir/shape.ts';
import type { ConvWeightGradPlan, WindowGradPlan } from '../../kernels/plan.ts';
import type { WindowGeometry } from '../../ops/compute.ts';
import { type Buffers, get } from './walk.ts';

const f = Math.fround;

function unflat(i: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let d = dims.length - 1; d >= 0; d--) {
    out[d] = i % dims[d];
    i = Math.floor(i / dims[d]);
  }
  return out;
}

/** Flat output position whose window reaches input position ii through kernel position ki, or -1. */
function outputAt(g: WindowGeometry, ii: readonly number[], ki: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < ii.length; d++) {
    const t = ii[d] + g.padsBegin[d] - ki[d] * g.dilations[d];
    if (t < 0 || t % g.strides[d] !== 0) return -1;
    const od = t / g.strides[d];
    if (od >= g.outSpatial[d]) return -1;
    o = o * g.outSpatial[d] + od;
  }
  return o;
}

/** Flat input position of kernel position ki in the window of output oi, or -1 outside the input. */
function inputAt(g: WindowGeometry, oi: readonly number[], ki: readonly number[]): number {
  let off = 0;
  for (let d = 0; d < oi.length; d++) {
    const j = oi[d] * g.strides[d] + ki[d] * g.dilations[d] - g.padsBegin[d];
    if (j < 0 || j >= g.inSpatial[d]) return -1;
    off = off * g.inSpatial[d] + j;
  }
  return off;
}

/** The average pool's divisor for window oi: positions inside X (or inside the padded extent). */
export function avgCount(g: WindowGeometry, oi: readonly number[]): number {
  let count = 1;
  for (let d = 0; d < oi.length; d++) {
    const [lo, hi] = g.countIncludePad ? [-g.padsBegin[d], g.inSpatial[d] + g.padsEnd[d]] : [0, g.inSpatial[d]];
    let c = 0;
    for (let k = 0; k < g.kernel[d]; k++) {
      const j = oi[d] * g.strides[d] + k * g.dilations[d] - g.padsBegin[d];
      if (j >= lo && j < hi) c++;
    }
    count *= c;
  }
  return count;
}

export function windowGradInterp(p: WindowGradPlan, bufs: Buffers): void {
  const dy = get(bufs, p.dy.buf) as Float32Array;
  const x = p.input ? (get(bufs, p.input.buf) as Float32Array) : undefined;
  const out = get(bufs, p.out.buf) as Float32Array;
  const inSize = numel(p.inSpatial);
  const outSize = numel(p.outSpatial);
  const kSize = numel(p.kernel);
  const kis = Array.from({ length: kSize }, (_, k) => unflat(k, p.kernel));
  const argmax = (n: number, c: number, o: number): number => {
    const oi = unflat(o, p.outSpatial);
    let best = Number.NEGATIVE_INFINITY;
    let at = -1;
    for (const ki of kis) {
      const j = inputAt(p, oi, ki);
      if (j < 0) continue;
      const v = x![(n * p.c + c) * inSize + j];
      if (at < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
        best = v;
        at = j;
      }
    }
    return at;
  };
  for (let n = 0; n < p.n; n++) {
    for (let c = 0; c < p.c; c++) {
      for (let i = 0; i < inSize; i++) {
        const ii = unflat(i, p.inSpatial);
        let acc = 0;
        for (let k = 0; k < kSize; k++) {
          const o = outputAt(p, ii, kis[k]);
          if (o < 0) continue;
          const g = dy[(n * p.c + c) * outSize + o];
          if (p.mode === 'avg') acc = f(acc + f(g / avgCount(p, unflat(o, p.outSpatial))));
          else if (argmax(n, c, o) === i) acc = f(acc + g);
        }
        out[(n * p.c + c) * inSize + i] = acc;
      }
    }
  }
}

export function convWeightGradInterp(p: ConvWeightGradPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as Float32Array;
  const dy = get(bufs, p.dy.buf) as Float32Array;
  const out = get(bufs, p.out.buf) as Float32Array;
  const inSize = numel(p.inSpatial);
  const outSize = numel(p.outSpatial);
  const kSize = numel(p.kernel);
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const ois = Array.from({ length: outSize }, (_, o) => unflat(o, p.outSpatial));
  for (let m = 0; m < p.m; m++) {
    const ch0 = Math.floor(m / mg) * cg;
    for (let c = 0; c < cg; c++) {
      for (let k = 0; k < kSize; k++) {
        const ki = unflat(k, p.kernel);
        let acc = 0;
        for (let n = 0; n < p.n; n++) {
          for (let o = 0; o < outSize; o++) {
            const j = inputAt(p, ois[o], ki);
            if (j < 0) continue;
            acc = f(acc + f(dy[(n * p.m + m) * outSize + o] * x[(n * p.c + ch0 + c) * inSize + j]));
          }
        }
        out[(m * cg + c) * kSize + k] = acc;
      }
    }
  }
}
