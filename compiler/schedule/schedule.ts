// The schedule: kernels in a deterministic topological order (ties broken by
// the position of the kernel's first node in the graph), view aliases resolved
// to their storage, and copies for graph outputs that cannot own their storage.

import { invariant } from '../ir/errors.ts';
import type { Graph, Node } from '../ir/graph.ts';
import { copyPlan, lowerGroup } from '../kernels/lower.ts';
import { type KernelPlan, kernelReads } from '../kernels/plan.ts';
import { isAlias } from '../ops/lowering.ts';
import { opDef } from '../ops/registry.ts';

export interface Kernel {
  /** Position in the schedule, also the kernel's name prefix (k0, k1, ...). */
  readonly index: number;
  readonly plan: KernelPlan;
  /** Graph node ids this kernel computes (empty for output copies). */
  readonly nodes: readonly string[];
}

export interface Schedule {
  readonly kernels: readonly Kernel[];
  /** Storage root of every value that has one (views map to their source). */
  readonly storage: ReadonlyMap<string, string>;
  /** Storage id of each graph output, in output order. */
  readonly outputs: readonly string[];
}

export function scheduleGraph(g: Graph): Schedule {
  const storage = new Map<string, string>();
  for (const id of g.values.keys()) storage.set(id, id);
  const groups = new Map<string, Node[]>();
  const firstIndex = new Map<string, number>();
  g.nodes.forEach((n, i) => {
    if (isAlias(n)) {
      storage.set(n.outputs[0], storage.get(n.inputs[0]) ?? n.inputs[0]);
      return;
    }
    invariant(opDef(n.op)?.lowering.kind !== 'constant', `constant node ${n.id} survived import`);
    const key = n.group ?? n.id;
    const list = groups.get(key);
    if (list) list.push(n);
    else {
      groups.set(key, [n]);
      firstIndex.set(key, i);
    }
  });
  const root = (id: string) => storage.get(id) ?? id;
  const pending = [...groups.entries()].map(([key, nodes]) => {
    const plan = lowerGroup(g, nodes);
    return { key, nodes, plan, reads: kernelReads(plan).map(root), writes: root(plan.out.buf) };
  });
  const writer = new Map(pending.map((k) => [k.writes, k.key]));
  const done = new Set<string>();
  const order: typeof pending = [];
  // Kahn's algorithm; the ready kernel whose first node comes first in the graph goes next.
  while (order.length < pending.length) {
    let best: (typeof pending)[number] | undefined;
    for (const k of pending) {
      if (done.has(k.key)) continue;
      const ready = k.reads.every((r) => {
        const w = writer.get(r);
        return w === undefined || w === k.key || done.has(w);
      });
      if (ready && (best === undefined || firstIndex.get(k.key)! < firstIndex.get(best.key)!)) best = k;
    }
    invariant(best !== undefined, 'kernel dependency cycle');
    done.add(best.key);
    order.push(best);
  }
  const kernels: Kernel[] = order.map((k, index) => ({ index, plan: k.plan, nodes: k.nodes.map((n) => n.id) }));
  // A graph output owns its storage unless that storage is an input, a constant,
  // or already another output's: then it gets a copy.
  const owned = new Set<string>();
  const outputs = g.outputs.map((id, i) => {
    const r = root(id);
    const written = writer.has(r);
    if (written && !owned.has(r)) {
      owned.add(r);
      return r;
    }
    const dst = `out${i}`;
    kernels.push({ index: kernels.length, plan: copyPlan(g.value(id), r, dst), nodes: [] });
    storage.set(dst, dst);
    return dst;
  });
  return { kernels, storage, outputs };
}
