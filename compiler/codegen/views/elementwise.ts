import type { ElementwisePlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { collapseDims, contiguous, decompose, offsetExpr } from '../index_math.ts';
import { bodyLines, header, type KernelView, loads, params } from './common.ts';

export function elementwiseView(p: ElementwisePlan, name: string, d: Dialect): KernelView {
  const outStrides = contiguous(p.shape);
  const c = collapseDims(p.shape, [...p.inputs.map((o) => o.strides), outStrides]);
  const vars = c.shape.map((_, i) => `i${i}`);
  const inNames = p.inputs.map((_, n) => `in${n}`);
  const args = p.inputs.map((_, n) => `x${n}`);
  return {
    kind: 'elementwise',
    name,
    header: header(p, name),
    params: params(d, p.inputs, p.out, inNames),
    items: p.partition.items,
    loops: c.shape.map((extent, i) => ({ v: vars[i], extent })),
    decompose: decompose('i', vars, c.shape),
    loads: loads(p.inputs, inNames, vars, c.strides),
    body: bodyLines(p.body, args),
    store: `out[${offsetExpr(vars, c.strides[c.strides.length - 1])}] = t${p.body.length - 1};`,
    shape: `[${p.shape.join(', ')}]`,
  };
}
