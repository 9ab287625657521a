// View of a gather along one axis.
import { DTYPES } from '../../ir/dtype.ts';
import type { GatherPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { decompose } from '../index_math.ts';
import { literal } from '../literals.ts';
import { header, type KernelView, taskFields } from './common.ts';

export function gatherView(p: GatherPlan, name: string, d: Dialect): KernelView {
  return {
    kind: 'gather',
    name,
    header: header(p, name),
    params: `const ${DTYPES[p.data.dtype].c} *${d.restrict} data, const ${DTYPES[p.indices.dtype].c} *${d.restrict} indices, ${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    items: p.partition.items,
    ...taskFields(p),
    dims: `outer ${p.outer}, axis ${p.axis}, inner ${p.inner}, ${p.count} indices`,
    decompose: decompose('idx', ['o', 'j', 'i'], [p.outer, p.count, p.inner]),
    axis: p.axis,
    inner: p.inner,
    zero: literal(0, p.out.dtype),
  };
}
