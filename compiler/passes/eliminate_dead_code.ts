// Drops nodes and constants that no graph output depends on. Graph inputs stay
// (they are the model's calling convention) even when unused.
import { definePass } from './pass.ts';

export const eliminateDeadCode = definePass({
  name: 'eliminate-dead-code',
  run: (input, log) => {
    const g = input.clone();
    const live = new Set<string>([...g.outputs, ...g.inputs]);
    const keep = new Array<boolean>(g.nodes.length).fill(false);
    for (let i = g.nodes.length - 1; i >= 0; i--) {
      const n = g.nodes[i];
      if (!n.outputs.some((o) => live.has(o))) continue;
      keep[i] = true;
      for (const x of n.inputs) if (x !== '') live.add(x);
    }
    g.nodes.forEach((n, i) => {
      if (!keep[i]) log('drop-node', n.id);
    });
    g.nodes = g.nodes.filter((_, i) => keep[i]);
    for (const n of g.nodes) for (const o of n.outputs) live.add(o);
    for (const id of [...g.values.keys()]) {
      if (!live.has(id)) {
        g.values.delete(id);
        log('drop-value', id);
      }
    }
    return g;
  },
});
