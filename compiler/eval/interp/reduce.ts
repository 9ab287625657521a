// Interprets a reduce plan in the lane order of compiler/kernels/reduce_order.ts.
import { numel } from '../../ir/shape.ts';
import type { ReducePlan } from '../../kernels/plan.ts';
import { laneReduce } from '../../kernels/reduce_order.ts';
import { binary, evalBody, reduceInit, type Scalar } from '../scalar.ts';
import { type Buffers, forEachIndex, get } from './walk.ts';

export function reduceInterp(p: ReducePlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as unknown as Scalar[];
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const count = numel(p.reduced);
  const offs = new Array<number>(count);
  forEachIndex(p.kept, [p.input], (i, kept) => {
    forEachIndex(p.reduced, [{ ...p.input, strides: p.input.reducedStrides, offset: kept[0] }], (e, o) => {
      offs[e] = o[0];
    });
    const combine = (a: Scalar, b: Scalar) => binary(p.combine, p.accDtype, a, b);
    const acc = laneReduce(count, p.lanes, reduceInit(p.init, p.accDtype), (e) => evalBody(p.pre, [x[offs[e]]]), combine);
    out[i] = evalBody(p.post, [acc]);
  });
}
