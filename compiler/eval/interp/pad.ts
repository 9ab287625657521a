// Interprets a pad plan.
import { contiguousStrides } from '../../ir/shape.ts';
import type { PadPlan } from '../../kernels/plan.ts';
import type { Scalar } from '../scalar.ts';
import { type Buffers, forEachIndex, get } from './walk.ts';

/** Mirrors padMap in compiler/codegen/views/pad.ts. */
function padSource(mode: PadPlan['mode'], s: number, n: number): number | undefined {
  if (mode === 'constant') return s < 0 || s >= n ? undefined : s;
  if (mode === 'edge') return s < 0 ? 0 : s >= n ? n - 1 : s;
  if (mode === 'wrap') return ((s % n) + n) % n;
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((s % period) + period) % period;
  return m < n ? m : period - m;
}

export function padInterp(p: PadPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as unknown as Scalar[];
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const inStrides = contiguousStrides(p.inShape);
  const value = p.out.dtype === 'int64' ? BigInt(p.value) : p.out.dtype === 'float32' ? Math.fround(p.value) : p.value;
  forEachIndex(p.outShape, [], (i) => {
    let rem = i;
    let off = 0;
    let fill = false;
    for (let d = p.outShape.length - 1; d >= 0; d--) {
      const o = rem % p.outShape[d];
      rem = Math.floor(rem / p.outShape[d]);
      const s = padSource(p.mode, o - p.padsBegin[d], p.inShape[d]);
      if (s === undefined) fill = true;
      else off += s * inStrides[d];
    }
    out[i] = fill ? value : x[off];
  });
}
