// The schedule: kernels in a deterministic topological order (ties broken by
// the position of the kernel's first node in the graph), view aliases resolved
// to their storage, and copies for graph outputs that cannot own their storage.

import { invariant } from '../ir/errors.ts';
import type { Graph, Node } from '../ir/graph.ts';
import type { TensorData } from '../ir/tensor.ts';
import { copyPlan, lowerGroup } from '../kernels/lower.ts';
import { packedConstants } from '../kernels/pack.ts';
import { BASELINE_TARGET, type KernelPlan, kernelReads, kernelWrites, type PlanTarget } from '../kernels/plan.ts';
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
  /** Constants the plans derived at compile time (packed weights), by storage id. */
  readonly constants: ReadonlyMap<string, TensorData>;
}

export function scheduleGraph(g: Graph, target: PlanTarget = BASELINE_TARGET): Schedule {
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
  const constants = new Map<string, TensorData>();
  const pending = [...groups.entries()].map(([key, nodes], at) => {
    const plan = lowerGroup(g, nodes, target);
    for (const [id, data] of packedConstants(plan, g)) if (!constants.has(id)) constants.set(id, data);
    return { at, key, nodes, plan, reads: kernelReads(plan).map(root), writes: kernelWrites(plan).map(root), first: firstIndex.get(key)! };
  });
  const writer = new Map(pending.flatMap((k) => k.writes.map((w) => [w, k.at] as const)));
  // Kahn's algorithm; the ready kernel whose first node comes first in the graph goes next
  // (a binary heap on that position: linear-logarithmic in the kernel count).
  const waiting = pending.map(() => 0);
  const users: number[][] = pending.map(() => []);
  for (const k of pending) {
    for (const w of new Set(k.reads.map((r) => writer.get(r)))) {
      if (w === undefined || w === k.at) continue;
      waiting[k.at]++;
      users[w].push(k.at);
    }
  }
  const ready = new MinHeap((a: number, b: number) => pending[a].first - pending[b].first);
  for (const k of pending) if (waiting[k.at] === 0) ready.push(k.at);
  const order: typeof pending = [];
  while (ready.size > 0) {
    const k = pending[ready.pop()];
    order.push(k);
    for (const u of users[k.at]) if (--waiting[u] === 0) ready.push(u);
  }
  invariant(order.length === pending.length, 'kernel dependency cycle');
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
  return { kernels, storage, outputs, constants };
}

/** A binary min-heap of kernel positions ordered by `cmp` (no ties: first-node positions differ). */
class MinHeap {
  private readonly xs: number[] = [];
  constructor(private readonly cmp: (a: number, b: number) => number) {}
  get size(): number {
    return this.xs.length;
  }
  push(x: number): void {
    const xs = this.xs;
    xs.push(x);
    let i = xs.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(xs[p], xs[i]) <= 0) break;
      [xs[p], xs[i]] = [xs[i], xs[p]];
      i = p;
    }
  }
  pop(): number {
    const xs = this.xs;
    const top = xs[0];
    const last = xs.pop()!;
    if (xs.length > 0) {
      xs[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < xs.length && this.cmp(xs[l], xs[m]) < 0) m = l;
        if (r < xs.length && this.cmp(xs[r], xs[m]) < 0) m = r;
        if (m === i) break;
        [xs[m], xs[i]] = [xs[i], xs[m]];
        i = m;
      }
    }
    return top;
  }
}
