// View of a concatenation: each input copied to its block of every output row.
import { DTYPES } from '../../ir/dtype.ts';
import type { ConcatPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { header, type KernelView, taskFields } from './common.ts';

export function concatView(p: ConcatPlan, name: string, d: Dialect): KernelView {
  const total = p.sizes.reduce((a, b) => a + b, 0);
  let start = 0;
  const parts = p.sizes.map((size, i) => {
    const part = {
      i,
      size,
      start,
      end: start + size,
      /** Elements per outer index of this input, and where they land in the output row. */
      block: size * p.inner,
      dst: start * p.inner,
    };
    start += size;
    return part;
  });
  return {
    kind: 'concat',
    name,
    header: header(p, name),
    params: [...p.inputs.map((x, i) => `const ${DTYPES[x.dtype].c} *${d.restrict} in${i}`), `${DTYPES[p.out.dtype].c} *${d.restrict} out`].join(', '),
    items: p.partition.items,
    ...taskFields(p),
    dims: `outer ${p.outer}, axis ${p.sizes.join(' + ')}, inner ${p.inner}`,
    outer: p.outer,
    row: total * p.inner,
    inner: p.inner,
    parts,
    ctype: DTYPES[p.out.dtype].c,
  };
}
