// Interprets a pad plan.
import { contiguousStrides } from '../../ir/shape.ts';
import type { PadPlan } from '../../kernels/plan.ts';
import { padSource } from '../../ops/gather_pad.ts';
import type { Scalar } from '../scalar.ts';
import { type Buffers, forEachIndex, get } from './walk.ts';

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
