// Groups nodes into kernels. An elementwise node joins the group of the node
// producing one of its inputs when that input is the group's current result, has
// no other consumer (or only one that reconverges: see below), is not a graph
// output, and the node's output has the group's shape (so the group still
// iterates one index space). Anchors: elementwise ops and kernels whose registry
// entry accepts an epilogue (MatMul, Gemm, Conv, the pools).
// E.g. MatMul -> Add -> Relu, Conv -> Add(bias) -> Clip and Mul -> Add -> Tanh each
// become one kernel.
//
// Reconverging: y = f(x) may join although x has a second consumer z = g(x, y)
// when y feeds only z; then z joins too and reads x inside the kernel. This fuses
// x * Sigmoid(x) (SiLU) and x * HardSigmoid(x) after a Conv.
//
// Size budget: a group takes at most MAX_FUSED_OPS nodes, so the C compiler,
// whose optimisation time grows faster than linearly in a function's size, sees
// kernels of bounded size and compiles a long chain in time linear in its length.

import type { Node } from '../ir/graph.ts';
import { sameShape } from '../ir/shape.ts';
import { isAlias, isElementwise } from '../ops/lowering.ts';
import { opDef } from '../ops/registry.ts';
import { definePass } from './pass.ts';

/** Nodes per fused kernel at most (a 10 000-op chain becomes ~160 kernels of bounded size). */
export const MAX_FUSED_OPS = 64;

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
    const size = new Map<string, number>(); // group id -> nodes in it
    // z = g(x, y) with y = f(x) feeding only z: the second consumer of x reconverges through y.
    const reconverges = (x: string, n: Node, others: readonly Node[]): boolean => {
      if (others.length === 0) return true;
      const z = others[0];
      const y = n.outputs[0];
      return (
        others.every((o) => o.id === z.id) &&
        isElementwise(z) &&
        z.inputs.includes(y) &&
        z.inputs.includes(x) &&
        !outputs.has(y) &&
        sameShape(g.value(z.outputs[0]).shape, g.value(x).shape) &&
        (consumers.get(y) ?? []).every((c) => c.id === z.id)
      );
    };
    // A reconverging z must join the group that holds x (x is not stored), so it is reserved for it.
    const reserved = new Map<string, string>(); // node id -> group id
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
          const want = reserved.get(n.id);
          if (want !== undefined && grp !== want) continue;
          const others = (consumers.get(i) ?? []).filter((c) => c.id !== n.id);
          if ((size.get(grp) ?? 0) + (others.length > 0 ? 2 : 1) > MAX_FUSED_OPS && want === undefined) continue;
          if (!reconverges(i, n, others)) continue;
          if (!sameShape(g.value(i).shape, out.shape)) continue;
          if (others.length > 0) reserved.set(others[0].id, grp);
          joined = grp;
          break;
        }
      }
      const grp = joined ?? `g${next++}`;
      if (joined !== undefined) log('fuse-into-producer', n.id);
      else if (canAnchor(n)) open.add(grp);
      groupOf.set(n.id, grp);
      tail.set(grp, n.outputs[0]);
      size.set(grp, (size.get(grp) ?? 0) + 1);
    }
    g.nodes = g.nodes.map((n) => (groupOf.has(n.id) ? { ...n, group: groupOf.get(n.id) } : n));
    return g;
  },
});
