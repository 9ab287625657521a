// Runs a compiled schedule through the TS reference interpreter: every kernel
// plan in order, over one buffer per storage root (views share their source's
// buffer, as in the memory plan; temps get their own, so no arena reuse).
import type { Compiled } from '../../compiler/compile.ts';
import { interpret } from '../../compiler/eval/interpret.ts';
import { type AnyTypedArray, DTYPES } from '../../compiler/ir/dtype.ts';
import { numel } from '../../compiler/ir/shape.ts';
import type { Tensor } from '../../runtime/index.ts';

export function interpretSchedule(c: Compiled, feeds: Readonly<Record<string, Tensor>>): Record<string, AnyTypedArray> {
  const g = c.graph;
  const s = c.schedule;
  const root = (id: string) => s.storage.get(id) ?? id;
  const byRoot = new Map<string, AnyTypedArray>();
  const alloc = (id: string): AnyTypedArray => {
    const r = root(id);
    let b = byRoot.get(r);
    if (b !== undefined) return b;
    const v = g.values.get(r);
    if (v?.data !== undefined) b = v.data.data.slice();
    else if (v !== undefined && g.inputs.includes(r)) b = feeds[v.name].data.slice();
    else {
      // A temp, a graph output, or an output-copy destination (out<i>, not a graph value).
      const src = v ?? g.value(g.outputs[s.outputs.indexOf(r)]);
      b = DTYPES[src.dtype].make(numel(src.shape));
    }
    byRoot.set(r, b);
    return b;
  };
  const bufs = new Map<string, AnyTypedArray>();
  const bind = (id: string) => bufs.set(id, alloc(id));
  for (const id of g.values.keys()) bind(id);
  for (const id of s.outputs) bind(id);
  for (const k of s.kernels) interpret(k.plan, bufs);
  const out: Record<string, AnyTypedArray> = {};
  g.outputs.forEach((id, i) => {
    out[g.value(id).name] = byRoot.get(s.outputs[i])!;
  });
  return out;
}
