// Groups nodes into kernels. An elementwise node joins the group of the node
// producing one of its inputs when that input has no other consumer, is not a
// graph output, and the node's output has the group's shape (so the group still
// iterates one index space). Anchors: elementwise ops and matmul-like plans
// whose registry entry accepts an epilogue (MatMul, Gemm, Transpose).
// E.g. MatMul -> Add -> Relu and Mul -> Add -> Tanh each become one kernel.

import type { Node } from '../ir/graph.ts';
import { sameShape } from '../ir/shape.ts';
import { isAlias, isElementwise } from '../ops/lowering.ts';
import { opDef } from '../ops/registry.ts';
import { definePass } from './pass.ts';

function canAnchor(n: Node): boolean {
  const l = opDef(n.op)?.lowering;
  return l?.kind === 'elementwise' || (l?.kind === 'kernel' && l.epilogue === true);
}

export const fuseElementwise = definePass({
  name: 'fuse-elementwise',
  run: (input, log) => {
    const g = input.clone();
    const consumers = g.consumers();
    const outputs = new Set(g.outputs);
    const groupOf = new Map<string, string>(); // node id -> group id
    const tail = new Map<string, string>(); // group id -> value id of its current result
    const open = new Set<string>(); // groups whose anchor accepts fused followers
    const producers = g.producers();
    let next = 0;
    for (const n of g.nodes) {
      if (isAlias(n) || opDef(n.op)?.lowering.kind === 'constant') continue;
      let joined: string | undefined;
      if (isElementwise(n)) {
        const out = g.value(n.outputs[0]);
        for (const i of n.inputs) {
          if (i === '') continue;
          const p = producers.get(i);
          if (p === undefined) continue;
          const grp = groupOf.get(p.id);
          if (grp === undefined || !open.has(grp) || tail.get(grp) !== i || outputs.has(i)) continue;
          if (!(consumers.get(i) ?? []).every((c) => c.id === n.id)) continue;
          if (!sameShape(g.value(i).shape, out.shape)) continue;
          joined = grp;
          break;
        }
      }
      const grp = joined ?? `g${next++}`;
      if (joined !== undefined) log('fuse-into-producer', n.id);
      else if (canAnchor(n)) open.add(grp);
      groupOf.set(n.id, grp);
      tail.set(grp, n.outputs[0]);
    }
    g.nodes = g.nodes.map((n) => (groupOf.has(n.id) ? { ...n, group: groupOf.get(n.id) } : n));
    return g;
  },
});
