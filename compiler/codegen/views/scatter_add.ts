// View of a scatter-add (Gather's gradient): one output row per item, indices in increasing order.
import { DTYPES } from '../../ir/dtype.ts';
import type { ScatterAddPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { decompose } from '../index_math.ts';
import { header, type KernelView } from './common.ts';

export function scatterAddView(p: ScatterAddPlan, name: string, d: Dialect): KernelView {
  return {
    kind: 'scatter_add',
    name,
    header: header(p, name),
    params: `const float *${d.restrict} updates, const ${DTYPES[p.indices.dtype].c} *${d.restrict} indices, float *${d.restrict} out`,
    items: p.partition.items,
    dims: `outer ${p.outer}, axis ${p.axis}, inner ${p.inner}, ${p.count} indices`,
    decompose: decompose('idx', ['o', 'k'], [p.outer, p.axis]),
    axis: p.axis,
    inner: p.inner,
    count: p.count,
  };
}
