// Resize's per-axis source positions and interpolation weights, computed once at
// compile time (shapes are static) as tables the kernel reads. The float32 steps
// follow onnxruntime's CPU Resize (upsamplebase.h, upsample.cc) operation by
// operation, so nearest-index ties and weights come out as there.
import type { ResizeAxis } from './compute.ts';

const f = Math.fround;

export type CoordMode =
  | 'half_pixel'
  | 'half_pixel_symmetric'
  | 'pytorch_half_pixel'
  | 'align_corners'
  | 'asymmetric'
  | 'tf_half_pixel_for_nearest'
  | 'tf_crop_and_resize';
/** 'simple': opset 10 and Upsample (floor when upsampling, ceil when downsampling). */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';
export type InterpMode = 'nearest' | 'linear' | 'cubic';

export interface AxisSpec {
  readonly inSize: number;
  readonly outSize: number;
  /** float32 scale (output / input, or the given scale). */
  readonly scale: number;
  readonly roiStart: number;
  readonly roiEnd: number;
}

export interface ResizeMode {
  readonly mode: InterpMode;
  readonly coord: CoordMode;
  readonly nearest: NearestMode;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
}

/** Source coordinate of output index o along one axis, in float32 (some modes round through double, as onnxruntime does). */
export function sourceCoord(coord: CoordMode, o: number, a: AxisSpec): number {
  const s = f(a.scale);
  const lo = a.inSize;
  const lr = a.outSize;
  switch (coord) {
    case 'asymmetric':
      return f(o / s);
    case 'pytorch_half_pixel':
      return lr > 1 ? f(f(f(o + 0.5) / s) - 0.5) : 0;
    case 'tf_half_pixel_for_nearest':
      return f(f(o + 0.5) / s);
    case 'align_corners':
      return lr === 1 ? 0 : f(f(o * (lo - 1)) / (lr - 1));
    case 'tf_crop_and_resize': {
      const rs = f(a.roiStart);
      const re = f(a.roiEnd);
      if (lr > 1) return f(f(rs * (lo - 1)) + f(f(f(o * f(re - rs)) * (lo - 1)) / (lr - 1)));
      return f(0.5 * f(rs + re) * (lo - 1));
    }
    case 'half_pixel_symmetric': {
      const outWidth = f(s * lo);
      const adjustment = f(lr / outWidth);
      const center = f(lo / 2);
      const offset = f(center * f(1 - adjustment));
      return f(offset + (o + 0.5) / s - 0.5);
    }
    case 'half_pixel':
      return f(f(f(o + 0.5) / s) - 0.5);
  }
}

/** C's round(): halves away from zero. */
const roundAway = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

function nearestIndex(mode: NearestMode, x: number, downsample: boolean): number {
  switch (mode) {
    case 'simple':
      return downsample ? Math.ceil(x) : Math.trunc(x);
    case 'round_prefer_ceil':
      return roundAway(x);
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_floor':
      return x === f(Math.trunc(x) + 0.5) ? Math.floor(x) : roundAway(x);
  }
}

/** Keys's cubic convolution weights for the 4 neighbours of fraction s (onnxruntime's float32 form). */
function cubicCoeffs(s: number, a: number): number[] {
  const t = f(Math.abs(s));
  const t1 = f(t + 1);
  const u = f(1 - t);
  const u2 = f(2 - t);
  const outer = (d: number) => f(f(f(f(f(f(a * d) - f(5 * a)) * d) + f(8 * a)) * d) - f(4 * a));
  const inner = (d: number) => f(f(f(f(f(f(a + 2) * d) - f(a + 3)) * d) * d) + 1);
  return [outer(t1), inner(t), inner(u), outer(u2)];
}

const clampIndex = (i: number, n: number) => (i < 0 ? 0 : i >= n ? n - 1 : i);

/** The table for one resized axis; identity axes come back with no index (see ResizeAxis). */
export function axisTable(m: ResizeMode, a: AxisSpec): ResizeAxis {
  // An unresized axis is copied, as onnxruntime does for every mode (the spec's formula would
  // shift it under tf_half_pixel_for_nearest with ceil); a crop of it is not unresized.
  const cropped = m.coord === 'tf_crop_and_resize' && (a.roiStart !== 0 || a.roiEnd !== 1);
  if (a.scale === 1 && a.inSize === a.outSize && !cropped) return { taps: 1, index: [], weight: [], outside: false };
  const index: number[] = [];
  const weight: number[] = [];
  const taps = m.mode === 'nearest' ? 1 : m.mode === 'linear' ? 2 : 4;
  let outside = false;
  for (let o = 0; o < a.outSize; o++) {
    const x = sourceCoord(m.coord, o, a);
    if (m.coord === 'tf_crop_and_resize' && (x < 0 || x > a.inSize - 1)) {
      outside = true;
      for (let t = 0; t < taps; t++) index.push(-1);
      if (taps > 1) for (let t = 0; t < taps; t++) weight.push(0);
      continue;
    }
    if (m.mode === 'nearest') {
      index.push(clampIndex(nearestIndex(m.nearest, x, a.scale < 1), a.inSize));
    } else if (m.mode === 'linear') {
      const xc = f(Math.max(0, Math.min(x, a.inSize - 1)));
      const x1 = Math.min(Math.trunc(xc), a.inSize - 1);
      const x2 = Math.min(x1 + 1, a.inSize - 1);
      // Weight of x1 is the distance to x2 and vice versa; both 0.5 on the last index.
      const same = x1 === x2;
      index.push(x1, x2);
      weight.push(same ? 0.5 : f(Math.abs(xc - x2)), same ? 0.5 : f(Math.abs(xc - x1)));
    } else {
      const x0 = Math.floor(x);
      const c = cubicCoeffs(f(x - x0), f(m.cubicA));
      if (m.excludeOutside) {
        for (let t = 0; t < 4; t++) if (x0 - 1 + t < 0 || x0 - 1 + t >= a.inSize) c[t] = 0;
        const sum = f(f(f(c[0] + c[1]) + c[2]) + c[3]);
        for (let t = 0; t < 4; t++) c[t] = f(c[t] / sum);
      }
      for (let t = 0; t < 4; t++) index.push(clampIndex(x0 - 1 + t, a.inSize));
      weight.push(...c);
    }
  }
  return { taps, index, weight: taps === 1 ? [] : weight, outside };
}
