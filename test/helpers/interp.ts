// The TS reference executor (compiler/eval/reference.ts) with feeds/fetches by name.
import type { Compiled } from '../../compiler/compile.ts';
import type { AnyTypedArray } from '../../compiler/ir/dtype.ts';
import { referenceRun } from '../../compiler/reference.ts';
import type { Tensor } from '../../runtime/index.ts';

export function referenceFetches(c: Compiled, feeds: Readonly<Record<string, Tensor>>): Record<string, AnyTypedArray> {
  const g = c.graph;
  const inputs = g.inputs.map((id) => {
    const t = feeds[g.value(id).name];
    return { dtype: t.type, shape: t.dims, data: t.data };
  });
  const outs = referenceRun(c, inputs);
  return Object.fromEntries(g.outputs.map((id, i) => [g.value(id).name, outs[i].data]));
}
