import type { ElementwisePlan } from '../../kernels/plan.ts';
import { evalBody, type Scalar } from '../scalar.ts';
import { type Buffers, forEachIndex, get } from './walk.ts';

export function elementwiseInterp(p: ElementwisePlan, bufs: Buffers): void {
  const ins = p.inputs.map((o) => get(bufs, o.buf));
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const e = p.body[0];
  if (p.body.length === 1 && e.k === 'arg' && p.inputs[e.i].dtype === p.out.dtype) {
    // A pure copy (transpose, output copy): no expression to evaluate per element.
    const src = ins[e.i] as unknown as Scalar[];
    forEachIndex(p.shape, [p.inputs[e.i]], (i, offs) => {
      out[i] = src[offs[0]];
    });
    return;
  }
  forEachIndex(p.shape, p.inputs, (i, offs) => {
    out[i] = evalBody(
      p.body,
      offs.map((o, j) => ins[j][o]),
    );
  });
}
